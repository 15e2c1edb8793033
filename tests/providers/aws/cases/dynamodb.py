"""DynamoDB cases."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase


def _create(clients: Any) -> Attrs:
    ddb = clients("dynamodb")
    table = ddb.create_table(
        TableName="orders",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        TableClass="STANDARD",
        DeletionProtectionEnabled=False,
        Tags=[{"Key": "team", "Value": "core"}],
    )["TableDescription"]
    # TTL and point-in-time recovery are separate calls after CreateTable, as in the provider
    ddb.update_time_to_live(
        TableName="orders",
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"},
    )
    ddb.update_continuous_backups(
        TableName="orders",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    return {
        "id": "orders",
        "name": "orders",
        "arn": table["TableArn"],
        "billing_mode": "PROVISIONED",
        "hash_key": "pk",
        "range_key": "sk",
        # Terraform's attribute set, in its own order
        "attribute": [{"name": "sk", "type": "N"}, {"name": "pk", "type": "S"}],
        "read_capacity": 5,
        "write_capacity": 5,
        "stream_enabled": True,
        "stream_view_type": "NEW_IMAGE",
        "stream_arn": table.get("LatestStreamArn", ""),
        "table_class": "STANDARD",
        "deletion_protection_enabled": False,
        "global_secondary_index": [],
        "local_secondary_index": [],
        "server_side_encryption": [],
        "ttl": [{"attribute_name": "expires", "enabled": True}],
        "point_in_time_recovery": [{"enabled": True, "recovery_period_in_days": 35}],
        "replica": [],
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change(clients: Any, attrs: Attrs) -> None:
    ddb = clients("dynamodb")
    ddb.update_table(
        TableName=attrs["id"],
        ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 5},
    )
    ddb.update_continuous_backups(
        TableName=attrs["id"],
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False},
    )


def _delete(clients: Any, attrs: Attrs) -> None:
    clients("dynamodb").delete_table(TableName=attrs["id"])


CASES = [
    AwsCase(
        type="aws_dynamodb_table",
        create=_create,
        change=_change,
        changed_paths=frozenset({"read_capacity", "point_in_time_recovery.0.enabled"}),
        delete=_delete,
    ),
]
