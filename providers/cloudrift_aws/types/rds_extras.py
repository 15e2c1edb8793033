"""RDS DB subnet groups, DB parameter groups, Aurora / Multi-AZ DB clusters and their instances.

``DescribeDBClusters`` and ``DescribeDBInstances`` list DocumentDB and Neptune clusters too: those
are other Terraform types and are left out. Cluster members come from the instance listing
``aws_db_instance`` already makes (``rds.db_instance_listing``). Subnet and parameter groups are
one paged listing each; their tags (``ListTagsForResource``) and a parameter group's parameters
(``DescribeDBParameters``) are read only for managed groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_bool, attr_int, tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types.rds import db_instance_listing, engine_version

# engines DescribeDBClusters / DescribeDBInstances share with other Terraform types
_OTHER_ENGINES = ("docdb", "neptune")


def _rds_engine(item: Mapping[str, Any]) -> bool:
    return not str(item.get("Engine") or "").startswith(_OTHER_ENGINES)


def _tags_detail(arn_key: str) -> Detail:
    return Detail("tags", "list_tags_for_resource",
                  lambda item: {"ResourceName": item[arn_key]}, result="TagList")


def _unknown(_: Mapping[str, Any]) -> Any:
    return UNKNOWN


# -- aws_db_subnet_group ---------------------------------------------------------------------

SUBNET_GROUP = AwsSpec(
    type="aws_db_subnet_group",
    service="rds",
    enumerate=lambda ctx, region, managed: [dict(g) for g in ctx.paginate(
        "rds", region, "describe_db_subnet_groups", "DBSubnetGroups")],
    calls=("rds:DescribeDBSubnetGroups",),
    id_query="DBSubnetGroupName",
    # the "default" group of the default VPC comes with the account
    is_default=lambda item: item.get("DBSubnetGroupName") == "default",
    details=(_tags_detail("DBSubnetGroupArn"),),
    description="tags by ListTagsForResource for managed groups (the tagging API does not "
    "list subnet groups in every endpoint)",
    fields=(
        FieldSpec("description", query="DBSubnetGroupDescription"),
        FieldSpec("subnet_ids", query="Subnets[].SubnetIdentifier", normalise=(n.as_set,)),
        tags("tags", detail="tags"),
    ),
    not_compared={
        "name": "the group's identity (its import id)",
        "name_prefix": "Terraform-only: how the name was generated",
    },
)

# -- aws_db_parameter_group ------------------------------------------------------------------

_PARAMETERS = "cloudrift:Parameters"


def _parameter_groups(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    groups = [dict(g) for g in ctx.paginate("rds", region, "describe_db_parameter_groups",
                                            "DBParameterGroups")]
    declared: dict[str, set[str]] = {}
    for resource in managed:
        names = declared.setdefault(resource.id, set())
        for parameter in resource.attributes.get("parameter") or ():
            if isinstance(parameter, Mapping) and parameter.get("name"):
                names.add(str(parameter["name"]))
    for group in groups:
        name = group["DBParameterGroupName"]
        if name not in declared:
            continue
        # what the user changed; a declared parameter left at its default is not among them,
        # and is read from the full list (as the provider does)
        found = ctx.paginate("rds", region, "describe_db_parameters", "Parameters",
                             DBParameterGroupName=name, Source="user")
        missing = declared[name] - {str(p["ParameterName"]).lower() for p in found}
        if missing:
            found += [p for p in ctx.paginate("rds", region, "describe_db_parameters",
                                              "Parameters", DBParameterGroupName=name)
                      if str(p["ParameterName"]).lower() in missing]
        group[_PARAMETERS] = found
    return groups


def _parameters(value: Any) -> Any:
    """Parameters as a set of (name, value): names are case-insensitive; how a change is
    applied (apply_method) is not part of the group's configuration."""
    if value is None:
        return None
    return n.as_set([
        {"name": str(p.get("name") or p.get("ParameterName") or "").lower(),
         "value": str(p.get("value", p.get("ParameterValue")))}
        for p in value if isinstance(p, Mapping)
        and p.get("value", p.get("ParameterValue")) is not None
    ])


