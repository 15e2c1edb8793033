"""The scan pipeline: sources -> providers -> match -> diff -> report.

Matching is a dict lookup on ``ResourceKey`` (type, import id, region): O(n) for n resources.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from cloudrift._version import __version__
from cloudrift.accounting import TERRAFORM_ONLY_PROVIDERS, Accounting
from cloudrift.concurrency import worker_pool
from cloudrift.diff import diff_attributes, map_values
from cloudrift.model import (
    CodeCoverage,
    Finding,
    FindingKind,
    Resource,
    ResourceKey,
    ScanReport,
    ScanWarning,
    Scope,
    Summary,
    TypeCoverage,
    UnmanagedSearch,
    coverage_ratio,
    finding_order,
    fold_coverage,
)
from cloudrift.parts import Settled, settle, subject_fields
from cloudrift.plugin import (
    Observation,
    Provider,
    SpansAccounts,
    account_in_shard,
    in_shard,
)
from cloudrift.redact import path_is_sensitive
from cloudrift.scaninput import CodeBinding, ScanInput, providers_used, read_sources
from cloudrift.sources.tfstate import StateInstance

if TYPE_CHECKING:
    from cloudrift.sources.hcl import HclIndex
    from cloudrift.sources.types import Source

__all__ = ["STATE_UNREADABLE", "CodeBinding", "Scan", "ScanInput", "providers_used",
           "read_sources", "run_scan"]

STATE_UNREADABLE = "state_unreadable"


@dataclass
class _Prepared:
    """One provider's desired side, ready to be observed and compared."""

    name: str
    provider: Provider
    desired: list[Resource]
    settled: Settled
    warnings: list[ScanWarning]


