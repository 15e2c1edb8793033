"""Several AWS accounts in one scan: named profiles and assume-role targets.

Each target becomes its own ``AwsProvider`` with its own session, so matching, coverage and
unmanaged detection stay per account (IAM role names repeat across accounts; they must not meet).
A state resource goes to the target whose account its ARN names; resources whose state records
no ARN (attachments, bucket facets) go to the first target.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

from cloudrift.errors import ProviderError
from cloudrift.plugin import ScanOptions
from cloudrift_aws.regions import default_region
from cloudrift_aws.session import AwsContext, error_code

SESSION_NAME = "cloudrift-scan"


@dataclass(frozen=True)
class Target:
    profile: str | None = None
    role_arn: str | None = None

    @property
    def label(self) -> str:
        return f"profile {self.profile}" if self.profile else f"role {self.role_arn}"


def targets_from(settings: Mapping[str, object]) -> list[Target]:
    def listed(key: str) -> list[str]:
        value = settings.get(key) or ()
        if isinstance(value, str):
            return [value]
        return [str(v) for v in value] if isinstance(value, Sequence) else [str(value)]

    return ([Target(profile=p) for p in listed("aws_profile")]
            + [Target(role_arn=r) for r in listed("aws_role")])


def session_for(target: Target, options: ScanOptions) -> Any:
    """A botocore session for a target; assuming a role is the one non-read call a scan
    makes."""
    if target.profile is not None:
        session = botocore.session.Session(profile=target.profile)
        try:
            session.get_scoped_config()  # an unknown profile fails here, not at the first call
            return session
        except ProfileNotFound:
            raise ProviderError(f"AWS profile {target.profile!r} not found",
                                hint="check ~/.aws/config or AWS_CONFIG_FILE") from None
    assert target.role_arn is not None
    base = botocore.session.Session()
    region = default_region(options.regions, base.get_config_variable("region"))
    endpoint = options.settings.get("endpoint_url")
    sts = base.create_client("sts", region_name=region,
                             **({"endpoint_url": endpoint} if isinstance(endpoint, str) else {}))
    try:
        credentials = sts.assume_role(RoleArn=target.role_arn,
                                      RoleSessionName=SESSION_NAME)["Credentials"]
    except (ClientError, BotoCoreError) as exc:
        raise ProviderError(
            f"cannot assume {target.role_arn} ({error_code(exc)})",
            hint="the scanning identity needs sts:AssumeRole on it, and it a read-only policy",
        ) from None
    assumed = botocore.session.Session()
    assumed.set_credentials(credentials["AccessKeyId"], credentials["SecretAccessKey"],
                            credentials["SessionToken"])
    assumed.set_config_variable("region", region)
    return assumed


def context_for(target: Target, options: ScanOptions) -> AwsContext:
    endpoint = options.settings.get("endpoint_url")
    return AwsContext(
        session_for(target, options),
        endpoint_url=endpoint if isinstance(endpoint, str) else None,
        parallelism=options.parallelism,
        # one label per target: several accounts' sessions share the scan's meter
        meter=options.meter, label=f"aws {target.label}",
    )