PARAMETER_GROUP = AwsSpec(
    type="aws_db_parameter_group",
    service="rds",
    enumerate=_parameter_groups,
    calls=("rds:DescribeDBParameterGroups", "rds:DescribeDBParameters"),
    id_query="DBParameterGroupName",
    # AWS's own groups, one per engine family
    is_default=lambda item: str(item.get("DBParameterGroupName", "")).startswith("default."),
    details=(_tags_detail("DBParameterGroupArn"),),
    description="DescribeDBParameters (Source=user, and the full list when a declared "
    "parameter is at its default) and tags only for managed groups; parameters are compared "
    "by name and value",
    fields=(
        FieldSpec("family", query="DBParameterGroupFamily"),
        FieldSpec("description", query="Description"),
        FieldSpec("parameter", extract=lambda p: p.get(_PARAMETERS, UNKNOWN),
                  normalise=(_parameters,)),
        tags("tags", detail="tags"),
    ),
    not_compared={
        "name": "the group's identity (its import id)",
        "name_prefix": "Terraform-only: how the name was generated",
        "parameter.apply_method": "how a change is applied, not part of the configuration",
        "skip_destroy": "Terraform-only: whether destroy deletes the group",
    },
)

# -- aws_rds_cluster -------------------------------------------------------------------------


