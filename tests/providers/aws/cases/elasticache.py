"""ElastiCache cases; state shapes are what hashicorp/aws 5.100 recorded against moto.

moto 5.2.6 serves no ModifyCacheCluster, ModifyCacheSubnetGroup or DeleteCacheSubnetGroup: the
cluster and subnet group change in their tags only, and the subnet group's missing test skips.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.providers.aws.cases import Attrs, AwsCase

REGION = "us-east-1"
ACCOUNT = "123456789012"
PROD = [{"Key": "env", "Value": "prod"}]


def _arn(kind: str, name: str) -> str:
    return f"arn:aws:elasticache:{REGION}:{ACCOUNT}:{kind}:{name}"


def _retag(clients: Any, arn: str) -> None:
    clients("elasticache").add_tags_to_resource(ResourceName=arn,
                                                Tags=[{"Key": "env", "Value": "dev"}])


def _subnet_group(clients: Any) -> list[str]:
    ec2 = clients("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    subnets = sorted(s["SubnetId"] for s in ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"])[:2]
    clients("elasticache").create_cache_subnet_group(
        CacheSubnetGroupName="cache", CacheSubnetGroupDescription="cache subnets",
        SubnetIds=subnets, Tags=PROD)
    return subnets


# -- aws_elasticache_subnet_group ------------------------------------------------------------


def _subnet_group_create(clients: Any) -> Attrs:
    subnets = _subnet_group(clients)
    return {
        "id": "cache", "name": "cache", "arn": _arn("subnetgroup", "cache"),
        "description": "cache subnets", "subnet_ids": subnets, "vpc_id": "",
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"},
    }


def _subnet_group_delete(clients: Any, attrs: Attrs) -> None:
    pytest.skip("moto 5.2.6 lacks ElastiCache DeleteCacheSubnetGroup")


# -- aws_elasticache_cluster -----------------------------------------------------------------


def _cluster_create(clients: Any) -> Attrs:
    _subnet_group(clients)
    clients("elasticache").create_cache_cluster(
        CacheClusterId="sessions", Engine="memcached", CacheNodeType="cache.t3.micro",
        NumCacheNodes=2, Port=11211, CacheSubnetGroupName="cache", Tags=PROD)
    return {
        "id": "sessions", "cluster_id": "sessions", "arn": _arn("cluster", "sessions"),
        "engine": "memcached", "engine_version": "", "engine_version_actual": "",
        "node_type": "cache.t3.micro", "num_cache_nodes": 2, "port": 11211,
        "replication_group_id": "", "parameter_group_name": None,
        "subnet_group_name": "cache", "security_group_ids": [], "maintenance_window": "",
        "snapshot_window": "", "snapshot_retention_limit": 0, "notification_topic_arn": None,
        "az_mode": "single-az", "availability_zone": "", "auto_minor_version_upgrade": "true",
        "transit_encryption_enabled": False, "ip_discovery": "", "network_type": "",
        "log_delivery_configuration": [], "preferred_availability_zones": None,
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"}, "timeouts": None,
    }


# -- aws_elasticache_replication_group -------------------------------------------------------


def _group_create(clients: Any) -> Attrs:
    _subnet_group(clients)
    # moto makes one member cluster (and does not describe it) whatever NumCacheClusters says
    clients("elasticache").create_replication_group(
        ReplicationGroupId="cache", ReplicationGroupDescription="redis",
        CacheNodeType="cache.t3.micro", NumCacheClusters=1, Engine="redis",
        EngineVersion="7.1", Port=6379, AutomaticFailoverEnabled=True,
        CacheSubnetGroupName="cache", Tags=PROD)
    return {
        "id": "cache", "replication_group_id": "cache",
        "arn": _arn("replicationgroup", "cache"), "description": "redis",
        "node_type": "cache.t3.micro", "engine": "redis", "engine_version": "7.1",
        "engine_version_actual": None, "automatic_failover_enabled": True,
        "multi_az_enabled": False, "num_cache_clusters": 1, "num_node_groups": 1,
        "replicas_per_node_group": 0, "cluster_mode": "disabled", "cluster_enabled": False,
        "port": 6379, "at_rest_encryption_enabled": None, "transit_encryption_enabled": None,
        "transit_encryption_mode": None, "kms_key_id": "", "snapshot_retention_limit": 0,
        "snapshot_window": "05:00-6:00", "data_tiering_enabled": False,
        "auto_minor_version_upgrade": None, "ip_discovery": "ipv4", "network_type": "ipv4",
        "user_group_ids": None, "log_delivery_configuration": [],
        "parameter_group_name": None, "subnet_group_name": "cache", "security_group_ids": [],
        "maintenance_window": None, "notification_topic_arn": None, "auth_token": None,
        "auth_token_update_strategy": "ROTATE", "member_clusters": ["cache-001"],
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"}, "timeouts": None,
    }


def _group_change(clients: Any, attrs: Attrs) -> None:
    clients("elasticache").modify_replication_group(
        ReplicationGroupId="cache", ReplicationGroupDescription="sessions",
        SnapshotRetentionLimit=5, ApplyImmediately=True)


CASES = [
    AwsCase(
        type="aws_elasticache_subnet_group",
        create=_subnet_group_create,
        change=lambda clients, attrs: _retag(clients, attrs["arn"]),
        changed_paths=frozenset({"tags.env"}),
        delete=_subnet_group_delete,
    ),
    AwsCase(
        type="aws_elasticache_cluster",
        create=_cluster_create,
        change=lambda clients, attrs: _retag(clients, attrs["arn"]),
        changed_paths=frozenset({"tags.env"}),
        delete=lambda clients, attrs: clients("elasticache").delete_cache_cluster(
            CacheClusterId="sessions"),
    ),
    AwsCase(
        type="aws_elasticache_replication_group",
        create=_group_create,
        change=_group_change,
        changed_paths=frozenset({"description", "snapshot_retention_limit"}),
        delete=lambda clients, attrs: clients("elasticache").delete_replication_group(
            ReplicationGroupId="cache"),
    ),
]
