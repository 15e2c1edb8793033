"""The data every part of cloudrift speaks: resources, findings and the scan report.

The JSON report is a contract: ``ScanReport.model_dump(mode="json")`` is what ``json://`` writes
and ``cloudrift schema`` publishes the JSON Schema of. Bump ``SCHEMA_VERSION`` on any change that
is not purely additive.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from enum import Enum
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

# re-exported: the report model is where most code looks for them
from cloudrift.kinds import GLOBAL_REGION as GLOBAL_REGION
from cloudrift.kinds import FindingKind as FindingKind
from cloudrift.kinds import FindingStatus as FindingStatus

SCHEMA_VERSION = "1.8"


# how far a scan searched for unmanaged resources (``--unmanaged``), widest first
UnmanagedSearch = Literal["all", "listings", "managed-types", "none"]
UNMANAGED_SEARCHES: tuple[UnmanagedSearch, ...] = ("all", "listings", "managed-types", "none")

# warnings that mean part of the desired state was not compared
INCOMPLETE_WARNINGS = frozenset({
    "state_unreadable",  # a state was not read: its resources were not compared
    "detail_unavailable",  # fields were not read: their drift may be unseen
    "hcl_unreadable",  # a code file was not parsed: unapplied resources may be unseen
    "account_unreachable",  # an account of the organisation could not be entered at all
})


class Scope(BaseModel):
    """Where a resource lives: account (or project, subscription), region and, in Azure, the
    resource group."""

    model_config = ConfigDict(frozen=True)

    account: str | None = None
    region: str = GLOBAL_REGION
    group: str | None = Field(default=None, description="the resource group (Azure)")

    @property
    def place(self) -> str:
        """The unit a listing covers within the account: the resource group, else the region."""
        return self.group or self.region

    def label(self) -> str:
        """``123456789012/eu-west-1``; ``SUBSCRIPTION/rg-app`` for an Azure resource group."""
        return f"{self.account or '?'}/{self.place}"


class ResourceKey(BaseModel):
    """The canonical identity used for matching: Terraform type, import id, region."""

    model_config = ConfigDict(frozen=True)

    type: str
    id: str
    region: str = GLOBAL_REGION


class Resource(BaseModel):
    """One resource, desired (from state) or actual (from the cloud), normalised by its spec.

    ``attributes`` holds only the fields the spec compares, keyed by Terraform attribute path,
    already normalised. A field that is absent from ``attributes`` of an actual resource is
    *unknown* (the API cannot return it) and is never reported as drift.
    """

    provider: str
    type: str
    id: str
    scope: Scope = Field(default_factory=Scope)
    address: str | None = None
    source: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    sensitive: frozenset[str] = frozenset()
    is_default: bool = False
    # for a part of a parent (a rule of a security group): the parent's import id, and the
    # parent fields of the PartOf that placed it there (when they are fixed)
    parent: str | None = None
    parent_fields: tuple[str, ...] | None = None

    @property
    def key(self) -> ResourceKey:
        return ResourceKey(type=self.type, id=self.id, region=self.scope.region)


class FieldChange(BaseModel):
    """One changed field: the whole expected and actual values, and for a list, a set or a
    structure, what changed inside it (absent when nothing more can be said)."""

    path: str
    expected: Any = None
    actual: Any = None
    added: list[Any] | None = Field(
        default=None, description="elements the cloud has and the state does not (a list or set)")
    removed: list[Any] | None = Field(
        default=None, description="elements the state has and the cloud does not (a list or set)")
    changes: list[FieldChange] | None = Field(
        default=None, description="changes inside an element both sides have, or inside a "
        "structure, each with its full path")

    @model_serializer(mode="wrap")
    def _leave_out_empty_parts(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # a plain value change reads as it always did: path, expected, actual
        data: dict[str, Any] = handler(self)
        for key in ("added", "removed", "changes"):
            if data.get(key) is None:
                data.pop(key, None)
        return data

    @property
    def has_elements(self) -> bool:
        """Whether the change says more than its two whole values."""
        return bool(self.added or self.removed or self.changes)

    def element_summary(self) -> str:
        """``1 added, 1 removed, 1 changed``."""
        parts = []
        if self.added:
            parts.append(f"{len(self.added)} added")
        if self.removed:
            parts.append(f"{len(self.removed)} removed")
        if self.changes:
            parts.append(f"{len(self.changes)} changed")
        return ", ".join(parts)


class AttributionStatus(str, Enum):
    FOUND = "found"  # write events on the resource were found
    UNKNOWN = "unknown"  # the lookup worked and found no write event: no evidence, no guess
    FAILED = "failed"  # the lookup itself failed (denied, throttled past retries, unreachable)

    def __str__(self) -> str:
        return self.value


class ChangeEvent(BaseModel):
    """One write event on a resource, from the cloud's audit log. Only these fields are ever
    copied from an event: its request parameters may hold secrets."""

    principal: str = Field(description="who made the call: an ARN, an e-mail, a principal id")
    time: str = Field(description="when, ISO-8601 in UTC")
    source_ip: str | None = Field(None, description="the caller's address as the log has it")
    event_name: str = Field(description="the API call: ModifyDBInstance, "
                            "Microsoft.Compute/virtualMachines/write, v1.compute.instances.insert")
    source: str = Field(description="the log: cloudtrail, azure-activity-log, gcp-audit-log")
    event_id: str | None = None


class Attribution(BaseModel):
    """Who changed a resource: its last write events, newest first (``--attribute``)."""

    status: AttributionStatus
    events: list[ChangeEvent] = Field(default_factory=list)
    note: str | None = Field(None, description="why unknown or failed, or what was searched")


class Finding(BaseModel):
    kind: FindingKind
    type: str
    id: str
    address: str | None = None
    provider: str
    scope: Scope
    source: str | None = None
    location: str | None = None
    root: str | None = Field(
        default=None,
        description="the root module or Terragrunt unit whose state or code the finding comes "
        "from: its directory in the repository ('.' for the top), as `code_coverage` names it; "
        "set when the scan reads code (zero-config discovery, or --hcl); never on unmanaged "
        "findings, which come from no state",
    )
    changes: list[FieldChange] = Field(default_factory=list)
    fingerprint: str = ""
    observed: dict[str, Any] | None = Field(
        default=None,
        description="unmanaged findings only, and only from `scan --observe-unmanaged`: the "
        "fields the type's spec compares, as the cloud reports them (secrets left out), keyed "
        "by Terraform argument path; what `cloudrift fix` writes a configuration from when no "
        "terraform is at hand",
    )
    # from the history (None when the scan kept none): ISO-8601 UTC, to the second
    status: FindingStatus | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    age_days: float | None = None
    # findings of one type with the same changes (paths and values) share a group id
    group: str | None = None
    attribution: Attribution | None = Field(
        default=None,
        description="changed and missing findings only, and only from `scan --attribute`: who "
        "changed the resource, from the cloud's audit log",
    )

    @model_serializer(mode="wrap")
    def _leave_out_unobserved(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # optional extras of a few findings: absent, not null, everywhere else (1.0 readers
        # see the same findings they always did)
        data: dict[str, Any] = handler(self)
        for extra in ("observed", "attribution", "root"):
            if data.get(extra) is None:
                data.pop(extra, None)
        return data

    def with_fingerprint(self) -> Finding:
        """Return a copy whose fingerprint identifies *this* drift, stable across runs.

        The fingerprint hashes kind, identity and the changed paths, never the values: a value may
        be a secret, and the same drift must keep its fingerprint when a timestamp moves.
        """
        parts = [
            self.kind.value,
            self.provider,
            self.type,
            self.id,
            self.scope.account or "",
            self.scope.region,
            self.address or "",
            *sorted(change.path for change in self.changes),
        ]
        if self.kind is FindingKind.UNAPPLIED and self.root not in (None, "."):
            # one module's code in two roots (two Terragrunt units of one module) declares the
            # same address twice: two drifts, not one
            parts.append(f"root={self.root}")
        digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]
        return self.model_copy(update={"fingerprint": digest})


def finding_order(finding: Finding) -> tuple[int, str, str, str, str]:
    """The order reports list findings in: by kind, then type, address, region, id."""
    return (
        list(FindingKind).index(finding.kind),
        finding.type,
        finding.address or "",
        finding.scope.region,
        finding.id,
    )


class ScanWarning(BaseModel):
    """Something the scan could not see, or a problem it worked around."""

    code: str
    message: str
    provider: str | None = None
    type: str | None = None
    scope: Scope | None = None


class TypeCoverage(BaseModel):
    """How completely one resource type was scanned."""

    provider: str
    type: str
    scanned_scopes: list[str] = Field(default_factory=list)
    failed_scopes: list[str] = Field(default_factory=list)
    managed: int = 0
    actual: int = 0
    not_seen: int = 0
    unknown_fields: int = 0
    unmanaged_searched: bool = Field(
        True, description="whether resources of this type that no state manages were looked "
        "for in its scanned scopes (false with --unmanaged none: only managed ones were read)")

    @property
    def complete(self) -> bool:
        return not self.failed_scopes


def fold_coverage(entries: Iterable[TypeCoverage]) -> list[TypeCoverage]:
    """One entry per (provider, type): the scopes of several accounts' providers (or of several
    shards) together, their counts added up; sorted."""
    folded: dict[tuple[str, str], TypeCoverage] = {}
    for cov in entries:
        key = (cov.provider, cov.type)
        merged = folded.setdefault(key, TypeCoverage(provider=cov.provider, type=cov.type))
        merged.scanned_scopes = sorted(set(merged.scanned_scopes) | set(cov.scanned_scopes))
        merged.failed_scopes = sorted(set(merged.failed_scopes) | set(cov.failed_scopes))
        merged.managed += cov.managed
        merged.actual += cov.actual
        merged.not_seen += cov.not_seen
        merged.unknown_fields += cov.unknown_fields
        # searched for unmanaged resources only if every part of it was
        merged.unmanaged_searched = merged.unmanaged_searched and cov.unmanaged_searched
    return [folded[key] for key in sorted(folded)]


# why a managed resource was not compared; docs/outputs.md explains each
NOT_COMPARED_REASONS = (
    "unsupported_type",  # no provider plugin has a spec for its type yet
    "terraform_only",  # a resource with no cloud object (random_*, null_resource, tls_*, ...)
    "outside_scope",  # its provider or account is not part of this scan
    "no_import_id",  # its state holds no id to find it by
    "duplicate",  # the same cloud object is managed twice; the first is compared
    "not_seen",  # its type could not be listed where it lives (denied, throttled, ...)
    "filtered",  # left out by --type / --exclude-type
)


class NotCompared(BaseModel):
    """Managed resources of one type not compared, and why."""

    reason: str
    provider: str
    type: str
    count: int = 0


class CodeCoverage(BaseModel):
    """Whether the code of one root module was checked completely for unapplied resources."""

    root: str
    checked: bool = True


class TrendPoint(BaseModel):
    """Open drift on one day, from the history: per kind and per provider."""

    day: str
    kinds: dict[str, int] = Field(default_factory=dict)
    providers: dict[str, int] = Field(default_factory=dict)


class Summary(BaseModel):
    total_resources: int = 0
    managed: int = Field(0, description="every managed resource in the scanned states")
    compared: int = Field(0, description="managed resources compared: in sync, changed or missing")
    not_compared: dict[str, int] = Field(
        default_factory=dict, description="managed resources not compared, by reason")
    in_sync: int = 0
    changed: int = 0
    missing: int = 0
    unmanaged: int = 0
    unapplied: int = 0
    ignored: int = 0
    unmanaged_search: UnmanagedSearch = Field(
        "all", description="where unmanaged resources were looked for: every supported type "
        "and every part under every managed parent (all); every supported type by its "
        "listings, parts listed one parent at a time only for the part types the states "
        "manage (listings); only the types the states manage (managed-types); or nowhere "
        "(none). Coverage lists the types searched; `unmanaged` counts only what was looked "
        "for")
    coverage: float = Field(1.0, description="compared / managed")
    api_calls: int = 0
    duration_s: float = 0.0
    # from the history (all 0 when the scan kept none)
    new: int = 0
    known: int = 0
    reopened: int = 0
    resolved: int = 0


def coverage_ratio(compared: int, managed: int, coverage: Iterable[TypeCoverage]) -> float:
    """The share of managed resources compared; with none managed, 1.0 only if every listing
    worked."""
    if managed:
        return round(compared / managed, 4)
    return 1.0 if all(c.complete for c in coverage) else 0.0


class ScanReport(BaseModel):
    schema_version: str = SCHEMA_VERSION
    tool_version: str = ""
    started_at: str = ""
    sources: list[str] = Field(default_factory=list)
    providers: list[str] = Field(default_factory=list)
    summary: Summary = Field(default_factory=Summary)
    findings: list[Finding] = Field(default_factory=list)
    warnings: list[ScanWarning] = Field(default_factory=list)
    coverage: list[TypeCoverage] = Field(default_factory=list)
    api_calls: dict[str, int] = Field(default_factory=dict)
    ignored: dict[str, int] = Field(
        default_factory=dict, description="findings or field changes suppressed, per ignore rule"
    )
    not_compared: list[NotCompared] = Field(
        default_factory=list, description="managed resources not compared, by reason and type")
    code_coverage: list[CodeCoverage] = Field(default_factory=list)
    scan_id: str | None = Field(default=None, description="this scan's id in the history")
    resolved: list[Finding] = Field(
        default_factory=list,
        description="drift open in the last scan of its scope and gone now (status resolved)",
    )
    trend: list[TrendPoint] = Field(
        default_factory=list, description="open drift per day from the history, oldest first"
    )

    @property
    def has_drift(self) -> bool:
        return bool(self.findings)

    @property
    def incomplete_reasons(self) -> list[str]:
        """What the scan could not see, one line each."""
        reasons = [w.message for w in self.warnings if w.code in INCOMPLETE_WARNINGS]
        for cov in self.coverage:
            if cov.failed_scopes:
                reasons.append(f"{cov.type} not scanned in {', '.join(cov.failed_scopes)}")
        return reasons

    @property
    def complete(self) -> bool:
        """False when any type, scope or state could not be read: no drift is not in sync."""
        return all(cov.complete for cov in self.coverage) and not any(
            w.code in INCOMPLETE_WARNINGS for w in self.warnings
        )

    def json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
