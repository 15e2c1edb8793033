"""Children and parts of the edge and integration types, against moto's server.

Records of a hosted zone, resources and methods of a REST API, routes of an HTTP API, targets of
a rule, subscriptions and policies of a topic, policies of a queue or a repository: the cloud
has them under a parent. One that no resource declares is an unmanaged finding only under a
managed parent that does not declare it inline; under an unmanaged parent the parent's own
finding covers it, and it is not even listed (one listing per managed parent, not per parent).
"""

from __future__ import annotations

import json
from pathlib import Path

from cloudrift.engine import CodeBinding, Scan, ScanInput
from cloudrift.model import FindingKind, ScanReport, UnmanagedSearch
from cloudrift.sources.files import LocalTree
from cloudrift.sources.hcl import load_hcl
from cloudrift.sources.tfstate import parse_state
from cloudrift.testing import StateBuilder
from cloudrift_aws import AwsProvider
from cloudrift_aws.testing import MotoServer
from tests.providers.aws.cases import apigateway, apigatewayv2, ecr_extras, route53, sns_extras
from tests.providers.aws.cases import events as events_cases
from tests.providers.aws.conftest import Clients, assert_read_only, make_provider

Finding = tuple[str, str, str]


def _scan(moto: MotoServer, state: StateBuilder, *, hcl: str | None = None,
          tmp_path: Path | None = None, strict: bool = False,
          unmanaged: UnmanagedSearch = "listings") -> tuple[ScanReport, AwsProvider]:
    document = parse_state(json.dumps(state.document()).encode(), "test.tfstate")
    scan_input = ScanInput([document], origins=[0])
    if hcl is not None:
        assert tmp_path is not None
        (tmp_path / "main.tf").write_text(hcl)
        scan_input.code = [CodeBinding(load_hcl(LocalTree(str(tmp_path)), ""), None)]
    provider = make_provider(moto.endpoint, strict=strict, unmanaged=unmanaged)
    report = Scan(scan_input, {"aws": provider}, strict=strict, unmanaged=unmanaged).run()
    assert_read_only(provider.ctx.operations)
    return report, provider


def _findings(report: ScanReport, *types: str) -> list[Finding]:
    return sorted((f.kind.value, f.type, f.id) for f in report.findings if f.type in types)


# -- Route 53 -------------------------------------------------------------------------------


def test_records_of_a_managed_zone_that_no_resource_declares_are_unmanaged(
        moto: MotoServer, clients: Clients) -> None:
    zone_id, servers = route53.make_zone(clients, "example.com")
    route53.put_record(clients, zone_id, "www.example.com", "A", 300, ["192.0.2.10"])
    route53.put_record(clients, zone_id, "api.example.com", "A", 300, ["192.0.2.20"])
    # a zone nobody manages, with a record: the zone's own finding covers the record
    other, _ = route53.make_zone(clients, "example.org")
    route53.put_record(clients, other, "www.example.org", "A", 300, ["192.0.2.30"])
    state = (StateBuilder()
             .add("aws_route53_zone", "main", route53.zone_state(zone_id, "example.com",
                                                                 servers))
             .add("aws_route53_record", "www", route53.record_state(
                 zone_id, "www", "www.example.com", "A", 300, ["192.0.2.10"])))

    report, provider = _scan(moto, state)

    # the apex SOA and NS records Route 53 wrote itself are default parts
    assert _findings(report, "aws_route53_record", "aws_route53_zone") == [
        ("unmanaged", "aws_route53_record", f"{zone_id}_api.example.com_A"),
        ("unmanaged", "aws_route53_zone", other),
    ]
    # one listing of records, for the one managed zone
    assert provider.ctx.calls["route53:ListResourceRecordSets"] == 1

    strict, _ = _scan(moto, state, strict=True)
    assert {f.id for f in strict.findings if f.type == "aws_route53_record"} == {
        f"{zone_id}_api.example.com_A", f"{zone_id}_example.com_NS", f"{zone_id}_example.com_SOA"}


# -- API Gateway ----------------------------------------------------------------------------


