"""RDS cases."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

IDENTIFIER = "main-db"
PASSWORD = "Zq8-unique-db-passphrase"


def _create(clients: Any) -> Attrs:
    instance = clients("rds").create_db_instance(
        DBInstanceIdentifier=IDENTIFIER,
        Engine="mysql",
        # the user writes "8.0" and AWS picks the newest 8.0.x; moto keeps what it is given,
        # so it is given what AWS would report
        EngineVersion="8.0.35",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        StorageType="gp2",
        MasterUsername="admin",
        MasterUserPassword=PASSWORD,
        DBName="app",
        Port=3306,
        MultiAZ=False,
        PubliclyAccessible=False,
        BackupRetentionPeriod=1,
        DeletionProtection=False,
        StorageEncrypted=False,
        CopyTagsToSnapshot=False,
        Tags=[{"Key": "team", "Value": "core"}],
    )["DBInstance"]
    return {
        "id": instance.get("DbiResourceId", IDENTIFIER),
        "identifier": IDENTIFIER,
        "resource_id": instance.get("DbiResourceId", ""),
        "arn": instance["DBInstanceArn"],
        "engine": "mysql",
        "engine_version": "8.0",
        "engine_version_actual": "8.0.35",
        "instance_class": "db.t3.micro",
        "allocated_storage": 20,
        "max_allocated_storage": 0,
        "storage_type": "gp2",
        "iops": 0,
        "storage_encrypted": False,
        "multi_az": False,
        "publicly_accessible": False,
        "backup_retention_period": 1,
        "username": "admin",
        "password": PASSWORD,
        "db_name": "app",
        "port": 3306,
        "deletion_protection": False,
        "auto_minor_version_upgrade": True,
        "copy_tags_to_snapshot": False,
        "iam_database_authentication_enabled": False,
        "parameter_group_name": _parameter_group(instance),
        "vpc_security_group_ids": [
            g["VpcSecurityGroupId"] for g in instance.get("VpcSecurityGroups", [])
        ],
        "enabled_cloudwatch_logs_exports": [],
        "skip_final_snapshot": True,
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _parameter_group(instance: dict[str, Any]) -> str:
    groups = instance.get("DBParameterGroups") or [{}]
    return str(groups[0].get("DBParameterGroupName", ""))


def _change(clients: Any, attrs: Attrs) -> None:
    clients("rds").modify_db_instance(
        DBInstanceIdentifier=attrs["identifier"],
        DBInstanceClass="db.t3.small",
        BackupRetentionPeriod=7,
        # a new password is invisible to the API, so it must not show as drift
        MasterUserPassword="Another-passphrase-42",
        ApplyImmediately=True,
    )


def _delete(clients: Any, attrs: Attrs) -> None:
    clients("rds").delete_db_instance(
        DBInstanceIdentifier=attrs["identifier"], SkipFinalSnapshot=True
    )


CASE = AwsCase(
    type="aws_db_instance",
    create=_create,
    change=_change,
    changed_paths=frozenset({"instance_class", "backup_retention_period"}),
    delete=_delete,
    import_id=lambda attrs: str(attrs["identifier"]),
    sensitive=(("password",),),
)

CASES = [CASE]
