"""KMS alias case."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase


def _create(clients: Any) -> Attrs:
    kms = clients("kms")
    key = kms.create_key(Description="orders")["KeyMetadata"]
    kms.create_key(Description="spare")
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    alias_arn = key["Arn"].split(":key/")[0] + ":alias/orders"
    return {"id": "alias/orders", "name": "alias/orders", "name_prefix": "", "arn": alias_arn,
            "target_key_arn": key["Arn"], "target_key_id": key["KeyId"]}


def _change(clients: Any, attrs: Attrs) -> None:
    kms = clients("kms")
    spare = next(k["KeyId"] for k in kms.list_keys()["Keys"]
                 if k["KeyId"] != attrs["target_key_id"]
                 and kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"].get("Description")
                 == "spare")
    kms.update_alias(AliasName=attrs["name"], TargetKeyId=spare)


def _delete(clients: Any, attrs: Attrs) -> None:
    clients("kms").delete_alias(AliasName=attrs["name"])


CASES = [
    AwsCase(
        type="aws_kms_alias",
        create=_create,
        change=_change,
        changed_paths=frozenset({"target_key_id"}),
        delete=_delete,
    ),
]
