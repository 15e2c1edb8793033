"""EKS clusters and managed node groups.

Clusters: one paged ``ListClusters`` per region; ``DescribeCluster`` (every argument, tags
included) only for managed clusters. Node groups: one paged ``ListNodegroups`` per cluster
searched (see ``per_parent``); ``DescribeNodegroup`` only for managed node groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, PartOf, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import present as _present  # `present` names a flag below
from cloudrift_aws.fields import tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types.per_parent import parents_to_search, per_parent

_GONE = ("ResourceNotFoundException",)


def _switched_on(value: Any) -> Any:
    """An EKS Auto Mode or zonal shift switch: off is what leaving the block out means (AWS
    reports ``enabled = false`` for a cluster created without it)."""
    return True if n.to_bool(value) is True else None


# -- aws_eks_cluster -------------------------------------------------------------------------


def _clusters(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    return [{"name": name} for name in ctx.paginate("eks", region, "list_clusters", "clusters")]


def _log_types(payload: Mapping[str, Any]) -> Any:
    logging = (payload.get("cluster") or {}).get("logging")
    if logging is None:
        return UNKNOWN
    return [kind for entry in logging.get("clusterLogging") or () if entry.get("enabled")
            for kind in entry.get("types") or ()]


_VPC = "cluster.resourcesVpcConfig"
_STATE_VPC = "vpc_config.0"


def _cluster(path: str, query: str, *normalise: n.Normaliser, present: bool = False
             ) -> FieldSpec:
    if present:
        return FieldSpec(path, extract=_present(f"cluster.{query}"), normalise=normalise,
                         detail="cluster")
    return FieldSpec(path, query=f"cluster.{query}", normalise=normalise, detail="cluster")


CLUSTER = AwsSpec(
    type="aws_eks_cluster",
    service="eks",
    enumerate=_clusters,
    calls=("eks:ListClusters",),
    id_query="name",
    details=(Detail("cluster", "describe_cluster", lambda item: {"name": item["name"]},
                   result="cluster"),),
    description="ListClusters for the search; DescribeCluster only for managed clusters",
    fields=(
        _cluster("role_arn", "roleArn"),
        _cluster("version", "version"),
        FieldSpec("enabled_cluster_log_types", extract=_log_types, normalise=(n.as_set,),
                  detail="cluster"),
        FieldSpec(f"{_STATE_VPC}.subnet_ids", query=f"{_VPC}.subnetIds",
                  normalise=(n.as_set,), detail="cluster"),
        FieldSpec(f"{_STATE_VPC}.security_group_ids", query=f"{_VPC}.securityGroupIds",
                  normalise=(n.as_set,), detail="cluster"),
        FieldSpec(f"{_STATE_VPC}.endpoint_private_access",
                  query=f"{_VPC}.endpointPrivateAccess", normalise=(n.to_bool,),
                  detail="cluster", default=False),
        FieldSpec(f"{_STATE_VPC}.endpoint_public_access",
                  query=f"{_VPC}.endpointPublicAccess", normalise=(n.to_bool,),
                  detail="cluster", default=True),
        FieldSpec(f"{_STATE_VPC}.public_access_cidrs",
                  extract=_present(f"{_VPC}.publicAccessCidrs"), normalise=(n.as_set,),
                  detail="cluster"),
        _cluster("kubernetes_network_config.0.service_ipv4_cidr",
                 "kubernetesNetworkConfig.serviceIpv4Cidr", present=True),
        _cluster("kubernetes_network_config.0.ip_family", "kubernetesNetworkConfig.ipFamily",
                 present=True),
        _cluster("kubernetes_network_config.0.elastic_load_balancing.0.enabled",
                 "kubernetesNetworkConfig.elasticLoadBalancing.enabled", _switched_on),
        _cluster("access_config.0.authentication_mode", "accessConfig.authenticationMode",
                 present=True),
        _cluster("encryption_config.0.provider.0.key_arn", "encryptionConfig[0].provider.keyArn"),
        _cluster("encryption_config.0.resources", "encryptionConfig[0].resources", n.as_set),
        _cluster("upgrade_policy.0.support_type", "upgradePolicy.supportType", present=True),
        _cluster("zonal_shift_config.0.enabled", "zonalShiftConfig.enabled", _switched_on),
        _cluster("compute_config.0.enabled", "computeConfig.enabled", _switched_on),
        _cluster("compute_config.0.node_pools", "computeConfig.nodePools", n.as_set),
        _cluster("compute_config.0.node_role_arn", "computeConfig.nodeRoleArn"),
        _cluster("storage_config.0.block_storage.0.enabled",
                 "storageConfig.blockStorage.enabled", _switched_on),
        tags("cluster.tags", detail="cluster"),
    ),
    not_compared={
        "name": "the cluster's identity (its import id)",
        "bootstrap_self_managed_addons": "Terraform-only: applied once at creation",
        "access_config.0.bootstrap_cluster_creator_admin_permissions":
            "Terraform-only: applied once at creation",
        "force_update_version": "Terraform-only: how an upgrade is made",
        "outpost_config": "local clusters on Outposts: not compared",
        "remote_network_config": "hybrid nodes' networks: not compared",
    },
)

# -- aws_eks_node_group ----------------------------------------------------------------------

_NODEGROUP_ID = "cloudrift:ImportId"


def _node_groups(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    def listing(cluster: str) -> list[Item]:
        return [{"clusterName": cluster, "nodegroupName": name,
                 _NODEGROUP_ID: f"{cluster}:{name}"}
                for name in ctx.paginate("eks", region, "list_nodegroups", "nodegroups",
                                         clusterName=cluster)]

    clusters = parents_to_search(ctx, region, "aws_eks_cluster", managed,
                                 lambda r: r.id.split(":", 1)[0] or None)
    return per_parent(clusters, listing, _GONE)


def _node_group(path: str, query: str, *normalise: n.Normaliser, present: bool = False
                ) -> FieldSpec:
    if present:
        return FieldSpec(path, extract=_present(f"nodegroup.{query}"), normalise=normalise,
                         detail="nodegroup")
    return FieldSpec(path, query=f"nodegroup.{query}", normalise=normalise, detail="nodegroup")


def _taints(payload: Mapping[str, Any]) -> Any:
    return [{"key": t.get("key"), "value": t.get("value") or "", "effect": t.get("effect")}
            for t in (payload.get("nodegroup") or {}).get("taints") or ()]


def _state_taints(attributes: Mapping[str, Any]) -> Any:
    return [{"key": t.get("key"), "value": t.get("value") or "", "effect": t.get("effect")}
            for t in attributes.get("taint") or ()]


NODE_GROUP = AwsSpec(
    type="aws_eks_node_group",
    service="eks",
    enumerate=_node_groups,
    calls=("eks:ListNodegroups",),
    id_query=f'"{_NODEGROUP_ID}"',
    per_parent=True,
    part_of=(PartOf("aws_eks_cluster", "cluster_name", (), cloud_parent_id="clusterName"),),
    details=(Detail("nodegroup", "describe_nodegroup",
                    lambda item: {"clusterName": item["clusterName"],
                                  "nodegroupName": item["nodegroupName"]},
                    result="nodegroup"),),
    description="ListNodegroups per managed cluster (and the cluster of each managed node "
    "group): a node group of an unmanaged cluster is covered by the cluster's finding; "
    "DescribeNodegroup only for managed node groups",
    fields=(
        _node_group("node_role_arn", "nodeRole"),
        _node_group("subnet_ids", "subnets", n.as_set),
        _node_group("scaling_config.0.min_size", "scalingConfig.minSize", n.to_int),
        _node_group("scaling_config.0.max_size", "scalingConfig.maxSize", n.to_int),
        _node_group("scaling_config.0.desired_size", "scalingConfig.desiredSize", n.to_int),
        _node_group("instance_types", "instanceTypes", present=True),
        _node_group("ami_type", "amiType", present=True),
        _node_group("capacity_type", "capacityType", present=True),
        # a node group launched from a template has no disk size of its own
        _node_group("disk_size", "diskSize", n.to_int, present=True),
        _node_group("labels", "labels"),
        FieldSpec("taint", extract=_taints, from_state=_state_taints, normalise=(n.as_set,),
                  detail="nodegroup"),
        _node_group("version", "version", present=True),
        _node_group("release_version", "releaseVersion", present=True),
        _node_group("launch_template.0.id", "launchTemplate.id"),
        _node_group("launch_template.0.name", "launchTemplate.name"),
        _node_group("launch_template.0.version", "launchTemplate.version"),
        _node_group("remote_access.0.ec2_ssh_key", "remoteAccess.ec2SshKey"),
        _node_group("remote_access.0.source_security_group_ids",
                    "remoteAccess.sourceSecurityGroups", n.as_set),
        _node_group("update_config.0.max_unavailable", "updateConfig.maxUnavailable", n.to_int),
        _node_group("update_config.0.max_unavailable_percentage",
                    "updateConfig.maxUnavailablePercentage", n.to_int),
        _node_group("node_repair_config.0.enabled", "nodeRepairConfig.enabled", n.to_bool),
        tags("nodegroup.tags", detail="nodegroup"),
    ),
    not_compared={
        "cluster_name": "part of the node group's identity (its import id)",
        "node_group_name": "part of the node group's identity (its import id)",
        "node_group_name_prefix": "Terraform-only: how the name was generated",
        "force_update_version": "Terraform-only: how an upgrade is made",
    },
)

SPECS: tuple[AwsSpec, ...] = (CLUSTER, NODE_GROUP)
