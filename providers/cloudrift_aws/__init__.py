"""cloudrift's AWS provider, registered under the ``cloudrift.providers`` entry point ``aws``.

This module stays light (no boto3 at import): the CLI loads every plugin to learn its settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cloudrift.sdk import Provider, ScanOptions, Setting

if TYPE_CHECKING:
    from cloudrift_aws.provider import AwsProvider
    from cloudrift_aws.spec import AwsSpec

__all__ = ["AwsPlugin", "AwsProvider", "AwsSpec", "Call", "Detail"]

SETTINGS = (
    Setting("aws_profile", "list", "Scan the AWS account of this named profile; repeat for "
            "several accounts in one scan. Default: the standard credential chain.",
            metavar="PROFILE"),
    Setting("aws_role", "list", "Assume this role and scan its account; repeatable, "
            "combinable with --aws-profile. Resources go to the account their ARN names.",
            metavar="ROLE_ARN"),
    Setting("aws_organization", "bool", "Scan every ACTIVE account of the AWS Organization "
            "the credentials can list (its management account or a delegated administrator), "
            "assuming --aws-role-name in each; an account that cannot be scanned is a "
            "warning."),
    Setting("aws_role_name", "str", "With --aws-organization: the role to assume in every "
            "account (a read-only role deployed in each, e.g. by a StackSet); required.",
            metavar="NAME"),
    Setting("all_regions", "bool", "Search every region the AWS account has enabled for "
            "unmanaged resources, not only those the states and --region name."),
)

_LAZY = {"AwsProvider": "cloudrift_aws.provider", "AwsSpec": "cloudrift_aws.spec",
         "Call": "cloudrift_aws.spec", "Detail": "cloudrift_aws.spec"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class AwsPlugin:
    name = "aws"
    terraform_sources = ("hashicorp/aws",)
    state_providers = ("aws",)
    requires = ("boto3",)
    settings = SETTINGS

    def types(self) -> Mapping[str, AwsSpec]:
        from cloudrift_aws.types import SPECS

        return SPECS

    def create(self, options: ScanOptions) -> AwsProvider:
        from cloudrift_aws.regions import default_region
        from cloudrift_aws.session import AwsContext

        endpoint = options.settings.get("endpoint_url")
        ctx = AwsContext(endpoint_url=endpoint if isinstance(endpoint, str) else None,
                         parallelism=options.parallelism, meter=options.meter)
        # who the credentials belong to is the scan's first call, made before the type
        # catalogue and the report model load: bad credentials fail at once, and a scan's
        # start-up is not held up by what only its comparison needs (memoised for observe)
        ctx.account_id(default_region(options.regions, ctx.region_name))
        from cloudrift_aws.provider import AwsProvider

        return AwsProvider(options.selected(self.types()), options, ctx)

    def create_all(self, options: ScanOptions) -> Mapping[str, Provider]:
        """One provider per account: of the organisation with --aws-organization, else per
        --aws-profile / --aws-role target (just one without targets); keyed ``aws`` for the
        first (the organisation's own account) and ``aws@ACCOUNT`` for the others."""
        from cloudrift_aws.accounts import AccountRouter, context_for, targets_from
        from cloudrift_aws.regions import default_region

        if options.settings.get("aws_organization"):
            from cloudrift_aws.organization import organization_providers

            return organization_providers(options.selected(self.types()), options)
        targets = targets_from(options.settings)
        if len(targets) <= 1:
            if not targets:
                return {self.name: self.create(options)}
            ctx = context_for(targets[0], options)
            from cloudrift_aws.provider import AwsProvider

            return {self.name: AwsProvider(options.selected(self.types()), options, ctx)}
        contexts = [context_for(t, options) for t in targets]
        accounts = [
            ctx.account_id(default_region(options.regions, ctx.region_name))
            for ctx in contexts
        ]
        # the type catalogue and the report model load once every account has answered
        from cloudrift_aws.provider import AwsProvider

        router = AccountRouter(primary=accounts[0], known=frozenset(accounts))
        providers: dict[str, Provider] = {}
        for position, (ctx, account) in enumerate(zip(contexts, accounts, strict=True)):
            key = self.name if position == 0 else f"{self.name}@{account}"
            if key in providers or account in accounts[:position]:
                continue
            providers[key] = AwsProvider(options.selected(self.types()), options, ctx,
                                         primary=position == 0, router=router)
        return providers
