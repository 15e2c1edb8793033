"""The account-wide S3 public access block (S3 Control)."""

from __future__ import annotations

from typing import Any

from cloudrift_aws.types.s3_account import account_prefix_remover
from tests.providers.aws.cases import Attrs, AwsCase


def _s3control(clients: Any) -> Any:
    client = clients("s3control")
    handler = account_prefix_remover(clients.endpoint)
    if handler is not None:
        # the emulator's IP address cannot take S3 Control's account-id host prefix
        client.meta.events.register("before-sign.s3-control", handler,
                                    unique_id="cloudrift-s3control-host")
    return client


def _settings(acls: bool, policy: bool) -> dict[str, bool]:
    return {"BlockPublicAcls": acls, "IgnorePublicAcls": acls, "BlockPublicPolicy": policy,
            "RestrictPublicBuckets": policy}


def _create(clients: Any) -> Attrs:
    account = clients("sts").get_caller_identity()["Account"]
    _s3control(clients).put_public_access_block(
        AccountId=account, PublicAccessBlockConfiguration=_settings(True, False))
    return {"id": account, "account_id": account, "block_public_acls": True,
            "ignore_public_acls": True, "block_public_policy": False,
            "restrict_public_buckets": False}


def _change(clients: Any, attrs: Attrs) -> None:
    _s3control(clients).put_public_access_block(
        AccountId=attrs["account_id"], PublicAccessBlockConfiguration=_settings(True, True))


def _delete(clients: Any, attrs: Attrs) -> None:
    _s3control(clients).delete_public_access_block(AccountId=attrs["account_id"])


CASES = [
    AwsCase(
        type="aws_s3_account_public_access_block",
        create=_create,
        change=_change,
        changed_paths=frozenset({"block_public_policy", "restrict_public_buckets"}),
        delete=_delete,
    ),
]
