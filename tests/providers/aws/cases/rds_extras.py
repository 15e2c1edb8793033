"""RDS subnet group, parameter group, cluster and cluster instance cases; state shapes are what
hashicorp/aws 5.100 recorded against moto."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

REGION = "us-east-1"
ACCOUNT = "123456789012"
PASSWORD = "Zq8-unique-cluster-passphrase"
PROD = [{"Key": "env", "Value": "prod"}]
ENGINE_VERSION = "8.0.mysql_aurora.3.05.2"


def _arn(kind: str, name: str) -> str:
    return f"arn:aws:rds:{REGION}:{ACCOUNT}:{kind}:{name}"


def _retag(clients: Any, arn: str) -> None:
    clients("rds").add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "env", "Value": "dev"}])


def _subnets(clients: Any) -> list[str]:
    ec2 = clients("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])
    return sorted(s["SubnetId"] for s in subnets["Subnets"])[:2]


# -- aws_db_subnet_group ---------------------------------------------------------------------


def _subnet_group_create(clients: Any) -> Attrs:
    subnets = _subnets(clients)
    clients("rds").create_db_subnet_group(
        DBSubnetGroupName="main", DBSubnetGroupDescription="main subnets", SubnetIds=subnets,
        Tags=PROD)
    return {
        "id": "main", "name": "main", "name_prefix": "", "arn": _arn("subgrp", "main"),
        "description": "main subnets", "subnet_ids": subnets, "supported_network_types": [],
        "vpc_id": "", "tags": {"env": "prod"}, "tags_all": {"env": "prod"},
    }


def _subnet_group_change(clients: Any, attrs: Attrs) -> None:
    # moto 5.2.6's ModifyDBSubnetGroup drops the group from its listing: tags only
    _retag(clients, attrs["arn"])


# -- aws_db_parameter_group ------------------------------------------------------------------


def _set_parameters(clients: Any, connections: str) -> None:
    clients("rds").modify_db_parameter_group(DBParameterGroupName="mysql", Parameters=[
        {"ParameterName": "character_set_server", "ParameterValue": "utf8",
         "ApplyMethod": "immediate"},
        {"ParameterName": "max_connections", "ParameterValue": connections,
         "ApplyMethod": "pending-reboot"},
    ])


def _parameter_group_create(clients: Any) -> Attrs:
    clients("rds").create_db_parameter_group(
        DBParameterGroupName="mysql", DBParameterGroupFamily="mysql8.0",
        Description="Managed by Terraform", Tags=PROD)
    _set_parameters(clients, "150")
    return {
        "id": "mysql", "name": "mysql", "name_prefix": "", "arn": _arn("pg", "mysql"),
        "family": "mysql8.0", "description": "Managed by Terraform",
        "parameter": [
            {"apply_method": "immediate", "name": "character_set_server", "value": "utf8"},
            {"apply_method": "pending-reboot", "name": "max_connections", "value": "150"},
        ],
        "skip_destroy": False, "tags": {"env": "prod"}, "tags_all": {"env": "prod"},
    }


# -- aws_rds_cluster -------------------------------------------------------------------------


def _make_cluster(clients: Any) -> dict[str, Any]:
    cluster: dict[str, Any] = clients("rds").create_db_cluster(
        DBClusterIdentifier="aurora", Engine="aurora-mysql", EngineVersion=ENGINE_VERSION,
        MasterUsername="admin", MasterUserPassword=PASSWORD, DatabaseName="app",
        BackupRetentionPeriod=3, Tags=PROD)["DBCluster"]
    return cluster


def _cluster_create(clients: Any) -> Attrs:
    cluster = _make_cluster(clients)
    return {
        "id": "aurora", "cluster_identifier": "aurora", "cluster_identifier_prefix": "",
        "arn": cluster["DBClusterArn"], "engine": "aurora-mysql",
        "engine_version": ENGINE_VERSION, "engine_version_actual": ENGINE_VERSION,
        "engine_mode": "provisioned", "database_name": "app", "master_username": "admin",
        "master_password": PASSWORD, "port": 3306, "backup_retention_period": 3,
        "preferred_backup_window": cluster["PreferredBackupWindow"],
        "preferred_maintenance_window": cluster["PreferredMaintenanceWindow"],
        "db_subnet_group_name": cluster.get("DBSubnetGroup", ""),
        "db_cluster_parameter_group_name": cluster["DBClusterParameterGroup"],
        "vpc_security_group_ids": [], "storage_encrypted": False,
        "kms_key_id": cluster.get("KmsKeyId", ""), "storage_type": "gp2", "iops": 0,
        "db_cluster_instance_class": "", "deletion_protection": False,
        "copy_tags_to_snapshot": False, "iam_database_authentication_enabled": False,
        "enable_http_endpoint": False, "enabled_cloudwatch_logs_exports": None,
        "backtrack_window": 0, "network_type": "IPV4", "ca_certificate_identifier": None,
        "monitoring_interval": 0, "performance_insights_enabled": False,
        "serverlessv2_scaling_configuration": [], "allocated_storage": 1,
        "availability_zones": cluster["AvailabilityZones"], "cluster_members": [],
        "iam_roles": [], "skip_final_snapshot": True,
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"}, "timeouts": None,
    }


def _cluster_change(clients: Any, attrs: Attrs) -> None:
    clients("rds").modify_db_cluster(
        DBClusterIdentifier="aurora", BackupRetentionPeriod=7,
        # a new password is invisible to the API: it must not show as drift
        MasterUserPassword="Another-cluster-passphrase-42", ApplyImmediately=True)


def _cluster_delete(clients: Any, attrs: Attrs) -> None:
    clients("rds").delete_db_cluster(DBClusterIdentifier="aurora", SkipFinalSnapshot=True)


# -- aws_rds_cluster_instance ----------------------------------------------------------------


def _member_create(clients: Any) -> Attrs:
    _make_cluster(clients)
    instance = clients("rds").create_db_instance(
        DBInstanceIdentifier="aurora-1", DBClusterIdentifier="aurora", Engine="aurora-mysql",
        EngineVersion=ENGINE_VERSION, DBInstanceClass="db.r6g.large", PromotionTier=0,
        PubliclyAccessible=False, Tags=PROD)["DBInstance"]
    return {
        "id": "aurora-1", "identifier": "aurora-1", "identifier_prefix": "",
        "arn": instance["DBInstanceArn"], "cluster_identifier": "aurora",
        "engine": "aurora-mysql", "engine_version": ENGINE_VERSION,
        "engine_version_actual": ENGINE_VERSION, "instance_class": "db.r6g.large",
        "publicly_accessible": False,
        "db_parameter_group_name": instance["DBParameterGroups"][0]["DBParameterGroupName"],
        "db_subnet_group_name": None, "availability_zone": instance["AvailabilityZone"],
        "promotion_tier": 0, "auto_minor_version_upgrade": True,
        "copy_tags_to_snapshot": False, "monitoring_interval": 0, "monitoring_role_arn": "",
        "performance_insights_enabled": False, "performance_insights_kms_key_id": "",
        "performance_insights_retention_period": 0,
        "preferred_backup_window": instance.get("PreferredBackupWindow", ""),
        "preferred_maintenance_window": instance["PreferredMaintenanceWindow"],
        "ca_cert_identifier": instance["CACertificateIdentifier"],
        "custom_iam_instance_profile": "", "force_destroy": False,
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"}, "timeouts": None,
    }


def _member_change(clients: Any, attrs: Attrs) -> None:
    clients("rds").modify_db_instance(DBInstanceIdentifier="aurora-1",
                                      DBInstanceClass="db.r6g.xlarge", ApplyImmediately=True)


def _member_delete(clients: Any, attrs: Attrs) -> None:
    clients("rds").delete_db_instance(DBInstanceIdentifier="aurora-1", SkipFinalSnapshot=True)


CASES = [
    AwsCase(
        type="aws_db_subnet_group",
        create=_subnet_group_create,
        change=_subnet_group_change,
        changed_paths=frozenset({"tags.env"}),
        delete=lambda clients, attrs: clients("rds").delete_db_subnet_group(
            DBSubnetGroupName="main"),
    ),
    AwsCase(
        type="aws_db_parameter_group",
        create=_parameter_group_create,
        change=lambda clients, attrs: _set_parameters(clients, "300"),
        changed_paths=frozenset({"parameter"}),
        delete=lambda clients, attrs: clients("rds").delete_db_parameter_group(
            DBParameterGroupName="mysql"),
    ),
    AwsCase(
        type="aws_rds_cluster",
        create=_cluster_create,
        change=_cluster_change,
        changed_paths=frozenset({"backup_retention_period"}),
        delete=_cluster_delete,
        sensitive=(("master_password",),),
    ),
    AwsCase(
        type="aws_rds_cluster_instance",
        create=_member_create,
        change=_member_change,
        changed_paths=frozenset({"instance_class"}),
        delete=_member_delete,
    ),
]
