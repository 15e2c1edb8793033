"""Resource types of this service (specs added per type)."""

from __future__ import annotations

from cloudrift_aws.spec import AwsSpec

SPECS: tuple[AwsSpec, ...] = ()
