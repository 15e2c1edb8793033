"""Security group rules and the default security group.

One ``DescribeSecurityGroupRules`` per region feeds the three rule types, and the
``DescribeSecurityGroups`` listing of ``aws_security_group`` feeds the default group (and tells
each rule's group name and owner). Every rule type is a part of its group's ``ingress`` or
``egress``: a drift is reported on the rule resource that declares it, and a rule nobody
declares is an unmanaged part of its group.

AWS keeps one rule per source (``sgr-…``); an ``aws_security_group_rule`` may name several
sources and then stands for several AWS rules. Its import id spells all of them out
(``sg-…_ingress_tcp_22_22_10.0.0.0/8_self``), so only managed ones are listed (from their ids),
and a rule that no resource declares is reported once, as the ``aws_vpc_security_group_*_rule``
that imports it by its own ``sgr-…`` id.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cloudrift import normalise as n
from cloudrift.model import Resource
from cloudrift.spec import Extractor, FieldSpec, PartOf
from cloudrift_aws.fields import tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Enumerator, Item
from cloudrift_aws.types.ec2_common import IMPORT_ID, adopted, copies, shared_listing
from cloudrift_aws.types.vpc import SECURITY_GROUP, protocol_name, security_group_listing

LEGACY = "aws_security_group_rule"
INGRESS = "aws_vpc_security_group_ingress_rule"
EGRESS = "aws_vpc_security_group_egress_rule"

# set on rule items: the rule is one AWS gives every default group
_DEFAULT = "cloudrift:Default"
# set on rule items: the account that owns the rule's group
_OWNER = "cloudrift:GroupOwner"


def rule_listing(ctx: AwsContext, region: str) -> list[Item]:
    return shared_listing(ctx, region, "describe_security_group_rules", "SecurityGroupRules")


def _is_aws_default(rule: Mapping[str, Any], group: Mapping[str, Any]) -> bool:
    """AWS gives every default group all traffic from itself and all traffic out (to ::/0 too
    in a VPC with IPv6); anything else in a default group was added by someone."""
    if group.get("GroupName") != "default" or protocol_name(rule.get("IpProtocol")) != "-1":
        return False
    if rule.get("IsEgress"):
        return rule.get("CidrIpv4") == "0.0.0.0/0" or rule.get("CidrIpv6") == "::/0"
    return (rule.get("ReferencedGroupInfo") or {}).get("GroupId") == rule.get("GroupId")


def _rules(ctx: AwsContext, region: str) -> list[Item]:
    """The region's rules, each with its group's owner and whether AWS made it."""

    def annotate() -> list[Item]:
        groups = {g.get("GroupId"): g for g in security_group_listing(ctx, region)}
        annotated = []
        for rule in rule_listing(ctx, region):
            group = groups.get(rule.get("GroupId")) or {}
            annotated.append({**rule, _DEFAULT: _is_aws_default(rule, group),
                              _OWNER: rule.get("GroupOwnerId") or group.get("OwnerId")})
        return annotated

    return ctx.memo(f"ec2:security_group_rules:annotated:{region}", annotate)


# -- the composite import id of aws_security_group_rule --------------------------------------


@dataclass(frozen=True)
class _LegacyRule:
    """What an ``aws_security_group_rule`` import id says (the provider's import parser)."""

    group: str
    egress: bool
    protocol: str
    from_port: int | None
    to_port: int | None
    sources: tuple[str, ...]

    @staticmethod
    def parse(import_id: str) -> _LegacyRule | None:
        parts = import_id.split("_")
        if len(parts) < 6 or parts[1] not in ("ingress", "egress"):
            return None
        ports = [n.to_int(p) for p in parts[3:5]]
        return _LegacyRule(
            group=parts[0], egress=parts[1] == "egress", protocol=protocol_name(parts[2]),
            from_port=ports[0] if isinstance(ports[0], int) else None,
            to_port=ports[1] if isinstance(ports[1], int) else None,
            sources=tuple(parts[5:]),
        )

    def covers(self, rule: Mapping[str, Any]) -> bool:
        """Same group, direction, protocol and ports (ports mean nothing for all traffic)."""
        if rule.get("GroupId") != self.group or bool(rule.get("IsEgress")) != self.egress:
            return False
        if protocol_name(rule.get("IpProtocol")) != self.protocol:
            return False
        return self.protocol == "-1" or (
            rule.get("FromPort") == self.from_port and rule.get("ToPort") == self.to_port
        )

    def source_of(self, rule: Mapping[str, Any]) -> str | None:
        """The import id's source this AWS rule grants, if any."""
        referenced = (rule.get("ReferencedGroupInfo") or {}).get("GroupId")
        for source in self.sources:
            if source == "self":
                if referenced == self.group:
                    return source
            elif "sg-" in source:
                if referenced == source.rsplit("/", 1)[-1]:
                    return source
            elif "pl-" in source:
                if rule.get("PrefixListId") == source:
                    return source
            elif ":" in source:
                if _same_ipv6(rule.get("CidrIpv6"), source):
                    return source
            elif rule.get("CidrIpv4") == source:
                return source
        return None


def _same_ipv6(cloud: Any, declared: str) -> bool:
    try:
        return bool(cloud) and ipaddress.ip_network(str(cloud), strict=False) == (
            ipaddress.ip_network(declared, strict=False))
    except ValueError:
        return str(cloud).lower() == declared.lower()


def _legacy_import_id(attributes: Mapping[str, Any]) -> str | None:
    """``SECURITYGROUPID_TYPE_PROTOCOL_FROMPORT_TOPORT_SOURCE[_SOURCE]*`` from state."""
    group, kind = attributes.get("security_group_id"), attributes.get("type")
    if not group or kind not in ("ingress", "egress"):
        return None
    protocol = protocol_name(attributes.get("protocol"))
    sources = [*(attributes.get("cidr_blocks") or ()), *(attributes.get("ipv6_cidr_blocks") or ()),
               *(attributes.get("prefix_list_ids") or ())]
    if n.to_bool(attributes.get("self")) is True:
        sources.append("self")
    if attributes.get("source_security_group_id"):
        sources.append(str(attributes["source_security_group_id"]))
    if not sources:
        return None
    ports = [n.to_int(attributes.get(key)) for key in ("from_port", "to_port")]
    return "_".join([str(group), str(kind), "all" if protocol == "-1" else protocol,
                     *(str(p if isinstance(p, int) else 0) for p in ports),
                     *(str(s) for s in sources)])


def _legacy_matches(ctx: AwsContext, region: str) -> dict[str, list[Item]]:
    """Each managed ``aws_security_group_rule`` (by import id) with the AWS rules it stands
    for: one per source, or none at all when any source is gone (the provider then finds no
    rule and Terraform would create it again)."""

    def match() -> dict[str, list[Item]]:
        managed = ctx.managed_of(LEGACY, region)
        if not managed:
            return {}
        matches: dict[str, list[Item]] = {}
        rules = _rules(ctx, region)
        for resource in managed:
            parsed = _LegacyRule.parse(resource.id)
            if parsed is None:
                continue
            found: dict[str, Item] = {}
            for rule in rules:
                if parsed.covers(rule):
                    source = parsed.source_of(rule)
                    if source is not None:
                        found.setdefault(source, rule)
            if set(found) == set(parsed.sources):
                matches[resource.id] = [found[source] for source in parsed.sources]
        return matches

    return ctx.memo(f"ec2:security_group_rules:legacy:{region}", match)


def _legacy_rules(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    items = []
    for import_id, rules in _legacy_matches(ctx, region).items():
        # the provider's findRuleMatch: the first description it meets among the sources
        description = next((r["Description"] for r in rules if r.get("Description")), "")
        items.append({IMPORT_ID: import_id, "GroupId": rules[0].get("GroupId"),
                      "IsEgress": rules[0].get("IsEgress"), "Description": description,
                      "SecurityGroupRuleIds": [r.get("SecurityGroupRuleId") for r in rules]})
    return items


_GROUPS = ("aws_security_group", "aws_default_security_group")


def _parents(kind: str) -> tuple[PartOf, ...]:
    """A rule is a part of its group's ``ingress`` or ``egress``, whether the group is an
    ``aws_security_group`` or the adopted ``aws_default_security_group`` (both are imported
    by the group id)."""
    return tuple(
        PartOf(parent_type=parent, parent_id="security_group_id", fields=(kind,),
               cloud_parent_id="GroupId")
        for parent in _GROUPS
    )


def _group_of(kind: str) -> tuple[Extractor, Extractor]:
    """The group of an ``aws_security_group_rule`` of one ``type``, from state and from the
    cloud (None for a rule of the other type)."""

    def from_state(attributes: Mapping[str, Any]) -> Any:
        return attributes.get("security_group_id") if attributes.get("type") == kind else None

    def from_cloud(item: Mapping[str, Any]) -> Any:
        return item.get("GroupId") if bool(item.get("IsEgress")) == (kind == "egress") else None

    return from_state, from_cloud


def _legacy_parents() -> tuple[PartOf, ...]:
    parts = []
    for parent in _GROUPS:
        for kind in ("ingress", "egress"):
            state_group, cloud_group = _group_of(kind)
            parts.append(PartOf(parent_type=parent, parent_id=state_group, fields=(kind,),
                                cloud_parent_id=cloud_group))
    return tuple(parts)


_IDENTITY = "part of the import id: a rule that differs is another rule"

SECURITY_GROUP_RULE = AwsSpec(
    type=LEGACY,
    description="One rule of a security group, possibly with several sources (legacy form).",
    service="ec2",
    enumerate=_legacy_rules,
    calls=("ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups"),
    id_query=f'"{IMPORT_ID}"',
    import_id=_legacy_import_id,
    # an undeclared rule is reported once, as the aws_vpc_security_group_*_rule that imports it
    unmanaged=False,
    part_of=_legacy_parents(),
    fields=(
        FieldSpec("description", query="Description", default=""),
    ),
    not_compared={
        **{name: _IDENTITY for name in (
            "type", "protocol", "from_port", "to_port", "cidr_blocks", "ipv6_cidr_blocks",
            "prefix_list_ids", "self", "source_security_group_id", "security_group_id")},
    },
)


# -- aws_vpc_security_group_ingress_rule / _egress_rule --------------------------------------


def _one_rule_type(kind: str) -> Enumerator:
    egress = kind == "egress"

    def enumerate_(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
        rules = [r for r in _rules(ctx, region) if bool(r.get("IsEgress")) == egress]
        claimed = {r.get("SecurityGroupRuleId") for rules_ in _legacy_matches(ctx, region).values()
                   for r in rules_}
        mine = {resource.id for resource in managed}
        items = copies(rules, lambda r: r.get("SecurityGroupRuleId") not in claimed
                       or r.get("SecurityGroupRuleId") in mine)
        for item in items:
            item[IMPORT_ID] = item.get("SecurityGroupRuleId")
        return items

    return enumerate_


def _port_or_none(value: Any) -> Any:
    """AWS answers -1 for "all ports"; the provider keeps null when the user gave none."""
    number = n.to_int(value)
    return None if number == -1 else number


def _referenced_group(item: Mapping[str, Any]) -> Any:
    """The provider's flattenReferencedSecurityGroup: another account's group is
    ``account/sg-…``."""
    info = item.get("ReferencedGroupInfo") or {}
    group, user = info.get("GroupId"), info.get("UserId")
    if not group:
        return None
    return f"{user}/{group}" if user and user != item.get(_OWNER) else group


def _ipv6(value: Any) -> Any:
    if not value:
        return value
    try:
        return str(ipaddress.ip_network(str(value), strict=False))
    except ValueError:
        return str(value).lower()


def _one_rule_spec(kind: str) -> AwsSpec:
    rtype = EGRESS if kind == "egress" else INGRESS
    return AwsSpec(
        type=rtype,
        description=f"One {kind} rule of a security group (one source), imported by its sgr id.",
        service="ec2",
        enumerate=_one_rule_type(kind),
        calls=("ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups"),
        id_query=f'"{IMPORT_ID}"',
        is_default=lambda item: bool(item.get(_DEFAULT)),
        part_of=_parents(kind),
        fields=(
            FieldSpec("security_group_id", query="GroupId"),
            FieldSpec("ip_protocol", query="IpProtocol", normalise=(protocol_name,)),
            FieldSpec("from_port", query="FromPort", normalise=(_port_or_none,)),
            FieldSpec("to_port", query="ToPort", normalise=(_port_or_none,)),
            FieldSpec("cidr_ipv4", query="CidrIpv4"),
            FieldSpec("cidr_ipv6", query="CidrIpv6", normalise=(_ipv6,)),
            FieldSpec("prefix_list_id", query="PrefixListId"),
            FieldSpec("referenced_security_group_id", extract=_referenced_group),
            FieldSpec("description", query="Description"),
            tags(),
        ),
    )


VPC_SECURITY_GROUP_INGRESS_RULE = _one_rule_spec("ingress")
VPC_SECURITY_GROUP_EGRESS_RULE = _one_rule_spec("egress")

# -- aws_default_security_group --------------------------------------------------------------

_INLINE = {"vpc_id", "ingress", "egress", "tags"}

DEFAULT_SECURITY_GROUP = AwsSpec(
    type="aws_default_security_group",
    description="The default security group of a VPC, adopted: its rules are set inline.",
    service="ec2",
    enumerate=adopted(security_group_listing, lambda g: g.get("GroupName") == "default"),
    calls=("ec2:DescribeSecurityGroups",),
    id_query="GroupId",
    is_default=lambda item: True,
    # AWS makes one per VPC; only an adopted one is Terraform's
    unmanaged=False,
    # Terraform revokes every rule on adoption and keeps only those written inline: a block
    # with no rules still says "no rules", it leaves nothing to rule resources
    inline_absolute=True,
    fields=tuple(f for f in SECURITY_GROUP.fields if f.path in _INLINE),
    not_compared={"revoke_rules_on_delete": "Terraform-only: what to do on destroy"},
)

SPECS: tuple[AwsSpec, ...] = (
    SECURITY_GROUP_RULE, VPC_SECURITY_GROUP_INGRESS_RULE, VPC_SECURITY_GROUP_EGRESS_RULE,
    DEFAULT_SECURITY_GROUP,
)
