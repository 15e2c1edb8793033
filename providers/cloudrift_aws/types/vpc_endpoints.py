"""VPC endpoints and flow logs: one paged ``Describe*`` per region each, tags included.

Endpoints other services create for themselves (requester-managed) are AWS's: defaults, never
unmanaged unless ``--strict``. Deleted endpoints stay listed for a while: for Terraform they
are gone, and so they are here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import FieldSpec
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_policy, present, tags
from cloudrift_aws.spec import AwsSpec
from cloudrift_aws.types.ec2_common import copies, shared_listing

_GONE = frozenset({"deleting", "deleted", "rejected", "failed", "expired"})

# -- aws_vpc_endpoint ------------------------------------------------------------------------

VPC_ENDPOINT = AwsSpec(
    type="aws_vpc_endpoint",
    description="A VPC endpoint (gateway, interface, load balancer, resource or network).",
    service="ec2",
    enumerate=lambda ctx, region, managed: copies(
        shared_listing(ctx, region, "describe_vpc_endpoints", "VpcEndpoints"),
        lambda endpoint: str(endpoint.get("State") or "").lower() not in _GONE),
    calls=("ec2:DescribeVpcEndpoints",),
    id_query="VpcEndpointId",
    is_default=lambda item: bool(item.get("RequesterManaged")),
    fields=(
        FieldSpec("vpc_id", query="VpcId"),
        FieldSpec("service_name", query="ServiceName"),
        # AWS always says; an endpoint that does not (moto, for gateways) means the default
        FieldSpec("vpc_endpoint_type", query="VpcEndpointType", default="Gateway"),
        attr_policy("policy", "PolicyDocument"),
        FieldSpec("private_dns_enabled", query="PrivateDnsEnabled", normalise=(n.to_bool,),
                  default=False),
        FieldSpec("ip_address_type", extract=present("IpAddressType")),
        FieldSpec("route_table_ids", query="RouteTableIds", normalise=(n.as_set,)),
        FieldSpec("subnet_ids", query="SubnetIds", normalise=(n.as_set,)),
        FieldSpec("security_group_ids", query="Groups[].GroupId", normalise=(n.as_set,)),
        FieldSpec("dns_options.0.dns_record_ip_type",
                  extract=present("DnsOptions.DnsRecordIpType")),
        FieldSpec("dns_options.0.private_dns_only_for_inbound_resolver_endpoint",
                  extract=present("DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint"),
                  normalise=(n.to_bool,)),
        FieldSpec("service_region", extract=present("ServiceRegion")),
        FieldSpec("resource_configuration_arn", query="ResourceConfigurationArn"),
        FieldSpec("service_network_arn", query="ServiceNetworkArn"),
        tags(),
    ),
    not_compared={
        "auto_accept": "Terraform-only: whether apply accepts the connection",
        "subnet_configuration": "each subnet's interface addresses: read from the endpoint's "
        "network interfaces, not from this listing (subnet_ids is compared)",
    },
)

# -- aws_flow_log ----------------------------------------------------------------------------

# which argument names the flow log's resource, by the id's prefix (longest first)
_RESOURCE_PREFIXES = (
    ("tgw-attach-", "transit_gateway_attachment_id"),
    ("tgw-", "transit_gateway_id"),
    ("vpc-", "vpc_id"),
    ("subnet-", "subnet_id"),
    ("eni-", "eni_id"),
)


def _resource(argument: str) -> Any:
    def extract(item: Mapping[str, Any]) -> Any:
        resource = str(item.get("ResourceId") or "")
        for prefix, name in _RESOURCE_PREFIXES:
            if resource.startswith(prefix):
                return resource if name == argument else None
        return None

    return extract


FLOW_LOG = AwsSpec(
    type="aws_flow_log",
    description="A flow log of a VPC, subnet, network interface or transit gateway.",
    service="ec2",
    enumerate=lambda ctx, region, managed: copies(
        shared_listing(ctx, region, "describe_flow_logs", "FlowLogs")),
    calls=("ec2:DescribeFlowLogs",),
    id_query="FlowLogId",
    fields=(
        *(FieldSpec(name, extract=_resource(name)) for _, name in _RESOURCE_PREFIXES),
        FieldSpec("traffic_type", query="TrafficType"),
        FieldSpec("iam_role_arn", query="DeliverLogsPermissionArn"),
        FieldSpec("deliver_cross_account_role", query="DeliverCrossAccountRole"),
        FieldSpec("log_destination_type", query="LogDestinationType",
                  default="cloud-watch-logs"),
        # AWS answers the log group's ARN for CloudWatch Logs; an endpoint that does not
        # (moto) cannot tell
        FieldSpec("log_destination", extract=present("LogDestination")),
        FieldSpec("log_group_name", query="LogGroupName"),
        FieldSpec("log_format", query="LogFormat"),
        FieldSpec("max_aggregation_interval", query="MaxAggregationInterval",
                  normalise=(n.to_int,), default=600),
        FieldSpec("destination_options.0.file_format",
                  extract=present("DestinationOptions.FileFormat")),
        FieldSpec("destination_options.0.hive_compatible_partitions",
                  extract=present("DestinationOptions.HiveCompatiblePartitions"),
                  normalise=(n.to_bool,)),
        FieldSpec("destination_options.0.per_hour_partition",
                  extract=present("DestinationOptions.PerHourPartition"),
                  normalise=(n.to_bool,)),
        tags(),
    ),
)

SPECS: tuple[AwsSpec, ...] = (VPC_ENDPOINT, FLOW_LOG)
