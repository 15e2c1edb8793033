"""Parts of network parents against moto: rules of security groups and ACLs, routes and
associations of route tables. A drift is reported once, on the most specific resource that
declares it; a part nobody declares is an unmanaged part only when its parent is managed and
does not declare that field inline; AWS's own parts stay out unless --strict. The shared
listings cost one call per region, however many parents and parts there are.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from cloudrift.engine import CodeBinding, Scan, read_sources
from cloudrift.model import FindingKind, ScanReport
from cloudrift.sources.files import LocalTree
from cloudrift.sources.hcl import load_hcl
from cloudrift.sources.tfstate import parse_state
from cloudrift.testing import StateBuilder
from cloudrift_aws import AwsProvider
from cloudrift_aws.testing import MotoServer
from tests.providers.aws.conftest import Clients, assert_read_only, make_provider

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _scan(endpoint: str, state: StateBuilder, hcl: str | None = None,
          tmp_path: Path | None = None, strict: bool = False
          ) -> tuple[ScanReport, AwsProvider]:
    document = parse_state(json.dumps(state.document()).encode(), "main.tfstate")

    class _Source:
        uri = "main.tfstate"

        def read(self) -> list[Any]:
            return [document]

    scan_input = read_sources([_Source()])
    if hcl is not None:
        assert tmp_path is not None
        (tmp_path / "main.tf").write_text(hcl)
        scan_input.code = [CodeBinding(load_hcl(LocalTree(str(tmp_path)), ""), None)]
    provider = make_provider(endpoint, strict=strict)
    report = Scan(scan_input, {"aws": provider}, strict=strict).run()
    assert_read_only(provider.ctx.operations)
    return report, provider


_NETWORK_TYPES = frozenset({
    "aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule", "aws_default_security_group", "aws_route_table",
    "aws_route", "aws_route_table_association", "aws_network_acl", "aws_network_acl_rule",
    "aws_default_network_acl",
})


def _findings(report: ScanReport) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """Findings of the types these tests are about (the VPCs they make are unmanaged too)."""
    return sorted((f.kind.value, f.type, f.id, tuple(sorted(c.path for c in f.changes)))
                  for f in report.findings if f.type in _NETWORK_TYPES)


# -- security groups -------------------------------------------------------------------------


def _grant(**values: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {"cidr_blocks": [], "ipv6_cidr_blocks": [], "prefix_list_ids": [],
                            "security_groups": [], "self": False, "description": ""}
    rule.update(values)
    return rule


def _web_group(clients: Clients, state: StateBuilder) -> tuple[str, str]:
    """A group as aws_security_group makes it (AWS's allow-all egress revoked), with one
    https rule, as aws_vpc_security_group_ingress_rule "https" makes it. Its state records
    what the provider reads back: the rule in the group's computed ``ingress`` as well."""
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.150.0.0/16")["Vpc"]["VpcId"]
    group_id = ec2.create_security_group(GroupName="web", Description="web",
                                         VpcId=vpc_id)["GroupId"]
    ec2.revoke_security_group_egress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    rule_id = ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "https"}]},
    ])["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    state.add("aws_security_group", "web", {
        "id": group_id, "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group_id}",
        "owner_id": ACCOUNT, "name": "web", "description": "web", "vpc_id": vpc_id,
        "ingress": [_grant(cidr_blocks=["10.0.0.0/8"], description="https", from_port=443,
                           to_port=443, protocol="tcp")],
        "egress": [], "tags": {}, "tags_all": {},
    })
    return group_id, rule_id


def _declare_rule(state: StateBuilder, group_id: str, rule_id: str) -> None:
    state.add("aws_vpc_security_group_ingress_rule", "https", {
        "id": rule_id, "security_group_id": group_id, "security_group_rule_id": rule_id,
        "ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/8",
        "cidr_ipv6": None, "prefix_list_id": None, "referenced_security_group_id": None,
        "description": "https", "tags": None, "tags_all": {},
    })


def _open_ssh(clients: Clients, group_id: str) -> str:
    """Someone opens SSH in the console."""
    return str(clients("ec2").authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    ])["SecurityGroupRules"][0]["SecurityGroupRuleId"])


_WEB_WITHOUT_RULES = ('resource "aws_security_group" "web" {\n  name   = "web"\n'
                      '  vpc_id = aws_vpc.main.id\n}\n')
_WEB_WITH_INGRESS = ('resource "aws_security_group" "web" {\n  name = "web"\n'
                     '  ingress {\n    from_port   = 443\n    to_port     = 443\n'
                     '    protocol    = "tcp"\n    cidr_blocks = ["10.0.0.0/8"]\n'
                     '    description = "https"\n  }\n}\n')


