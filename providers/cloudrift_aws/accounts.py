"""Several AWS accounts in one scan: named profiles and assume-role targets.

Each target becomes its own ``AwsProvider`` with its own session, so matching, coverage and
unmanaged detection stay per account (IAM role names repeat across accounts; they must not meet).
A state resource goes to the account its ARN names (``AccountRouter``); one whose state records
no ARN (attachments, bucket facets) goes to the account the other resources of its state name,
when they name one, else to the first target.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import botocore.session
from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

from cloudrift.sdk import ProviderError, ScanOptions, StateInstance
from cloudrift_aws.regions import account_from_arn, default_region
from cloudrift_aws.session import AwsContext, error_code

SESSION_NAME = "cloudrift-scan"
_ACCOUNT_ID = re.compile(r"^\d{12}$")


def arn_account(attributes: Mapping[str, object]) -> str | None:
    """The account an instance's ARN names; None for ARNs without one (S3 buckets) and for
    AWS's own (``arn:aws:iam::aws:policy/...``)."""
    account = account_from_arn(attributes.get("arn"))
    return account if account is not None and _ACCOUNT_ID.match(account) else None


@dataclass
class AccountRouter:
    """Which account each state instance belongs to, the same way for every provider of the
    scan and in every shard: the account its ARN names; else the one account the ARNs of the
    rest of its state name (a state is most often one account's); else ``primary``."""

    primary: str
    # the accounts some provider of this scan compares (scanned, or known not scannable)
    known: frozenset[str] = frozenset()
    # why an account outside ``known`` is not scanned
    outside: str = "no --aws-profile or --aws-role target is in that account"
    _by_source: dict[str | None, str | None] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def learn(self, instances: Iterable[StateInstance]) -> None:
        """Note each state's one account (once: every provider is handed the same states)."""
        found: dict[str | None, set[str]] = {}
        with self._lock:
            for inst in instances:
                if inst.source in self._by_source:
                    continue
                account = arn_account(inst.attributes)
                found.setdefault(inst.source, set())
                if account is not None:
                    found[inst.source].add(account)
            for source, accounts in found.items():
                self._by_source[source] = next(iter(accounts)) if len(accounts) == 1 else None

    def account_of(self, inst: StateInstance) -> str:
        account = arn_account(inst.attributes)
        if account is not None:
            return account
        with self._lock:
            return self._by_source.get(inst.source) or self.primary


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
