"""Classic load balancer case; the state shape is what hashicorp/aws 5.100 recorded against
moto."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

REGION = "us-east-1"
ACCOUNT = "123456789012"


def _create(clients: Any) -> Attrs:
    elb = clients("elb")
    elb.create_load_balancer(
        LoadBalancerName="classic", AvailabilityZones=[f"{REGION}a"],
        Listeners=[{"Protocol": "http", "LoadBalancerPort": 80, "InstanceProtocol": "http",
                    "InstancePort": 8000}],
        Tags=[{"Key": "env", "Value": "prod"}],
    )
    elb.configure_health_check(LoadBalancerName="classic", HealthCheck={
        "Target": "HTTP:8000/", "Interval": 30, "Timeout": 3, "UnhealthyThreshold": 2,
        "HealthyThreshold": 2})
    # cross_zone_load_balancing defaults to true in the provider, which sets it after creating
    elb.modify_load_balancer_attributes(LoadBalancerName="classic", LoadBalancerAttributes={
        "CrossZoneLoadBalancing": {"Enabled": True}})
    described = elb.describe_load_balancers(
        LoadBalancerNames=["classic"])["LoadBalancerDescriptions"][0]
    return {
        "id": "classic", "name": "classic", "name_prefix": "",
        "arn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/classic",
        "availability_zones": [f"{REGION}a"], "subnets": described["Subnets"],
        "security_groups": described["SecurityGroups"], "internal": False,
        "listener": [{"instance_port": 8000, "instance_protocol": "http", "lb_port": 80,
                      "lb_protocol": "http", "ssl_certificate_id": ""}],
        "health_check": [{"healthy_threshold": 2, "interval": 30, "target": "HTTP:8000/",
                          "timeout": 3, "unhealthy_threshold": 2}],
        "access_logs": [], "connection_draining": False, "connection_draining_timeout": 300,
        "cross_zone_load_balancing": True, "desync_mitigation_mode": "defensive",
        "idle_timeout": 60, "instances": [],
        "source_security_group": f"{ACCOUNT}/default",
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"}, "timeouts": None,
    }


def _change(clients: Any, attrs: Attrs) -> None:
    elb = clients("elb")
    elb.modify_load_balancer_attributes(LoadBalancerName="classic", LoadBalancerAttributes={
        "ConnectionSettings": {"IdleTimeout": 120}})
    elb.add_tags(LoadBalancerNames=["classic"], Tags=[{"Key": "env", "Value": "dev"}])


def _delete(clients: Any, attrs: Attrs) -> None:
    clients("elb").delete_load_balancer(LoadBalancerName="classic")


CASES = [
    AwsCase(
        type="aws_elb",
        create=_create,
        change=_change,
        changed_paths=frozenset({"idle_timeout", "tags.env"}),
        delete=_delete,
    ),
]
