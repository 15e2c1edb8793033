"""ElastiCache clusters, replication groups and subnet groups.

One paged listing each; tags from the tagging API (``elasticache``). A replication group keeps
some of its settings on its member clusters (engine version, parameter group, subnet group,
security groups, maintenance window), which the provider reads from the first member: they come
from the cluster listing, made once per region for both types. Member clusters are the
replication group's: listed as ``aws_elasticache_cluster`` only where a state manages them so
(a replica added with ``replication_group_id``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jmespath

from cloudrift.sdk import UNKNOWN, Extractor, FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import present
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types.bulk import TagCall, bulk_tags, memo_outcome, with_tags
from cloudrift_aws.types.rds import EngineVersion

_MEMBER = "cloudrift:FirstMember"
# stays listed for a while after DeleteCacheCluster / DeleteReplicationGroup: gone for Terraform
_DELETING = "deleting"


class CacheEngineVersion(EngineVersion):
    """An engine version as AWS reports it, equal to the forms users write for it: ``6.x``
    (any 6), a ``major.minor`` prefix, or the full version."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str) and other.endswith(".x"):
            return str(self).startswith(other[:-1])
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = str.__hash__


def _engine_version(query: str) -> Extractor:
    compiled = jmespath.compile(query)

    def extract(payload: Mapping[str, Any]) -> Any:
        version = compiled.search(payload)
        return CacheEngineVersion(version) if isinstance(version, str) else UNKNOWN

    return extract


def cache_cluster_listing(ctx: AwsContext, region: str) -> list[Item]:
    return memo_outcome(ctx, f"elasticache:describe_cache_clusters:{region}", lambda: (
        ctx.paginate("elasticache", region, "describe_cache_clusters", "CacheClusters",
                     ShowCacheNodeInfo=True)))


def _tag_call(arn_key: str) -> TagCall:
    return TagCall("elasticache", "list_tags_for_resource",
                   lambda item: {"ResourceName": item[arn_key]}, "TagList")


def _log_delivery(value: Any) -> Any:
    if value is None:
        return None
    return n.as_set([{
        "destination_type": entry.get("destination_type", entry.get("DestinationType")),
        "log_format": entry.get("log_format", entry.get("LogFormat")),
        "log_type": entry.get("log_type", entry.get("LogType")),
        "destination": entry.get("destination") or _destination(entry),
    } for entry in value if isinstance(entry, Mapping)])


def _destination(entry: Mapping[str, Any]) -> Any:
    details = entry.get("DestinationDetails") or {}
    return ((details.get("CloudWatchLogsDetails") or {}).get("LogGroup")
            or (details.get("KinesisFirehoseDetails") or {}).get("DeliveryStream"))


# -- aws_elasticache_cluster -----------------------------------------------------------------


