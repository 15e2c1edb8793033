"""ELBv2 cases: load balancer, target group, attachment, listener, rule. State shapes are what
hashicorp/aws 5.100 recorded applying the same configuration against moto."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

AMI = "ami-1e749f67"
PROD = [{"Key": "env", "Value": "prod"}]
DEV = [{"Key": "env", "Value": "dev"}]


def _network(clients: Any) -> tuple[str, list[str]]:
    ec2 = clients("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])
    by_zone = {s["AvailabilityZone"]: s["SubnetId"] for s in subnets["Subnets"]}
    return str(vpc["VpcId"]), sorted(by_zone.values())[:2]


def _balancer(clients: Any) -> dict[str, Any]:
    _, subnets = _network(clients)
    balancer: dict[str, Any] = clients("elbv2").create_load_balancer(
        Name="web", Subnets=subnets, Type="application", Scheme="internet-facing",
        IpAddressType="ipv4", Tags=PROD)["LoadBalancers"][0]
    return balancer


def _group(clients: Any) -> dict[str, Any]:
    vpc, _ = _network(clients)
    group: dict[str, Any] = clients("elbv2").create_target_group(
        Name="web", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance",
        HealthCheckEnabled=True, HealthCheckPath="/health", HealthCheckPort="traffic-port",
        HealthCheckProtocol="HTTP", HealthCheckIntervalSeconds=30, HealthCheckTimeoutSeconds=5,
        HealthyThresholdCount=3, UnhealthyThresholdCount=3, Matcher={"HttpCode": "200"},
        Tags=PROD)["TargetGroups"][0]
    return group


def _listener(clients: Any, balancer: str, group: str) -> dict[str, Any]:
    listener: dict[str, Any] = clients("elbv2").create_listener(
        LoadBalancerArn=balancer, Port=80, Protocol="HTTP",
        DefaultActions=[{"Type": "forward", "TargetGroupArn": group}], Tags=PROD,
    )["Listeners"][0]
    return listener


def _balancer_of(listener: str) -> str:
    return listener.replace(":listener/", ":loadbalancer/", 1).rsplit("/", 1)[0]


def _tag(clients: Any, arn: str) -> None:
    clients("elbv2").add_tags(ResourceArns=[arn], Tags=DEV)


def _action(group: str) -> dict[str, Any]:
    return {"authenticate_cognito": [], "authenticate_oidc": [], "fixed_response": [],
            "forward": [], "order": 1, "redirect": [], "target_group_arn": group,
            "type": "forward"}


# -- aws_lb ----------------------------------------------------------------------------------


def _lb_create(clients: Any) -> Attrs:
    balancer = _balancer(clients)
    arn = balancer["LoadBalancerArn"]
    subnets = [z["SubnetId"] for z in balancer["AvailabilityZones"]]
    return {
        "id": arn, "arn": arn, "arn_suffix": arn.split(":loadbalancer/", 1)[1],
        "name": "web", "name_prefix": "", "load_balancer_type": "application",
        "internal": False, "ip_address_type": "ipv4", "security_groups": [],
        "subnets": subnets, "vpc_id": balancer["VpcId"], "customer_owned_ipv4_pool": "",
        "subnet_mapping": [{"allocation_id": "", "ipv6_address": "", "outpost_id": "",
                            "private_ipv4_address": "", "subnet_id": s} for s in subnets],
        "access_logs": [{"bucket": "", "enabled": False, "prefix": ""}],
        "connection_logs": [{"bucket": "", "enabled": False, "prefix": ""}],
        "client_keep_alive": 3600, "desync_mitigation_mode": "defensive",
        "dns_record_client_routing_policy": None, "drop_invalid_header_fields": False,
        "enable_cross_zone_load_balancing": False, "enable_deletion_protection": False,
        "enable_http2": True, "enable_tls_version_and_cipher_suite_headers": False,
        "enable_waf_fail_open": False, "enable_xff_client_port": False,
        "enable_zonal_shift": False,
        "enforce_security_group_inbound_rules_on_private_link_traffic": "",
        "idle_timeout": 60, "preserve_host_header": False,
        "xff_header_processing_mode": "append", "ipam_pools": [],
        "minimum_load_balancer_capacity": [],
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"}, "timeouts": None,
    }


def _lb_change(clients: Any, attrs: Attrs) -> None:
    clients("elbv2").modify_load_balancer_attributes(
        LoadBalancerArn=attrs["arn"],
        Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}])
    _tag(clients, attrs["arn"])


def _lb_delete(clients: Any, attrs: Attrs) -> None:
    clients("elbv2").delete_load_balancer(LoadBalancerArn=attrs["arn"])


# -- aws_lb_target_group ---------------------------------------------------------------------


def _tg_create(clients: Any) -> Attrs:
    group = _group(clients)
    arn = group["TargetGroupArn"]
    return {
        "id": arn, "arn": arn, "arn_suffix": arn.split(":", 5)[5], "name": "web",
        "name_prefix": "", "port": 80, "protocol": "HTTP", "protocol_version": "HTTP1",
        "vpc_id": group["VpcId"], "target_type": "instance", "ip_address_type": "ipv4",
        "health_check": [{"enabled": True, "healthy_threshold": 3, "interval": 30,
                          "matcher": "200", "path": "/health", "port": "traffic-port",
                          "protocol": "HTTP", "timeout": 5, "unhealthy_threshold": 3}],
        "deregistration_delay": "300", "slow_start": 0,
        "load_balancing_algorithm_type": "round_robin",
        "load_balancing_anomaly_mitigation": None,
        "load_balancing_cross_zone_enabled": "use_load_balancer_configuration",
        "proxy_protocol_v2": False, "preserve_client_ip": None, "connection_termination": None,
        "lambda_multi_value_headers_enabled": False, "load_balancer_arns": [],
        "stickiness": [{"cookie_duration": 0, "cookie_name": "", "enabled": False,
                        "type": "lb_cookie"}],
        "target_failover": [{"on_deregistration": None, "on_unhealthy": None}],
        "target_group_health": [], "target_health_state": [],
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"},
    }


def _tg_change(clients: Any, attrs: Attrs) -> None:
    elbv2 = clients("elbv2")
    elbv2.modify_target_group(TargetGroupArn=attrs["arn"], HealthCheckPath="/ready")
    elbv2.modify_target_group_attributes(
        TargetGroupArn=attrs["arn"],
        Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}])


def _tg_delete(clients: Any, attrs: Attrs) -> None:
    clients("elbv2").delete_target_group(TargetGroupArn=attrs["arn"])


# -- aws_lb_target_group_attachment ----------------------------------------------------------


def _attachment_create(clients: Any) -> Attrs:
    group = _group(clients)["TargetGroupArn"]
    instance = clients("ec2").run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1,
                                            MaxCount=1)["Instances"][0]["InstanceId"]
    # registered without a port: AWS reports the group's own
    clients("elbv2").register_targets(TargetGroupArn=group, Targets=[{"Id": instance}])
    return {"id": f"{group}-20261206030240080800000002", "target_group_arn": group,
            "target_id": instance, "port": None, "availability_zone": None}


def _attachment_delete(clients: Any, attrs: Attrs) -> None:
    clients("elbv2").deregister_targets(TargetGroupArn=attrs["target_group_arn"],
                                        Targets=[{"Id": attrs["target_id"]}])


# -- aws_lb_listener -------------------------------------------------------------------------


def _listener_create(clients: Any) -> Attrs:
    balancer = _balancer(clients)["LoadBalancerArn"]
    group = _group(clients)["TargetGroupArn"]
    arn = _listener(clients, balancer, group)["ListenerArn"]
    return {
        "id": arn, "arn": arn, "load_balancer_arn": balancer, "port": 80, "protocol": "HTTP",
        "ssl_policy": "ELBSecurityPolicy-2016-08", "certificate_arn": None,
        "alpn_policy": None, "default_action": [_action(group)], "mutual_authentication": [],
        "tcp_idle_timeout_seconds": 350,
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"}, "timeouts": None,
    }


def _listener_change(clients: Any, attrs: Attrs) -> None:
    clients("elbv2").modify_listener(ListenerArn=attrs["arn"], Port=8080)
    _tag(clients, attrs["arn"])


def _listener_delete(clients: Any, attrs: Attrs) -> None:
    clients("elbv2").delete_listener(ListenerArn=attrs["arn"])


# -- aws_lb_listener_rule --------------------------------------------------------------------


def _path(*patterns: str) -> list[dict[str, Any]]:
    return [{"Field": "path-pattern", "PathPatternConfig": {"Values": list(patterns)}}]


def _rule_create(clients: Any) -> Attrs:
    balancer = _balancer(clients)["LoadBalancerArn"]
    group = _group(clients)["TargetGroupArn"]
    listener = _listener(clients, balancer, group)["ListenerArn"]
    rule = clients("elbv2").create_rule(
        ListenerArn=listener, Priority=10, Conditions=_path("/api/*"),
        Actions=[{"Type": "forward", "TargetGroupArn": group}], Tags=PROD)["Rules"][0]
    arn = rule["RuleArn"]
    return {
        "id": arn, "arn": arn, "listener_arn": listener, "priority": 10,
        "action": [_action(group)],
        "condition": [{"host_header": [], "http_header": [], "http_request_method": [],
                       "path_pattern": [{"values": ["/api/*"]}], "query_string": [],
                       "source_ip": []}],
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"},
    }


def _rule_change(clients: Any, attrs: Attrs) -> None:
    clients("elbv2").modify_rule(RuleArn=attrs["arn"], Conditions=_path("/v2/*"))


def _rule_delete(clients: Any, attrs: Attrs) -> None:
    clients("elbv2").delete_rule(RuleArn=attrs["arn"])


CASES = [
    AwsCase(
        type="aws_lb",
        create=_lb_create,
        change=_lb_change,
        changed_paths=frozenset({"enable_deletion_protection", "tags.env"}),
        delete=_lb_delete,
    ),
    AwsCase(
        type="aws_lb_target_group",
        create=_tg_create,
        change=_tg_change,
        changed_paths=frozenset({"health_check.0.path", "deregistration_delay"}),
        delete=_tg_delete,
    ),
    AwsCase(
        type="aws_lb_target_group_attachment",
        create=_attachment_create,
        change=lambda clients, attrs: None,
        changed_paths=frozenset(),
        delete=_attachment_delete,
        import_id=lambda attrs: f"{attrs['target_group_arn']},{attrs['target_id']}",
        parent=lambda attrs: ("aws_lb_target_group", {"id": attrs["target_group_arn"],
                                                        "arn": attrs["target_group_arn"]}),
    ),
    AwsCase(
        type="aws_lb_listener",
        create=_listener_create,
        change=_listener_change,
        changed_paths=frozenset({"port", "tags.env"}),
        delete=_listener_delete,
        parent=lambda attrs: ("aws_lb", {"id": attrs["load_balancer_arn"],
                                           "arn": attrs["load_balancer_arn"]}),
    ),
    AwsCase(
        type="aws_lb_listener_rule",
        create=_rule_create,
        change=_rule_change,
        changed_paths=frozenset({"condition"}),
        delete=_rule_delete,
        parent=lambda attrs: ("aws_lb_listener", {
            "id": attrs["listener_arn"], "arn": attrs["listener_arn"],
            "load_balancer_arn": _balancer_of(attrs["listener_arn"])}),
    ),
]
