"""EC2 and VPC resource types.

Every type is one bulk ``Describe*`` listing per region. Listings that more than one type needs
(instances and volumes, to tell which volume belongs to which instance; the default VPCs, to
tell what AWS created) go through ``ctx.memo`` so a scan makes each of them once per region.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import jmespath
from botocore.exceptions import BotoCoreError, ClientError

from cloudrift import normalise as n
from cloudrift.model import Resource
from cloudrift.spec import UNKNOWN, Extractor, FieldSpec
from cloudrift_aws.fields import attr_bool, attr_int, tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Call, Detail, Item

# -- shared listings ------------------------------------------------------------------------


def _instance_listing(ctx: AwsContext, region: str) -> list[Item]:
    return ctx.memo(
        f"ec2:describe_instances:{region}",
        lambda: ctx.paginate("ec2", region, "describe_instances", "Reservations[].Instances[]"),
    )


def _volume_listing(ctx: AwsContext, region: str) -> list[Item]:
    return ctx.memo(
        f"ec2:describe_volumes:{region}",
        lambda: ctx.paginate("ec2", region, "describe_volumes", "Volumes"),
    )


# set on items by the enumerators below: is the resource in its region's default VPC
_IN_DEFAULT_VPC = "cloudrift:InDefaultVpc"


def _default_vpc_ids(ctx: AwsContext, region: str) -> frozenset[str]:
    def lookup() -> frozenset[str]:
        vpcs = ctx.paginate(
            "ec2", region, "describe_vpcs", "Vpcs",
            Filters=[{"Name": "is-default", "Values": ["true"]}],
        )
        return frozenset(v["VpcId"] for v in vpcs if v.get("IsDefault"))

    return ctx.memo(f"ec2:default_vpcs:{region}", lookup)


def _present(query: str) -> Extractor:
    """For a value the API always returns: its absence means "not told", not "unset"."""
    compiled = jmespath.compile(query)

    def extract(payload: Mapping[str, Any]) -> Any:
        value = compiled.search(payload)
        return UNKNOWN if value is None else value

    return extract


# -- aws_vpc ---------------------------------------------------------------------------------

VPC = AwsSpec(
    type="aws_vpc",
    service="ec2",
    list=Call("describe_vpcs", "Vpcs"),
    id_query="VpcId",
    is_default=lambda item: bool(item.get("IsDefault")),
    details=(
        Detail(
            "dns_support",
            "describe_vpc_attribute",
            lambda item: {"VpcId": item["VpcId"], "Attribute": "enableDnsSupport"},
            result="EnableDnsSupport.Value",
        ),
        Detail(
            "dns_hostnames",
            "describe_vpc_attribute",
            lambda item: {"VpcId": item["VpcId"], "Attribute": "enableDnsHostnames"},
            result="EnableDnsHostnames.Value",
        ),
    ),
    fields=(
        FieldSpec("cidr_block", query="CidrBlock"),
        FieldSpec("instance_tenancy", query="InstanceTenancy"),
        attr_bool("enable_dns_support", "dns_support", detail="dns_support"),
        attr_bool("enable_dns_hostnames", "dns_hostnames", detail="dns_hostnames"),
        tags(),
    ),
)

# -- aws_subnet ------------------------------------------------------------------------------


def _subnet_ipv6_cidr(item: Mapping[str, Any]) -> Any:
    for association in item.get("Ipv6CidrBlockAssociationSet") or []:
        state = (association.get("Ipv6CidrBlockState") or {}).get("State")
        if state in ("associating", "associated"):
            return association.get("Ipv6CidrBlock")
    return None


SUBNET = AwsSpec(
    type="aws_subnet",
    service="ec2",
    list=Call("describe_subnets", "Subnets"),
    id_query="SubnetId",
    is_default=lambda item: bool(item.get("DefaultForAz")),
    fields=(
        FieldSpec("vpc_id", query="VpcId"),
        FieldSpec("cidr_block", query="CidrBlock"),
        FieldSpec("availability_zone", query="AvailabilityZone"),
        FieldSpec("availability_zone_id", query="AvailabilityZoneId"),
        FieldSpec("ipv6_cidr_block", extract=_subnet_ipv6_cidr),
        attr_bool("ipv6_native", "Ipv6Native", default=False),
        attr_bool("map_public_ip_on_launch", "MapPublicIpOnLaunch", default=False),
        attr_bool("assign_ipv6_address_on_creation", "AssignIpv6AddressOnCreation",
                  default=False),
        attr_bool("enable_dns64", "EnableDns64", default=False),
        attr_bool("enable_resource_name_dns_a_record_on_launch",
                  "PrivateDnsNameOptionsOnLaunch.EnableResourceNameDnsARecord", default=False),
        attr_bool("enable_resource_name_dns_aaaa_record_on_launch",
                  "PrivateDnsNameOptionsOnLaunch.EnableResourceNameDnsAAAARecord", default=False),
        FieldSpec("private_dns_hostname_type_on_launch",
                  extract=_present("PrivateDnsNameOptionsOnLaunch.HostnameType")),
        attr_bool("map_customer_owned_ip_on_launch", "MapCustomerOwnedIpOnLaunch",
                  default=False),
        FieldSpec("customer_owned_ipv4_pool", query="CustomerOwnedIpv4Pool"),
        FieldSpec("outpost_arn", query="OutpostArn"),
        FieldSpec("enable_lni_at_device_index", query="EnableLniAtDeviceIndex",
                  normalise=(n.to_int,), default=0),
        tags(),
    ),
)

# -- aws_security_group ----------------------------------------------------------------------

_RULE_SOURCES = ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups")

# The provider's protocolForValue: names for the numbers it knows, "-1" for every spelling of
# "all traffic", anything else unchanged.
_PROTOCOL_NAMES = {"-1": "-1", "all": "-1", "6": "tcp", "17": "udp", "1": "icmp",
                   "58": "icmpv6"}


def _protocol(value: Any) -> str:
    text = str(value if value is not None else "").strip().lower()
    return _PROTOCOL_NAMES.get(text, text)


def _port(value: Any) -> int:
    number = n.to_int(value)
    return number if isinstance(number, int) else 0


def security_group_rules(value: Any) -> Any:
    """``ingress`` / ``egress`` rules as a set, grouped the way the provider reads them back.

    AWS merges every source with the same protocol and ports into one IpPermission, the
    provider splits them again by description and then tries to keep the grouping the user
    wrote. Only the individual grants carry meaning, so both sides are cut into grants and
    regrouped by (protocol, from_port, to_port, description).
    """
    if value is None:
        return None
    groups: dict[tuple[str, int, int, str], dict[str, Any]] = {}
    for rule in value:
        if not isinstance(rule, Mapping):
            continue
        protocol = _protocol(rule.get("protocol"))
        # AWS keeps no ports for "all traffic"; the provider insists on 0/0 in config
        from_port = 0 if protocol == "-1" else _port(rule.get("from_port"))
        to_port = 0 if protocol == "-1" else _port(rule.get("to_port"))
        description = str(rule.get("description") or "")
        group = groups.setdefault(
            (protocol, from_port, to_port, description),
            {"protocol": protocol, "from_port": from_port, "to_port": to_port,
             "description": description, "self": False,
             **{source: set() for source in _RULE_SOURCES}},
        )
        for source in _RULE_SOURCES:
            for entry in rule.get(source) or ():
                text = str(entry)
                group[source].add(text.lower() if source == "ipv6_cidr_blocks" else text)
        group["self"] = group["self"] or n.to_bool(rule.get("self")) is True
    return n.as_set(
        [{**group, **{source: sorted(group[source]) for source in _RULE_SOURCES}}
         for group in groups.values()]
    )


def _group_reference(group_id: str, owner: Any) -> str:
    """A state ``security_groups`` entry names another account's group as ``owner/sg-…``."""
    if isinstance(owner, str) and owner and group_id.startswith(f"{owner}/"):
        return group_id[len(owner) + 1:]
    return group_id


