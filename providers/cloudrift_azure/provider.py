"""The Azure provider: state instances and ARM payloads, normalised by the same specs.

Per subscription: one ``resource_groups.list`` and one ``resources.list`` (paged) enumerate
every supported top-level type at once, and one list per type ARM lists per subscription
(role assignments). Then, concurrently, one ``get_by_id`` per *managed* resource whose
declared fields need more than the list payload, per parent of a managed embedded child (a
virtual network holds its subnets), and per unmanaged resource whose type only the full payload
tells (Linux or Windows virtual machine) or that creates resources of its own (a private
endpoint's network interface); one list per parent of listed children and per target of
extension resources (see ``children``), for the child and extension types the states manage
(``--unmanaged all``: for every one). A resource in state that the listing does not show is
read once more by id before it is called missing: ARM's list is served from a cache that can
lag, and a resource group the caller may not read is not the same as one that is gone.

Scope: ``Scope.account`` is the subscription and ``Scope.region`` the resource group (lower
case). ARM grants and denies access per resource group, so that is the unit in which the report
can say "scanned" or "could not be seen".

Subscriptions: those the states name and ``--azure-subscription``; with
``--azure-all-subscriptions`` also every subscription the credential sees (``subscriptions.py``),
each one's failures a warning of its own. Such a scan spans subscriptions (``SpansAccounts``):
``--shard I/N`` then gives each shard whole subscriptions.

Ids: matching goes by the lower-cased ARM id; what an unmanaged finding carries is the import id
in the exact form the azurerm provider's import takes (``ids.provider_form``, or the type's own
``cloud_import_id``).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jmespath

from cloudrift.sdk import (
    GLOBAL_REGION,
    AttributionResult,
    Finding,
    Observation,
    Resource,
    ScanOptions,
    ScanWarning,
    Scope,
    StateInstance,
    Unit,
    dedupe_warnings,
    no_id_warning,
    unsupported_warnings,
    worker_pool,
)
from cloudrift_azure import STATE_PROVIDERS, ids
from cloudrift_azure.children import plan_jobs, run_jobs
from cloudrift_azure.details import Details, Entry
from cloudrift_azure.listing import (
    NAME,
    Listing,
    SubscriptionList,
    detail_warning,
    failure_warning,
    group_scope,
    group_unit,
    list_subscription,
)
from cloudrift_azure.ownership import Made, is_azure_s, what_was_made
from cloudrift_azure.session import (
    AzureContext,
    error_code,
    resolve_endpoint,
)
from cloudrift_azure.spec import FULL_LISTS, PROPERTIES, AzureSpec, Source
from cloudrift_azure.subscriptions import TenantSubscriptions

SUBSCRIPTION_ENV = ("ARM_SUBSCRIPTION_ID", "AZURE_SUBSCRIPTION_ID")


class AzureProvider:
    name = NAME
    state_providers = STATE_PROVIDERS

    def __init__(
        self,
        specs: Mapping[str, AzureSpec],
        options: ScanOptions,
        context: AzureContext | None = None,
    ) -> None:
        self._specs = dict(specs)
        self.options = options
        self.ctx = context or AzureContext(
            endpoint=resolve_endpoint(options.settings), parallelism=options.parallelism
        )
        self.ctx.meter = options.meter
        self._spellings = ids.Spellings(s.arm_type for s in self._specs.values())
        self._by_arm_type: dict[str, list[AzureSpec]] = defaultdict(list)
        self._embedded: dict[str, list[AzureSpec]] = defaultdict(list)
        self._group_spec: AzureSpec | None = None
        self._per_subscription: list[AzureSpec] = []
        for spec in self._specs.values():
            if spec.source is Source.RESOURCE_GROUPS:
                self._group_spec = spec
            elif spec.source is Source.PARENT:
                assert spec.parent is not None
                self._embedded[spec.parent].append(spec)
            elif spec.source is Source.SUBSCRIPTION:
                self._per_subscription.append(spec)
            elif spec.source is Source.RESOURCES:
                self._by_arm_type[spec.arm_type_key].append(spec)
        self._details = Details(self.ctx, self._specs, self._embedded,
                                graph=bool(options.settings.get("azure_resource_graph")))
        self._children_query = {
            s.type: jmespath.compile(s.children) for s in self._specs.values() if s.children
        }
        # the specs of the types the last observe listed (--unmanaged may leave some out)
        self._to_list: Mapping[str, AzureSpec] = self._specs
        # the ARM id of each desired resource whose import id is not one, by (type, import id)
        self._arm_ids: dict[tuple[str, str], str] = {}
        self._tenant = TenantSubscriptions(self.ctx) if self.spans_accounts else None

    @property
    def spans_accounts(self) -> bool:
        """Whether this scan covers every subscription the credential sees, so that a shard
        takes whole subscriptions."""
        return bool(self.options.settings.get("azure_all_subscriptions"))

    def account_of(self, item: StateInstance | Resource) -> str | None:
        """The subscription (lower case) of a state instance or a resource."""
        if isinstance(item, Resource):
            return item.scope.account.lower() if item.scope.account else None
        spec = self._specs.get(item.type)
        arm_id = spec.arm_id_in_state(item.attributes) if spec is not None else None
        arm_id = arm_id or item.attributes.get("id")
        subscription = ids.subscription_of(arm_id) if isinstance(arm_id, str) else None
        return subscription.lower() if subscription else None

    @property
    def specs(self) -> Mapping[str, AzureSpec]:
        return self._specs

    # -- attribute (--attribute) -----------------------------------------------------------

    def attribute(self, findings: Sequence[Finding]) -> AttributionResult:
        """Who changed these resources, from the Activity Log (``attribution.py``)."""
        from cloudrift_azure.attribution import ActivityLogAttributor

        attributor = ActivityLogAttributor(self.ctx, parallelism=self.options.parallelism)
        return attributor.attribute([f for f in findings if f.provider == NAME])

    def arm_id(self, resource: Resource) -> str:
        """The ARM id a desired resource stands for."""
        return self._arm_ids.get((resource.type, resource.id), resource.id)

    # -- desired ---------------------------------------------------------------------------

    def desired(
        self, instances: Sequence[StateInstance]
    ) -> tuple[list[Resource], list[ScanWarning]]:
        resources: list[Resource] = []
        warnings: list[ScanWarning] = []
        unsupported: dict[str, int] = defaultdict(int)
        seen: dict[tuple[str, str], Resource] = {}
        for inst in instances:
            spec = self._specs.get(inst.type)
            if spec is None:
                unsupported[inst.type] += 1
                continue
            import_id = spec.state_import_id(inst.attributes)
            arm_id = spec.arm_id_in_state(inst.attributes)
            if import_id is None or arm_id is None or ids.parse(arm_id) is None:
                warnings.append(
                    no_id_warning(NAME, inst.address, rtype=inst.type, id_name="ARM id"))
                continue
            resource = Resource(
                provider=NAME,
                type=inst.type,
                id=import_id,
                scope=_scope(arm_id),
                address=inst.address,
                source=inst.source,
                attributes=spec.desired_attributes(inst.attributes),
                sensitive=inst.sensitive_paths | spec.sensitive_paths,
            )
            key = (inst.type, ids.canonical(arm_id))
            first = seen.get(key)
            if first is not None:
                # ARM ids are case-insensitive: two spellings are one resource, which the
                # engine's exact-key check would not notice
                warnings.append(ScanWarning(
                    code="duplicate_resource", provider=NAME, type=inst.type,
                    scope=resource.scope,
                    message=f"{inst.type} {import_id!r} is managed twice: {first.address} "
                    f"({first.source}) and {inst.address} ({inst.source}); the first is "
                    "compared",
                ))
                continue
            seen[key] = resource
            if arm_id != import_id:
                self._arm_ids[(inst.type, import_id)] = arm_id
            resources.append(resource)
        warnings += unsupported_warnings(NAME, unsupported)
        return resources, warnings

    def subscriptions(self, desired: Sequence[Resource],
                      warnings: list[ScanWarning] | None = None) -> list[str]:
        """The state's subscriptions, then ``--azure-subscription``; else the environment's
        (``ARM_SUBSCRIPTION_ID``, as the azurerm provider reads it). With
        ``--azure-all-subscriptions``, every active one the credential sees as well (those not
        active, and those the states name that it does not see, are ``warnings``), each
        shard's own when the scan is sharded."""
        if self._tenant is not None:
            named = [s for s in self._named(desired) if s]
            found = self._tenant.to_scan(named, warnings if warnings is not None else [])
            return [s for s in found if self.options.account_in_shard(NAME, s)]
        return self._named(desired)

    def _named(self, desired: Sequence[Resource]) -> list[str]:
        found: list[str] = []
        configured = self.options.settings.get("azure_subscription") or ()
        candidates: Iterable[str | None] = [
            *(r.scope.account for r in desired),
            *(str(s) for s in configured),
        ]
        for sub in candidates:
            if sub and sub.lower() not in found:
                found.append(sub.lower())
        if not found:
            for name in SUBSCRIPTION_ENV:
                value = os.environ.get(name, "").strip()
                if value:
                    found.append(value.lower())
                    break
        return found

    # -- observe ---------------------------------------------------------------------------

    def observe(self, desired: Sequence[Resource]) -> Observation:
        observation = Observation()
        subscriptions = self.subscriptions(desired, observation.warnings)
        if not subscriptions and self._tenant is not None:
            # the tenant holds no active subscription of this shard's
            observation.api_calls.update(self.ctx.calls)
            self.ctx.close()
            return observation
        if not subscriptions:
            observation.warnings.append(ScanWarning(
                code="no_scope", provider=NAME,
                message="no Azure subscription to scan: the states name none; pass "
                "--azure-subscription or set ARM_SUBSCRIPTION_ID",
            ))
            return observation
        wanted = {(r.type, ids.canonical(self.arm_id(r))): r for r in desired}
        state_groups: dict[str, set[str]] = defaultdict(set)
        for r in desired:
            if r.scope.account:
                state_groups[r.scope.account].add(r.scope.group or GLOBAL_REGION)
        to_list = self._to_list = self.options.listed(self._specs, desired)
        extra = [SubscriptionList(s.type, s.list_path or "", s.api_version)
                 for s in self._per_subscription if s.type in to_list]
        arm_types = self._arm_types(to_list)
        skipped = self._skipped(desired)
        # (a type never reported unmanaged was not to be searched in the first place)
        observation.unsearched = {rtype for rtype in skipped if self._specs[rtype].unmanaged}

        workers = max(1, self.options.parallelism)
        try:
            with worker_pool(workers) as pool:
                listings = list(pool.map(
                    lambda sub: list_subscription(
                        self.ctx, sub, state_groups.get(sub, set()),
                        self._group_spec.type if self._group_spec else None, extra,
                        arm_types),
                    subscriptions,
                ))
                entries = self._classify(listings, wanted)
                self._details.fetch_all(pool, entries, wanted, observation.warnings)
                listed, failed_lists = self._list_children(pool, entries, desired, skipped,
                                                           observation.warnings)
                embedded, failed_parents = self._expand_children(entries,
                                                                 observation.warnings)
                entries += [*embedded, *listed]
                failed_parents |= failed_lists
                resources = self._build(entries, wanted, listings, observation.warnings)
                scanned, failed = self._scopes(listings, desired, resources, failed_parents)
                self._confirm_missing(pool, desired, resources, scanned, failed, observation)
        finally:
            # one scan, one pool of connections: nothing stays open after it
            self.ctx.close()

        for listing in listings:
            observation.warnings.extend(listing.warnings)
        observation.resources.extend(resources)
        observation.failed |= failed
        observation.scanned |= scanned - failed
        observation.warnings = dedupe_warnings(observation.warnings)
        observation.api_calls.update(self.ctx.calls)
        return observation

    # listing -------------------------------------------------------------------------------

    def _skipped(self, desired: Sequence[Resource]) -> set[str]:
        """The types listed only one parent (or target) at a time that no state manages: with
        --unmanaged listings they are not listed; --unmanaged all lists them under every
        managed parent."""
        if self.options.every_part:
            return set()
        managed = {r.type for r in desired}
        return {rtype for rtype, spec in self._to_list.items()
                if spec.source in (Source.CHILDREN, Source.EXTENSION) and rtype not in managed}

    def _arm_types(self, listed: Mapping[str, AzureSpec]) -> list[str] | None:
        """With a limited unmanaged search, the ARM types ``resources.list`` is asked for: the
        listed types', and their parents' for types read from or under a parent (extension
        types are read on the targets the states name); None (every type) when the search is
        not limited."""
        if not self.options.unmanaged_limited:
            return None
        wanted: set[str] = set()
        for spec in listed.values():
            while spec.source in (Source.PARENT, Source.CHILDREN) and spec.parent:
                spec = self._specs[spec.parent]
            if spec.source is Source.RESOURCES:
                wanted.add(spec.arm_type)
        return sorted(wanted)

    def _classify(self, listings: Sequence[Listing],
                  wanted: Mapping[tuple[str, str], Resource]) -> list[Entry]:
        entries: list[Entry] = []
        for listing in listings:
            if self._group_spec is not None:
                entries.extend(Entry(self._group_spec, dict(g)) for g in listing.groups or [])
            for listed in self._per_subscription:
                for item in listing.lists.get(listed.type, ()):
                    # a role assignment inherited from a management group is not the
                    # subscription's (and its id is no subscription's either)
                    if ids.subscription_of(str(item.get("id", ""))) == listing.subscription:
                        entries.append(Entry(listed, dict(item), fetched=True))
            for item in listing.resources:
                candidates = self._by_arm_type.get(str(item.get("type", "")).lower())
                if not candidates or not item.get("id"):
                    continue
                canonical = ids.canonical(item["id"])
                spec: AzureSpec | None = next(
                    (s for s in candidates if (s.type, canonical) in wanted), None)
                if spec is None and len(candidates) == 1:
                    spec = candidates[0]
                elif spec is None:
                    verdicts = [s.matches(item) if s.matches else None for s in candidates]
                    if True in verdicts:
                        spec = candidates[verdicts.index(True)]
                    elif None not in verdicts:
                        continue  # none of the supported types (a Windows web app)
                entries.append(Entry(spec, dict(item), candidates=tuple(candidates)))
        return entries

    def _list_children(
        self, pool: ThreadPoolExecutor, entries: Sequence[Entry], desired: Sequence[Resource],
        skipped: set[str], warnings: list[ScanWarning],
    ) -> tuple[list[Entry], set[Unit]]:
        managed: dict[str, list[str]] = defaultdict(list)
        for r in desired:
            managed[r.type].append(self.arm_id(r))
        listed = [(e.spec.type, str(e.item["id"])) for e in entries
                  if e.spec is not None and not e.gone]
        # listed one parent (or target) at a time: with --unmanaged listings only the types the
        # states manage (``skipped``: the others); --unmanaged all lists every such type
        specs = {rtype: spec for rtype, spec in self._to_list.items() if rtype not in skipped}
        jobs = plan_jobs(specs, listed, managed)
        if not jobs:
            return [], set()
        found = run_jobs(self.ctx, pool, jobs)
        warnings.extend(found.warnings)
        children = [Entry(spec, dict(item), fetched=True) for spec, item in found.items]
        return children, found.failed

    def _expand_children(
        self, entries: Sequence[Entry], warnings: list[ScanWarning]
    ) -> tuple[list[Entry], set[Unit]]:
        """Child items from their parents' payloads; the units whose parent could not be
        read, each with a warning naming the child type (the parent's own warning only says
        its properties were not compared)."""
        children: list[Entry] = []
        failed: set[Unit] = set()
        for entry in entries:
            if entry.spec is None or entry.gone:
                continue
            for child_spec in self._embedded.get(entry.spec.type, ()):
                if not entry.fetched:
                    if entry.error is not None:
                        group = ids.group_of(entry.item["id"])
                        failed.add(group_unit(child_spec.type,
                                              ids.subscription_of(entry.item["id"]), group))
                        warnings.append(failure_warning(
                            entry.error, f"{child_spec.type} of {entry.item['id']} not seen "
                            f"(the {entry.spec.type} could not be read)",
                            subscription=ids.subscription_of(entry.item["id"]), group=group,
                            rtype=child_spec.type,
                        ))
                    continue
                found = self._children_query[child_spec.type].search(entry.item) or []
                for child in found:
                    if isinstance(child, Mapping) and child.get("id"):
                        item = dict(child)
                        item.setdefault("type", child_spec.arm_type)
                        children.append(Entry(child_spec, item, fetched=True))
        return children, failed

    # building ------------------------------------------------------------------------------

    def _build(self, entries: Sequence[Entry], wanted: Mapping[tuple[str, str], Resource],
               listings: Sequence[Listing], warnings: list[ScanWarning]) -> list[Resource]:
        made = what_was_made(entries, set(wanted), listings)
        failures: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
        resources: list[Resource] = []
        for entry in entries:
            if entry.gone:
                continue
            resource_id = str(entry.item["id"])
            if entry.error is not None:
                parsed = ids.parse(resource_id)
                namespace = (parsed.namespace if parsed else None) or "Microsoft.Resources"
                key = (ids.subscription_of(resource_id) or "?",
                       ids.group_of(resource_id) or "", namespace, error_code(entry.error))
                failures[key].append(resource_id)
            if entry.spec is None:
                continue
            want = wanted.get((entry.spec.type, ids.canonical(resource_id)))
            resources.append(self._resource(entry, want, made))
        for (sub, group, namespace, code), failed_ids in sorted(failures.items()):
            warnings.append(detail_warning(sub, group, namespace, code, len(failed_ids)))
        return resources

    def _resource(self, entry: Entry, want: Resource | None, made: Made) -> Resource:
        assert entry.spec is not None
        spec, item = entry.spec, entry.item
        resource_id = str(item["id"])
        scope = _scope(resource_id)
        attributes: dict[str, Any] = {}
        if want is not None:
            unavailable = set(entry.unavailable)
            if not entry.fetched and spec.source not in FULL_LISTS:
                unavailable.add(PROPERTIES)
                unavailable.update(s.name for s in spec.sub_resources)
            attributes = spec.actual_attributes(item, frozenset(unavailable))
        import_id = want.id if want is not None else self._import_id(spec, item)
        return Resource(
            provider=NAME,
            type=spec.type,
            # the state's spelling when managed, so that the finding shows what the user wrote
            id=import_id,
            scope=scope,
            attributes=attributes,
            is_default=is_azure_s(spec, item, scope, made),
        )

    def _import_id(self, spec: AzureSpec, item: Mapping[str, Any]) -> str:
        """What ``terraform import`` takes for this cloud item, exactly."""
        arm_id = ids.provider_form(str(item["id"]), self._spellings)
        if spec.cloud_import_id is not None:
            found = spec.cloud_import_id(arm_id, item)
            if found:
                return found
        return arm_id

    # scopes --------------------------------------------------------------------------------

    def _scopes(
        self, listings: Sequence[Listing], desired: Sequence[Resource],
        resources: Sequence[Resource], failed_parents: set[Unit],
    ) -> tuple[set[Unit], set[Unit]]:
        touched: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
        for r in [*desired, *resources]:
            touched[r.scope.account or ""].add((r.type, r.scope.group))
        scanned: set[Unit] = set()
        failed: set[Unit] = set(failed_parents)
        for listing in listings:
            for rtype, group in touched.get(listing.subscription, set()):
                ok = self._listed(listing, self._specs[rtype], group)
                unit = group_unit(rtype, listing.subscription, group)
                (scanned if ok else failed).add(unit)
        return scanned, failed

    def _listed(self, listing: Listing, spec: AzureSpec, group: str | None) -> bool:
        if spec.source is Source.RESOURCE_GROUPS:
            return listing.groups is not None
        if spec.source is Source.SUBSCRIPTION:
            return spec.type in listing.lists
        if spec.source in (Source.PARENT, Source.CHILDREN):
            assert spec.parent is not None
            return self._listed(listing, self._specs[spec.parent], group)
        # resources, and extension resources: their targets come from the listing
        return listing.whole or group in listing.scanned_groups

    def _confirm_missing(
        self, pool: ThreadPoolExecutor, desired: Sequence[Resource],
        resources: list[Resource], scanned: set[Unit],
        failed: set[Unit], observation: Observation,
    ) -> None:
        found = {(r.type, ids.canonical(r.id)) for r in resources}
        suspects = [
            r for r in desired
            if (r.type, ids.canonical(r.id)) not in found
            and _unit(r) in scanned and _unit(r) not in failed
        ]

        def confirm(want: Resource) -> tuple[Resource, Entry]:
            spec = self._specs[want.type]
            entry = Entry(spec, {"id": self.arm_id(want), "type": spec.arm_type})
            self._details.fetch(entry)
            return want, entry

        for want, entry in pool.map(confirm, suspects):
            if entry.gone:
                continue  # really missing: the engine reports it
            if entry.fetched:
                resources.append(self._resource(entry, want, Made()))
                continue
            assert entry.error is not None
            failed.add(_unit(want))
            observation.warnings.append(failure_warning(
                entry.error, f"{want.type} {self.arm_id(want)} is not in the listing and could "
                "not be read by id", subscription=want.scope.account, group=want.scope.group,
                rtype=want.type,
            ))


def _unit(resource: Resource) -> Unit:
    return Unit(resource.type, resource.scope.region, resource.scope.account,
                resource.scope.group)


def _scope(resource_id: str) -> Scope:
    return group_scope(ids.subscription_of(resource_id), ids.group_of(resource_id))