def test_a_rule_nobody_declares_is_an_unmanaged_part(moto: MotoServer, clients: Clients
                                                     ) -> None:
    state = StateBuilder()
    group_id, rule_id = _web_group(clients, state)
    _declare_rule(state, group_id, rule_id)
    ssh = _open_ssh(clients, group_id)

    report, _ = _scan(moto.endpoint, state)

    # the rules are separate resources, so the group's ingress is theirs: the rule added by
    # hand is an unmanaged part, importable by its own id, and the group is not changed
    assert _findings(report) == [
        ("unmanaged", "aws_vpc_security_group_ingress_rule", ssh, ()),
    ]


def test_a_group_whose_code_declares_no_rules_leaves_them_all_to_parts(
        moto: MotoServer, clients: Clients, tmp_path: Path) -> None:
    state = StateBuilder()
    group_id, rule_id = _web_group(clients, state)
    ssh = _open_ssh(clients, group_id)

    report, _ = _scan(moto.endpoint, state, _WEB_WITHOUT_RULES, tmp_path)

    # no rule resource and no inline rule: both rules in the cloud are undeclared parts
    assert _findings(report) == sorted([
        ("unmanaged", "aws_vpc_security_group_ingress_rule", rule_id, ()),
        ("unmanaged", "aws_vpc_security_group_ingress_rule", ssh, ()),
    ])


def test_a_group_that_declares_ingress_inline_reports_the_extra_rule_as_its_change(
        moto: MotoServer, clients: Clients, tmp_path: Path) -> None:
    state = StateBuilder()
    group_id, _ = _web_group(clients, state)
    _open_ssh(clients, group_id)

    report, _ = _scan(moto.endpoint, state, _WEB_WITH_INGRESS, tmp_path)

    assert _findings(report) == [("changed", "aws_security_group", group_id, ("ingress",))]


def test_a_rule_s_drift_is_reported_on_the_rule_not_again_on_its_group(
        moto: MotoServer, clients: Clients) -> None:
    state = StateBuilder()
    group_id, rule_id = _web_group(clients, state)
    _declare_rule(state, group_id, rule_id)
    clients("ec2").update_security_group_rule_descriptions_ingress(
        GroupId=group_id, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
             "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "edited"}]}])

    report, _ = _scan(moto.endpoint, state)

    # the group's recorded ingress still says "https": it is the rule's to report
    assert _findings(report) == [
        ("changed", "aws_vpc_security_group_ingress_rule", rule_id, ("description",)),
    ]
    assert report.summary.in_sync == 1


def test_legacy_rules_claim_their_aws_rules(moto: MotoServer, clients: Clients) -> None:
    ec2 = clients("ec2")
    state = StateBuilder()
    group_id, rule_id = _web_group(clients, state)
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "10.1.0.0/16"}, {"CidrIp": "10.2.0.0/16"}]}])
    # one aws_security_group_rule for the two SSH sources, one for https
    for name, port, cidrs, description in (("ssh", 22, ["10.1.0.0/16", "10.2.0.0/16"], ""),
                                           ("https", 443, ["10.0.0.0/8"], "https")):
        state.add("aws_security_group_rule", name, {
            "id": f"sgrule-{port}", "security_group_id": group_id, "type": "ingress",
            "protocol": "tcp", "from_port": port, "to_port": port, "cidr_blocks": cidrs,
            "self": False, "description": description,
        })
    ssh = _open_ssh(clients, group_id)

    report, _ = _scan(moto.endpoint, state)

    # the three AWS rules the two resources stand for are theirs; only the hand-made one is
    # unmanaged, once, as the rule type that imports a single AWS rule
    assert _findings(report) == [
        ("unmanaged", "aws_vpc_security_group_ingress_rule", ssh, ()),
    ]
    assert rule_id not in {f.id for f in report.findings}
    assert report.summary.in_sync == 3


def _default_group(clients: Clients, state: StateBuilder, egress: list[dict[str, Any]]
                   ) -> str:
    """A VPC's default group adopted by aws_default_security_group, its state recording
    ``egress`` and no ingress, with AWS's own rules in the cloud: all traffic out, and all
    traffic from itself (which moto leaves out)."""
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.151.0.0/16")["Vpc"]["VpcId"]
    group_id = str(ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]},
    ])["SecurityGroups"][0]["GroupId"])
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group_id}]}])
    state.add("aws_default_security_group", "default", {
        "id": group_id, "vpc_id": vpc_id, "ingress": [], "egress": egress, "tags": {},
        "tags_all": {}, "revoke_rules_on_delete": False,
    })
    return group_id