def _state_rules(kind: str) -> Extractor:
    def read(attributes: Mapping[str, Any]) -> Any:
        rules = attributes.get(kind)
        if rules is None:
            return None
        own_id, owner = attributes.get("id"), attributes.get("owner_id")
        resolved = []
        for rule in rules:
            if not isinstance(rule, Mapping):
                continue
            is_self = n.to_bool(rule.get("self")) is True
            others = []
            for group in rule.get("security_groups") or ():
                reference = _group_reference(str(group), owner)
                # the provider reads a grant to the group itself back as self = true
                if reference == own_id:
                    is_self = True
                else:
                    others.append(reference)
            resolved.append({**rule, "security_groups": others, "self": is_self})
        return resolved

    return read


def _grants(perm: Mapping[str, Any], own_id: Any, owner: Any) -> list[dict[str, Any]]:
    """One state-shaped rule per source of an IpPermission, as the provider reads them."""
    base = {"protocol": perm.get("IpProtocol"), "from_port": perm.get("FromPort"),
            "to_port": perm.get("ToPort")}
    sources: list[tuple[str, Mapping[str, Any], Any]] = []
    sources += [("cidr_blocks", e, e.get("CidrIp")) for e in perm.get("IpRanges") or ()]
    sources += [("ipv6_cidr_blocks", e, e.get("CidrIpv6")) for e in perm.get("Ipv6Ranges") or ()]
    sources += [("prefix_list_ids", e, e.get("PrefixListId"))
                for e in perm.get("PrefixListIds") or ()]
    for pair in perm.get("UserIdGroupPairs") or ():
        group_id, user = pair.get("GroupId"), pair.get("UserId")
        if group_id == own_id:
            sources.append(("self", pair, True))
        elif user and user != owner:
            sources.append(("security_groups", pair, f"{user}/{group_id}"))
        else:
            sources.append(("security_groups", pair, group_id))
    return [
        {**base, "description": entry.get("Description") or "",
         source: value if source == "self" else [value]}
        for source, entry, value in sources
    ]