def _clusters(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    wanted = {r.id for r in managed}
    clusters = [dict(c) for c in cache_cluster_listing(ctx, region)
                if c.get("CacheClusterStatus") != _DELETING
                and (not c.get("ReplicationGroupId") or c["CacheClusterId"] in wanted)]
    return with_tags(ctx, region, clusters, managed, arn=lambda item: item.get("ARN"),
                     id_query="CacheClusterId", call=_tag_call("ARN"))


def _port(payload: Mapping[str, Any]) -> Any:
    endpoint = payload.get("ConfigurationEndpoint") or next(
        (node.get("Endpoint") for node in payload.get("CacheNodes") or () if node.get("Endpoint")),
        None)
    return (endpoint or {}).get("Port", UNKNOWN)


def _az_mode(payload: Mapping[str, Any]) -> Any:
    zone = payload.get("PreferredAvailabilityZone")
    if zone is None:
        return UNKNOWN
    return "cross-az" if zone == "Multiple" else "single-az"


def _zone(payload: Mapping[str, Any]) -> Any:
    zone = payload.get("PreferredAvailabilityZone")
    return UNKNOWN if zone in (None, "Multiple") else zone


def _window(query: str) -> FieldSpec:
    path = "maintenance_window" if "Maintenance" in query else "snapshot_window"
    return FieldSpec(path, extract=present(query), normalise=(n.lower,))


CLUSTER = AwsSpec(
    type="aws_elasticache_cluster",
    service="elasticache",
    enumerate=_clusters,
    calls=("elasticache:DescribeCacheClusters",),
    id_query="CacheClusterId",
    description="members of a replication group are listed only where a state manages them "
    "as clusters (replicas added with replication_group_id)",
    fields=(
        FieldSpec("engine", query="Engine"),
        FieldSpec("engine_version", extract=_engine_version("EngineVersion")),
        FieldSpec("node_type", query="CacheNodeType"),
        FieldSpec("num_cache_nodes", query="NumCacheNodes", normalise=(n.to_int,)),
        FieldSpec("replication_group_id", query="ReplicationGroupId"),
        FieldSpec("parameter_group_name",
                  extract=present("CacheParameterGroup.CacheParameterGroupName")),
        FieldSpec("port", extract=_port, normalise=(n.to_int,)),
        FieldSpec("subnet_group_name", query="CacheSubnetGroupName"),
        FieldSpec("security_group_ids", extract=present("SecurityGroups[].SecurityGroupId"),
                  normalise=(n.as_set,)),
        _window("PreferredMaintenanceWindow"),
        _window("SnapshotWindow"),
        FieldSpec("snapshot_retention_limit", query="SnapshotRetentionLimit",
                  normalise=(n.to_int,), default=0),
        FieldSpec("notification_topic_arn", query="NotificationConfiguration.TopicArn"),
        FieldSpec("az_mode", extract=_az_mode),
        FieldSpec("availability_zone", extract=_zone),
        FieldSpec("auto_minor_version_upgrade", extract=present("AutoMinorVersionUpgrade"),
                  normalise=(n.to_bool,)),
        FieldSpec("transit_encryption_enabled", query="TransitEncryptionEnabled",
                  normalise=(n.to_bool,), default=False),
        FieldSpec("ip_discovery", extract=present("IpDiscovery")),
        FieldSpec("network_type", extract=present("NetworkType")),
        FieldSpec("log_delivery_configuration", query="LogDeliveryConfigurations",
                  normalise=(_log_delivery,)),
        bulk_tags(),
    ),
    not_compared={
        "cluster_id": "the cluster's identity (its import id)",
        "preferred_availability_zones": "where the nodes were first placed; nodes added later "
        "go elsewhere",
        "preferred_outpost_arn": "not compared",
        "outpost_mode": "not compared",
        "apply_immediately": "Terraform-only: when a change is applied",
        "final_snapshot_identifier": "Terraform-only: how the cluster is destroyed",
        "snapshot_arns": "Terraform-only: what the cluster was created from",
        "snapshot_name": "Terraform-only: what the cluster was created from",
    },
)

# -- aws_elasticache_replication_group -------------------------------------------------------


def _groups(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    groups = [dict(g) for g in ctx.paginate("elasticache", region, "describe_replication_groups",
                                            "ReplicationGroups") if g.get("Status") != _DELETING]
    wanted = {r.id for r in managed}
    if any(g["ReplicationGroupId"] in wanted for g in groups):
        members = {c["CacheClusterId"]: c for c in cache_cluster_listing(ctx, region)}
        for group in groups:
            first = next(iter(group.get("MemberClusters") or ()), None)
            group[_MEMBER] = members.get(first) if first else None
    return with_tags(ctx, region, groups, managed, arn=lambda item: item.get("ARN"),
                     id_query="ReplicationGroupId", call=_tag_call("ARN"))


def _member(query: str) -> Extractor:
    """A setting the provider reads from the group's first member cluster."""
    compiled = jmespath.compile(query)

    def extract(payload: Mapping[str, Any]) -> Any:
        member = payload.get(_MEMBER)
        if member is None:
            return UNKNOWN
        value = compiled.search(member)
        return UNKNOWN if value is None else value

    return extract


def _member_version(payload: Mapping[str, Any]) -> Any:
    member = payload.get(_MEMBER)
    return UNKNOWN if member is None else _engine_version("EngineVersion")(member)


def _set(value: Any) -> Any:
    """An encryption flag: off is what leaving it out means."""
    return True if n.to_bool(value) is True else None


def _on(value: Any) -> Any:
    return value in ("enabled", "enabling") if isinstance(value, str) else value


def _cluster_mode_off(payload: Mapping[str, Any]) -> bool:
    return not payload.get("ClusterEnabled")


def _num_cache_clusters(payload: Mapping[str, Any]) -> Any:
    return len(payload.get("MemberClusters") or ()) if _cluster_mode_off(payload) else UNKNOWN


def _num_node_groups(payload: Mapping[str, Any]) -> Any:
    return UNKNOWN if _cluster_mode_off(payload) else len(payload.get("NodeGroups") or ())


def _replicas(payload: Mapping[str, Any]) -> Any:
    if _cluster_mode_off(payload):
        return UNKNOWN
    groups = payload.get("NodeGroups") or ()
    return max((len(g.get("NodeGroupMembers") or ()) - 1 for g in groups), default=UNKNOWN)


def _group_port(payload: Mapping[str, Any]) -> Any:
    endpoint = payload.get("ConfigurationEndpoint") or next(
        (g.get("PrimaryEndpoint") for g in payload.get("NodeGroups") or ()
         if g.get("PrimaryEndpoint")), None)
    return (endpoint or {}).get("Port", UNKNOWN)


REPLICATION_GROUP = AwsSpec(
    type="aws_elasticache_replication_group",
    service="elasticache",
    enumerate=_groups,
    calls=("elasticache:DescribeReplicationGroups", "elasticache:DescribeCacheClusters"),
    id_query="ReplicationGroupId",
    description="settings kept on the member clusters come from the cluster listing "
    "(made once per region); auth_token is never read",
    fields=(
        FieldSpec("description", query="Description"),
        FieldSpec("node_type", query="CacheNodeType"),
        FieldSpec("engine", extract=present("Engine")),
        FieldSpec("engine_version", extract=_member_version),
        FieldSpec("automatic_failover_enabled", query="AutomaticFailover",
                  normalise=(_on, n.to_bool)),
        FieldSpec("multi_az_enabled", query="MultiAZ", normalise=(_on, n.to_bool)),
        FieldSpec("num_cache_clusters", extract=_num_cache_clusters, normalise=(n.to_int,)),
        FieldSpec("num_node_groups", extract=_num_node_groups, normalise=(n.to_int,)),
        FieldSpec("replicas_per_node_group", extract=_replicas, normalise=(n.to_int,)),
        FieldSpec("cluster_mode", extract=present("ClusterMode"), normalise=(n.lower,)),
        FieldSpec("port", extract=_group_port, normalise=(n.to_int,)),
        FieldSpec("at_rest_encryption_enabled", query="AtRestEncryptionEnabled",
                  normalise=(_set,)),
        FieldSpec("transit_encryption_enabled", query="TransitEncryptionEnabled",
                  normalise=(_set,)),
        FieldSpec("transit_encryption_mode", extract=present("TransitEncryptionMode")),
        FieldSpec("kms_key_id", query="KmsKeyId"),
        FieldSpec("snapshot_retention_limit", query="SnapshotRetentionLimit",
                  normalise=(n.to_int,), default=0),
        FieldSpec("snapshot_window", extract=present("SnapshotWindow"), normalise=(n.lower,)),
        FieldSpec("data_tiering_enabled", query="DataTiering", normalise=(_on, n.to_bool),
                  default=False),
        FieldSpec("auto_minor_version_upgrade", extract=present("AutoMinorVersionUpgrade"),
                  normalise=(n.to_bool,)),
        FieldSpec("ip_discovery", extract=present("IpDiscovery")),
        FieldSpec("network_type", extract=present("NetworkType")),
        FieldSpec("user_group_ids", query="UserGroupIds", normalise=(n.as_set,)),
        FieldSpec("log_delivery_configuration", query="LogDeliveryConfigurations",
                  normalise=(_log_delivery,)),
        FieldSpec("parameter_group_name",
                  extract=_member("CacheParameterGroup.CacheParameterGroupName")),
        FieldSpec("subnet_group_name", extract=_member("CacheSubnetGroupName")),
        FieldSpec("security_group_ids", extract=_member("SecurityGroups[].SecurityGroupId"),
                  normalise=(n.as_set,)),
        FieldSpec("maintenance_window", extract=_member("PreferredMaintenanceWindow"),
                  normalise=(n.lower,)),
        FieldSpec("notification_topic_arn", extract=_member("NotificationConfiguration.TopicArn")),
        bulk_tags(),
    ),
    not_compared={
        "replication_group_id": "the group's identity (its import id)",
        "auth_token": "secret: never returned by the API",
        "auth_token_update_strategy": "Terraform-only: how a new token is applied",
        "security_group_names": "EC2-Classic cache security groups (retired)",
        "preferred_cache_cluster_azs": "where the members were first placed",
        "global_replication_group_id": "membership is managed by "
        "aws_elasticache_global_replication_group",
        "apply_immediately": "Terraform-only: when a change is applied",
        "final_snapshot_identifier": "Terraform-only: how the group is destroyed",
        "snapshot_arns": "Terraform-only: what the group was created from",
        "snapshot_name": "Terraform-only: what the group was created from",
    },
)

# -- aws_elasticache_subnet_group ------------------------------------------------------------


def _subnet_groups(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    groups = [dict(g) for g in ctx.paginate("elasticache", region, "describe_cache_subnet_groups",
                                            "CacheSubnetGroups")]
    return with_tags(ctx, region, groups, managed, arn=lambda item: item.get("ARN"),
                     id_query="CacheSubnetGroupName", call=_tag_call("ARN"))


SUBNET_GROUP = AwsSpec(
    type="aws_elasticache_subnet_group",
    service="elasticache",
    enumerate=_subnet_groups,
    calls=("elasticache:DescribeCacheSubnetGroups",),
    id_query="CacheSubnetGroupName",
    # the "default" group of the default VPC comes with the account
    is_default=lambda item: item.get("CacheSubnetGroupName") == "default",
    fields=(
        FieldSpec("description", query="CacheSubnetGroupDescription"),
        FieldSpec("subnet_ids", query="Subnets[].SubnetIdentifier", normalise=(n.as_set,)),
        bulk_tags(),
    ),
    not_compared={"name": "the group's identity (its import id)"},
)

SPECS: tuple[AwsSpec, ...] = (CLUSTER, REPLICATION_GROUP, SUBNET_GROUP)