_DEFAULT_WITHOUT_RULES = ('resource "aws_default_security_group" "default" {\n'
                          '  vpc_id = aws_vpc.main.id\n}\n')
_ALL_OUT = _grant(cidr_blocks=["0.0.0.0/0"], from_port=0, to_port=0, protocol="-1")


def test_an_adopted_default_group_s_rules_are_its_own_though_its_code_writes_none(
        moto: MotoServer, clients: Clients, tmp_path: Path) -> None:
    # Terraform empties a default group when it adopts it and keeps only the rules written
    # inline: a block with none says "no rules", it leaves nothing to rule resources. So
    # rules back on it are the group's change, with its code as without, never lost as
    # AWS's own parts (the allow-all egress looks just like the one AWS makes)
    state = StateBuilder()
    group_id = _default_group(clients, state, egress=[])
    _open_ssh(clients, group_id)

    with_code, _ = _scan(moto.endpoint, state, _DEFAULT_WITHOUT_RULES, tmp_path)
    from_state, _ = _scan(moto.endpoint, state)

    expected = [("changed", "aws_default_security_group", group_id, ("egress", "ingress"))]
    assert _findings(with_code) == expected
    assert _findings(from_state) == expected


def test_aws_s_own_rules_stay_out_unless_strict(moto: MotoServer, clients: Clients,
                                                tmp_path: Path) -> None:
    # the adopted default group's ingress is left to a rule resource; its egress, inline,
    # holds AWS's allow-all
    state = StateBuilder()
    group_id = _default_group(clients, state, egress=[_ALL_OUT])
    https = clients("ec2").authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "https"}]},
    ])["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    _declare_rule(state, group_id, https)
    ssh = _open_ssh(clients, group_id)
    rules = clients("ec2").describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [group_id]}])["SecurityGroupRules"]
    own = {r["SecurityGroupRuleId"] for r in rules if not r["IsEgress"]} - {ssh, https}

    report, _ = _scan(moto.endpoint, state, _DEFAULT_WITHOUT_RULES, tmp_path)
    strict, _ = _scan(moto.endpoint, state, _DEFAULT_WITHOUT_RULES, tmp_path, strict=True)

    assert len(own) == 1  # all from itself
    assert _findings(report) == [("unmanaged", "aws_vpc_security_group_ingress_rule", ssh, ())]
    assert {f.id for f in strict.findings if f.kind is FindingKind.UNMANAGED
            and f.type.startswith("aws_vpc_security_group")} == own | {ssh}


# -- route tables ----------------------------------------------------------------------------


def _table_with_route(clients: Clients, state: StateBuilder, cidr: str) -> tuple[str, str, str]:
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    gateway_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
    table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0",
                     GatewayId=gateway_id)
    state.add("aws_route_table", f"t_{table_id}", {
        "id": table_id, "vpc_id": vpc_id, "propagating_vgws": [], "tags": {}, "tags_all": {},
        "route": [{"cidr_block": "0.0.0.0/0", "gateway_id": gateway_id}],
    })
    state.add("aws_route", f"r_{table_id}", {
        "id": f"r-{table_id}1080289494", "route_table_id": table_id,
        "destination_cidr_block": "0.0.0.0/0", "gateway_id": gateway_id,
    })
    return str(vpc_id), str(table_id), str(gateway_id)


def test_routes_and_associations_nobody_declares_are_unmanaged_parts(
        moto: MotoServer, clients: Clients) -> None:
    ec2 = clients("ec2")
    state = StateBuilder()
    vpc_id, table_id, gateway_id = _table_with_route(clients, state, "10.160.0.0/16")
    ec2.create_route(RouteTableId=table_id, DestinationCidrBlock="192.168.0.0/16",
                     GatewayId=gateway_id)
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.160.1.0/24")["Subnet"]["SubnetId"]
    ec2.associate_route_table(RouteTableId=table_id, SubnetId=subnet_id)
    # a table nobody manages: its parts are covered by its own unmanaged finding
    other = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=other, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway_id)

    report, _ = _scan(moto.endpoint, state)
    strict, _ = _scan(moto.endpoint, state, strict=True)

    assert _findings(report) == sorted([
        ("unmanaged", "aws_route", f"{table_id}_192.168.0.0/16", ()),
        ("unmanaged", "aws_route_table_association", f"{subnet_id}/{table_id}", ()),
        ("unmanaged", "aws_route_table", other, ()),
    ])
    # the local route is AWS's
    assert ("unmanaged", "aws_route", f"{table_id}_10.160.0.0/16", ()) in _findings(strict)


