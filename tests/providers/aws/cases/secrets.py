"""Secrets Manager secret and SSM parameter cases: metadata compared, values never read.

``SECRET_VALUE`` and ``PARAMETER_VALUE`` are put in AWS (and the parameter's in state, as
Terraform records it): ``tests/providers/aws/test_secret_types.py`` proves neither is read nor
printed.
"""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

SECRET_VALUE = "orders-db-master-7f3a91"
PARAMETER_VALUE = "pg-password-c41e07"
NEW_PARAMETER_VALUE = "rotated-by-hand-5d2b88"


# -- aws_secretsmanager_secret --------------------------------------------------------------


def _secret_create(clients: Any) -> Attrs:
    sm = clients("secretsmanager")
    secret = sm.create_secret(Name="orders/db", Description="orders database",
                              Tags=[{"Key": "team", "Value": "core"}])
    # the value comes from an aws_secretsmanager_secret_version, never this resource
    sm.put_secret_value(SecretId=secret["ARN"], SecretString=SECRET_VALUE)
    return {
        "id": secret["ARN"], "arn": secret["ARN"], "name": "orders/db", "name_prefix": "",
        "description": "orders database", "kms_key_id": "", "policy": "",
        "recovery_window_in_days": 30, "force_overwrite_replica_secret": False,
        "replica": [], "tags": {"team": "core"}, "tags_all": {"team": "core"},
    }


def _secret_change(clients: Any, attrs: Attrs) -> None:
    sm = clients("secretsmanager")
    sm.update_secret(SecretId=attrs["arn"], Description="changed by hand")
    sm.tag_resource(SecretId=attrs["arn"], Tags=[{"Key": "owner", "Value": "someone"}])


def _secret_delete(clients: Any, attrs: Attrs) -> None:
    # what `terraform destroy` does: scheduled for deletion, gone from ListSecrets
    clients("secretsmanager").delete_secret(SecretId=attrs["arn"], RecoveryWindowInDays=7)


# -- aws_ssm_parameter ----------------------------------------------------------------------


def _parameter_create(clients: Any) -> Attrs:
    ssm = clients("ssm")
    name = "/orders/db/password"
    ssm.put_parameter(Name=name, Type="SecureString", Value=PARAMETER_VALUE,
                      Description="orders database password", Tier="Standard",
                      Tags=[{"Key": "team", "Value": "core"}])
    return {
        "id": name, "name": name, "arn": f"arn:aws:ssm:us-east-1:123456789012:parameter{name}",
        "type": "SecureString", "description": "orders database password",
        "value": PARAMETER_VALUE, "insecure_value": None, "value_wo": None,
        "value_wo_version": None, "has_value_wo": None, "key_id": "alias/aws/ssm",
        "tier": "Standard", "data_type": "text", "allowed_pattern": "", "overwrite": None,
        "version": 1, "tags": {"team": "core"}, "tags_all": {"team": "core"},
    }


def _parameter_change(clients: Any, attrs: Attrs) -> None:
    clients("ssm").put_parameter(Name=attrs["name"], Type="SecureString",
                                 Value=NEW_PARAMETER_VALUE, Description="changed by hand",
                                 Overwrite=True)


def _parameter_delete(clients: Any, attrs: Attrs) -> None:
    clients("ssm").delete_parameter(Name=attrs["name"])


SECRET = AwsCase(
    type="aws_secretsmanager_secret",
    create=_secret_create,
    change=_secret_change,
    changed_paths=frozenset({"description", "tags.owner"}),
    delete=_secret_delete,
)

PARAMETER = AwsCase(
    type="aws_ssm_parameter",
    create=_parameter_create,
    change=_parameter_change,
    changed_paths=frozenset({"value", "description"}),
    delete=_parameter_delete,
    sensitive=(("value",),),
)

CASES = [SECRET, PARAMETER]
