"""Every account of an AWS Organization in one scan (``--aws-organization``).

The organisation's credentials (its management account, or a delegated administrator) list its
accounts (``organizations:ListAccounts``, a read); in each ACTIVE one the scan assumes the role
``--aws-role-name`` names (``sts:AssumeRole``, the one call a scan makes that is not a read)
and scans the account with those credentials, one ``AwsProvider`` per account as for
``--aws-role``. An account that is not active, or whose role cannot be assumed, is a warning
naming it, and the scan goes on with the others: the resources the states hold in it are not
compared (``outside_scope``).

With ``--shard I/N`` a shard takes whole accounts: every shard lists the organisation (so all
agree on its accounts), assumes roles only in its own, and keeps a dormant provider for each
other account, which routes that account's state resources away and calls nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from cloudrift.concurrency import share, worker_pool
from cloudrift.errors import ConfigError, ProviderError
from cloudrift.model import Resource, ScanWarning, Scope
from cloudrift.plugin import Observation, ScanOptions
from cloudrift.sources.tfstate import StateInstance
from cloudrift_aws.accounts import SESSION_NAME, AccountRouter
from cloudrift_aws.provider import NAME, AwsProvider
from cloudrift_aws.regions import default_region
from cloudrift_aws.session import EXPIRED_CODES, AwsContext, error_code
from cloudrift_aws.spec import AwsSpec

# ListAccounts' largest page
PAGE_SIZE = 20
# what ListAccounts says of an account that can be scanned (``State``; ``Status`` before 2025)
ACTIVE = "ACTIVE"
LABEL = "aws organization"


@dataclass(frozen=True)
class OrgAccount:
    id: str
    name: str
    state: str

    @property
    def label(self) -> str:
        return f"{self.id} ({self.name})" if self.name else self.id


def list_accounts(ctx: AwsContext, region: str) -> list[OrgAccount]:
    """Every account of the organisation, all pages, by id."""
    try:
        listed = ctx.paginate("organizations", region, "list_accounts", "Accounts",
                              PaginationConfig={"PageSize": PAGE_SIZE})
    except (ClientError, BotoCoreError) as exc:
        code = error_code(exc)
        if code in EXPIRED_CODES:
            raise ProviderError(f"AWS rejected the credentials ({code})",
                                hint="refresh them (aws sso login, new session token)") from None
        raise ProviderError(
            f"--aws-organization: cannot list the organization's accounts ({code})",
            hint="run with the management account's credentials or a delegated "
            "administrator's (organizations:ListAccounts)",
        ) from None
    accounts = [OrgAccount(id=str(a["Id"]), name=str(a.get("Name") or ""),
                           state=str(a.get("State") or a.get("Status") or ""))
                for a in listed]
    return sorted(accounts, key=lambda a: a.id)


def role_arn(account: str, role_name: str) -> str:
    name = role_name.strip("/")
    # a role name may carry a path: security/cloudrift-readonly
    return f"arn:aws:iam::{account}:role/{name}"


class UnreachableAccount:
    """An account of the organisation this shard cannot scan (not active, or its role not
    assumed): it compares nothing, and says why with the count of state resources left
    uncompared (the engine counts them as ``outside_scope``)."""

    name = NAME
    state_providers = (NAME,)
    spans_accounts = True

    def __init__(self, specs: Mapping[str, AwsSpec], account: OrgAccount, router: AccountRouter,
                 warning: ScanWarning) -> None:
        self.specs = specs
        self.account = account
        self.router = router
        self.warning = warning
        self._count = 0

    def account_of(self, item: StateInstance | Resource) -> str | None:
        if isinstance(item, StateInstance):
            return self.router.account_of(item)
        return self.account.id

    def desired(self, instances: Sequence[StateInstance]
                ) -> tuple[list[Resource], list[ScanWarning]]:
        self.router.learn(instances)
        self._count = sum(1 for i in instances if self.router.account_of(i) == self.account.id)
        return [], []

    def observe(self, desired: Sequence[Resource]) -> Observation:
        warning = self.warning
        if self._count:
            warning = warning.model_copy(update={
                "message": f"{warning.message}; {self._count} resource(s) the states hold in "
                "it were not compared"})
        return Observation(warnings=[warning])


def _failed(account: OrgAccount, code: str, why: str) -> ScanWarning:
    return ScanWarning(code=code, provider=NAME, scope=Scope(account=account.id),
                       message=f"AWS account {account.label} not scanned: {why}")


def organization_providers(
    specs: Mapping[str, AwsSpec], options: ScanOptions,
) -> dict[str, AwsProvider | UnreachableAccount]:
    """One provider per account of the organisation: ``aws`` for the account whose
    credentials list it, ``aws@ACCOUNT`` for the others."""
    settings = options.settings
    role_name = str(settings.get("aws_role_name") or "").strip()
    if not role_name:
        raise ConfigError("--aws-organization needs --aws-role-name",
                          hint="the name of a read-only role deployed in every account "
                          "(e.g. with a CloudFormation StackSet): see docs/scale.md")
    profiles = settings.get("aws_profile") or ()
    if settings.get("aws_role"):
        raise ConfigError("--aws-organization and --aws-role cannot be combined",
                          hint="the organization's accounts are reached through "
                          "--aws-role-name; give the organization's credentials as the "
                          "default chain or one --aws-profile")
    if len(profiles) > 1:
        raise ConfigError("--aws-organization takes at most one --aws-profile",
                          hint="the profile of the management or delegated-admin account")
    endpoint = settings.get("endpoint_url")
    endpoint = endpoint if isinstance(endpoint, str) else None
    base = boto3.session.Session(profile_name=str(profiles[0]) if profiles else None)
    region = default_region(options.regions, base.region_name)
    org = AwsContext(base, endpoint_url=endpoint, parallelism=options.parallelism,
                     meter=options.meter, label=LABEL)
    caller = org.account_id(region)
    accounts = list_accounts(org, region)
    if not accounts:
        raise ProviderError("--aws-organization: the organization lists no account")
    ids = [a.id for a in accounts]
    primary = caller if caller in ids else ids[0]
    router = AccountRouter(primary=primary, known=frozenset(ids),
                           outside="it is not an account of the organization")
    _, each = share(options.parallelism, len(accounts))
    per_account = replace(options, parallelism=each)

    mine = [a for a in accounts
            if a.state == ACTIVE and options.account_in_shard(NAME, a.id)]
    with worker_pool(min(options.parallelism, len(mine)) or 1, name="cloudrift-assume") as pool:
        assumed = dict(zip([a.id for a in mine],
                           pool.map(lambda a: _assume(org, a, role_name, region), mine),
                           strict=True))

    providers: dict[str, AwsProvider | UnreachableAccount] = {}
    for account in accounts:
        key = NAME if account.id == primary else f"{NAME}@{account.id}"
        if account.state != ACTIVE:
            providers[key] = UnreachableAccount(specs, account, router, _failed(
                account, "account_not_active",
                f"its state is {account.state or 'unknown'}, not ACTIVE"))
            continue
        outcome = assumed.get(account.id)
        if isinstance(outcome, ScanWarning):
            providers[key] = UnreachableAccount(specs, account, router, outcome)
            continue
        # an account of another shard keeps the organisation's session: it is never used
        session = outcome if outcome is not None else base
        ctx = AwsContext(session, endpoint_url=endpoint, parallelism=each, meter=options.meter,
                         label=f"aws account {account.id}")
        ctx.know_account(account.id)
        providers[key] = AwsProvider(specs, per_account, ctx, primary=account.id == primary,
                                     router=router)
    first = providers.get(NAME)
    if isinstance(first, AwsProvider):
        # the organisation's own calls (ListAccounts, AssumeRole) are counted as the primary's
        first.setup_calls = org.calls
    return providers


def _assume(org: AwsContext, account: OrgAccount, role_name: str, region: str
            ) -> boto3.session.Session | ScanWarning:
    arn = role_arn(account.id, role_name)
    try:
        credentials = org.call("sts", region, "assume_role", RoleArn=arn,
                               RoleSessionName=SESSION_NAME)["Credentials"]
    except (ClientError, BotoCoreError) as exc:
        code = error_code(exc)
        if code in EXPIRED_CODES:
            raise ProviderError(f"AWS rejected the organization's credentials ({code})",
                                hint="refresh them (aws sso login, new session token)") from None
        return _failed(account, "account_unreachable", f"cannot assume {arn} ({code})")
    return boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )

