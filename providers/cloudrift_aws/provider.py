"""The AWS provider: state instances and AWS payloads, normalised by the same specs."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import jmespath
from botocore.exceptions import BotoCoreError, ClientError

from cloudrift.sdk import (
    GLOBAL_REGION,
    AttributionResult,
    CloudriftError,
    Finding,
    Observation,
    ProviderError,
    Resource,
    ScanOptions,
    ScanWarning,
    Scope,
    StateInstance,
    Unit,
    api_failure,
    dedupe_warnings,
    no_id_warnings,
    unsupported_warnings,
    worker_pool,
)
from cloudrift_aws.accounts import AccountRouter
from cloudrift_aws.regions import account_from_arn, default_region, region_of
from cloudrift_aws.session import (
    DENIED_CODES,
    THROTTLE_CODES,
    AwsContext,
    error_code,
)
from cloudrift_aws.spec import AwsSpec, Item

NAME = "aws"


class AwsProvider:
    name = NAME
    state_providers = (NAME,)

    def __init__(
        self,
        specs: Mapping[str, AwsSpec],
        options: ScanOptions,
        context: AwsContext | None = None,
        *,
        primary: bool = True,
        router: AccountRouter | None = None,
    ) -> None:
        self.specs: Mapping[str, AwsSpec] = specs
        self.options = options
        settings = options.settings
        self.ctx = context or AwsContext(
            endpoint_url=settings.get("endpoint_url"),
            parallelism=options.parallelism,
        )
        self.ctx.meter = options.meter
        self.default_region = default_region(options.regions, self.ctx.region_name)
        self.account: str | None = None
        # with several accounts in one scan (``router``): each state resource is compared by the
        # provider of its account; the primary one reports those of accounts no provider has
        self.primary = primary
        self.router = router
        # calls made before the scan on this provider's behalf (listing an organisation)
        self.setup_calls: Counter[str] = Counter()
        self._ids = {t: jmespath.compile(s.id_query) for t, s in specs.items()}
        # the ARN each managed resource's state records: --attribute looks it up in CloudTrail
        self.arns: dict[tuple[str, str], str] = {}

    # -- desired ---------------------------------------------------------------------------

    def region_for_state(self, spec: AwsSpec, attributes: Mapping[str, Any]) -> str:
        if spec.global_service:
            return GLOBAL_REGION
        if spec.region_from_state is not None:
            found = spec.region_from_state(attributes)
            if found:
                return found
        return region_of(attributes) or self.default_region

    def desired(
        self, instances: Sequence[StateInstance]
    ) -> tuple[list[Resource], list[ScanWarning]]:
        resources: list[Resource] = []
        unsupported: dict[str, int] = defaultdict(int)
        no_id: list[str] = []
        elsewhere: dict[str, int] = defaultdict(int)
        if self.router is not None:
            self.router.learn(instances)
        for inst in instances:
            spec = self.specs.get(inst.type)
            if spec is None:
                if self.primary:
                    unsupported[inst.type] += 1
                continue
            owner = self._owner(inst)
            if owner is not None:
                if owner:
                    elsewhere[owner] += 1
                continue
            import_id = spec.state_import_id(inst.attributes)
            if import_id is None:
                no_id.append(inst.address)
                continue
            arn = inst.attributes.get("arn")
            if isinstance(arn, str) and arn:
                self.arns[(inst.type, import_id)] = arn
            resources.append(
                Resource(
                    provider=NAME,
                    type=inst.type,
                    id=import_id,
                    scope=Scope(
                        account=account_from_arn(inst.attributes.get("arn")),
                        region=self.region_for_state(spec, inst.attributes),
                    ),
                    address=inst.address,
                    source=inst.source,
                    attributes=spec.desired_attributes(inst.attributes),
                    sensitive=inst.sensitive_paths | spec.sensitive_paths,
                )
            )
        warnings = [
            ScanWarning(
                code="account_not_scanned",
                provider=NAME,
                message=f"{count} resource(s) of AWS account {account} not compared: "
                + (self.router.outside if self.router is not None else ""),
            )
            for account, count in sorted(elsewhere.items())
        ]
        warnings += unsupported_warnings(NAME, unsupported)
        warnings += no_id_warnings(NAME, no_id)
        return resources, warnings

    def _owner(self, inst: StateInstance) -> str | None:
        """None when this provider compares the resource; otherwise "" when another provider
        of the scan does, or the account no provider has (only the primary reports those).
        Only matters when one scan covers several accounts."""
        if self.router is None:
            return None
        account = self.router.account_of(inst)
        if account == self.account_id:
            return None
        if account in self.router.known or not self.primary:
            return ""
        return account

    @property
    def account_id(self) -> str:
        return self.ctx.account_id(self.default_region)

    # -- sharding by account ----------------------------------------------------------------

    @property
    def spans_accounts(self) -> bool:
        return self.router is not None

    def account_of(self, item: StateInstance | Resource) -> str | None:
        """The account of a state instance (as every provider of the scan routes it), or this
        provider's own for its resources."""
        if isinstance(item, StateInstance) and self.router is not None:
            return self.router.account_of(item)
        return self.account_id

    def _dormant(self) -> bool:
        """An account of another shard: this shard calls nothing there."""
        return self.spans_accounts and not self.options.account_in_shard(NAME, self.account_id)

    # -- attribute (--attribute) -----------------------------------------------------------

    def attribute(self, findings: Sequence[Finding]) -> AttributionResult:
        """Who changed this account's resources, from CloudTrail (``attribution.py``)."""
        from cloudrift_aws.attribution import CloudTrailAttributor

        account = self.account or self.ctx.account_id(self.default_region)
        mine = [f for f in findings if f.provider == NAME and (
            f.scope.account == account or (f.scope.account is None and self.primary))]
        if not mine or self._dormant():
            return AttributionResult()
        attributor = CloudTrailAttributor(self.ctx, self.default_region,
                                          parallelism=self.options.parallelism)
        return attributor.attribute(mine, self.arns)

    # -- observe ---------------------------------------------------------------------------

    def regions(self, desired: Sequence[Resource]) -> list[str]:
        found = {r.scope.region for r in desired if r.scope.region != GLOBAL_REGION}
        found.update(self.options.regions)
        found.add(self.default_region)
        if self.options.settings.get("all_regions"):
            found.update(self.enabled_regions())
        return sorted(found)

    def enabled_regions(self) -> list[str]:
        """The regions the account has enabled (opt-in regions only once opted in)."""
        try:
            listed = self.ctx.call("ec2", self.default_region, "describe_regions")
        except (ClientError, BotoCoreError) as exc:
            raise ProviderError(
                f"--all-regions: cannot list the account's regions ({error_code(exc)})",
                hint="name them with --region instead",
            ) from None
        return sorted(r["RegionName"] for r in listed.get("Regions", []))

    def observe(self, desired: Sequence[Resource]) -> Observation:
        self.account = self.ctx.account_id(self.default_region)
        observation = Observation()
        observation.api_calls.update(self.setup_calls)
        if self._dormant():
            return observation
        regions = self.regions(desired)
        managed: dict[tuple[str, str], list[Resource]] = defaultdict(list)
        for resource in desired:
            managed[(resource.type, resource.scope.region)].append(resource)
        self.ctx.managed = dict(managed)
        managed_only = self.ctx.managed_only = self.options.unmanaged == "none"

        # --unmanaged managed-types / none: a type the states do not manage is not listed (nor
        # are its parts under their parents); with none, nor a region where it has nothing.
        # listings (the default): every type is, but a part type listed one parent at a time
        # (AwsSpec.per_parent) only when the states manage it: under every managed parent that
        # is a call or more per parent, which only --unmanaged all pays for a part type no
        # state uses (unless the call is the parent's own read: AwsSpec.parent_read)
        used = {resource.type for resource in desired}
        to_list = self.options.listed(self.specs, desired)
        skipped = set() if self.options.every_part else {
            rtype for rtype, spec in to_list.items()
            if spec.per_parent and not spec.parent_read and rtype not in used}
        # (a type never reported unmanaged was not to be searched in the first place)
        observation.unsearched = {rtype for rtype in skipped if to_list[rtype].unmanaged}
        tasks = [
            (spec, region)
            for spec in to_list.values()
            if spec.type not in skipped
            for region in ([GLOBAL_REGION] if spec.global_service else regions)
            # a shard of a scan across accounts takes this whole account (or none of it)
            if (self.spans_accounts or self.options.in_shard(NAME, spec.type, region))
            and (not managed_only or managed.get((spec.type, region)))
        ]
        self.options.progress.tasks(len(tasks))
        with worker_pool(self.options.parallelism) as pool:
            listed = list(
                pool.map(lambda t: self._enumerate(t[0], t[1], managed[(t[0].type, t[1])]), tasks)
            )
            jobs: list[tuple[AwsSpec, str, Item, str, bool]] = []
            for (spec, region), outcome in zip(tasks, listed, strict=True):
                if isinstance(outcome, ScanWarning):
                    observation.failed.add(Unit(spec.type, region, self.account))
                    observation.warnings.append(outcome)
                    continue
                observation.scanned.add(Unit(spec.type, region, self.account))
                wanted = {r.id for r in managed[(spec.type, region)]}
                for item in outcome:
                    item_id = self._item_id(spec, item)
                    if managed_only and item_id not in wanted:
                        continue  # a listing that could not be narrowed: the rest is dropped
                    jobs.append((spec, region, item, item_id, item_id in wanted))
            built = list(pool.map(lambda job: self._build(*job), jobs))
        for resource, warnings in built:
            observation.resources.append(resource)
            observation.warnings.extend(warnings)
        observation.warnings = dedupe_warnings(observation.warnings)
        observation.api_calls.update(self.ctx.calls)
        return observation

    def _item_id(self, spec: AwsSpec, item: Item) -> str:
        value = self._ids[spec.type].search(item)
        return "" if value is None else str(value)

    def _region_of_call(self, spec: AwsSpec, region: str) -> str:
        return self.default_region if region == GLOBAL_REGION else region

    def _enumerate(
        self, spec: AwsSpec, region: str, managed: Sequence[Resource]
    ) -> list[Item] | ScanWarning:
        outcome = self._list(spec, region, managed)
        self.options.progress.task_done(0 if isinstance(outcome, ScanWarning) else len(outcome))
        return outcome

    def _list(
        self, spec: AwsSpec, region: str, managed: Sequence[Resource]
    ) -> list[Item] | ScanWarning:
        call_region = self._region_of_call(spec, region)
        try:
            if spec.enumerate is not None:
                # a global service's scope is "global", but its calls go to a real region
                scope_region = call_region if spec.global_service else region
                return spec.enumerate(self.ctx, scope_region, managed)
            assert spec.list is not None
            items = self.ctx.paginate(
                spec.service, call_region, spec.list.operation, spec.list.result,
                **dict(spec.list.params),
            )
            return [dict(item) for item in items]
        except CloudriftError:
            raise
        except (ClientError, BotoCoreError) as exc:
            return self._failure_warning(spec, region, exc)

    def _failure_warning(self, spec: AwsSpec, region: str, exc: BaseException) -> ScanWarning:
        code = error_code(exc)
        kind, what = api_failure(
            code, exc, denied=code in DENIED_CODES, throttled=code in THROTTLE_CODES
        )
        return ScanWarning(
            code=kind,
            provider=NAME,
            type=spec.type,
            scope=Scope(account=self.account, region=region),
            message=f"{spec.type} in {region} not scanned: {what}",
        )

    def _build(
        self, spec: AwsSpec, region: str, item: Item, item_id: str, managed: bool
    ) -> tuple[Resource, list[ScanWarning]]:
        warnings: list[ScanWarning] = []
        unavailable: set[str] = set()
        observed = managed or (self.options.observe_unmanaged and spec.unmanaged)
        if observed:
            call_region = self._region_of_call(spec, region)
            for detail in spec.details:
                try:
                    response = self.ctx.shared_call(
                        detail.service or spec.service, call_region, detail.operation,
                        **dict(detail.params(item)),
                    )
                    item[detail.name] = (
                        jmespath.search(detail.result, response) if detail.result else response
                    )
                except (ClientError, BotoCoreError, KeyError, TypeError) as exc:
                    # KeyError/TypeError: a payload without a field the request is built from
                    code = error_code(exc)
                    if code in detail.absent:
                        item[detail.name] = None
                        continue
                    unavailable.add(detail.name)
                    warnings.append(
                        ScanWarning(
                            code="detail_unavailable",
                            provider=NAME,
                            type=spec.type,
                            scope=Scope(account=self.account,
                                        region=region),
                            message=f"{spec.type}: {detail.operation} failed ({code}); "
                            f"fields that need it were not compared",
                        )
                    )
        attributes = spec.actual_attributes(item, frozenset(unavailable)) if observed else {}
        placed, parent = next(((part, found) for part in spec.part_of
                               if (found := part.cloud_parent(item)) is not None), (None, None))
        resource = Resource(
            provider=NAME,
            type=spec.type,
            id=item_id,
            scope=Scope(account=self.account, region=region),
            attributes=attributes,
            is_default=bool(spec.is_default(item)) if spec.is_default else False,
            parent=parent,
            parent_fields=(placed.fields if placed is not None and not callable(placed.fields)
                           else None),
            sensitive=spec.sensitive_paths,
        )
        return resource, warnings
