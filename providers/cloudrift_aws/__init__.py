"""cloudrift's AWS provider, registered under the ``cloudrift.providers`` entry point ``aws``."""

from __future__ import annotations

from collections.abc import Mapping

from cloudrift.plugin import ScanOptions
from cloudrift_aws.provider import AwsProvider
from cloudrift_aws.spec import AwsSpec, Call, Detail

__all__ = ["AwsPlugin", "AwsProvider", "AwsSpec", "Call", "Detail"]


class AwsPlugin:
    name = "aws"
    terraform_sources = ("hashicorp/aws",)
    state_providers = ("aws",)

    def types(self) -> Mapping[str, AwsSpec]:
        from cloudrift_aws.types import SPECS

        return SPECS

    def create(self, options: ScanOptions) -> AwsProvider:
        return AwsProvider(options.selected(self.types()), options)

    def create_all(self, options: ScanOptions) -> dict[str, AwsProvider]:
        """One provider per --aws-profile / --aws-role target (just one without targets),
        keyed ``aws`` for the first and ``aws@ACCOUNT`` for the others."""
        from cloudrift_aws.accounts import context_for, targets_from
        from cloudrift_aws.regions import default_region

        targets = targets_from(options.settings)
        if not targets:
            return {self.name: self.create(options)}
        contexts = [context_for(t, options) for t in targets]
        accounts = [
            ctx.account_id(default_region(options.regions, ctx.session.region_name))
            for ctx in contexts
        ]
        providers: dict[str, AwsProvider] = {}
        for position, (ctx, account) in enumerate(zip(contexts, accounts, strict=True)):
            key = self.name if position == 0 else f"{self.name}@{account}"
            if key in providers or account in accounts[:position]:
                continue
            others = frozenset(a for a in accounts if a != account)
            providers[key] = AwsProvider(options.selected(self.types()), options, ctx,
                                         primary=position == 0, other_accounts=others)
        return providers