def _cloud_rules(key: str) -> Extractor:
    def read(item: Mapping[str, Any]) -> Any:
        permissions = item.get(key)
        if permissions is None:
            return UNKNOWN
        own_id, owner = item.get("GroupId"), item.get("OwnerId")
        return [rule for perm in permissions for rule in _grants(perm, own_id, owner)]

    return read


SECURITY_GROUP = AwsSpec(
    type="aws_security_group",
    service="ec2",
    list=Call("describe_security_groups", "SecurityGroups"),
    id_query="GroupId",
    # every VPC gets a group named "default" that cannot be deleted
    is_default=lambda item: item.get("GroupName") == "default",
    fields=(
        FieldSpec("name", query="GroupName"),
        FieldSpec("description", query="Description"),
        FieldSpec("vpc_id", query="VpcId"),
        FieldSpec("ingress", extract=_cloud_rules("IpPermissions"),
                  from_state=_state_rules("ingress"), normalise=(security_group_rules,)),
        FieldSpec("egress", extract=_cloud_rules("IpPermissionsEgress"),
                  from_state=_state_rules("egress"), normalise=(security_group_rules,)),
        tags(),
    ),
)

# -- aws_instance ----------------------------------------------------------------------------

_LIVE_INSTANCE_STATES = frozenset({"pending", "running", "stopping", "stopped"})


def _root_mapping(instance: Mapping[str, Any]) -> Mapping[str, Any] | None:
    root = instance.get("RootDeviceName")
    for mapping in instance.get("BlockDeviceMappings") or ():
        if not isinstance(mapping, Mapping):
            continue
        if mapping.get("DeviceName") == root and mapping.get("Ebs"):
            return mapping
    return None


