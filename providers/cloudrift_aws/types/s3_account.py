"""The account-wide S3 public access block (S3 Control).

One setting per account: one ``s3control:GetPublicAccessBlock`` per scan, in the global scope.

S3 Control puts the account id in front of the endpoint's host name
(``123456789012.s3-control.us-east-1.amazonaws.com``). An endpoint given as an IP address or
``localhost`` (``AWS_ENDPOINT_URL`` pointed at an emulator) cannot take that prefix: no name
resolves. For such an endpoint only, the request goes to the endpoint's own host, which is
where emulators serve S3 Control; requests to AWS are never touched.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from botocore.exceptions import ClientError

from cloudrift.sdk import Resource
from cloudrift_aws.fields import attr_bool
from cloudrift_aws.session import AwsContext, error_code
from cloudrift_aws.spec import AwsSpec, Item

_ACCOUNT_LABEL = re.compile(r"^\d{12}\.")
_ABSENT = "NoSuchPublicAccessBlockConfiguration"


def _local_host(endpoint: str | None) -> str | None:
    """The endpoint's host when it is an IP address or localhost, else None."""
    host = urlsplit(endpoint).hostname if endpoint else None
    if not host:
        return None
    if host == "localhost":
        return host
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    return host


def account_prefix_remover(endpoint: str | None) -> Callable[..., None] | None:
    """A ``before-sign`` handler sending S3 Control requests to ``endpoint``'s own host, for an
    endpoint that cannot take the account-id prefix; None for any other endpoint."""
    host = _local_host(endpoint)
    if host is None:
        return None

    def unprefix(request: Any = None, **_: Any) -> None:
        parts = urlsplit(request.url)
        if parts.hostname != host and _ACCOUNT_LABEL.match(parts.netloc):
            request.url = urlunsplit(parts._replace(netloc=parts.netloc.split(".", 1)[1]))

    return unprefix


def _s3control_region(ctx: AwsContext, region: str) -> str:
    def prepare() -> str:
        client = ctx.client("s3control", region)
        # the endpoint the client resolved: --endpoint-url or AWS_ENDPOINT_URL(_S3_CONTROL)
        handler = account_prefix_remover(client.meta.endpoint_url)
        if handler is not None:
            client.meta.events.register("before-sign.s3-control", handler)
        return region

    return ctx.memo(f"s3control:host:{region}", prepare)


def _account_blocks(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    account = ctx.account_id(region)
    try:
        response = ctx.call("s3control", _s3control_region(ctx, region),
                            "get_public_access_block", AccountId=account)
    except ClientError as exc:
        if error_code(exc) == _ABSENT:
            return []
        raise
    return [{"AccountId": account, **response}]


def _account_id(attributes: Mapping[str, Any]) -> Any:
    return attributes.get("account_id") or attributes.get("id")


def _flag(path: str, name: str) -> Any:
    return attr_bool(path, f"PublicAccessBlockConfiguration.{name}", default=False)


ACCOUNT_PUBLIC_ACCESS_BLOCK = AwsSpec(
    type="aws_s3_account_public_access_block",
    service="s3control",
    enumerate=_account_blocks,
    calls=("s3control:GetPublicAccessBlock",),
    id_query="AccountId",
    import_id=_account_id,
    global_service=True,
    description="S3 public access block of the whole account (one GetPublicAccessBlock a scan)",
    fields=(
        _flag("block_public_acls", "BlockPublicAcls"),
        _flag("block_public_policy", "BlockPublicPolicy"),
        _flag("ignore_public_acls", "IgnorePublicAcls"),
        _flag("restrict_public_buckets", "RestrictPublicBuckets"),
    ),
    not_compared={"account_id": "identity: the import id"},
)

SPECS: tuple[AwsSpec, ...] = (ACCOUNT_PUBLIC_ACCESS_BLOCK,)