def test_a_route_changed_by_hand_is_reported_on_the_route_once(moto: MotoServer,
                                                               clients: Clients) -> None:
    ec2 = clients("ec2")
    state = StateBuilder()
    vpc_id, table_id, _ = _table_with_route(clients, state, "10.161.0.0/16")
    other_gateway = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpnGatewayId=other_gateway, VpcId=vpc_id)
    ec2.replace_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0",
                      GatewayId=other_gateway)

    report, _ = _scan(moto.endpoint, state)

    assert _findings(report) == [
        ("changed", "aws_route", f"{table_id}_0.0.0.0/0", ("gateway_id",)),
    ]


# -- network ACLs ----------------------------------------------------------------------------


def test_an_acl_rule_nobody_declares_is_placed_under_its_direction(moto: MotoServer,
                                                                   clients: Clients) -> None:
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.170.0.0/16")["Vpc"]["VpcId"]
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    entry = {"NetworkAclId": acl_id, "RuleAction": "allow", "CidrBlock": "10.0.0.0/8"}
    ec2.create_network_acl_entry(**entry, RuleNumber=100, Protocol="6", Egress=False,
                                 PortRange={"From": 443, "To": 443})
    # ingress rules are resources of their own, egress is inline on the ACL
    state = StateBuilder().add("aws_network_acl", "main", {
        "id": acl_id, "vpc_id": vpc_id, "subnet_ids": [], "tags": {}, "tags_all": {},
        "ingress": [{"action": "allow", "cidr_block": "10.0.0.0/8", "from_port": 443,
                     "to_port": 443, "protocol": "6", "rule_no": 100}],
        "egress": [],
    }).add("aws_network_acl_rule", "https", {
        "id": "nacl-1", "network_acl_id": acl_id, "rule_number": 100, "egress": False,
        "protocol": "tcp", "rule_action": "allow", "cidr_block": "10.0.0.0/8",
        "from_port": 443, "to_port": 443,
    })
    ec2.create_network_acl_entry(**entry, RuleNumber=200, Protocol="6", Egress=False,
                                 PortRange={"From": 22, "To": 22})
    ec2.create_network_acl_entry(**entry, RuleNumber=300, Protocol="-1", Egress=True)

    report, _ = _scan(moto.endpoint, state)

    assert _findings(report) == sorted([
        ("unmanaged", "aws_network_acl_rule", f"{acl_id}:200:6:false", ()),
        ("changed", "aws_network_acl", acl_id, ("egress",)),
    ])


def test_an_adopted_default_acl_s_rules_are_its_own_though_its_code_writes_none(
        moto: MotoServer, clients: Clients, tmp_path: Path) -> None:
    # as for the default group: adoption removed AWS's allow-all rules, so rules back on the
    # ACL are its change, never lost as AWS's own parts of an ACL that left them to parts
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.171.0.0/16")["Vpc"]["VpcId"]
    acl_id = ec2.describe_network_acls(Filters=[
        {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]},
    ])["NetworkAcls"][0]["NetworkAclId"]
    for entry in ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]["Entries"]:
        if entry["RuleNumber"] != 32767:
            ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=entry["RuleNumber"],
                                         Egress=entry["Egress"])
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Protocol="-1",
                                 RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0")
    state = StateBuilder().add("aws_default_network_acl", "default", {
        "id": acl_id, "default_network_acl_id": acl_id, "vpc_id": vpc_id, "subnet_ids": [],
        "ingress": [], "egress": [], "tags": {}, "tags_all": {},
    })
    code = 'resource "aws_default_network_acl" "default" {\n  default_network_acl_id = "x"\n}\n'

    with_code, _ = _scan(moto.endpoint, state, code, tmp_path)
    from_state, _ = _scan(moto.endpoint, state)

    expected = [("changed", "aws_default_network_acl", acl_id, ("ingress",))]
    assert _findings(with_code) == expected
    assert _findings(from_state) == expected


# -- cost ------------------------------------------------------------------------------------

_SHARED_LISTINGS = (
    "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules", "ec2:DescribeRouteTables",
    "ec2:DescribeNetworkAcls", "ec2:DescribeVpcs", "ec2:DescribeSubnets",
    "ec2:DescribeAddresses", "ec2:DescribeNatGateways",
)