def _instances(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    # terminated instances stay listed for about an hour; for Terraform they are gone
    live = [dict(instance) for instance in _instance_listing(ctx, region)
            if (instance.get("State") or {}).get("Name") in _LIVE_INSTANCE_STATES]
    if managed and live:
        _add_root_volumes(ctx, region, live)
        _add_default_vpc_flag(ctx, region, live)
    return live


def _add_root_volumes(ctx: AwsContext, region: str, instances: list[Item]) -> None:
    if not any(_root_mapping(instance) for instance in instances):
        return
    try:
        volumes = {v["VolumeId"]: v for v in _volume_listing(ctx, region)}
    except (ClientError, BotoCoreError):
        # root_block_device is then unknown; aws_ebs_volume reports the failed listing
        return
    for instance in instances:
        mapping = _root_mapping(instance)
        if mapping is None:
            continue
        volume = volumes.get(mapping["Ebs"].get("VolumeId"))
        if volume is not None:
            instance["RootVolume"] = {
                **volume, "DeleteOnTermination": mapping["Ebs"].get("DeleteOnTermination")
            }


def _add_default_vpc_flag(ctx: AwsContext, region: str, items: list[Item]) -> None:
    if not any(item.get("VpcId") for item in items):
        return
    try:
        defaults = _default_vpc_ids(ctx, region)
    except (ClientError, BotoCoreError):
        return  # fields that depend on it are then unknown; aws_vpc reports the failure
    for item in items:
        if item.get("VpcId"):
            item[_IN_DEFAULT_VPC] = item["VpcId"] in defaults


def _root_volume(query: str, default: Any = None) -> Extractor:
    """A root_block_device attribute, read from the instance's root EBS volume."""
    compiled = jmespath.compile(query)

    def extract(item: Mapping[str, Any]) -> Any:
        volume = item.get("RootVolume")
        if volume is None:
            # an instance-store root has no root_block_device; an EBS root we did not see
            # (volume listing denied or racing a launch) is unknown
            return UNKNOWN if _root_mapping(item) is not None else None
        value = compiled.search(volume)
        return default if value is None else value

    return extract


def _user_data_digest(encoded: Any) -> Any:
    """The provider's userDataHashSum: SHA-1 hex of the decoded user data."""
    if not isinstance(encoded, str) or not encoded:
        return None
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raw = encoded.encode()
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()


def _state_user_data(attributes: Mapping[str, Any]) -> Any:
    # state keeps the SHA-1 of user_data, or user_data_base64 as given; compare digests
    digest = attributes.get("user_data")
    if digest:
        return digest
    return _user_data_digest(attributes.get("user_data_base64"))


def _group_ids(item: Mapping[str, Any]) -> Any:
    # the provider's readSecurityGroups: ids for an instance in a subnet, names for one in a
    # default VPC (or EC2-Classic), both for an instance in a default subnet
    if not item.get("SubnetId"):
        return None
    return [group.get("GroupId") for group in item.get("SecurityGroups") or ()]


def _group_names(item: Mapping[str, Any]) -> Any:
    if item.get("VpcId"):
        in_default_vpc = item.get(_IN_DEFAULT_VPC)
        if in_default_vpc is None:
            return UNKNOWN
        if not in_default_vpc:
            return None
    elif item.get("SubnetId"):
        return None
    return [group.get("GroupName") for group in item.get("SecurityGroups") or ()]


def _instance_profile_name(item: Mapping[str, Any]) -> Any:
    arn = (item.get("IamInstanceProfile") or {}).get("Arn")
    return arn.rsplit("/", 1)[-1] if isinstance(arn, str) and arn else None


def _monitoring(item: Mapping[str, Any]) -> Any:
    state = (item.get("Monitoring") or {}).get("State")
    return UNKNOWN if not state else state in ("enabled", "pending")


def _instance_attribute(name: str, attribute: str, result: str) -> Detail:
    return Detail(name, "describe_instance_attribute",
                  lambda item: {"InstanceId": item["InstanceId"], "Attribute": attribute},
                  result=result)


INSTANCE = AwsSpec(
    type="aws_instance",
    service="ec2",
    enumerate=_instances,
    id_query="InstanceId",
    details=(
        _instance_attribute("user_data", "userData", "UserData.Value"),
        _instance_attribute("api_termination", "disableApiTermination",
                            "DisableApiTermination.Value"),
        _instance_attribute("api_stop", "disableApiStop", "DisableApiStop.Value"),
        _instance_attribute("shutdown_behavior", "instanceInitiatedShutdownBehavior",
                            "InstanceInitiatedShutdownBehavior.Value"),
    ),
    fields=(
        FieldSpec("ami", query="ImageId"),
        FieldSpec("instance_type", query="InstanceType"),
        FieldSpec("availability_zone", query="Placement.AvailabilityZone"),
        FieldSpec("tenancy", query="Placement.Tenancy"),
        FieldSpec("placement_group", query="Placement.GroupName"),
        FieldSpec("subnet_id", query="SubnetId"),
        FieldSpec("vpc_security_group_ids", extract=_group_ids, normalise=(n.as_set,)),
        FieldSpec("security_groups", extract=_group_names, normalise=(n.as_set,)),
        FieldSpec("key_name", query="KeyName"),
        FieldSpec("iam_instance_profile", extract=_instance_profile_name),
        FieldSpec("monitoring", extract=_monitoring, normalise=(n.to_bool,)),
        attr_bool("ebs_optimized", "EbsOptimized", default=False),
        attr_bool("source_dest_check", "SourceDestCheck", default=True),
        FieldSpec("metadata_options.0.http_endpoint",
                  extract=_present("MetadataOptions.HttpEndpoint")),
        FieldSpec("metadata_options.0.http_tokens",
                  extract=_present("MetadataOptions.HttpTokens")),
        FieldSpec("metadata_options.0.http_put_response_hop_limit",
                  extract=_present("MetadataOptions.HttpPutResponseHopLimit"),
                  normalise=(n.to_int,)),
        FieldSpec("metadata_options.0.http_protocol_ipv6",
                  extract=_present("MetadataOptions.HttpProtocolIpv6")),
        FieldSpec("metadata_options.0.instance_metadata_tags",
                  extract=_present("MetadataOptions.InstanceMetadataTags")),
        FieldSpec("root_block_device.0.volume_size", extract=_root_volume("Size"),
                  normalise=(n.to_int,)),
        FieldSpec("root_block_device.0.volume_type", extract=_root_volume("VolumeType")),
        FieldSpec("root_block_device.0.iops", extract=_root_volume("Iops", 0),
                  normalise=(n.to_int,)),
        FieldSpec("root_block_device.0.throughput", extract=_root_volume("Throughput", 0),
                  normalise=(n.to_int,)),
        FieldSpec("root_block_device.0.encrypted", extract=_root_volume("Encrypted", False),
                  normalise=(n.to_bool,)),
        FieldSpec("root_block_device.0.kms_key_id", extract=_root_volume("KmsKeyId")),
        FieldSpec("root_block_device.0.delete_on_termination",
                  extract=_root_volume("DeleteOnTermination"), normalise=(n.to_bool,)),
        FieldSpec("user_data", extract=lambda item: _user_data_digest(item.get("user_data")),
                  from_state=_state_user_data, detail="user_data"),
        attr_bool("disable_api_termination", "api_termination", detail="api_termination",
                  default=False),
        attr_bool("disable_api_stop", "api_stop", detail="api_stop", default=False),
        FieldSpec("instance_initiated_shutdown_behavior", query="shutdown_behavior",
                  detail="shutdown_behavior"),
        tags(),
    ),
)

# -- aws_ebs_volume --------------------------------------------------------------------------


def _volumes(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    volumes = [dict(volume) for volume in _volume_listing(ctx, region)]
    if not any("DeleteOnTermination" not in attachment
               for volume in volumes for attachment in volume.get("Attachments") or ()):
        return volumes
    # Some endpoints (moto among them) leave DeleteOnTermination out of the attachment; the
    # instance's block device mapping always carries it.
    flags: dict[tuple[str, str], Any] = {}
    for instance in _instance_listing(ctx, region):
        for mapping in instance.get("BlockDeviceMappings") or ():
            ebs = mapping.get("Ebs") or {}
            if ebs.get("VolumeId"):
                flags[(instance["InstanceId"], ebs["VolumeId"])] = ebs.get("DeleteOnTermination")
    for volume in volumes:
        volume["Attachments"] = [
            attachment if "DeleteOnTermination" in attachment else {
                **attachment,
                "DeleteOnTermination": flags.get(
                    (attachment.get("InstanceId", ""), attachment.get("VolumeId", ""))),
            }
            for attachment in volume.get("Attachments") or ()
        ]
    return volumes


def _launched_with_instance(item: Mapping[str, Any]) -> bool:
    """A volume deleted with its instance came from the launch: it is part of that instance."""
    return any(attachment.get("DeleteOnTermination") is True
               for attachment in item.get("Attachments") or ())


EBS_VOLUME = AwsSpec(
    type="aws_ebs_volume",
    service="ec2",
    enumerate=_volumes,
    id_query="VolumeId",
    is_default=_launched_with_instance,
    fields=(
        FieldSpec("availability_zone", query="AvailabilityZone"),
        attr_int("size", "Size"),
        FieldSpec("type", query="VolumeType"),
        FieldSpec("iops", query="Iops", normalise=(n.to_int,), default=0),
        FieldSpec("throughput", query="Throughput", normalise=(n.to_int,), default=0),
        attr_bool("encrypted", "Encrypted", default=False),
        FieldSpec("kms_key_id", query="KmsKeyId"),
        FieldSpec("snapshot_id", query="SnapshotId"),
        attr_bool("multi_attach_enabled", "MultiAttachEnabled", default=False),
        FieldSpec("outpost_arn", query="OutpostArn"),
        tags(),
    ),
)

# -- aws_eip ---------------------------------------------------------------------------------

EIP = AwsSpec(
    type="aws_eip",
    service="ec2",
    list=Call("describe_addresses", "Addresses"),
    id_query="AllocationId",
    fields=(
        FieldSpec("domain", query="Domain"),
        FieldSpec("instance", query="InstanceId"),
        FieldSpec("network_interface", query="NetworkInterfaceId"),
        FieldSpec("public_ipv4_pool", query="PublicIpv4Pool"),
        FieldSpec("customer_owned_ipv4_pool", query="CustomerOwnedIpv4Pool"),
        FieldSpec("network_border_group", query="NetworkBorderGroup"),
        tags(),
    ),
)

# -- aws_internet_gateway --------------------------------------------------------------------


def _internet_gateways(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    listing = ctx.paginate("ec2", region, "describe_internet_gateways", "InternetGateways")
    gateways = [dict(gateway) for gateway in listing]
    attached = {a.get("VpcId") for g in gateways for a in g.get("Attachments") or ()}
    defaults = _default_vpc_ids(ctx, region) if attached - {None} else frozenset()
    for gateway in gateways:
        gateway[_IN_DEFAULT_VPC] = any(
            a.get("VpcId") in defaults for a in gateway.get("Attachments") or ()
        )
    return gateways


INTERNET_GATEWAY = AwsSpec(
    type="aws_internet_gateway",
    service="ec2",
    enumerate=_internet_gateways,
    id_query="InternetGatewayId",
    # AWS attaches one to every default VPC it creates
    is_default=lambda item: bool(item.get(_IN_DEFAULT_VPC)),
    fields=(
        FieldSpec("vpc_id", query="Attachments[0].VpcId"),
        tags(),
    ),
)

# -- aws_route_table -------------------------------------------------------------------------

# route.<key> in state, from Route.<field> in the API (the provider's flattenRoute)
_ROUTE_KEYS = (
    ("cidr_block", "DestinationCidrBlock"),
    ("ipv6_cidr_block", "DestinationIpv6CidrBlock"),
    ("destination_prefix_list_id", "DestinationPrefixListId"),
    ("carrier_gateway_id", "CarrierGatewayId"),
    ("core_network_arn", "CoreNetworkArn"),
    ("egress_only_gateway_id", "EgressOnlyInternetGatewayId"),
    ("local_gateway_id", "LocalGatewayId"),
    ("nat_gateway_id", "NatGatewayId"),
    ("network_interface_id", "NetworkInterfaceId"),
    ("transit_gateway_id", "TransitGatewayId"),
    ("vpc_peering_connection_id", "VpcPeeringConnectionId"),
)


def _cloud_routes(item: Mapping[str, Any]) -> Any:
    routes = item.get("Routes")
    if routes is None:
        return UNKNOWN
    result = []
    for route in routes:
        gateway = str(route.get("GatewayId") or "")
        # propagated routes and VPC endpoint prefix-list routes belong to other resources
        if route.get("Origin") == "EnableVgwRoutePropagation":
            continue
        if route.get("DestinationPrefixListId") and gateway.startswith("vpce-"):
            continue
        if gateway == "VpcLattice":
            continue
        entry = {key: route.get(field) for key, field in _ROUTE_KEYS}
        if gateway.startswith("vpce-"):
            entry["vpc_endpoint_id"] = gateway
        else:
            entry["gateway_id"] = gateway
        result.append(entry)
    return result


def route_set(value: Any) -> Any:
    """``route`` as a set of its non-empty keys.

    State writes ``""`` for every unused target; the local route of the VPC's own CIDR always
    exists and cannot be removed, so Terraform leaves it out and so does the comparison.
    """
    if value is None:
        return None
    routes = []
    for route in value:
        if not isinstance(route, Mapping) or route.get("gateway_id") == "local":
            continue
        routes.append({str(k): str(v) for k, v in route.items() if not n.is_empty(v)})
    return n.as_set(routes)


ROUTE_TABLE = AwsSpec(
    type="aws_route_table",
    service="ec2",
    list=Call("describe_route_tables", "RouteTables"),
    id_query="RouteTableId",
    # the main route table comes with the VPC
    is_default=lambda item: any(a.get("Main") for a in item.get("Associations") or ()),
    fields=(
        FieldSpec("vpc_id", query="VpcId"),
        FieldSpec("route", extract=_cloud_routes, normalise=(route_set,)),
        FieldSpec("propagating_vgws", query="PropagatingVgws[].GatewayId",
                  normalise=(n.as_set,)),
        tags(),
    ),
)

SPECS: tuple[AwsSpec, ...] = (
    VPC,
    SUBNET,
    SECURITY_GROUP,
    INSTANCE,
    EBS_VOLUME,
    EIP,
    INTERNET_GATEWAY,
    ROUTE_TABLE,
)
