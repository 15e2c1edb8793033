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
        return AwsProvider(self.types(), options)