def _clusters(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    return [dict(c) for c in ctx.paginate("rds", region, "describe_db_clusters", "DBClusters")
            if _rds_engine(c)]


def _security_groups(payload: Mapping[str, Any]) -> Any:
    return [g.get("VpcSecurityGroupId") for g in payload.get("VpcSecurityGroups") or ()]


_V2 = "ServerlessV2ScalingConfiguration"

CLUSTER = AwsSpec(
    type="aws_rds_cluster",
    service="rds",
    enumerate=_clusters,
    calls=("rds:DescribeDBClusters",),
    id_query="DBClusterIdentifier",
    import_id="cluster_identifier",
    description="Aurora and Multi-AZ DB clusters (DocumentDB and Neptune clusters are other "
    "types); master_password is never read",
    fields=(
        FieldSpec("engine", query="Engine"),
        FieldSpec("engine_version", extract=engine_version),
        FieldSpec("engine_mode", query="EngineMode"),
        FieldSpec("database_name", query="DatabaseName"),
        FieldSpec("master_username", query="MasterUsername"),
        attr_int("port", "Port"),
        attr_int("backup_retention_period", "BackupRetentionPeriod"),
        FieldSpec("preferred_backup_window", query="PreferredBackupWindow"),
        FieldSpec("preferred_maintenance_window", query="PreferredMaintenanceWindow",
                  normalise=(n.lower,)),
        FieldSpec("db_subnet_group_name", query="DBSubnetGroup"),
        FieldSpec("db_cluster_parameter_group_name", query="DBClusterParameterGroup"),
        FieldSpec("vpc_security_group_ids", extract=_security_groups, normalise=(n.as_set,)),
        attr_bool("storage_encrypted", "StorageEncrypted", default=False),
        FieldSpec("kms_key_id", query="KmsKeyId"),
        FieldSpec("storage_type", query="StorageType"),
        FieldSpec("iops", query="Iops", normalise=(n.to_int,), default=0),
        FieldSpec("db_cluster_instance_class", query="DBClusterInstanceClass"),
        attr_bool("deletion_protection", "DeletionProtection", default=False),
        attr_bool("copy_tags_to_snapshot", "CopyTagsToSnapshot", default=False),
        attr_bool("iam_database_authentication_enabled", "IAMDatabaseAuthenticationEnabled",
                  default=False),
        attr_bool("enable_http_endpoint", "HttpEndpointEnabled", default=False),
        FieldSpec("enabled_cloudwatch_logs_exports", query="EnabledCloudwatchLogsExports",
                  normalise=(n.as_set,)),
        FieldSpec("backtrack_window", query="BacktrackWindow", normalise=(n.to_int,),
                  default=0),
        FieldSpec("network_type", query="NetworkType"),
        FieldSpec("ca_certificate_identifier", query="CertificateDetails.CAIdentifier"),
        FieldSpec("monitoring_interval", query="MonitoringInterval", normalise=(n.to_int,),
                  default=0),
        attr_bool("performance_insights_enabled", "PerformanceInsightsEnabled", default=False),
        FieldSpec("serverlessv2_scaling_configuration.0.min_capacity",
                  query=f"{_V2}.MinCapacity", normalise=(n.to_int,)),
        FieldSpec("serverlessv2_scaling_configuration.0.max_capacity",
                  query=f"{_V2}.MaxCapacity", normalise=(n.to_int,)),
        # never returned: declared so that it is redacted and counted as unknown, and read as
        # unknown from state too so the secret never enters a compared resource
        FieldSpec("master_password", extract=_unknown, from_state=_unknown, sensitive=True),
        tags("TagList"),
    ),
    not_compared={
        "cluster_identifier": "the cluster's identity (its import id)",
        "cluster_identifier_prefix": "Terraform-only: how the identifier was generated",
        "master_password_wo": "write-only secret: never stored, never read",
        "master_password_wo_version": "Terraform-only: when to send the write-only password",
        "manage_master_user_password": "not compared",
        "availability_zones": "AWS picks and extends the zones of a cluster",
        "cluster_members": "the members are aws_rds_cluster_instance resources",
        "iam_roles": "also managed by aws_rds_cluster_role_association; not compared",
        "allocated_storage": "grows by itself for Aurora",
        "apply_immediately": "Terraform-only: when a change is applied",
        "allow_major_version_upgrade": "Terraform-only: permission for an upgrade",
        "skip_final_snapshot": "Terraform-only: how the cluster is destroyed",
        "final_snapshot_identifier": "Terraform-only: how the cluster is destroyed",
        "delete_automated_backups": "Terraform-only: how the cluster is destroyed",
        "snapshot_identifier": "Terraform-only: what the cluster was created from",
        "restore_to_point_in_time": "Terraform-only: what the cluster was created from",
        "s3_import": "Terraform-only: what the cluster was created from",
        "source_region": "Terraform-only: what the cluster was created from",
        "scaling_configuration": "Aurora Serverless v1 (retired): not compared",
    },
)

# -- aws_rds_cluster_instance ----------------------------------------------------------------


def _members(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    return [dict(i) for i in db_instance_listing(ctx, region)
            if i.get("DBClusterIdentifier") and _rds_engine(i)]


def _parameter_group(payload: Mapping[str, Any]) -> Any:
    groups = payload.get("DBParameterGroups") or ()
    return groups[0].get("DBParameterGroupName") if groups else None


CLUSTER_INSTANCE = AwsSpec(
    type="aws_rds_cluster_instance",
    service="rds",
    enumerate=_members,
    calls=("rds:DescribeDBInstances",),
    id_query="DBInstanceIdentifier",
    import_id="identifier",
    description="cluster members, from the DescribeDBInstances listing aws_db_instance makes",
    fields=(
        FieldSpec("cluster_identifier", query="DBClusterIdentifier"),
        FieldSpec("engine", query="Engine"),
        FieldSpec("engine_version", extract=engine_version),
        FieldSpec("instance_class", query="DBInstanceClass"),
        attr_bool("publicly_accessible", "PubliclyAccessible", default=False),
        FieldSpec("db_parameter_group_name", extract=_parameter_group),
        FieldSpec("db_subnet_group_name", query="DBSubnetGroup.DBSubnetGroupName"),
        FieldSpec("availability_zone", query="AvailabilityZone"),
        FieldSpec("promotion_tier", query="PromotionTier", normalise=(n.to_int,), default=0),
        attr_bool("auto_minor_version_upgrade", "AutoMinorVersionUpgrade"),
        attr_bool("copy_tags_to_snapshot", "CopyTagsToSnapshot", default=False),
        FieldSpec("monitoring_interval", query="MonitoringInterval", normalise=(n.to_int,),
                  default=0),
        FieldSpec("monitoring_role_arn", query="MonitoringRoleArn"),
        attr_bool("performance_insights_enabled", "PerformanceInsightsEnabled", default=False),
        FieldSpec("performance_insights_kms_key_id", query="PerformanceInsightsKMSKeyId"),
        FieldSpec("preferred_maintenance_window", query="PreferredMaintenanceWindow",
                  normalise=(n.lower,)),
        FieldSpec("ca_cert_identifier", query="CACertificateIdentifier"),
        FieldSpec("custom_iam_instance_profile", query="CustomIamInstanceProfile"),
        tags("TagList"),
    ),
    not_compared={
        "identifier": "the instance's identity (its import id)",
        "identifier_prefix": "Terraform-only: how the identifier was generated",
        "preferred_backup_window": "the cluster's backup window, which aws_rds_cluster compares",
        "performance_insights_retention_period": "not compared",
        "apply_immediately": "Terraform-only: when a change is applied",
        "force_destroy": "Terraform-only: how the instance is destroyed",
    },
)

SPECS: tuple[AwsSpec, ...] = (SUBNET_GROUP, PARAMETER_GROUP, CLUSTER, CLUSTER_INSTANCE)
