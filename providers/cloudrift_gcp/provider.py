"""The GCP provider: state instances and Cloud Asset Inventory assets, normalised by the same
specs.

A scan lists each scope (project, folder or organisation) with one paged ``ListAssets`` call
for every supported asset type at once, plus one ``IAM_POLICY`` listing of the asset types whose
IAM members the states manage. Nothing is asked per resource.

With ``--gcp-projects-under`` the scopes are every ACTIVE project under the folders or
organisations named (``projects.py``), and the scan spans projects (``SpansAccounts``):
``--shard I/N`` gives each shard whole projects.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from google.api_core import exceptions as gexc

from cloudrift.attribution import AttributionResult
from cloudrift.concurrency import worker_pool
from cloudrift.desired import no_id_warnings, unsupported_warnings
from cloudrift.errors import CloudriftError, ConfigError
from cloudrift.model import GLOBAL_REGION, Finding, Resource, ResourceKey, ScanWarning, Scope
from cloudrift.plugin import Observation, ScanOptions, Unit
from cloudrift.sources.tfstate import StateInstance
from cloudrift_gcp import STATE_PROVIDERS
from cloudrift_gcp.failures import failure_warning
from cloudrift_gcp.fields import ASSET, strip_projects
from cloudrift_gcp.index import AssetIndex, Listing
from cloudrift_gcp.projects import ACTIVE, not_active, parse_parents, projects_under
from cloudrift_gcp.session import GcpSession, NoAnswerError
from cloudrift_gcp.spec import IAM_POLICY, PROJECT_ASSET_TYPE, RESOURCE, GcpSpec, Item

NAME = "gcp"

_SCOPE = re.compile(r"^(projects|folders|organizations)/[A-Za-z0-9._:-]+$")

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


_Built = tuple[Resource | None, ScanWarning | None]


class GcpProvider:
    name = NAME
    state_providers = STATE_PROVIDERS

    def __init__(
        self,
        specs: Mapping[str, GcpSpec],
        options: ScanOptions,
        session: GcpSession | None = None,
        owners: Mapping[str, GcpSpec] | None = None,
    ) -> None:
        self._specs: Mapping[str, GcpSpec] = specs
        # types a scan does not compare (--type) may still own what it does: their assets are
        # listed too (in the same calls) to tell what they created, and nothing else
        self._owners = [spec for rtype, spec in (owners or {}).items()
                        if spec.owns is not None and rtype not in specs]
        self.options = options
        progress = getattr(options, "progress", None)
        self._progress = progress
        self.session = session or GcpSession.from_settings(options.settings)
        self.session.meter = options.meter
        self.scopes: list[str] = []
        self._parents = parse_parents(options.settings.get("gcp_projects_under") or ())
        # what enumerating the projects under --gcp-projects-under had to say
        self._scope_warnings: list[ScanWarning] = []

    @property
    def spans_accounts(self) -> bool:
        """Whether this scan covers every project under folders or organisations, so that a
        shard takes whole projects."""
        return bool(self._parents)

    def account_of(self, item: StateInstance | Resource) -> str | None:
        """The project (by id) of a state instance or a resource."""
        if isinstance(item, Resource):
            return item.scope.account
        project = strip_projects(item.attributes.get("project"))
        if project:
            return str(project)
        spec = self._specs.get(item.type)
        import_id = spec.state_import_id(item.attributes) if spec is not None else None
        return _project_in_id(import_id) if import_id else None

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
        homeless: list[tuple[GcpSpec, StateInstance, Resource]] = []
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
            if not project:
                homeless.append((spec, inst, resources[-1]))
        _in_parents_projects(homeless, resources)
        return resources, unsupported_warnings(NAME, unsupported) + no_id_warnings(NAME, no_id)

    # -- observe ---------------------------------------------------------------------------

    def resolve_scopes(self, desired: Sequence[Resource]) -> list[str]:
        """``--gcp-scope`` if given, else the projects the states name, else the project of
        Application Default Credentials."""
        configured = self.options.settings.get("gcp_scope") or ()
        if isinstance(configured, str):
            configured = configured.split()
        if self._parents:
            return self._projects_under(parse_scopes(list(configured)))
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

    def _projects_under(self, configured: Sequence[str]) -> list[str]:
        """``--gcp-scope`` scopes, then every ACTIVE project under ``--gcp-projects-under``
        that belongs to this shard; a warning for each one not active."""
        self._scope_warnings = []
        scopes = list(configured)
        for project in projects_under(self.session, self._parents):
            if not self.options.account_in_shard(NAME, project.id):
                continue
            if project.state != ACTIVE:
                self._scope_warnings.append(not_active(project))
            elif f"projects/{project.id}" not in scopes:
                scopes.append(f"projects/{project.id}")
        return scopes

    def _scopes_label(self) -> str:
        """What was scanned, the same in every shard of a scan."""
        if self._parents:
            configured = self.options.settings.get("gcp_scope") or ()
            if isinstance(configured, str):
                configured = configured.split()
            return ", ".join([*configured, *(f"the projects under {p}" for p in self._parents)])
        return ", ".join(self.scopes)

    def observe(self, desired: Sequence[Resource]) -> Observation:
        self.scopes = self.resolve_scopes(desired)
        resource_specs = [s for s in self._specs.values() if s.content == RESOURCE]
        asset_types = sorted({s.asset_type for s in [*resource_specs, *self._owners]}
                             | {PROJECT_ASSET_TYPE})
        # reading IAM policies is a second listing per scope, of the asset types whose members
        # the states manage only (otherwise every human binding would be "unmanaged")
        iam_specs = self._iam_specs(desired)
        iam_types = sorted({s.asset_type for s in iam_specs})

        jobs: list[tuple[str, str, list[str]]] = [(s, RESOURCE, asset_types) for s in self.scopes]
        if iam_types:
            jobs += [(s, IAM_POLICY, iam_types) for s in self.scopes]
        if self._progress is not None:
            self._progress.tasks(len(jobs))
        workers = max(1, min(self.options.parallelism, len(jobs)))
        with worker_pool(workers) as pool:
            listings = list(pool.map(lambda job: self._list(*job), jobs))

        observation = Observation(warnings=list(self._scope_warnings))
        index = AssetIndex.build(listings)
        items: list[tuple[GcpSpec, Item]] = []
        for listing in listings:
            if listing.error is not None:
                observation.warnings.append(failure_warning(listing, self.session.backoff.attempts))
                continue
            by_asset_type: dict[str, list[GcpSpec]] = defaultdict(list)
            for spec in [*resource_specs, *self._owners] if listing.content == RESOURCE \
                    else iam_specs:
                by_asset_type[spec.asset_type].append(spec)
            for asset in listing.assets:
                for spec in by_asset_type.get(str(asset.get("asset_type", "")), []):
                    items.extend((spec, item) for item in self._items(spec, asset, index))

        managed = {r.key for r in desired}
        owned = _owned(items, index)
        seen: set[tuple[str, str, str]] = set()
        for spec, item in items:
            if spec.type not in self._specs:
                continue  # an owner only
            resource, warning = self._resource(spec, item, managed, owned)
            if warning is not None:
                observation.warnings.append(warning)
            if resource is None:
                continue
            key = (resource.type, resource.id, resource.scope.region)
            if key not in seen:  # overlapping scopes list an asset twice
                seen.add(key)
                observation.resources.append(resource)

        self._coverage(observation, desired, listings, index, iam_specs)
        observation.api_calls.update(self.session.calls)
        return observation

    def _iam_specs(self, desired: Sequence[Resource]) -> list[GcpSpec]:
        wanted = {r.type for r in desired}
        return [s for s in self._specs.values() if s.content == IAM_POLICY and s.type in wanted]

    def _list(self, scope: str, content: str, asset_types: list[str]) -> Listing:
        listing = Listing(scope=scope, content=content)
        try:
            listing.assets = self.session.list_assets(scope, asset_types, content)
        except CloudriftError:
            raise
        except (gexc.GoogleAPICallError, NoAnswerError) as exc:
            listing.error = exc
        if self._progress is not None:
            self._progress.task_done(len(listing.assets))
        return listing

    @staticmethod
    def _items(spec: GcpSpec, asset: Mapping[str, Any], index: AssetIndex) -> list[Item]:
        """The asset's payload (or, for a policy, one item per binding member), each with the
        asset envelope under ``$asset``."""
        resource = asset.get("resource") or {}
        project = index.project_of(asset)
        envelope = {
            "project": project,
            "location": resource.get("location"),
            "name": asset.get("name"),
            "parent": resource.get("parent"),
            "ancestors": asset.get("ancestors") or [],
            "related": index.data(spec.related(asset)) if spec.related else None,
        }
        if spec.expand is not None:
            items: list[Item] = spec.expand(asset, project)
        else:
            data = resource.get("data")
            items = [dict(data)] if isinstance(data, Mapping) else []
        for item in items:
            item[ASSET] = envelope
        return items

    def _resource(self, spec: GcpSpec, item: Item, managed: set[ResourceKey],
                  owned: set[tuple[str, str]]) -> _Built:
        envelope = item[ASSET]
        project = envelope.get("project")
        try:
            import_id = spec.cloud_id(item) if spec.cloud_id else None
            if not import_id:
                return None, None
            region = spec.location_from_cloud(item, import_id)
            key = ResourceKey(type=spec.type, id=import_id, region=region)
            if key not in managed and ((spec.type, import_id) in owned or (
                    spec.created_by is not None and spec.created_by(item))):
                # created by another resource with itself: that one speaks for it
                return None, None
            # an unmanaged resource's fields are read when a fix is to be written from them
            observed = key in managed or self.options.observe_unmanaged
            attributes = spec.actual_attributes(item) if observed else {}
            is_default = bool(spec.is_default(item)) if spec.is_default else False
            parent = next((found for part in spec.part_of
                           if (found := part.cloud_parent(item)) is not None), None)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return None, _unreadable(spec, envelope, exc)
        return Resource(
            provider=NAME, type=spec.type, id=import_id,
            scope=Scope(account=project, region=region),
            attributes=attributes, is_default=is_default, parent=parent,
        ), None

    def _coverage(self, observation: Observation, desired: Sequence[Resource],
                  listings: Sequence[Listing], index: AssetIndex,
                  iam_specs: Sequence[GcpSpec]) -> None:
        """Which (type, location, project) units were fully seen.

        One GCP scan covers several projects, and a location such as ``global`` is shared by
        all of them: units are kept per project (``scanned_in`` / ``failed_in``), so that a
        project whose scope failed, or one outside every scope, hides nothing of the others.
        A unit of a project that was listed is scanned; one of a project that was not listed is
        failed when its own listing or a folder's or organisation's failed (a failed folder may
        hold it) and left unscanned (with an ``outside_scope`` warning) otherwise; nothing in
        either is reported missing. A failed scope is also recorded under its own name for every
        type it would have listed, since which projects a folder or organisation holds is not
        known.

        IAM members of a scope whose resources were not listed are not seen either: they are
        named after, and judged against, the resources of that listing.
        """
        resources_failed = {lst.scope for lst in listings
                            if lst.content == RESOURCE and lst.error is not None}
        for content in (RESOURCE, IAM_POLICY):
            types = {s.type for s in self._specs.values() if s.content == RESOURCE} \
                if content == RESOURCE else {s.type for s in iam_specs}
            requested = [lst for lst in listings if lst.content == content]
            if not requested:
                continue
            failed = [lst for lst in requested
                      if lst.error is not None or lst.scope in resources_failed]
            covered = index.covered_projects(listings, content,
                                             failed={lst.scope for lst in failed})
            failed_projects = {index.project_id(lst.scope.partition("/")[2])
                               for lst in failed if lst.scope.startswith("projects/")}
            # a failed folder or organisation may hold any project; a failed project only itself
            failed_above = any(not lst.scope.startswith("projects/") for lst in failed)
            for lst in failed:
                # the scope that failed: a project (by id), a folder or an organisation
                account = (index.project_id(lst.scope.partition("/")[2])
                           if lst.scope.startswith("projects/") else lst.scope)
                observation.failed.update(Unit(rtype, GLOBAL_REGION, account)
                                          for rtype in types)
            seen: set[Unit] = set()
            unseen: set[Unit] = set()
            outside: dict[str, int] = defaultdict(int)
            for resource in desired:
                if resource.type not in types:
                    continue
                project = resource.scope.account
                unit = Unit(resource.type, resource.scope.region, project)
                if project in covered and project not in failed_projects:
                    seen.add(unit)
                elif failed_above or project in failed_projects:
                    observation.failed.add(unit)
                else:
                    unseen.add(unit)
                    outside[project or "?"] += 1
            seen.update(Unit(r.type, r.scope.region, r.scope.account)
                        for r in observation.resources if r.type in types)
            observation.scanned |= seen - unseen
            for project, count in sorted(outside.items()):
                where = f"of project {project} are outside the scanned scopes" \
                    if project != "?" else "name no project (the IAM members of a bucket no " \
                    "state manages) and may be outside the scanned scopes"
                observation.warnings.append(ScanWarning(
                    code="outside_scope", provider=NAME, scope=Scope(account=project),
                    message=f"{count} resource(s) {where} ({self._scopes_label()}); "
                    "not compared",
                ))
        observation.scanned -= observation.failed


def _project_in_id(import_id: str) -> str | None:
    if import_id.startswith("projects/"):
        return import_id.split("/")[1]
    return None


def _owned(items: Sequence[tuple[GcpSpec, Item]], index: AssetIndex) -> set[tuple[str, str]]:
    """Every (type, import id) a listed resource created with itself; a payload may name the
    project by number (``projects/314159265358/...``), an import id names it by id."""
    owned: set[tuple[str, str]] = set()
    for spec, item in items:
        if spec.owns is None:
            continue
        try:
            for rtype, import_id in spec.owns(item):
                head, sep, rest = import_id.partition("/")
                if head == "projects" and sep:
                    number, slash, tail = rest.partition("/")
                    import_id = f"projects/{index.project_id(number)}{slash}{tail}"
                owned.add((rtype, import_id))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # its own payload warning says so when it is built
    return owned


def _unreadable(spec: GcpSpec, envelope: Mapping[str, Any], exc: Exception) -> ScanWarning:
    """A payload shaped unlike the API's documentation: say so, compare nothing."""
    return ScanWarning(
        code="payload_unreadable", provider=NAME, type=spec.type,
        scope=Scope(account=envelope.get("project")),
        message=f"{spec.type} {envelope.get('name')}: unexpected payload "
        f"({type(exc).__name__}: {exc}); not compared",
    )


def _in_parents_projects(homeless: Sequence[tuple[GcpSpec, StateInstance, Resource]],
                         resources: Sequence[Resource]) -> None:
    """A part whose state names no project (a bucket's IAM member records only the bucket) is
    in its parent's project, when a state manages the parent."""
    if not homeless:
        return
    projects = {(r.type, r.id): r.scope.account for r in resources if r.scope.account}
    for spec, inst, resource in homeless:
        for part in spec.part_of:
            parent = part.state_parent(inst.attributes)
            found = projects.get((part.parent_type, parent)) if parent else None
            if found:
                resource.scope = Scope(account=found, region=resource.scope.region)
                break
