"""VPC endpoint and flow log cases."""

from __future__ import annotations

import json
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"
REGION = "us-east-1"
TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
})
_S3_POLICY: dict[str, Any] = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::artifacts/*"}]}


# -- aws_vpc_endpoint ------------------------------------------------------------------------


def _endpoint_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.140.0.0/16")["Vpc"]["VpcId"]
    table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc_id, ServiceName=f"com.amazonaws.{REGION}.s3", VpcEndpointType="Gateway",
        RouteTableIds=[table_id], PolicyDocument=json.dumps(_S3_POLICY),
        TagSpecifications=[{"ResourceType": "vpc-endpoint",
                            "Tags": [{"Key": "env", "Value": "prod"}]}],
    )["VpcEndpoint"]
    endpoint_id = endpoint["VpcEndpointId"]
    return {
        "id": endpoint_id,
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-endpoint/{endpoint_id}",
        "owner_id": ACCOUNT,
        "vpc_id": vpc_id,
        "service_name": f"com.amazonaws.{REGION}.s3",
        "vpc_endpoint_type": "Gateway",
        "auto_accept": None,
        # the provider records the document as AWS returns it
        "policy": json.dumps(_S3_POLICY),
        # what moto answers for a gateway endpoint (AWS answers false)
        "private_dns_enabled": endpoint["PrivateDnsEnabled"],
        "ip_address_type": "",
        "route_table_ids": [table_id],
        "subnet_ids": [],
        "security_group_ids": [],
        "dns_options": [],
        "dns_entry": [],
        "network_interface_ids": [],
        "cidr_blocks": [],
        "prefix_list_id": "",
        "requester_managed": False,
        "resource_configuration_arn": "",
        "service_network_arn": "",
        "service_region": REGION,
        "state": "available",
        "subnet_configuration": [],
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
        "timeouts": None,
    }


def _endpoint_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    other = ec2.create_route_table(VpcId=attrs["vpc_id"])["RouteTable"]["RouteTableId"]
    # moto ignores ResetPolicy; a document of its own is a change all the same
    opened = {**_S3_POLICY, "Statement": [{**_S3_POLICY["Statement"][0], "Action": "s3:*"}]}
    ec2.modify_vpc_endpoint(VpcEndpointId=attrs["id"], AddRouteTableIds=[other],
                            PolicyDocument=json.dumps(opened))


def _endpoint_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_vpc_endpoints(VpcEndpointIds=[attrs["id"]])


# -- aws_flow_log ----------------------------------------------------------------------------


def _flow_log_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.141.0.0/16")["Vpc"]["VpcId"]
    clients("logs").create_log_group(logGroupName="/vpc/flow")
    role = clients("iam").create_role(RoleName="flow-logs",
                                      AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    flow_log_id = ec2.create_flow_logs(
        ResourceIds=[vpc_id], ResourceType="VPC", TrafficType="REJECT",
        LogDestinationType="cloud-watch-logs", LogGroupName="/vpc/flow",
        DeliverLogsPermissionArn=role, MaxAggregationInterval=60,
        TagSpecifications=[{"ResourceType": "vpc-flow-log",
                            "Tags": [{"Key": "env", "Value": "prod"}]}],
    )["FlowLogIds"][0]
    log_format = ec2.describe_flow_logs(FlowLogIds=[flow_log_id])["FlowLogs"][0]["LogFormat"]
    return {
        "id": flow_log_id,
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-flow-log/{flow_log_id}",
        "vpc_id": vpc_id,
        "subnet_id": None,
        "eni_id": None,
        "transit_gateway_id": None,
        "transit_gateway_attachment_id": None,
        "traffic_type": "REJECT",
        "iam_role_arn": role,
        "deliver_cross_account_role": "",
        "log_destination_type": "cloud-watch-logs",
        "log_destination": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/vpc/flow",
        "log_group_name": "/vpc/flow",
        "log_format": log_format,
        "max_aggregation_interval": 60,
        "destination_options": [],
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
    }


def _flow_log_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_flow_logs(FlowLogIds=[attrs["id"]])


CASES = [
    AwsCase(
        type="aws_vpc_endpoint",
        create=_endpoint_create,
        change=_endpoint_change,
        changed_paths=frozenset({"route_table_ids", "policy"}),
        delete=_endpoint_delete,
    ),
    AwsCase(
        type="aws_flow_log",
        create=_flow_log_create,
        # flow logs cannot be modified, only re-tagged
        change=lambda clients, attrs: clients("ec2").create_tags(
            Resources=[attrs["id"]], Tags=[{"Key": "env", "Value": "dev"}]),
        changed_paths=frozenset({"tags.env"}),
        delete=_flow_log_delete,
    ),
]
