"""RDS DB instances."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_bool, attr_int, tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types.bulk import memo_outcome


class EngineVersion(str):
    """An engine version as AWS reports it, equal to any version the user may have written
    for it.

    Users pin a prefix ("8.0") and AWS reports the full version ("8.0.35"); the provider keeps
    the user's value as long as it is a dotted prefix of the real one, and a pending upgrade
    counts as the version the instance is moving to. Neither side alone can express that as a
    normalised value, so the actual side carries the comparison: ``"8.0" == EngineVersion(
    "8.0.35")`` is true (Python asks the subclass's ``__eq__`` first), ``"8.0.3"`` is not.
    """

    pending: str | None = None

    def __new__(cls, value: str, pending: str | None = None) -> EngineVersion:
        version = super().__new__(cls, value)
        version.pending = pending
        return version

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        candidates = (str(self), self.pending) if self.pending else (str(self),)
        return any(c == other or (other and c.startswith(other + ".")) for c in candidates)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = str.__hash__


def engine_version(payload: Mapping[str, Any]) -> Any:
    version = payload.get("EngineVersion")
    if not isinstance(version, str):
        return version
    pending = (payload.get("PendingModifiedValues") or {}).get("EngineVersion")
    return EngineVersion(version, pending if isinstance(pending, str) else None)


def _port(payload: Mapping[str, Any]) -> Any:
    # no endpoint while the instance is being created; DbInstancePort is 0 outside clusters
    port = (payload.get("Endpoint") or {}).get("Port") or payload.get("DbInstancePort")
    return port if port else UNKNOWN


def _parameter_group(payload: Mapping[str, Any]) -> Any:
    groups = payload.get("DBParameterGroups") or ()
    return groups[0].get("DBParameterGroupName") if groups else None


def _security_groups(payload: Mapping[str, Any]) -> Any:
    return [g.get("VpcSecurityGroupId") for g in payload.get("VpcSecurityGroups") or ()]


def db_instance_listing(ctx: AwsContext, region: str) -> list[Item]:
    """Every DB instance of the region, once per scan: cluster members are
    aws_rds_cluster_instance resources (``types.rds_extras``), the others aws_db_instance."""
    return memo_outcome(ctx, f"rds:describe_db_instances:{region}", lambda: ctx.paginate(
        "rds", region, "describe_db_instances", "DBInstances"))


def _instances(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    # members of an Aurora or Multi-AZ DB cluster are aws_rds_cluster_instance resources;
    # listing them here would report every managed cluster member as an unmanaged instance
    return [
        dict(instance)
        for instance in db_instance_listing(ctx, region)
        if not instance.get("DBClusterIdentifier")
    ]


def _unknown(_: Mapping[str, Any]) -> Any:
    return UNKNOWN


DB_INSTANCE = AwsSpec(
    type="aws_db_instance",
    calls=("rds:DescribeDBInstances",),
    service="rds",
    enumerate=_instances,
    id_query="DBInstanceIdentifier",
    # since provider 5.0 `id` is the DbiResourceId; `terraform import` takes the identifier
    import_id="identifier",
    fields=(
        FieldSpec("engine", query="Engine"),
        FieldSpec("engine_version", extract=engine_version),
        FieldSpec("instance_class", query="DBInstanceClass"),
        attr_int("allocated_storage", "AllocatedStorage"),
        FieldSpec("max_allocated_storage", query="MaxAllocatedStorage", normalise=(n.to_int,),
                  default=0),
        FieldSpec("storage_type", query="StorageType"),
        FieldSpec("iops", query="Iops", normalise=(n.to_int,), default=0),
        attr_bool("storage_encrypted", "StorageEncrypted", default=False),
        attr_bool("multi_az", "MultiAZ", default=False),
        attr_bool("publicly_accessible", "PubliclyAccessible", default=False),
        attr_int("backup_retention_period", "BackupRetentionPeriod"),
        FieldSpec("username", query="MasterUsername"),
        FieldSpec("db_name", query="DBName"),
        FieldSpec("port", extract=_port, normalise=(n.to_int,)),
        attr_bool("deletion_protection", "DeletionProtection", default=False),
        attr_bool("auto_minor_version_upgrade", "AutoMinorVersionUpgrade"),
        attr_bool("copy_tags_to_snapshot", "CopyTagsToSnapshot", default=False),
        attr_bool("iam_database_authentication_enabled", "IAMDatabaseAuthenticationEnabled",
                  default=False),
        FieldSpec("parameter_group_name", extract=_parameter_group),
        FieldSpec("vpc_security_group_ids", extract=_security_groups, normalise=(n.as_set,)),
        FieldSpec("enabled_cloudwatch_logs_exports", query="EnabledCloudwatchLogsExports",
                  normalise=(n.as_set,)),
        # never returned by the API: declared so that it is redacted and counted as unknown,
        # and read as unknown from state too so the secret never enters a compared resource
        FieldSpec("password", extract=_unknown, from_state=_unknown, sensitive=True),
        tags("TagList"),
    ),
)

SPECS: tuple[AwsSpec, ...] = (DB_INSTANCE,)