class Scan:
    """One run of the pipeline over already-read documents."""

    def __init__(
        self,
        scan_input: ScanInput,
        providers: Mapping[str, Provider],
        *,
        strict: bool = False,
        shard: tuple[int, int] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wants: Callable[[str], bool] | None = None,
        provider_workers: int = 1,
        unmanaged: UnmanagedSearch = "listings",
    ) -> None:
        self.input = scan_input
        self.providers = providers
        self.strict = strict
        self.shard = shard
        self.clock = clock
        # the types --type / --exclude-type leave in the scan (the others are not compared)
        self.wants = wants
        # how many providers (accounts of an organisation) observe at once
        self.provider_workers = provider_workers
        # by state provider name: how a provider spanning several accounts names an instance's
        self._account_of: dict[str, Callable[[StateInstance], str | None]] = {}
        # --unmanaged: the providers list less; the engine holds every one of them to it, so
        # that a plugin that lists more still reports only what was asked for
        self.unmanaged = unmanaged
        self._code_by_source: dict[str, HclIndex] | None = None
        self._accounting = Accounting(shard)

    def run(self) -> ScanReport:
        started = self.clock()
        started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        warnings: list[ScanWarning] = [
            ScanWarning(code=STATE_UNREADABLE, message=f"{f.source}: state not read: {f.message}")
            for f in self.input.failures
        ]
        accounting = self._accounting = Accounting(self.shard)
        by_provider: dict[str, list[StateInstance]] = defaultdict(list)
        for doc in self.input.documents:
            for inst in doc.managed:
                if self.wants is not None and not self.wants(inst.type):
                    accounting.skip_instance("filtered", inst)
                else:
                    by_provider[inst.provider].append(inst)
        routed = {s for p in self.providers.values() for s in p.state_providers}
        for name in sorted(set(by_provider) - routed):
            terraform_only = name in TERRAFORM_ONLY_PROVIDERS
            for inst in by_provider[name]:
                accounting.skip_instance("terraform_only" if terraform_only else "outside_scope",
                                         inst)
            why = ("they exist only in Terraform, with nothing in a cloud to compare"
                   if terraform_only else "that provider is not part of this scan")
            warnings.append(
                ScanWarning(
                    code="provider_not_scanned",
                    provider=name,
                    message=f"{len(by_provider[name])} resource(s) of provider {name!r} "
                    f"were not compared: {why}",
                )
            )
        taken: set[tuple[str | None, str | None]] = set()
        # ids compared, case folded: a provider that folds duplicates itself drops the twin
        # (per account where a provider spans several: IAM role names repeat across accounts)
        taken_ids: set[tuple[str, str, str | None]] = set()

        findings: list[Finding] = []
        coverage: list[TypeCoverage] = []
        api_calls: Counter[str] = Counter()
        summary = Summary(unmanaged_search=self.unmanaged)
        prepared: list[_Prepared] = []
        for name, provider in sorted(self.providers.items()):
            instances = [i for s in provider.state_providers for i in by_provider.get(s, [])]
            if self._by_account(provider):
                assert isinstance(provider, SpansAccounts)
                for state_name in provider.state_providers:
                    accounting.by_account.setdefault(state_name,
                                                     (provider.name, provider.account_of))
            desired, desired_warnings = provider.desired(instances)
            taken.update((r.source, r.address) for r in desired)
            if isinstance(provider, SpansAccounts) and provider.spans_accounts:
                for state_name in provider.state_providers:
                    self._account_of.setdefault(state_name, provider.account_of)
                taken_ids.update((r.type, r.id.lower(), provider.account_of(r)) for r in desired)
            else:
                taken_ids.update((r.type, r.id.lower(), None) for r in desired)
            desired = self._deduplicate(provider, desired, desired_warnings)
            settled = settle(provider.specs, instances, desired, self._declared)
            prepared.append(_Prepared(name, provider, desired, settled,
                                      [*desired_warnings, *settled.warnings]))
        # the providers see every desired resource (they decide which regions to search) and
        # shard their own listings; what comes back is cut to this shard's units too
        observations = self._observe(prepared)
        for job, observation in zip(prepared, observations, strict=True):
            desired = job.desired
            if self.unmanaged in ("managed-types", "none"):
                _keep_managed_types(observation, {r.type for r in desired})
            if self.shard is not None:
                desired, observation = self._cut_to_shard(job.provider, desired, observation)
            warnings.extend(job.warnings)
            warnings.extend(observation.warnings)
            api_calls.update({f"{job.name}:{k}": v for k, v in observation.api_calls.items()})
            self._compare(job.provider, desired, observation, job.settled, findings, coverage,
                          summary)

        self._account_dropped(by_provider, routed, taken, taken_ids)

        code_coverage: list[CodeCoverage] = []
        for binding in self.input.code:
            checked = self._apply_code(binding, findings, warnings, summary)
            code_coverage.append(CodeCoverage(root=_root_label(binding), checked=checked))

        not_compared = accounting.close(summary)
        summary.total_resources = summary.managed + summary.unmanaged + summary.unapplied
        summary.api_calls = sum(api_calls.values())
        # the providers of several accounts make one entry per type
        coverage = fold_coverage(coverage)
        summary.coverage = coverage_ratio(summary.compared, summary.managed, coverage)
        summary.duration_s = round(self.clock() - started, 3)
        findings.sort(key=finding_order)
        return ScanReport(
            tool_version=__version__,
            started_at=started_at,
            sources=[d.source for d in self.input.documents],
            providers=sorted(self.providers),
            summary=summary,
            findings=findings,
            warnings=[self._scrub_warning(w) for w in warnings],
            coverage=coverage,
            api_calls=dict(sorted(api_calls.items())),
            not_compared=not_compared,
            code_coverage=code_coverage,
        )

    def _account_dropped(self, by_provider: Mapping[str, list[StateInstance]],
                         routed: set[str], taken: set[tuple[str | None, str | None]],
                         taken_ids: set[tuple[str, str, str | None]]) -> None:
        """Count the instances of scanned providers that no provider turned into a desired
        resource: a type without a spec, a state without an id, an account not scanned."""
        for name in sorted(routed & set(by_provider)):
            specs = [p.specs for p in self.providers.values() if name in p.state_providers]
            for inst in by_provider[name]:
                if (inst.source, inst.address) in taken:
                    continue
                spec = next((s[inst.type] for s in specs if inst.type in s), None)
                import_id = None if spec is None else spec.state_import_id(inst.attributes)
                if spec is None:
                    reason = "unsupported_type"
                elif import_id is None:
                    reason = "no_import_id"
                elif (inst.type, import_id.lower(),
                      account_of(inst) if (account_of := self._account_of.get(name)) else None
                      ) in taken_ids:
                    reason = "duplicate"
                else:
                    reason = "outside_scope"
                self._accounting.skip_instance(reason, inst)

    def _declared(self, resource: Resource) -> frozenset[str] | None:
        """The arguments a managed resource's HCL block declares inline; None without code."""
        if self._code_by_source is None:
            self._code_by_source = {}
            for binding in self.input.code:
                if binding.index is None:
                    continue
                for doc, origin in zip(self.input.documents, self.input.origins, strict=True):
                    if binding.sources is None or origin in binding.sources:
                        self._code_by_source.setdefault(doc.source, binding.index)
        index = self._code_by_source.get(resource.source or "")
        if index is None or resource.address is None:
            return None
        return index.declared_arguments(resource.address)

    def _scrub_warning(self, warning: ScanWarning) -> ScanWarning:
        return warning.model_copy(update={"message": self.input.redactor.scrub(warning.message)})

    def _apply_code(
        self,
        binding: CodeBinding,
        findings: list[Finding],
        warnings: list[ScanWarning],
        summary: Summary,
    ) -> bool:
        """Locate findings at their HCL blocks and add the declared resources no state holds;
        True when every file was parsed and every state read, so what is not reported
        unapplied is applied."""
        bound = [
            doc for doc, origin in zip(self.input.documents, self.input.origins, strict=True)
            if binding.sources is None or origin in binding.sources
        ]
        labels = {doc.source for doc in bound}
        index = binding.index
        root = _root_label(binding)
        for position, finding in enumerate(findings):
            if finding.source not in labels or finding.kind is FindingKind.UNMANAGED:
                continue
            update: dict[str, Any] = {} if finding.root is not None else {"root": root}
            if index is not None and finding.address and finding.location is None:
                location = index.locate(finding.address)
                if location is not None:
                    update["location"] = location
            if update:
                findings[position] = finding.model_copy(update=update)
        where = f" ({binding.label})" if binding.label else ""
        if index is None:
            warnings.append(ScanWarning(
                code="code_not_read",
                message=f"{binding.note or 'the code is not at hand'}: findings are not "
                f"located and unapplied resources not checked{where}",
            ))
            return False
        warnings.extend(
            ScanWarning(code="hcl_unreadable", message=f"{error.file}:{error.line}: "
                        f"{error.message}{where}")
            for error in index.errors
        )
        if index.remote_modules:
            warnings.append(ScanWarning(
                code="hcl_modules_not_followed",
                message="resources of remote modules are located at their module block and "
                f"not checked for unapplied: {', '.join(index.remote_modules)}{where}",
            ))
        unread = (binding.sources is None and self.input.failed_origins) or (
            binding.sources is not None and binding.sources & self.input.failed_origins
        )
        if unread:
            # a state we could not read would make everything in it look unapplied
            warnings.append(ScanWarning(
                code="unapplied_not_checked",
                message=f"declared resources were not checked against state{where}: "
                "a state of this root could not be read",
            ))
            return False
        addresses = [i.address for doc in bound for i in doc.instances]
        owners = {s: p.name for p in self.providers.values() for s in p.state_providers}
        for declared in index.unapplied(addresses):
            if not in_shard(self.shard, "code", declared.type, declared.address):
                continue
            prefix = declared.type.split("_", 1)[0]
            summary.unapplied += 1
            findings.append(Finding(
                kind=FindingKind.UNAPPLIED,
                type=declared.type,
                id=declared.address,
                address=declared.address,
                provider=owners.get(prefix, prefix),
                scope=Scope(),
                source=root,
                location=declared.location,
                root=root,
            ).with_fingerprint())
        return not index.errors

    def _by_account(self, provider: Provider) -> bool:
        """Whether this sharded scan cuts the provider's work by account."""
        return self.shard is not None and isinstance(provider, SpansAccounts) and bool(
            provider.spans_accounts)

    def _observe(self, prepared: Sequence[_Prepared]) -> list[Observation]:
        """Every provider's observation: several accounts' providers at once, each within its
        own share of the parallelism."""
        if self.provider_workers <= 1 or len(prepared) <= 1:
            return [job.provider.observe(job.desired) for job in prepared]
        with worker_pool(min(self.provider_workers, len(prepared)), name="cloudrift-acct") \
                as pool:
            return list(pool.map(lambda job: job.provider.observe(job.desired), prepared))

    def _cut_to_shard(
        self, provider: Provider, desired: list[Resource], observation: Observation
    ) -> tuple[list[Resource], Observation]:
        name = provider.name
        if self._by_account(provider):
            assert isinstance(provider, SpansAccounts)
            by_account = provider

            def mine_resource(resource: Resource) -> bool:
                return account_in_shard(self.shard, name, by_account.account_of(resource))

            # the provider listed only its shard's accounts: its units are all this shard's
            observation.resources = [r for r in observation.resources if mine_resource(r)]
            observation.scanned = {u for u in observation.scanned
                                   if account_in_shard(self.shard, name, u.account)}
            observation.failed = {u for u in observation.failed
                                  if account_in_shard(self.shard, name, u.account)}
            observation.warnings = [
                w for w in observation.warnings
                if w.scope is None or w.scope.account is None
                or account_in_shard(self.shard, name, w.scope.account)
            ]
            return [r for r in desired if mine_resource(r)], observation

        def mine(rtype: str, scope: Scope) -> bool:
            return in_shard(self.shard, name, rtype, scope.place)

        observation.resources = [r for r in observation.resources if mine(r.type, r.scope)]
        observation.scanned = {u for u in observation.scanned if mine(u.type, u.scope)}
        observation.failed = {u for u in observation.failed if mine(u.type, u.scope)}
        observation.warnings = [
            w for w in observation.warnings
            if w.type is None or w.scope is None or mine(w.type, w.scope)
        ]
        return [r for r in desired if mine(r.type, r.scope)], observation

    def _deduplicate(self, provider: Provider, desired: list[Resource],
                     warnings: list[ScanWarning]) -> list[Resource]:
        name = provider.name
        seen: dict[ResourceKey, Resource] = {}
        for resource in desired:
            first = seen.get(resource.key)
            if first is not None:
                if self._by_account(provider):
                    assert isinstance(provider, SpansAccounts)
                    counted = account_in_shard(self.shard, name, provider.account_of(resource))
                else:
                    counted = in_shard(self.shard, name, resource.type, resource.scope.region)
                if counted:
                    self._accounting.skip("duplicate", resource.provider, resource.type)
                warnings.append(
                    ScanWarning(
                        code="duplicate_resource",
                        provider=resource.provider,
                        type=resource.type,
                        scope=resource.scope,
                        message=f"{resource.type} {resource.id!r} is managed twice: "
                        f"{first.address} ({first.source}) and "
                        f"{resource.address} ({resource.source}); the first is compared",
                    )
                )
                continue
            seen[resource.key] = resource
        return list(seen.values())

    def _compare(
        self,
        provider: Provider,
        desired: list[Resource],
        observation: Observation,
        settled: Settled,
        findings: list[Finding],
        coverage: list[TypeCoverage],
        summary: Summary,
    ) -> None:
        actual_by_key = {r.key: r for r in observation.resources}
        per_type: dict[str, TypeCoverage] = {}

        def cov(rtype: str) -> TypeCoverage:
            if rtype not in per_type:
                per_type[rtype] = TypeCoverage(provider=provider.name, type=rtype)
            return per_type[rtype]

        # the accounts each (type, region, group) was scanned in
        scanned: dict[tuple[str, str, str | None], set[str | None]] = defaultdict(set)
        for unit in observation.scanned:
            cov(unit.type).scanned_scopes.append(unit.scope.label())
            scanned[(unit.type, unit.region, unit.group)].add(unit.account)
        for unit in observation.failed:
            cov(unit.type).failed_scopes.append(unit.scope.label())
        for rtype in observation.unsearched:
            cov(rtype)

        def seen(want: Resource) -> bool:
            accounts = scanned.get((want.type, want.scope.region, want.scope.group))
            return accounts is not None and (
                want.scope.account is None or None in accounts or want.scope.account in accounts)

        matched: set[ResourceKey] = set()
        for want in desired:
            entry = cov(want.type)
            entry.managed += 1
            key = want.key
            have = actual_by_key.get(key)
            if have is None:
                if seen(want):
                    summary.compared += 1
                    summary.missing += 1
                    findings.append(self._finding(FindingKind.MISSING, want))
                else:
                    entry.not_seen += 1
                    self._accounting.skip("not_seen", want.provider, want.type)
                continue
            summary.compared += 1
            matched.add(key)
            result = diff_attributes(want.attributes, have.attributes, want.sensitive)
            entry.unknown_fields += result.unknown
            if result.changes:
                summary.changed += 1
                changes = [map_values(c, self.input.redactor.scrub_value)
                           for c in result.changes]
                findings.append(
                    self._finding(FindingKind.CHANGED, want, scope=have.scope).model_copy(
                        update={"changes": changes}
                    ).with_fingerprint()
                )
            else:
                summary.in_sync += 1

        for have in observation.resources:
            if have.key not in matched and self.unmanaged == "none":
                continue  # not looked for: neither counted nor reported
            entry = cov(have.type)
            entry.actual += 1
            if have.key in matched:
                continue
            spec = provider.specs.get(have.type)
            if spec is None or not spec.unmanaged:
                continue
            if have.is_default and not self.strict:
                continue
            if spec.part_of and not any(
                settled.report_unmanaged(part, have.parent,
                                         subject_fields(part, have.parent_fields))
                for part in spec.part_of
            ):
                continue
            summary.unmanaged += 1
            finding = self._finding(FindingKind.UNMANAGED, have)
            if have.attributes:
                finding.observed = self._observed(have)
            findings.append(finding)

        for entry in per_type.values():
            entry.unmanaged_searched = (self.unmanaged != "none"
                                        and entry.type not in observation.unsearched)
            entry.scanned_scopes.sort()
            entry.failed_scopes.sort()
        coverage.extend(per_type.values())

    def _observed(self, resource: Resource) -> dict[str, Any]:
        """What a fix may write into code: secrets left out, not merely blanked (a blank
        would be written as the value)."""
        return {
            path: self.input.redactor.scrub_value(value)
            for path, value in sorted(resource.attributes.items())
            if not path_is_sensitive(path, resource.sensitive)
        }

    @staticmethod
    def _finding(
        kind: FindingKind, resource: Resource, scope: Scope | None = None
    ) -> Finding:
        return Finding(
            kind=kind,
            type=resource.type,
            id=resource.id,
            address=resource.address if kind is not FindingKind.UNMANAGED else None,
            provider=resource.provider,
            scope=scope if scope is not None else resource.scope,
            source=resource.source,
        ).with_fingerprint()


def _keep_managed_types(observation: Observation, managed: set[str]) -> None:
    """With a limited unmanaged search, what a provider saw of a type the states do not manage
    is dropped: that type was not to be searched, and must not read as searched."""
    observation.resources = [r for r in observation.resources if r.type in managed]
    observation.scanned = {u for u in observation.scanned if u.type in managed}
    observation.failed = {u for u in observation.failed if u.type in managed}


def _root_label(binding: CodeBinding) -> str:
    return binding.label or "."


def run_scan(
    sources: Sequence[Source],
    providers: Mapping[str, Provider],
    *,
    strict: bool = False,
) -> ScanReport:
    return Scan(read_sources(sources), providers, strict=strict).run()