def _rest_api_state(clients: Clients) -> tuple[StateBuilder, str, str, str]:
    attrs = apigateway._create_api(clients)
    api_id, root = attrs["id"], attrs["root_resource_id"]
    resource_id = apigateway.make_resource(clients, api_id, root)
    apigateway.put_method(clients, api_id, resource_id)
    deployment_id = apigateway.make_deployment(clients, api_id, root)
    clients("apigateway").create_stage(restApiId=api_id, stageName="prod",
                                       deploymentId=deployment_id)
    state = StateBuilder().add("aws_api_gateway_rest_api", "shop", attrs)
    return state, api_id, root, resource_id


_REST_CHILDREN = ("aws_api_gateway_resource", "aws_api_gateway_method",
                  "aws_api_gateway_stage", "aws_api_gateway_deployment")


def test_without_code_a_rest_api_s_resources_and_methods_are_its_body_s(
        moto: MotoServer, clients: Clients) -> None:
    state, api_id, _, _ = _rest_api_state(clients)
    report, provider = _scan(moto, state, unmanaged="all")
    # no managed resource or method: the API defines them itself (an OpenAPI body), as far
    # as the state can tell; its stage and deployment are unmanaged parts all the same
    deployment = clients("apigateway").get_deployments(restApiId=api_id)["items"][0]["id"]
    assert _findings(report, *_REST_CHILDREN) == [
        ("unmanaged", "aws_api_gateway_deployment", f"{api_id}/{deployment}"),
        ("unmanaged", "aws_api_gateway_stage", f"{api_id}/prod"),
    ]
    # resources and methods come from one listing per API
    assert provider.ctx.calls["apigateway:GetResources"] == 1


def test_code_without_a_body_leaves_a_rest_api_s_methods_to_resources(
        moto: MotoServer, clients: Clients, tmp_path: Path) -> None:
    state, api_id, root, resource_id = _rest_api_state(clients)
    hcl = 'resource "aws_api_gateway_rest_api" "shop" {\n  name = "shop"\n}\n'
    report, _ = _scan(moto, state, hcl=hcl, tmp_path=tmp_path, unmanaged="all")
    found = _findings(report, "aws_api_gateway_resource", "aws_api_gateway_method")
    # the root resource "/" comes with the API: a default part; its GET method does not
    assert found == sorted([
        ("unmanaged", "aws_api_gateway_method", f"{api_id}/{root}/GET"),
        ("unmanaged", "aws_api_gateway_method", f"{api_id}/{resource_id}/GET"),
        ("unmanaged", "aws_api_gateway_resource", f"{api_id}/{resource_id}"),
    ])


def test_children_of_an_unmanaged_rest_api_are_neither_listed_nor_reported(
        moto: MotoServer, clients: Clients) -> None:
    _, api_id, _, _ = _rest_api_state(clients)
    report, provider = _scan(moto, StateBuilder())
    assert _findings(report, "aws_api_gateway_rest_api", *_REST_CHILDREN) == [
        ("unmanaged", "aws_api_gateway_rest_api", api_id)]
    assert provider.ctx.calls["apigateway:GetResources"] == 0


def test_routes_and_integrations_beside_managed_ones_are_unmanaged(
        moto: MotoServer, clients: Clients) -> None:
    route = apigatewayv2._create_route(clients)
    api_id = route["api_id"]
    api = {**apigatewayv2._create_api(clients), "id": api_id}
    extra = clients("apigatewayv2").create_route(ApiId=api_id, RouteKey="POST /orders",
                                                 AuthorizationType="NONE")["RouteId"]
    state = (StateBuilder().add("aws_apigatewayv2_api", "chat", api)
             .add("aws_apigatewayv2_route", "list", route))
    report, _ = _scan(moto, state, unmanaged="all")
    integration = route["target"].removeprefix("integrations/")
    assert _findings(report, "aws_apigatewayv2_route", "aws_apigatewayv2_integration") == [
        ("unmanaged", "aws_apigatewayv2_integration", f"{api_id}/{integration}"),
        ("unmanaged", "aws_apigatewayv2_route", f"{api_id}/{extra}"),
    ]
    # by default (listings) routes are searched, as a state manages one; integrations, which
    # none does and which are listed one API at a time, are not
    report, provider = _scan(moto, state)
    assert _findings(report, "aws_apigatewayv2_route", "aws_apigatewayv2_integration") == [
        ("unmanaged", "aws_apigatewayv2_route", f"{api_id}/{extra}"),
    ]
    assert provider.ctx.calls["apigatewayv2:GetIntegrations"] == 0


# -- EventBridge ----------------------------------------------------------------------------


