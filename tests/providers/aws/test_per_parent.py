"""Parts listed one parent at a time (listeners, rules, targets, policy statements, aliases,
services, node groups, mount targets): searched only under managed parents, so an unmanaged
parent costs no call for its parts and its parts are covered by its own finding; a managed part
is compared whatever its parent; describe calls are made for managed resources only, in the
API's batches. moto's server answers, except where it does not answer as AWS does: there the
client's own event hooks answer by request (the per-parent calls run concurrently, so a Stubber's
fixed order would not do)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from cloudrift.engine import Scan, ScanInput
from cloudrift.model import FindingKind, ScanReport
from cloudrift.sources.tfstate import parse_state
from cloudrift.testing import StateBuilder
from cloudrift_aws import AwsProvider
from cloudrift_aws.testing import MotoServer
from tests.providers.aws.cases import ecs, efs, eks, elbv2, lambda_extras
from tests.providers.aws.conftest import REGION, Clients, assert_read_only, make_provider

PARTS = {"aws_lb_listener", "aws_lb_listener_rule", "aws_lb_target_group_attachment",
         "aws_lambda_permission", "aws_lambda_alias", "aws_ecs_service", "aws_eks_node_group",
         "aws_efs_mount_target"}
PARENTS = {"aws_lb", "aws_lb_target_group", "aws_lambda_function", "aws_ecs_cluster",
           "aws_eks_cluster", "aws_efs_file_system"}
PER_PARENT_CALLS = {"elbv2:DescribeListeners", "elbv2:DescribeRules",
                    "elbv2:DescribeTargetHealth", "lambda:GetPolicy",
                    "lambda:ListAliases", "ecs:ListServices", "eks:ListNodegroups",
                    "efs:DescribeMountTargets"}


def _scan(provider: AwsProvider, state: StateBuilder) -> ScanReport:
    parsed = parse_state(json.dumps(state.document()).encode(), "test.tfstate")
    report = Scan(ScanInput([parsed]), {"aws": provider}).run()
    assert_read_only(provider.ctx.operations)
    return report


def _kinds(report: ScanReport, types: set[str]) -> set[tuple[str, FindingKind]]:
    return {(f.type, f.kind) for f in report.findings if f.type in types}


def test_parts_of_unmanaged_parents_cost_nothing_and_are_covered_by_the_parent(
        moto: MotoServer, clients: Clients) -> None:
    rule = elbv2.CASES[4].create(clients)  # a load balancer, target group, listener and rule
    instance = clients("ec2").run_instances(ImageId=elbv2.AMI, InstanceType="t3.micro",
                                            MinCount=1, MaxCount=1)["Instances"][0]
    group = rule["action"][0]["target_group_arn"]
    clients("elbv2").register_targets(TargetGroupArn=group,
                                      Targets=[{"Id": instance["InstanceId"]}])
    lambda_extras.CASES[0].create(clients)  # a function and a statement of its policy
    clients("lambda").create_alias(FunctionName="worker", Name="live", FunctionVersion="1")
    ecs.CASES[2].create(clients)  # a cluster and a service
    eks.CASES[1].create(clients)  # a cluster and a node group
    efs.CASES[1].create(clients)  # a file system and a mount target
    provider = make_provider(moto.endpoint)

    report = _scan(provider, StateBuilder())

    assert _kinds(report, PARTS) == set()
    assert _kinds(report, PARENTS) == {(t, FindingKind.UNMANAGED) for t in PARENTS}
    assert not PER_PARENT_CALLS & set(provider.ctx.calls)
    # the listings the parents need were made (the names above are the counter's)
    assert {"elbv2:DescribeLoadBalancers", "lambda:ListFunctions", "ecs:ListClusters",
            "eks:ListClusters", "efs:DescribeFileSystems"} <= set(provider.ctx.calls)


def test_a_managed_part_of_an_unmanaged_parent_is_still_compared(moto: MotoServer,
                                                                 clients: Clients) -> None:
    listener = elbv2.CASES[3].create(clients)
    state = StateBuilder().add("aws_lb_listener", "web", listener)
    # a rule of a listener deleted since: its parent is gone, so is the rule
    gone = listener["arn"].replace(":listener/", ":listener-rule/") + "0/1234567890abcdef"
    state.add("aws_lb_listener_rule", "gone", {
        "id": gone, "arn": gone, "listener_arn": listener["arn"] + "0", "priority": 5,
        "action": [], "condition": [], "tags": {}, "tags_all": {}})
    provider = make_provider(moto.endpoint)

    report = _scan(provider, state)

    assert _kinds(report, PARTS) == {("aws_lb_listener_rule", FindingKind.MISSING)}
    assert report.summary.in_sync == 1
    # the one load balancer and the two listeners named by the state, nothing else
    assert provider.ctx.calls["elbv2:DescribeListeners"] == 1
    assert provider.ctx.calls["elbv2:DescribeRules"] == 2


def test_services_are_described_for_managed_ones_ten_at_a_time(moto: MotoServer,
                                                                clients: Clients) -> None:
    first = ecs.CASES[2].create(clients)
    state = StateBuilder().add("aws_ecs_service", "s0", first)
    # the cluster is managed: a service of it no state holds is unmanaged
    state.add("aws_ecs_cluster", "apps", {"id": first["cluster"], "arn": first["cluster"],
                                          "name": "apps"})
    for index in range(1, 12):
        name = f"web-{index:02d}"
        service = clients("ecs").create_service(
            cluster="apps", serviceName=name, taskDefinition=first["task_definition"],
            desiredCount=1, launchType="EC2", tags=[{"key": "env", "value": "prod"}],
        )["service"]
        if index < 11:
            state.add("aws_ecs_service", f"s{index}", {
                **first, "id": service["serviceArn"], "name": name})
    provider = make_provider(moto.endpoint)

    report = _scan(provider, state)

    assert sum(1 for f in report.findings if f.type == "aws_ecs_service") == 1
    assert [(f.kind, f.id) for f in report.findings if f.type == "aws_ecs_service"] == [
        (FindingKind.UNMANAGED, "apps/web-11")]
    assert Counter({op: n for op, n in provider.ctx.calls.items() if op.startswith("ecs:")
                    and "Service" in op}) == Counter({"ecs:ListServices": 1,
                                                      "ecs:DescribeServices": 2})


class _Ok:
    status_code = 200


def _answer(client: Any, operation: str, answers: dict[str, dict[str, Any]]) -> list[str]:
    """Answer ``operation`` from ``answers`` by its parameters (as JSON) instead of the
    emulator; returns the parameters asked, in order."""
    asked: list[str] = []
    service = client.meta.service_model.service_id.hyphenize()

    def remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["test:params"] = json.dumps(params, sort_keys=True)

    def respond(context: dict[str, Any], **_: Any) -> tuple[_Ok, dict[str, Any]]:
        asked.append(context["test:params"])
        return _Ok(), answers[context["test:params"]]

    client.meta.events.register(f"before-parameter-build.{service}.{operation}", remember)
    client.meta.events.register(f"before-call.{service}.{operation}", respond)
    return asked


def _statement(sid: str, resource: str, principal: Any, condition: dict[str, Any]
               ) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": "lambda:InvokeFunction",
            "Principal": principal, "Resource": resource, "Condition": condition}


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


def test_permissions_read_as_aws_writes_them(moto: MotoServer) -> None:
    """A statement of an alias's own policy, an account given as its root ARN, condition keys
    in AWS's spelling: moto keeps none of that, AWS does."""
    function = f"arn:aws:lambda:{REGION}:123456789012:function:worker"
    state = StateBuilder()
    state.add("aws_lambda_permission", "account", {
        "id": "AllowAccount", "statement_id": "AllowAccount", "function_name": "worker",
        "qualifier": "live", "action": "lambda:InvokeFunction", "principal": "111122223333",
        "principal_org_id": "o-abcdefghij12", "source_arn": "", "source_account": "",
        "event_source_token": "", "function_url_auth_type": ""})
    state.add("aws_lambda_permission", "bucket", {
        "id": "AllowS3", "statement_id": "AllowS3", "function_name": function, "qualifier": "",
        "action": "lambda:InvokeFunction", "principal": "s3.amazonaws.com",
        "source_arn": "arn:aws:s3:::my-bucket", "source_account": "123456789012",
        "principal_org_id": "", "event_source_token": "", "function_url_auth_type": ""})
    # the function is managed (its own comparison is not this test's: moto has no such function)
    state.add("aws_lambda_function", "worker", {"id": "worker", "function_name": "worker",
                                                "arn": function})
    provider = make_provider(moto.endpoint)
    asked = _answer(provider.ctx.client("lambda", REGION), "GetPolicy", {
        json.dumps({"FunctionName": "worker"}): _policy(
            _statement("AllowS3", function, {"Service": "s3.amazonaws.com"},
                       {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::my-bucket"},
                        "StringEquals": {"AWS:SourceAccount": "123456789012"}}),
            # a statement of a managed function that no state holds: unmanaged
            _statement("AllowEvents", function, {"Service": "events.amazonaws.com"}, {})),
        json.dumps({"FunctionName": "worker", "Qualifier": "live"}): _policy(
            _statement("AllowAccount", f"{function}:live",
                       {"AWS": "arn:aws:iam::111122223333:root"},
                       {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij12"}})),
    })

    report = _scan(provider, state)

    assert sorted(asked) == sorted([json.dumps({"FunctionName": "worker"}),
                                    json.dumps({"FunctionName": "worker", "Qualifier": "live"})])
    assert [(f.kind, f.id) for f in report.findings if f.type == "aws_lambda_permission"] == [
        (FindingKind.UNMANAGED, "worker/AllowEvents")]
    assert report.summary.in_sync == 2