def _estate(clients: Clients, state: StateBuilder, first: int, count: int) -> None:
    """``count`` VPCs, each with a group and its rules, a table and its routes and
    association, an ACL and its rules, all managed as separate parts."""
    ec2 = clients("ec2")
    for index in range(first, first + count):
        vpc_id = ec2.create_vpc(CidrBlock=f"10.{index}.0.0/16")["Vpc"]["VpcId"]
        subnet_id = ec2.create_subnet(VpcId=vpc_id,
                                      CidrBlock=f"10.{index}.1.0/24")["Subnet"]["SubnetId"]
        group_id = ec2.create_security_group(GroupName=f"g{index}", Description="g",
                                             VpcId=vpc_id)["GroupId"]
        state.add("aws_security_group", f"g{index}", {"id": group_id, "name": f"g{index}"})
        for port in (22, 80, 443):
            rule_id = ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                 "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
            ])["SecurityGroupRules"][0]["SecurityGroupRuleId"]
            state.add("aws_vpc_security_group_ingress_rule", f"g{index}_{port}", {
                "id": rule_id, "security_group_id": group_id, "ip_protocol": "tcp",
                "from_port": port, "to_port": port, "cidr_ipv4": "10.0.0.0/8"})
        state.add("aws_security_group_rule", f"g{index}_legacy", {
            "id": f"sgrule-{index}", "security_group_id": group_id, "type": "egress",
            "protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]})
        table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
        state.add("aws_route_table", f"t{index}", {"id": table_id, "vpc_id": vpc_id})
        association_id = ec2.associate_route_table(RouteTableId=table_id,
                                                   SubnetId=subnet_id)["AssociationId"]
        state.add("aws_route_table_association", f"t{index}", {
            "id": association_id, "route_table_id": table_id, "subnet_id": subnet_id})
        acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
        state.add("aws_network_acl", f"a{index}", {"id": acl_id, "vpc_id": vpc_id})
        for number in (100, 110):
            ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=number, Protocol="6",
                                         RuleAction="allow", Egress=False,
                                         CidrBlock="10.0.0.0/8",
                                         PortRange={"From": number, "To": number})
            state.add("aws_network_acl_rule", f"a{index}_{number}", {
                "id": f"nacl-{index}{number}", "network_acl_id": acl_id,
                "rule_number": number, "egress": False, "protocol": "6",
                "rule_action": "allow", "cidr_block": "10.0.0.0/8",
                "from_port": number, "to_port": number})


def _ec2_calls(provider: AwsProvider) -> Counter[str]:
    return Counter({op: n for op, n in provider.ctx.calls.items() if op.startswith("ec2:")})


def test_parts_cost_no_call_per_parent_or_part(moto: MotoServer, clients: Clients) -> None:
    state = StateBuilder()
    _estate(clients, state, 20, 2)
    small, small_provider = _scan(moto.endpoint, state)
    _estate(clients, state, 30, 6)
    large, large_provider = _scan(moto.endpoint, state)

    assert small.summary.missing == large.summary.missing == 0
    assert large.summary.managed == 4 * small.summary.managed
    for operation in _SHARED_LISTINGS:
        assert large_provider.ctx.calls[operation] == 1, operation
    # every EC2 call is a listing made once per region, whatever the number of resources
    assert _ec2_calls(large_provider) == _ec2_calls(small_provider)


# -- adopted defaults ------------------------------------------------------------------------


def test_an_adopted_default_is_not_an_unmanaged_default_even_when_strict(
        moto: MotoServer, clients: Clients) -> None:
    ec2 = clients("ec2")
    vpc_id = ec2.describe_vpcs(
        Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    group_id = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]},
    ])["SecurityGroups"][0]["GroupId"]
    subnets = {s["SubnetId"] for s in ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]}
    state = StateBuilder().add("aws_default_vpc", "default", {
        "id": vpc_id, "enable_dns_support": True, "enable_dns_hostnames": True,
        "tags": {}, "tags_all": {},
    }).add("aws_default_security_group", "default", {"id": group_id, "vpc_id": vpc_id})

    report, _ = _scan(moto.endpoint, state)
    strict, _ = _scan(moto.endpoint, state, strict=True)

    def unmanaged(scanned: ScanReport, rtype: str) -> set[str]:
        return {f.id for f in scanned.findings
                if f.kind is FindingKind.UNMANAGED and f.type == rtype}

    # AWS's defaults are no one's drift; with --strict they are, unless a state adopted them
    assert unmanaged(report, "aws_vpc") == unmanaged(report, "aws_subnet") == set()
    assert vpc_id not in unmanaged(strict, "aws_vpc")
    assert group_id not in unmanaged(strict, "aws_security_group")
    assert unmanaged(strict, "aws_subnet") >= subnets
