"""KMS cases."""

from __future__ import annotations

import json
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

_ACCOUNT = "123456789012"


def _policy() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Id": "key-policy",
        "Statement": [
            {
                "Sid": "Root",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{_ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "Use",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{_ACCOUNT}:role/app"},
                "Action": ["kms:Encrypt", "kms:Decrypt"],
                "Resource": "*",
            },
        ],
    }


def _create(clients: Any) -> Attrs:
    kms = clients("kms")
    policy = _policy()
    # what the provider sends for a key with a policy, rotation on and one tag
    key = kms.create_key(
        Description="orders data key",
        KeyUsage="ENCRYPT_DECRYPT",
        KeySpec="SYMMETRIC_DEFAULT",
        Policy=json.dumps(policy),
        BypassPolicyLockoutSafetyCheck=False,
        MultiRegion=False,
        Tags=[{"TagKey": "team", "TagValue": "core"}],
    )["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    return {
        "id": key["KeyId"],
        "key_id": key["KeyId"],
        "arn": key["Arn"],
        "description": "orders data key",
        "key_usage": "ENCRYPT_DECRYPT",
        "customer_master_key_spec": "SYMMETRIC_DEFAULT",
        "custom_key_store_id": "",
        "xks_key_id": "",
        "is_enabled": True,
        "multi_region": False,
        "enable_key_rotation": True,
        # moto does not report a rotation period; the provider then records 0
        "rotation_period_in_days": 0,
        "deletion_window_in_days": None,
        "bypass_policy_lockout_safety_check": False,
        # as jsonencode() writes it: compact, keys sorted; AWS hands back its own spacing
        "policy": json.dumps(policy, separators=(",", ":"), sort_keys=True),
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change(clients: Any, attrs: Attrs) -> None:
    kms = clients("kms")
    kms.update_key_description(KeyId=attrs["id"], Description="changed by hand")
    kms.disable_key_rotation(KeyId=attrs["id"])
    kms.tag_resource(KeyId=attrs["id"], Tags=[{"TagKey": "owner", "TagValue": "ops"}])


def _delete(clients: Any, attrs: Attrs) -> None:
    # what `terraform destroy` does: the key lingers, pending deletion, for the window
    clients("kms").schedule_key_deletion(KeyId=attrs["id"], PendingWindowInDays=7)


CASES = [
    AwsCase(
        type="aws_kms_key",
        create=_create,
        change=_change,
        changed_paths=frozenset({"description", "enable_key_rotation", "tags.owner"}),
        delete=_delete,
    ),
]
