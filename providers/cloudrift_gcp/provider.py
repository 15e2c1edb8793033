"""The GCP provider: state instances and Cloud Asset Inventory assets, normalised by the same
specs.

A scan lists each scope (project, folder or organisation) with one paged ``ListAssets`` call
for every supported asset type at once, plus one ``IAM_POLICY`` listing of projects when the
states manage project IAM members. Nothing is asked per resource.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from google.api_core import exceptions as gexc

from cloudrift.attribution import AttributionResult
from cloudrift.concurrency import worker_pool
from cloudrift.desired import no_id_warnings, unsupported_warnings
from cloudrift.errors import CloudriftError, ConfigError
from cloudrift.model import Finding, Resource, ResourceKey, ScanWarning, Scope
from cloudrift.observed import one_line
from cloudrift.plugin import Observation, ScanOptions
from cloudrift.sources.tfstate import StateInstance
from cloudrift_gcp.fields import ASSET, strip_projects
from cloudrift_gcp.session import GcpSession, NoAnswerError
from cloudrift_gcp.spec import IAM_POLICY, PROJECT_ASSET_TYPE, RESOURCE, GcpSpec, Item

NAME = "gcp"
STATE_PROVIDERS = ("google", "google-beta")

_SCOPE = re.compile(r"^(projects|folders|organizations)/[A-Za-z0-9._:-]+$")
_PROJECT_IN_NAME = re.compile(r"^//[^/]+/projects/([^/]+)")

CONTENT_PERMISSION = {
    RESOURCE: "cloudasset.assets.listResource",
    IAM_POLICY: "cloudasset.assets.listIamPolicy",
}


def parse_scopes(values: Sequence[str]) -> list[str]:
    """``--gcp-scope`` values: ``projects/P``, ``folders/F``, ``organizations/O``."""
    scopes: list[str] = []
    for value in values:
        scope = value.strip().rstrip("/")
        if not _SCOPE.match(scope):
            raise ConfigError(
                f"invalid GCP scope {value!r}",
                hint="use projects/PROJECT_ID, folders/FOLDER_NUMBER or organizations/ORG_NUMBER",
            )
        if scope not in scopes:
            scopes.append(scope)
    return scopes


@dataclass
class _Listing:
    """What one scope returned for one content type, or why it did not."""

    scope: str
    content: str
    assets: list[dict[str, Any]] = field(default_factory=list)
    error: BaseException | None = None


class GcpProvider:
    name = NAME
    state_providers = STATE_PROVIDERS

    def __init__(
        self,
        specs: Mapping[str, GcpSpec],
        options: ScanOptions,
        session: GcpSession | None = None,
    ) -> None:
        self._specs: Mapping[str, GcpSpec] = specs
        self.options = options
        progress = getattr(options, "progress", None)
        self._progress = progress
        self.session = session or GcpSession.from_settings(
            options.settings, on_call=getattr(progress, "api_call", None)
        )
        self.scopes: list[str] = []

    @property
    def specs(self) -> Mapping[str, GcpSpec]:
        return self._specs

    # -- attribute (--attribute) -----------------------------------------------------------

    def attribute(self, findings: Sequence[Finding]) -> AttributionResult:
        """Who changed these resources, from their projects' audit logs (``attribution.py``)."""
        from cloudrift_gcp.attribution import AuditLogAttributor

        attributor = AuditLogAttributor(self.session, parallelism=self.options.parallelism)
        return attributor.attribute([f for f in findings if f.provider == NAME])

    # -- desired ---------------------------------------------------------------------------

    def desired(
        self, instances: Sequence[StateInstance]
    ) -> tuple[list[Resource], list[ScanWarning]]:
        resources: list[Resource] = []
        unsupported: dict[str, int] = defaultdict(int)
        no_id: list[str] = []
        for inst in instances:
            spec = self._specs.get(inst.type)
            if spec is None:
                unsupported[inst.type] += 1
                continue
            import_id = spec.state_import_id(inst.attributes)
            if import_id is None:
                no_id.append(inst.address)
                continue
            project = strip_projects(inst.attributes.get("project")) or _project_in_id(import_id)
            resources.append(
                Resource(
                    provider=NAME,
                    type=inst.type,
                    id=import_id,
                    scope=Scope(account=project or None,
                                region=spec.location_from_state(inst.attributes, import_id)),
                    address=inst.address,
                    source=inst.source,
                    attributes=spec.desired_attributes(inst.attributes),
                    sensitive=inst.sensitive_paths | spec.sensitive_paths,
                )
            )
        return resources, unsupported_warnings(NAME, unsupported) + no_id_warnings(NAME, no_id)

    # -- observe ---------------------------------------------------------------------------

    def resolve_scopes(self, desired: Sequence[Resource]) -> list[str]:
        """``--gcp-scope`` if given, else the projects the states name, else the project of
        Application Default Credentials."""
        configured = self.options.settings.get("gcp_scopes") or ()
        if isinstance(configured, str):
            configured = configured.split()
        if configured:
            return parse_scopes(list(configured))
        projects = sorted({r.scope.account for r in desired if r.scope.account})
        if projects:
            return [f"projects/{p}" for p in projects]
        project = self.session.default_project()
        if project:
            return [f"projects/{project}"]
        raise ConfigError(
            "no GCP scope to scan: the states name no project and no default project is set",
            hint="pass --gcp-scope projects/PROJECT_ID (or folders/F, organizations/O)",
        )

    def observe(self, desired: Sequence[Resource]) -> Observation:
        self.scopes = self.resolve_scopes(desired)
        resource_specs = [s for s in self._specs.values() if s.content == RESOURCE]
        iam_specs = [s for s in self._specs.values() if s.content == IAM_POLICY]
        asset_types = sorted({s.asset_type for s in resource_specs} | {PROJECT_ASSET_TYPE})
        # reading IAM policies is a second listing per scope: only when the states manage
        # project IAM members (otherwise every human binding would be "unmanaged")
        iam_types = {s.type for s in iam_specs}
        wants_iam = any(r.type in iam_types for r in desired)

        jobs: list[tuple[str, str, list[str]]] = [(s, RESOURCE, asset_types) for s in self.scopes]
        if wants_iam:
            jobs += [(s, IAM_POLICY, [PROJECT_ASSET_TYPE]) for s in self.scopes]
        if self._progress is not None:
            self._progress.tasks(len(jobs))
        workers = max(1, min(self.options.parallelism, len(jobs)))
        with worker_pool(workers) as pool:
            listings = list(pool.map(lambda job: self._list(*job), jobs))

        observation = Observation()
        index = _ProjectIndex.build(listings)
        managed = {r.key for r in desired}
        seen: set[tuple[str, str, str]] = set()
        for listing in listings:
            if listing.error is not None:
                observation.warnings.append(self._failure_warning(listing))
                continue
            specs = resource_specs if listing.content == RESOURCE else iam_specs
            by_asset_type: dict[str, list[GcpSpec]] = defaultdict(list)
            for spec in specs:
                by_asset_type[spec.asset_type].append(spec)
            for asset in listing.assets:
                for spec in by_asset_type.get(str(asset.get("asset_type", "")), []):
                    for resource, warning in self._build(spec, asset, index, managed):
                        if warning is not None:
                            observation.warnings.append(warning)
                        if resource is None:
                            continue
                        key = (resource.type, resource.id, resource.scope.region)
                        if key not in seen:  # overlapping scopes list an asset twice
                            seen.add(key)
                            observation.resources.append(resource)

        self._coverage(observation, desired, listings, index)
        observation.account = ",".join(sorted(index.covered_projects(listings, RESOURCE))) or None
        observation.api_calls.update(self.session.calls)
        return observation

    def _list(self, scope: str, content: str, asset_types: list[str]) -> _Listing:
        listing = _Listing(scope=scope, content=content)
        try:
            listing.assets = self.session.list_assets(scope, asset_types, content)
        except CloudriftError:
            raise
        except (gexc.GoogleAPICallError, NoAnswerError) as exc:
            listing.error = exc
        if self._progress is not None:
            self._progress.task_done(len(listing.assets))
        return listing

    def _build(
        self, spec: GcpSpec, asset: Mapping[str, Any], index: _ProjectIndex,
        managed: set[ResourceKey],
    ) -> list[tuple[Resource | None, ScanWarning | None]]:
        project = index.project_of(asset)
        envelope = {
            "project": project,
            "location": (asset.get("resource") or {}).get("location"),
            "name": asset.get("name"),
            "ancestors": asset.get("ancestors") or [],
        }
        if spec.expand is not None:
            items: list[Item] = spec.expand(asset, project)
        else:
            data = (asset.get("resource") or {}).get("data")
            items = [dict(data)] if isinstance(data, Mapping) else []
        built: list[tuple[Resource | None, ScanWarning | None]] = []
        for item in items:
            item[ASSET] = envelope
            try:
                import_id = spec.cloud_id(item) if spec.cloud_id else None
                if not import_id:
                    continue
                region = spec.location_from_cloud(item, import_id)
                key = ResourceKey(type=spec.type, id=import_id, region=region)
                attributes = spec.actual_attributes(item) if key in managed else {}
                is_default = bool(spec.is_default(item)) if spec.is_default else False
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                # a payload shaped unlike the API's documentation: say so, compare nothing
                built.append((None, ScanWarning(
                    code="payload_unreadable", provider=NAME, type=spec.type,
                    scope=Scope(account=project),
                    message=f"{spec.type} {asset.get('name')}: unexpected payload "
                    f"({type(exc).__name__}: {exc}); not compared",
                )))
                continue
            built.append((Resource(
                provider=NAME, type=spec.type, id=import_id,
                scope=Scope(account=project, region=region),
                attributes=attributes, is_default=is_default,
            ), None))
        return built

    def _coverage(self, observation: Observation, desired: Sequence[Resource],
                  listings: Sequence[_Listing], index: _ProjectIndex) -> None:
        """Which (type, location, project) units were fully seen.

        One GCP scan covers several projects, and a location such as ``global`` is shared by
        all of them: units are kept per project (``scanned_in`` / ``failed_in``), so that a
        project whose scope failed, or one outside every scope, hides nothing of the others.
        A unit of a project that was listed is scanned; one of a project that was not listed is
        failed when some listing failed (a failed folder may hold it) and left unscanned (with
        an ``outside_scope`` warning) otherwise; nothing in either is reported missing. A
        failed scope is also recorded under its own name for every type it would have listed,
        since which projects a folder or organisation holds is not known.
        """
        for content in (RESOURCE, IAM_POLICY):
            types = {s.type for s in self._specs.values() if s.content == content}
            requested = [lst for lst in listings if lst.content == content]
            if not requested:
                continue
            covered = index.covered_projects(listings, content)
            failed = [lst for lst in requested if lst.error is not None]
            failed_projects = {index.project_id(lst.scope.partition("/")[2])
                               for lst in failed if lst.scope.startswith("projects/")}
            for lst in failed:
                observation.failed.update((rtype, lst.scope) for rtype in types)
            seen: set[tuple[str, str, str]] = set()
            unseen: set[tuple[str, str, str]] = set()
            outside: dict[str, int] = defaultdict(int)
            for resource in desired:
                if resource.type not in types:
                    continue
                project = resource.scope.account
                unit = (resource.type, resource.scope.region, project or "")
                if project in covered and project not in failed_projects:
                    seen.add(unit)
                elif failed:
                    observation.failed_in.add(unit)
                else:
                    unseen.add(unit)
                    outside[project or "?"] += 1
            seen.update((r.type, r.scope.region, r.scope.account or "")
                        for r in observation.resources if r.type in types)
            observation.scanned_in |= seen - unseen
            for project, count in sorted(outside.items()):
                observation.warnings.append(ScanWarning(
                    code="outside_scope", provider=NAME, scope=Scope(account=project),
                    message=f"{count} resource(s) of project {project} are outside the scanned "
                    f"scopes ({', '.join(self.scopes)}); not compared",
                ))
        observation.scanned_in -= observation.failed_in

    def _failure_warning(self, listing: _Listing) -> ScanWarning:
        exc = listing.error
        assert exc is not None
        what = "resources" if listing.content == RESOURCE else "IAM policies"
        head = f"Cloud Asset Inventory: {what} of {listing.scope} not listed"
        reason = str(getattr(exc, "reason", "") or "")
        message = one_line(getattr(exc, "message", None) or exc)
        if isinstance(exc, (gexc.Forbidden, gexc.PermissionDenied)):
            metadata = getattr(exc, "metadata", None) or {}
            if reason == "SERVICE_DISABLED" or "has not been used" in message \
                    or "is disabled" in message:
                service = metadata.get("service") or "cloudasset.googleapis.com"
                consumer = str(metadata.get("consumer") or "")
                where = consumer or "the credentials' quota project"
                project = f" --project {consumer.partition('/')[2]}" \
                    if consumer.startswith("projects/") else ""
                code = "api_disabled"
                text = (f"{head}: the Cloud Asset API ({service}) is disabled in {where}; "
                        f"enable it with `gcloud services enable {service}{project}`")
            else:
                code = "access_denied"
                text = (f"{head}: permission denied on {listing.scope} (it needs "
                        f"{CONTENT_PERMISSION[listing.content]}, e.g. roles/cloudasset.viewer)"
                        f": {message}")
        elif isinstance(exc, (gexc.TooManyRequests, gexc.ResourceExhausted)):
            code = "throttled"
            text = (f"{head}: quota still exhausted after {self.session.backoff.attempts} "
                    f"attempts (ListAssets allows 100 requests a minute per project): {message}")
        elif isinstance(exc, gexc.NotFound):
            code = "scope_not_found"
            text = f"{head}: the scope does not exist: {message}"
        elif isinstance(exc, NoAnswerError):
            code = "api_error"
            text = f"{head}: {message}"
        else:
            code = "api_error"
            text = f"{head}: {type(exc).__name__}: {message}"
        account = listing.scope.partition("/")[2] if listing.scope.startswith("projects/") \
            else listing.scope
        return ScanWarning(code=code, provider=NAME, scope=Scope(account=account), message=text)