def test_a_target_of_a_managed_rule_no_resource_declares_is_unmanaged(
        moto: MotoServer, clients: Clients) -> None:
    target = events_cases._create_target(clients)
    clients("events").put_targets(Rule="nightly", Targets=[
        {"Id": "audit", "Arn": "arn:aws:sns:us-east-1:123456789012:audit"}])
    rule = {"id": "nightly", "name": "nightly", "event_bus_name": "default",
            "schedule_expression": "rate(1 day)", "state": "ENABLED", "description": "",
            "event_pattern": "", "role_arn": "", "tags": {}, "tags_all": {}}
    state = (StateBuilder().add("aws_cloudwatch_event_rule", "nightly", rule)
             .add("aws_cloudwatch_event_target", "queue", target))
    report, _ = _scan(moto, state)
    assert _findings(report, "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target") == [
        ("unmanaged", "aws_cloudwatch_event_target", "default/nightly/audit")]


def test_targets_of_an_unmanaged_rule_are_covered_by_the_rule(
        moto: MotoServer, clients: Clients) -> None:
    events_cases._create_target(clients)
    report, provider = _scan(moto, StateBuilder())
    assert _findings(report, "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target") == [
        ("unmanaged", "aws_cloudwatch_event_rule", "nightly")]
    assert provider.ctx.calls["events:ListTargetsByRule"] == 0


# -- SNS --------------------------------------------------------------------------------------


def _topic_state(topic: str, policy: str = "") -> dict[str, object]:
    return {"id": topic, "arn": topic, "name": topic.rsplit(":", 1)[-1], "policy": policy,
            "display_name": "", "delivery_policy": "", "kms_master_key_id": "",
            "fifo_topic": False, "content_based_deduplication": False, "tags": {},
            "tags_all": {}}


def test_a_managed_topic_s_subscriptions_and_default_policy(
        moto: MotoServer, clients: Clients) -> None:
    topic = sns_extras.make_topic(clients)
    queue = sns_extras.make_queue(clients)
    subscription = sns_extras.subscribe(clients, topic, queue)
    state = StateBuilder().add("aws_sns_topic", "events", _topic_state(topic))
    report, _ = _scan(moto, state)
    # the policy SNS wrote for the topic is a default part, never unmanaged
    assert _findings(report, "aws_sns_topic_subscription", "aws_sns_topic_policy") == [
        ("unmanaged", "aws_sns_topic_subscription", subscription)]


def test_a_topic_policy_the_code_leaves_to_a_resource_is_unmanaged(
        moto: MotoServer, clients: Clients, tmp_path: Path) -> None:
    topic = sns_extras.make_topic(clients)
    sns_extras.set_topic_policy(clients, topic, sns_extras.topic_policy(topic))
    state = StateBuilder().add("aws_sns_topic", "events", _topic_state(topic))
    hcl = 'resource "aws_sns_topic" "events" {\n  name = "events"\n}\n'
    report, _ = _scan(moto, state, hcl=hcl, tmp_path=tmp_path)
    assert _findings(report, "aws_sns_topic", "aws_sns_topic_policy") == [
        ("unmanaged", "aws_sns_topic_policy", topic)]
    # written inline, the same policy is the topic's change
    inline = ('resource "aws_sns_topic" "events" {\n  name = "events"\n'
              '  policy = "{}"\n}\n')
    report, _ = _scan(moto, state, hcl=inline, tmp_path=tmp_path)
    assert _findings(report, "aws_sns_topic", "aws_sns_topic_policy") == [
        ("changed", "aws_sns_topic", topic)]


def test_a_topic_policy_s_drift_is_reported_once_on_the_policy(
        moto: MotoServer, clients: Clients) -> None:
    policy = sns_extras._create_policy(clients)
    topic = policy["arn"]
    sns_extras._change_policy(clients, policy)
    # the topic's computed policy still holds the old document
    state = (StateBuilder().add("aws_sns_topic", "events", _topic_state(topic,
                                                                        policy["policy"]))
             .add("aws_sns_topic_policy", "events", policy))
    report, _ = _scan(moto, state)
    assert _findings(report, "aws_sns_topic", "aws_sns_topic_policy") == [
        ("changed", "aws_sns_topic_policy", topic)]


# -- SQS --------------------------------------------------------------------------------------


