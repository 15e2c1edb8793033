"""The bulk listings: IAM from one GetAccountAuthorizationDetails, tags from the tagging API.

A scan must make the same number of IAM calls whatever the number of roles, and no tag call per
resource while the tagging API agrees with the state; whatever it saves, it must report the same
drift. moto never pages GetAccountAuthorizationDetails, so paging is proven with botocore's
Stubber; where the tagging API is stubbed, every other call still goes to moto's server.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from cloudrift.engine import Scan, ScanInput
from cloudrift.model import FindingKind, ScanReport
from cloudrift.sources.tfstate import parse_state
from cloudrift.testing import StateBuilder
from cloudrift_aws import AwsProvider
from cloudrift_aws.session import AwsContext
from cloudrift_aws.testing import MotoServer
from cloudrift_aws.testing_emulator import aws_faithful, moto_application, serve
from cloudrift_aws.types import SPECS
from cloudrift_aws.types.bulk import tagged_services
from tests.providers.aws.cases import ecr as ecr_cases
from tests.providers.aws.conftest import REGION, Clients, assert_read_only, make_provider

ACCOUNT = "123456789012"
TAGGING = "resourcegroupstaggingapi:GetResources"
TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}, separators=(",", ":"))


def _document(action: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
    }, separators=(",", ":"))


def _scan(endpoint: str, state: StateBuilder,
          provider: AwsProvider | None = None) -> tuple[ScanReport, AwsProvider]:
    provider = provider or make_provider(endpoint)
    parsed = parse_state(json.dumps(state.document()).encode(), "test.tfstate")
    report = Scan(ScanInput([parsed]), {"aws": provider}).run()
    assert_read_only(provider.ctx.operations)
    return report, provider


def _service_calls(provider: AwsProvider, service: str) -> Counter[str]:
    return Counter({op: n for op, n in provider.ctx.calls.items()
                    if op.startswith(f"{service}:")})


def _changed(report: ScanReport) -> dict[str, set[str]]:
    return {f.address or "": {c.path for c in f.changes}
            for f in report.findings if f.kind == FindingKind.CHANGED}


# -- IAM ------------------------------------------------------------------------------------


def _role_with_policies(clients: Clients, state: StateBuilder, name: str,
                        policy_arn: str) -> None:
    iam = clients("iam")
    role = iam.create_role(RoleName=name, Path="/", AssumeRolePolicyDocument=TRUST,
                           Description=f"{name} role", MaxSessionDuration=3600,
                           Tags=[{"Key": "team", "Value": "core"}])["Role"]
    iam.put_role_policy(RoleName=name, PolicyName="queues", PolicyDocument=_document("sqs:*"))
    iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    state.add("aws_iam_role", name, {
        "id": name, "name": name, "arn": role["Arn"], "assume_role_policy": TRUST,
        "description": f"{name} role", "path": "/", "max_session_duration": 3600,
        "permissions_boundary": "", "tags": {"team": "core"}, "tags_all": {"team": "core"},
    })
    state.add("aws_iam_role_policy", f"{name}_queues", {
        "id": f"{name}:queues", "name": "queues", "role": name, "policy": _document("sqs:*"),
    })
    state.add("aws_iam_role_policy_attachment", f"{name}_read", {
        "id": f"{name}-20261124000000000000000001", "role": name, "policy_arn": policy_arn,
    })


@pytest.mark.parametrize("roles", [3, 12])
def test_iam_calls_do_not_grow_with_the_roles(roles: int, moto: MotoServer,
                                              clients: Clients) -> None:
    policy_arn = clients("iam").create_policy(
        PolicyName="read", PolicyDocument=_document("s3:GetObject"))["Policy"]["Arn"]
    state = StateBuilder()
    for index in range(roles):
        _role_with_policies(clients, state, f"app-{index:02d}", policy_arn)

    report, provider = _scan(moto.endpoint, state)

    assert report.summary.managed == 3 * roles
    assert report.summary.in_sync == 3 * roles
    # one listing of the authorization details and one of the roles (their descriptions and
    # session durations), however many roles, inline policies and attachments there are; the
    # IAM types the details leave out list once each
    assert _service_calls(provider, "iam") == Counter({
        "iam:GetAccountAuthorizationDetails": 1, "iam:ListRoles": 1,
        "iam:ListInstanceProfiles": 1, "iam:ListOpenIDConnectProviders": 1,
    })


def test_inline_and_attached_policies_come_from_the_listing(moto: MotoServer,
                                                            clients: Clients) -> None:
    iam = clients("iam")
    read, write = (
        iam.create_policy(PolicyName=name, PolicyDocument=_document(action))["Policy"]["Arn"]
        for name, action in (("read", "s3:GetObject"), ("write", "s3:PutObject"))
    )
    state = StateBuilder()
    _role_with_policies(clients, state, "worker", read)
    # a second inline policy and a second attachment the state does not hold: not reported
    iam.put_role_policy(RoleName="worker", PolicyName="logs", PolicyDocument=_document("logs:*"))
    iam.attach_role_policy(RoleName="worker", PolicyArn=write)
    # the managed inline policy changed by hand; a managed attachment detached by hand
    iam.put_role_policy(RoleName="worker", PolicyName="queues",
                        PolicyDocument=_document("sqs:SendMessage"))
    state.add("aws_iam_role_policy_attachment", "gone", {
        "id": "worker-20261124000000000000000002", "role": "worker",
        "policy_arn": f"arn:aws:iam::{ACCOUNT}:policy/detached",
    })

    report, provider = _scan(moto.endpoint, state)

    assert _changed(report) == {"aws_iam_role_policy.worker_queues": {"policy"}}
    assert [(f.type, f.id) for f in report.findings if f.kind == FindingKind.MISSING] == [
        ("aws_iam_role_policy_attachment", f"worker/arn:aws:iam::{ACCOUNT}:policy/detached"),
    ]
    assert set(_service_calls(provider, "iam")) == {
        "iam:GetAccountAuthorizationDetails", "iam:ListRoles", "iam:ListInstanceProfiles",
        "iam:ListOpenIDConnectProviders",
    }


def test_users_and_policies_come_from_the_listing(moto: MotoServer, clients: Clients) -> None:
    iam = clients("iam")
    state = StateBuilder()
    for index in range(4):
        user = iam.create_user(UserName=f"bot-{index}", Path="/bots/",
                               Tags=[{"Key": "team", "Value": "core"}])["User"]
        state.add("aws_iam_user", f"bot_{index}", {
            "id": f"bot-{index}", "name": f"bot-{index}", "arn": user["Arn"], "path": "/bots/",
            "permissions_boundary": "", "tags": {"team": "core"},
            "tags_all": {"team": "core"},
        })
    policy = iam.create_policy(PolicyName="read", Path="/app/", Description="reads",
                               PolicyDocument=_document("s3:GetObject"))["Policy"]
    # the document the state holds is no longer the default version
    iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=_document("s3:*"),
                              SetAsDefault=True)
    state.add("aws_iam_policy", "read", {
        "id": policy["Arn"], "arn": policy["Arn"], "name": "read", "path": "/app/",
        "description": "reads", "policy": _document("s3:GetObject"), "tags": {},
        "tags_all": {},
    })
    iam.tag_user(UserName="bot-2", Tags=[{"Key": "team", "Value": "ops"}])

    report, provider = _scan(moto.endpoint, state)

    assert _changed(report) == {"aws_iam_user.bot_2": {"tags.team"},
                                "aws_iam_policy.read": {"policy"}}
    # a policy's tags are the one thing the listing leaves out: one GetPolicy for the policy;
    # a user's access keys are not in it at all, and IAM lists them per user only: no state
    # manages an access key, so the default search (listings) asks for none
    assert _service_calls(provider, "iam") == Counter({
        "iam:GetAccountAuthorizationDetails": 1, "iam:ListRoles": 1, "iam:GetPolicy": 1,
        "iam:ListInstanceProfiles": 1, "iam:ListOpenIDConnectProviders": 1,
    })


def _details_page(*, users: Sequence[str] = (), roles: Sequence[str] = (),
                  policies: Sequence[str] = (), marker: str | None = None) -> dict[str, Any]:
    page: dict[str, Any] = {
        "UserDetailList": [
            {"UserName": u, "Path": "/", "Tags": [{"Key": "n", "Value": u}]} for u in users
        ],
        "RoleDetailList": [
            {"RoleName": r, "Path": "/", "Tags": [{"Key": "n", "Value": r}],
             "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": _document("s3:*")}],
             "AttachedManagedPolicies": [
                 {"PolicyName": "p", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/p"}]}
            for r in roles
        ],
        "Policies": [
            {"PolicyName": p, "Arn": f"arn:aws:iam::{ACCOUNT}:policy/{p}", "Path": "/",
             "DefaultVersionId": "v2",
             "PolicyVersionList": [
                 {"VersionId": "v1", "IsDefaultVersion": False, "Document": _document("a:b")},
                 {"VersionId": "v2", "IsDefaultVersion": True, "Document": _document("c:d")},
             ]}
            for p in policies
        ],
        "IsTruncated": marker is not None,
    }
    if marker is not None:
        page["Marker"] = marker
    return page


def _enumerate(ctx: AwsContext, rtype: str) -> list[dict[str, Any]]:
    enumerate_ = SPECS[rtype].enumerate
    assert enumerate_ is not None
    return enumerate_(ctx, REGION, [])


def test_authorization_details_are_read_across_pages() -> None:
    ctx = AwsContext(boto3.session.Session(region_name=REGION))
    stub = Stubber(ctx.client("iam", REGION))
    params: dict[str, Any] = {"Filter": ["User", "Group", "Role", "LocalManagedPolicy"],
                              "MaxItems": 1000}
    stub.add_response("get_account_authorization_details",
                      _details_page(users=["u1"], roles=["r1"], marker="m1"), params)
    stub.add_response("get_account_authorization_details",
                      _details_page(roles=["r2"], policies=["p1"], marker="m2"),
                      {**params, "Marker": "m1"})
    stub.add_response("get_account_authorization_details",
                      _details_page(users=["u2"], policies=["p2"]), {**params, "Marker": "m2"})
    stub.add_response("list_roles", {"Roles": [
        {"RoleName": r, "Path": "/", "RoleId": f"AROA{r.upper()}0000000000000",
         "Arn": f"arn:aws:iam::{ACCOUNT}:role/{r}", "Description": f"{r} role",
         "CreateDate": datetime(2026, 1, 1, tzinfo=timezone.utc)}
        for r in ("r1", "r2", "r3")
    ]}, {"MaxItems": 1000})

    with stub:
        users, roles, policies = (
            _enumerate(ctx, t) for t in ("aws_iam_user", "aws_iam_role", "aws_iam_policy")
        )
    stub.assert_no_pending_responses()

    assert [u["UserName"] for u in users] == ["u1", "u2"]
    assert [p["PolicyName"] for p in policies] == ["p1", "p2"]
    # the default version's document, not the first one's (botocore has parsed it)
    assert [p["Document"] for p in policies] == [json.loads(_document("c:d"))] * 2
    role_spec = SPECS["aws_iam_role"]
    tags = {r["RoleName"]: role_spec.actual_attributes(r).get("tags") for r in roles}
    # r3 came between the two listings: its tags are unknown, not "none"
    assert tags == {"r1": {"n": "r1"}, "r2": {"n": "r2"}, "r3": None}
    assert "tags" not in role_spec.actual_attributes(roles[2])
    # three pages, one listing for all three types
    assert ctx.calls["iam:GetAccountAuthorizationDetails"] == 3


# -- tags -----------------------------------------------------------------------------------


def _topic(clients: Clients, state: StateBuilder, name: str, tags: dict[str, str]) -> str:
    sns = clients("sns")
    arn = sns.create_topic(
        Name=name, Tags=[{"Key": k, "Value": v} for k, v in tags.items()]
    )["TopicArn"]
    # the provider records the default policy SNS gives every topic
    policy = sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"]
    state.add("aws_sns_topic", name, {
        "id": arn, "arn": arn, "name": name, "display_name": "", "policy": policy,
        "delivery_policy": "", "kms_master_key_id": "", "fifo_topic": False,
        "content_based_deduplication": False, "tags": tags, "tags_all": tags,
    })
    return str(arn)


def _log_group(clients: Clients, state: StateBuilder, name: str, tags: dict[str, str]) -> str:
    logs = clients("logs")
    if tags:
        logs.create_log_group(logGroupName=name, tags=tags)
    else:
        logs.create_log_group(logGroupName=name)
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}"
    state.add("aws_cloudwatch_log_group", name.strip("/").replace("/", "_"), {
        "id": name, "name": name, "arn": arn, "retention_in_days": 0, "kms_key_id": "",
        "log_group_class": "", "tags": tags, "tags_all": tags,
    })
    return arn


_PER_RESOURCE_TAG_CALLS = frozenset({
    "sns:ListTagsForResource", "logs:ListTagsForResource", "logs:ListTagsLogGroup",
    "kms:ListResourceTags", "sqs:ListQueueTags", "lambda:ListTags",
    "dynamodb:ListTagsOfResource", "s3:GetBucketTagging",
})


def _tag_calls(provider: AwsProvider) -> Counter[str]:
    return Counter({op: n for op, n in provider.ctx.calls.items()
                    if op in _PER_RESOURCE_TAG_CALLS})


def test_tags_in_sync_need_no_call_per_resource(moto: MotoServer, clients: Clients) -> None:
    state = StateBuilder()
    for index in range(60):
        _log_group(clients, state, f"/app/{index:02d}", {"team": "core", "n": str(index)})
    for index in range(5):
        _topic(clients, state, f"topic-{index}", {"team": "core"})
    # untagged, so absent from the tagging API's listing: that means "no tags"
    _topic(clients, state, "bare", {})
    _log_group(clients, state, "/app/bare", {})

    report, provider = _scan(moto.endpoint, state)

    assert report.summary.managed == 67
    assert report.summary.in_sync == 67
    assert _tag_calls(provider) == Counter()
    # moto pages GetResources (50 resources or 100 tags a page): every page was read, once
    # for both types
    assert provider.ctx.calls[TAGGING] >= 2
    assert provider.ctx.calls[TAGGING] == (
        provider.ctx.operations.count(TAGGING)
    )


def test_tags_changed_by_hand_are_confirmed_and_reported(moto: MotoServer,
                                                         clients: Clients) -> None:
    state = StateBuilder()
    tagged = _topic(clients, state, "tagged", {"team": "core"})
    bare = _topic(clients, state, "bare", {})
    group = _log_group(clients, state, "/app/untagged-by-hand", {"team": "core"})
    _topic(clients, state, "quiet", {"team": "core"})
    sns = clients("sns")
    sns.tag_resource(ResourceArn=tagged, Tags=[{"Key": "team", "Value": "ops"}])
    sns.tag_resource(ResourceArn=bare, Tags=[{"Key": "owner", "Value": "someone"}])
    # every tag removed: moto then leaves the group out of the listing altogether
    clients("logs").untag_resource(resourceArn=group, tagKeys=["team"])

    report, provider = _scan(moto.endpoint, state)

    assert _changed(report) == {
        "aws_sns_topic.tagged": {"tags.team"},
        "aws_sns_topic.bare": {"tags.owner"},
        "aws_cloudwatch_log_group.app_untagged-by-hand": {"tags.team"},
    }
    # only the three that disagree with the listing were asked again
    assert _tag_calls(provider) == Counter({
        "sns:ListTagsForResource": 2, "logs:ListTagsForResource": 1,
    })


def _stub_tagging(provider: AwsProvider) -> Stubber:
    return Stubber(provider.ctx.client("resourcegroupstaggingapi", REGION))


def test_a_lagging_tagging_api_makes_no_drift_up(moto: MotoServer, clients: Clients) -> None:
    state = StateBuilder()
    arn = _topic(clients, state, "alerts", {"team": "core"})
    provider = make_provider(moto.endpoint)
    stub = _stub_tagging(provider)
    # the index still has the tags from before the last apply
    stub.add_response("get_resources", {"ResourceTagMappingList": [
        {"ResourceARN": arn, "Tags": [{"Key": "team", "Value": "old"}]},
    ]})

    with stub:
        report, _ = _scan(moto.endpoint, state, provider)

    assert report.summary.in_sync == 1
    assert _tag_calls(provider) == Counter({"sns:ListTagsForResource": 1})


def test_without_the_tagging_api_every_managed_resource_is_asked(moto: MotoServer,
                                                                 clients: Clients) -> None:
    state = StateBuilder()
    for index in range(3):
        _topic(clients, state, f"topic-{index}", {"team": "core"})
    changed = _log_group(clients, state, "/app/a", {"team": "core"})
    _log_group(clients, state, "/app/b", {})
    clients("logs").tag_resource(resourceArn=changed, tags={"team": "ops"})
    # not managed: never asked
    clients("sns").create_topic(Name="someone-elses", Tags=[{"Key": "a", "Value": "b"}])
    provider = make_provider(moto.endpoint)
    stub = _stub_tagging(provider)
    stub.add_client_error("get_resources", service_error_code="AccessDeniedException",
                          http_status_code=400)

    with stub:
        report, _ = _scan(moto.endpoint, state, provider)
    stub.assert_no_pending_responses()

    assert _changed(report) == {"aws_cloudwatch_log_group.app_a": {"tags.team"}}
    assert report.summary.in_sync == 4
    # the denied listing was tried once for both types, then each managed resource was asked
    assert provider.ctx.operations.count(TAGGING) == 1
    assert _tag_calls(provider) == Counter({
        "sns:ListTagsForResource": 3, "logs:ListTagsForResource": 2,
    })


def test_tagging_index_is_read_across_pages(moto: MotoServer, clients: Clients) -> None:
    state = StateBuilder()
    first = _topic(clients, state, "first", {"team": "core"})
    second = _topic(clients, state, "second", {"team": "core"})
    provider = make_provider(moto.endpoint)
    stub = _stub_tagging(provider)
    # the filter is derived from the specs: every type module adding bulk tags extends it
    filters = {"ResourceTypeFilters": list(tagged_services()), "ResourcesPerPage": 100}
    stub.add_response("get_resources", {
        "ResourceTagMappingList": [{"ResourceARN": first, "Tags": [
            {"Key": "team", "Value": "core"}]}],
        "PaginationToken": "t1",
    }, filters)
    stub.add_response("get_resources", {
        "ResourceTagMappingList": [{"ResourceARN": second, "Tags": [
            {"Key": "team", "Value": "core"}]}],
        "PaginationToken": "",
    }, {**filters, "PaginationToken": "t1"})

    with stub:
        report, _ = _scan(moto.endpoint, state, provider)
    stub.assert_no_pending_responses()

    assert report.summary.in_sync == 2
    # both topics' tags came from the two pages: neither was asked on its own
    assert _tag_calls(provider) == Counter()


def test_a_tag_call_that_fails_is_reported_not_hidden(moto: MotoServer,
                                                      clients: Clients) -> None:
    state = StateBuilder()
    arn = _topic(clients, state, "alerts", {"team": "core"})
    _log_group(clients, state, "/app/a", {"team": "core"})
    provider = make_provider(moto.endpoint)
    tagging = _stub_tagging(provider)
    tagging.add_client_error("get_resources", service_error_code="AccessDeniedException",
                             http_status_code=400)
    sns = Stubber(provider.ctx.client("sns", REGION))
    sns.add_response("list_topics", {"Topics": [{"TopicArn": arn}]})
    sns.add_client_error("list_tags_for_resource", service_error_code="AuthorizationError",
                         http_status_code=403)

    with tagging, sns:
        report, _ = _scan(moto.endpoint, state, provider)
    sns.assert_no_pending_responses()

    # the topic's tags could not be read: the type says so, and nothing about it is reported
    # (neither drift nor "missing"); the log group, asked on its own, is in sync
    assert [(w.code, w.type) for w in report.warnings if w.type == "aws_sns_topic"] == [
        ("access_denied", "aws_sns_topic"),
    ]
    assert [f for f in report.findings if f.type == "aws_sns_topic"] == []
    coverage = {c.type: c for c in report.coverage}
    assert not coverage["aws_sns_topic"].complete
    assert coverage["aws_cloudwatch_log_group"].complete
    assert report.summary.in_sync == 1


# -- ECR: tags from the index -----------------------------------------------------------------


def test_ecr_tags_come_from_the_index_and_a_tag_added_by_hand_is_seen(
        moto: MotoServer, clients: Clients) -> None:
    """Through the emulator answering as AWS does (its tagging index lists repositories):
    a repository whose indexed tags match its state costs no tag call; one whose state has no
    tags and that was tagged by hand is listed with the tag, re-asked once, and changed."""
    tagged = ecr_cases._create(clients)  # "app", tagged team=core in state and cloud
    clients("ecr").create_repository(repositoryName="bare")
    bare = {**tagged, "id": "bare", "name": "bare",
            "arn": tagged["arn"].replace("/app", "/bare"),
            "repository_url": str(tagged.get("repository_url", "")).replace("/app", "/bare"),
            "image_tag_mutability": "MUTABLE",
            "image_scanning_configuration": [{"scan_on_push": False}],
            "tags": {}, "tags_all": {}}
    state = StateBuilder().add("aws_ecr_repository", "app", tagged).add(
        "aws_ecr_repository", "bare", bare)
    with serve(aws_faithful(moto_application())) as endpoint:
        report, provider = _scan(endpoint, state)
        assert [f for f in report.findings if f.type == "aws_ecr_repository"] == []
        assert _service_calls(provider, "ecr") == Counter({"ecr:DescribeRepositories": 1})

        clients("ecr").tag_resource(resourceArn=bare["arn"],
                                    tags=[{"Key": "owner", "Value": "someone"}])
        report, provider = _scan(endpoint, state)
        assert _changed(report) == {"aws_ecr_repository.bare": {"tags.owner"}}
        assert _service_calls(provider, "ecr") == Counter({
            "ecr:DescribeRepositories": 1, "ecr:ListTagsForResource": 1})