class _ProjectIndex:
    """Project numbers to ids, from the Project assets the listings returned: some assets name
    their project by number only (buckets, IAM policies)."""

    def __init__(self, by_number: Mapping[str, str]) -> None:
        self.by_number = dict(by_number)

    @classmethod
    def build(cls, listings: Sequence[_Listing]) -> _ProjectIndex:
        by_number: dict[str, str] = {}
        for listing in listings:
            for asset in listing.assets:
                if asset.get("asset_type") != PROJECT_ASSET_TYPE:
                    continue
                data = (asset.get("resource") or {}).get("data") or {}
                number, project_id = data.get("projectNumber"), data.get("projectId")
                if number and project_id:
                    by_number[str(number)] = str(project_id)
        return cls(by_number)

    def project_id(self, number_or_id: str) -> str:
        return self.by_number.get(number_or_id, number_or_id)

    def project_of(self, asset: Mapping[str, Any]) -> str | None:
        match = _PROJECT_IN_NAME.match(str(asset.get("name", "")))
        if match:
            return self.project_id(match.group(1))
        for ancestor in asset.get("ancestors") or []:
            if str(ancestor).startswith("projects/"):
                return self.project_id(str(ancestor).partition("/")[2])
        return None

    def covered_projects(self, listings: Sequence[_Listing], content: str) -> set[str]:
        """Projects a successful listing of ``content`` covered: the project scopes, and every
        project any listing of the same folder or organisation showed (its Project assets)."""
        in_scope: dict[str, set[str]] = defaultdict(set)
        for listing in listings:
            for asset in listing.assets:
                project = self.project_of(asset)
                if project:
                    in_scope[listing.scope].add(project)
        covered: set[str] = set()
        for listing in listings:
            if listing.content != content or listing.error is not None:
                continue
            if listing.scope.startswith("projects/"):
                covered.add(self.project_id(listing.scope.partition("/")[2]))
            else:
                covered |= in_scope[listing.scope]
        return covered


def _project_in_id(import_id: str) -> str | None:
    if import_id.startswith("projects/"):
        return import_id.split("/")[1]
    return None