def test_a_queue_s_policies_report_their_drift_and_the_queue_does_not(
        moto: MotoServer, clients: Clients) -> None:
    sqs = clients("sqs")
    dead_letter = sqs.create_queue(QueueName="orders-dlq")["QueueUrl"]
    dead_letter_arn = "arn:aws:sqs:us-east-1:123456789012:orders-dlq"
    arn = "arn:aws:sqs:us-east-1:123456789012:orders"
    policy = json.dumps(sns_extras.topic_policy(arn))
    url = sqs.create_queue(QueueName="orders", Attributes={
        "Policy": policy, "RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": 4})})["QueueUrl"]
    queue = {"id": url, "url": url, "name": "orders", "arn": arn,
             "visibility_timeout_seconds": 30, "message_retention_seconds": 345600,
             "max_message_size": 1048576, "delay_seconds": 0, "receive_wait_time_seconds": 0,
             "fifo_queue": False, "content_based_deduplication": False, "policy": policy,
             "redrive_policy": json.dumps({"deadLetterTargetArn": dead_letter_arn,
                                           "maxReceiveCount": 4}),
             "kms_master_key_id": "", "tags": {}, "tags_all": {}}
    state = (StateBuilder().add("aws_sqs_queue", "orders", queue)
             .add("aws_sqs_queue_policy", "orders",
                  {"id": url, "queue_url": url, "policy": policy})
             .add("aws_sqs_queue_redrive_policy", "orders",
                  {"id": url, "queue_url": url, "redrive_policy": queue["redrive_policy"]}))
    # both documents changed behind Terraform's back (moto needs the policy sent again)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={
        "Policy": json.dumps(sns_extras.topic_policy(arn, "s3.amazonaws.com")),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_letter_arn,
                                     "maxReceiveCount": 9})})
    report, _ = _scan(moto, state)
    assert _findings(report, "aws_sqs_queue", "aws_sqs_queue_policy",
                     "aws_sqs_queue_redrive_policy") == [
        ("changed", "aws_sqs_queue_policy", url),
        ("changed", "aws_sqs_queue_redrive_policy", url),
        ("unmanaged", "aws_sqs_queue", dead_letter),
    ]


# -- ECR --------------------------------------------------------------------------------------


def test_a_managed_repository_s_policies_no_resource_declares_are_unmanaged(
        moto: MotoServer, clients: Clients) -> None:
    ecr = clients("ecr")
    for name in ("app", "other"):
        ecr_extras.make_repository(clients, name)
        ecr.set_repository_policy(repositoryName=name,
                                  policyText=json.dumps(ecr_extras.pull_policy()))
        ecr.put_lifecycle_policy(repositoryName=name,
                                 lifecyclePolicyText=json.dumps(ecr_extras.lifecycle(30)))
    repository = {"id": "app", "name": "app", "image_tag_mutability": "MUTABLE",
                  "image_scanning_configuration": [{"scan_on_push": False}],
                  "encryption_configuration": [{"encryption_type": "AES256", "kms_key": ""}],
                  "tags": {}, "tags_all": {}}
    state = StateBuilder().add("aws_ecr_repository", "app", repository)
    report, provider = _scan(moto, state, unmanaged="all")
    assert _findings(report, "aws_ecr_repository", "aws_ecr_repository_policy",
                     "aws_ecr_lifecycle_policy") == [
        ("unmanaged", "aws_ecr_lifecycle_policy", "app"),
        ("unmanaged", "aws_ecr_repository", "other"),
        ("unmanaged", "aws_ecr_repository_policy", "app"),
    ]
    # one listing of repositories for the three types; policies asked of the managed one only
    assert provider.ctx.calls["ecr:DescribeRepositories"] == 1
    assert provider.ctx.calls["ecr:GetRepositoryPolicy"] == 1
    # by default (listings) policy types no state uses are not asked for at all
    report, provider = _scan(moto, state)
    assert _findings(report, "aws_ecr_repository", "aws_ecr_repository_policy",
                     "aws_ecr_lifecycle_policy") == [("unmanaged", "aws_ecr_repository", "other")]
    assert provider.ctx.calls["ecr:GetRepositoryPolicy"] == 0
    assert provider.ctx.calls["ecr:GetLifecyclePolicy"] == 0


