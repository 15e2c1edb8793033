"""EKS cases; state shapes are what hashicorp/aws 5.100 recorded against moto."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/eks"
SUBNETS = ["subnet-0590f47da99fac5ec", "subnet-d5d13be48b7297023"]


def _make_cluster(clients: Any) -> dict[str, Any]:
    cluster: dict[str, Any] = clients("eks").create_cluster(
        name="main", version="1.31", roleArn=ROLE,
        resourcesVpcConfig={"subnetIds": SUBNETS, "endpointPublicAccess": True,
                            "endpointPrivateAccess": False},
        logging={"clusterLogging": [{"types": ["api"], "enabled": True}]},
        tags={"env": "prod"},
    )["cluster"]
    return cluster


def _cluster_create(clients: Any) -> Attrs:
    cluster = _make_cluster(clients)
    return {
        "id": "main", "name": "main", "arn": cluster["arn"], "role_arn": ROLE,
        "version": "1.31", "enabled_cluster_log_types": ["api"],
        "bootstrap_self_managed_addons": True, "force_update_version": None,
        "vpc_config": [{"cluster_security_group_id": "", "endpoint_private_access": False,
                        "endpoint_public_access": True, "public_access_cidrs": [],
                        "security_group_ids": None, "subnet_ids": SUBNETS, "vpc_id": ""}],
        "kubernetes_network_config": [{"elastic_load_balancing": [], "ip_family": "",
                                       "service_ipv4_cidr": "172.20.0.0/16",
                                       "service_ipv6_cidr": ""}],
        "access_config": [], "compute_config": [], "encryption_config": [],
        "outpost_config": [], "remote_network_config": [], "storage_config": [],
        "upgrade_policy": [], "zonal_shift_config": [],
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"}, "timeouts": None,
    }


def _cluster_change(clients: Any, attrs: Attrs) -> None:
    eks = clients("eks")
    eks.update_cluster_config(
        name="main", logging={"clusterLogging": [{"types": ["api", "audit"], "enabled": True}]})
    eks.tag_resource(resourceArn=attrs["arn"], tags={"env": "dev"})


def _cluster_delete(clients: Any, attrs: Attrs) -> None:
    clients("eks").delete_cluster(name=attrs["name"])


def _node_group_create(clients: Any) -> Attrs:
    _make_cluster(clients)
    group = clients("eks").create_nodegroup(
        clusterName="main", nodegroupName="workers", nodeRole=ROLE, subnets=SUBNETS,
        instanceTypes=["t3.medium"], scalingConfig={"minSize": 1, "maxSize": 2, "desiredSize": 1},
        labels={"role": "worker"}, tags={"env": "prod"},
    )["nodegroup"]
    return {
        "id": "main:workers", "cluster_name": "main", "node_group_name": "workers",
        "node_group_name_prefix": "", "arn": group["nodegroupArn"], "node_role_arn": ROLE,
        "subnet_ids": SUBNETS, "instance_types": ["t3.medium"],
        "scaling_config": [{"desired_size": 1, "max_size": 2, "min_size": 1}],
        # moto's defaults, which the provider reads back as computed values
        "ami_type": "AL2_x86_64", "capacity_type": "ON_DEMAND", "disk_size": 20,
        "version": group["version"], "release_version": group["releaseVersion"],
        "remote_access": [{"ec2_ssh_key": "eksKeypair", "source_security_group_ids": []}],
        "labels": {"role": "worker"}, "taint": [], "launch_template": [],
        "update_config": [], "node_repair_config": [], "force_update_version": None,
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"}, "timeouts": None,
    }


def _node_group_change(clients: Any, attrs: Attrs) -> None:
    clients("eks").update_nodegroup_config(
        clusterName="main", nodegroupName="workers",
        scalingConfig={"minSize": 1, "maxSize": 4, "desiredSize": 1})


def _node_group_delete(clients: Any, attrs: Attrs) -> None:
    clients("eks").delete_nodegroup(clusterName="main", nodegroupName="workers")


CASES = [
    AwsCase(
        type="aws_eks_cluster",
        create=_cluster_create,
        change=_cluster_change,
        changed_paths=frozenset({"enabled_cluster_log_types", "tags.env"}),
        delete=_cluster_delete,
    ),
    AwsCase(
        type="aws_eks_node_group",
        create=_node_group_create,
        change=_node_group_change,
        changed_paths=frozenset({"scaling_config.0.max_size"}),
        delete=_node_group_delete,
        parent=lambda attrs: ("aws_eks_cluster", {"id": "main", "name": "main"}),
    ),
]
