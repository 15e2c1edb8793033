"""Network ACLs, their rules, and the adopted default ACL of each VPC.

One ``DescribeNetworkAcls`` per region feeds all three. A rule (``aws_network_acl_rule``) is a
part of its ACL's ``ingress`` or ``egress``. The last rule of every ACL (number 32767, and
32768 for IPv6), which denies what no other rule allows, cannot be changed or removed: the
provider leaves it out, and so does the comparison.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift import normalise as n
from cloudrift.model import Resource
from cloudrift.spec import UNKNOWN, Extractor, FieldSpec, PartOf
from cloudrift_aws.fields import tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types.ec2_common import (
    IMPORT_ID,
    adopt_ids,
    adopted,
    shared_listing,
    unless_adopted,
)

_CATCH_ALL = frozenset({32767, 32768})

# the provider's networkACLProtocolNumber: state keeps the number, configuration may name it
_PROTOCOL_NUMBERS = {"all": "-1", "tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58"}


def network_acl_listing(ctx: AwsContext, region: str) -> list[Item]:
    return shared_listing(ctx, region, "describe_network_acls", "NetworkAcls")


def protocol_number(value: Any) -> Any:
    if value is None or value == "":
        return value
    text = str(value).strip().lower()
    return _PROTOCOL_NUMBERS.get(text, text)


def _number(value: Any) -> int:
    """Ports and ICMP codes: AWS leaves out what does not apply, state keeps 0 or null."""
    number = n.to_int(value)
    return number if isinstance(number, int) else 0


def _entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """One rule as the provider flattens it into ``ingress`` / ``egress``."""
    ports = entry.get("PortRange") or {}
    icmp = entry.get("IcmpTypeCode") or {}
    return {
        "action": entry.get("RuleAction"), "cidr_block": entry.get("CidrBlock"),
        "ipv6_cidr_block": entry.get("Ipv6CidrBlock"), "protocol": entry.get("Protocol"),
        "rule_no": entry.get("RuleNumber"), "from_port": ports.get("From"),
        "to_port": ports.get("To"), "icmp_type": icmp.get("Type"), "icmp_code": icmp.get("Code"),
    }


def _is_catch_all(entry: Mapping[str, Any]) -> bool:
    return n.to_int(entry.get("RuleNumber")) in _CATCH_ALL


def _cloud_entries(egress: bool) -> Any:
    def read(item: Mapping[str, Any]) -> Any:
        entries = item.get("Entries")
        if entries is None:
            return UNKNOWN
        return [_entry(e) for e in entries
                if bool(e.get("Egress")) == egress and not _is_catch_all(e)]

    return read


def acl_rules(value: Any) -> Any:
    """``ingress`` / ``egress`` as a set of rules with every key spelled one way."""
    if value is None:
        return None
    rules = []
    for rule in value:
        if not isinstance(rule, Mapping):
            continue
        rules.append({
            "action": str(rule.get("action") or "").lower(),
            "cidr_block": rule.get("cidr_block") or "",
            "ipv6_cidr_block": str(rule.get("ipv6_cidr_block") or "").lower(),
            "protocol": protocol_number(rule.get("protocol")),
            "rule_no": _number(rule.get("rule_no")),
            **{key: _number(rule.get(key))
               for key in ("from_port", "to_port", "icmp_type", "icmp_code")},
        })
    return n.as_set(rules)


_ACL_FIELDS = (
    FieldSpec("ingress", extract=_cloud_entries(False), normalise=(acl_rules,)),
    FieldSpec("egress", extract=_cloud_entries(True), normalise=(acl_rules,)),
    FieldSpec("subnet_ids", query="Associations[].SubnetId", normalise=(n.as_set,)),
    tags(),
)

NETWORK_ACL = AwsSpec(
    type="aws_network_acl",
    description="A network ACL: its rules inline, its subnets.",
    service="ec2",
    enumerate=unless_adopted(
        network_acl_listing, "NetworkAclId", "aws_default_network_acl",
        lambda item: item.get("NetworkAclId") if item.get("IsDefault") else None),
    calls=("ec2:DescribeNetworkAcls",),
    id_query="NetworkAclId",
    # every VPC gets one; aws_default_network_acl adopts it
    is_default=lambda item: bool(item.get("IsDefault")),
    fields=(FieldSpec("vpc_id", query="VpcId"), *_ACL_FIELDS),
)

# -- aws_default_network_acl -----------------------------------------------------------------

DEFAULT_NETWORK_ACL = AwsSpec(
    type="aws_default_network_acl",
    description="The default network ACL of a VPC, adopted: its rules are set inline.",
    service="ec2",
    enumerate=adopted(network_acl_listing, lambda acl: bool(acl.get("IsDefault"))),
    calls=("ec2:DescribeNetworkAcls",),
    id_query="NetworkAclId",
    import_id="default_network_acl_id",
    is_default=lambda item: True,
    # AWS makes one per VPC; only an adopted one is Terraform's
    unmanaged=False,
    # Terraform removes every rule on adoption and keeps only those written inline: a block
    # with no rules still says "no rules", it leaves nothing to aws_network_acl_rule
    inline_absolute=True,
    fields=_ACL_FIELDS,
)

# -- aws_network_acl_rule --------------------------------------------------------------------


def _is_aws_default(acl: Mapping[str, Any], entry: Mapping[str, Any]) -> bool:
    """A default ACL comes with rule 100 allowing everything (101 for IPv6), both ways."""
    return bool(acl.get("IsDefault")) and entry.get("RuleAction") == "allow" and (
        protocol_number(entry.get("Protocol")) == "-1") and (
        (entry.get("RuleNumber") == 100 and entry.get("CidrBlock") == "0.0.0.0/0")
        or (entry.get("RuleNumber") == 101 and entry.get("Ipv6CidrBlock") == "::/0"))


def _rule_key(import_id: str) -> str:
    """ACL, number and direction say which rule it is; the protocol is spelled as the user
    wrote it at creation (a name or a number)."""
    parts = import_id.split(":")
    return ":".join([*parts[:2], *parts[3:]]) if len(parts) == 4 else import_id


def _rules(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    items: list[Item] = []
    for acl in network_acl_listing(ctx, region):
        for entry in acl.get("Entries") or ():
            if _is_catch_all(entry):
                continue
            egress = "true" if entry.get("Egress") else "false"
            items.append({
                **entry, "NetworkAclId": acl.get("NetworkAclId"),
                "cloudrift:Default": _is_aws_default(acl, entry),
                IMPORT_ID: f"{acl.get('NetworkAclId')}:{entry.get('RuleNumber')}:"
                           f"{entry.get('Protocol')}:{egress}",
            })
    return adopt_ids(items, managed, _rule_key)


def _rule_import_id(attributes: Mapping[str, Any]) -> str | None:
    """``NETWORK_ACL_ID:RULE_NUMBER:PROTOCOL:EGRESS``."""
    acl, number = attributes.get("network_acl_id"), n.to_int(attributes.get("rule_number"))
    protocol = attributes.get("protocol")
    if not acl or not isinstance(number, int) or protocol in (None, ""):
        return None
    egress = "true" if n.to_bool(attributes.get("egress")) is True else "false"
    return f"{acl}:{number}:{protocol}:{egress}"


def _acl_of(egress: bool) -> tuple[Extractor, Extractor]:
    """The ACL of a rule of one direction, from state and from the cloud (None for a rule of
    the other direction)."""

    def from_state(attributes: Mapping[str, Any]) -> Any:
        is_egress = n.to_bool(attributes.get("egress")) is True
        return attributes.get("network_acl_id") if is_egress == egress else None

    def from_cloud(item: Mapping[str, Any]) -> Any:
        return item.get("NetworkAclId") if bool(item.get("Egress")) == egress else None

    return from_state, from_cloud


def _parents() -> tuple[PartOf, ...]:
    """A rule is a part of its ACL's ``ingress`` or ``egress``, whether the ACL is an
    ``aws_network_acl`` or the adopted ``aws_default_network_acl``."""
    parts = []
    for parent in ("aws_network_acl", "aws_default_network_acl"):
        for egress in (False, True):
            state_acl, cloud_acl = _acl_of(egress)
            parts.append(PartOf(parent_type=parent, parent_id=state_acl,
                                fields=("egress",) if egress else ("ingress",),
                                cloud_parent_id=cloud_acl))
    return tuple(parts)


_IDENTITY = "part of the import id: another number or direction is another rule"

NETWORK_ACL_RULE = AwsSpec(
    type="aws_network_acl_rule",
    description="One rule of a network ACL.",
    service="ec2",
    enumerate=_rules,
    calls=("ec2:DescribeNetworkAcls",),
    id_query=f'"{IMPORT_ID}"',
    import_id=_rule_import_id,
    is_default=lambda item: bool(item.get("cloudrift:Default")),
    part_of=_parents(),
    fields=(
        FieldSpec("protocol", query="Protocol", normalise=(protocol_number,)),
        FieldSpec("rule_action", query="RuleAction", normalise=(n.lower,)),
        FieldSpec("cidr_block", query="CidrBlock"),
        FieldSpec("ipv6_cidr_block", query="Ipv6CidrBlock", normalise=(n.lower,)),
        FieldSpec("from_port", query="PortRange.From", normalise=(_number,)),
        FieldSpec("to_port", query="PortRange.To", normalise=(_number,)),
        FieldSpec("icmp_type", query="IcmpTypeCode.Type", normalise=(_number,)),
        FieldSpec("icmp_code", query="IcmpTypeCode.Code", normalise=(_number,)),
    ),
    not_compared={name: _IDENTITY for name in ("network_acl_id", "rule_number", "egress")},
)

SPECS: tuple[AwsSpec, ...] = (NETWORK_ACL, DEFAULT_NETWORK_ACL, NETWORK_ACL_RULE)