def test_missing_is_missing_whatever_the_parent(moto: MotoServer, clients: Clients) -> None:
    # a managed record whose zone was deleted: missing, not an error
    attrs = route53._create_record(clients)
    route53._delete_record(clients, attrs)
    route53._delete_zone(clients, {"id": attrs["zone_id"]})
    report, _ = _scan(moto, StateBuilder().add("aws_route53_record", "www", attrs))
    assert [(f.kind, f.type) for f in report.findings] == [
        (FindingKind.MISSING, "aws_route53_record")]
    assert not [w for w in report.warnings if w.type == "aws_route53_record"]


def test_a_shared_secret_header_is_compared_never_printed(
        moto: MotoServer, clients: Clients) -> None:
    from tests.providers.aws.cases import cloudfront

    attrs = cloudfront._create_distribution(clients)
    client = clients("cloudfront")
    current = client.get_distribution_config(Id=attrs["id"])
    config = current["DistributionConfig"]
    [api] = [o for o in config["Origins"]["Items"] if o["Id"] == "api"]
    api["CustomHeaders"]["Items"][0]["HeaderValue"] = "rotated-by-hand-s3cr3t"
    client.update_distribution(Id=attrs["id"], IfMatch=current["ETag"],
                               DistributionConfig=config)
    report, _ = _scan(moto, StateBuilder().add("aws_cloudfront_distribution", "site", attrs))
    [finding] = [f for f in report.findings if f.type == "aws_cloudfront_distribution"]
    assert [c.path for c in finding.changes] == ["origin"]
    rendered = report.model_dump_json()
    assert "rotated-by-hand-s3cr3t" not in rendered
    assert '"cloudfront"' not in rendered  # the old value either


def test_without_managed_parents_the_child_types_make_no_call(
        moto: MotoServer, clients: Clients) -> None:
    # one unmanaged parent of each kind, each with a child
    route53._create_record(clients)
    events_cases._create_target(clients)
    sns_extras._create_policy(clients)
    ecr_extras._create_policy(clients)
    clients("sqs").create_queue(QueueName="orders", Attributes={"Policy": json.dumps(
        sns_extras.topic_policy("arn:aws:sqs:us-east-1:123456789012:orders"))})
    apigatewayv2._create_route(clients)
    report, provider = _scan(moto, StateBuilder())
    per_parent = ("route53:ListResourceRecordSets", "events:ListTargetsByRule",
                  "sns:GetTopicAttributes", "sqs:GetQueueAttributes", "ecr:GetRepositoryPolicy",
                  "ecr:GetLifecyclePolicy", "apigatewayv2:GetRoutes",
                  "apigatewayv2:GetIntegrations", "apigatewayv2:GetStages")
    assert {call: provider.ctx.calls[call] for call in per_parent} == dict.fromkeys(per_parent, 0)
    # the parents' own findings cover their children
    assert {f.type for f in report.findings if f.kind is FindingKind.UNMANAGED} >= {
        "aws_route53_zone", "aws_cloudwatch_event_rule", "aws_sns_topic", "aws_ecr_repository",
        "aws_sqs_queue", "aws_apigatewayv2_api"}


def test_a_parent_and_its_parts_share_one_attributes_read(
        moto: MotoServer, clients: Clients) -> None:
    # a managed topic and its managed policy; a managed queue and its managed policy
    policy = sns_extras._create_policy(clients)
    topic = str(policy["arn"])
    queue = clients("sqs").create_queue(QueueName="orders", Attributes={
        "Policy": json.dumps(sns_extras.topic_policy("arn:aws:sqs:us-east-1:123456789012:orders"))
    })["QueueUrl"]
    state = (StateBuilder()
             .add("aws_sns_topic", "events", _topic_state(topic, str(policy["policy"])))
             .add("aws_sns_topic_policy", "events", policy)
             .add("aws_sqs_queue", "orders", {"id": queue, "url": queue, "name": "orders"})
             .add("aws_sqs_queue_policy", "orders", {"id": queue, "queue_url": queue}))
    report, provider = _scan(moto, state)
    # the topic's detail read answers its policy too, and the queue's its policy
    assert provider.ctx.calls["sns:GetTopicAttributes"] == 1
    assert provider.ctx.calls["sqs:GetQueueAttributes"] == 1
    # and both policies were found in those answers: neither is missing
    assert not [f for f in report.findings if f.kind is FindingKind.MISSING]
