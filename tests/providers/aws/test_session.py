"""AwsContext: pagination, call counting and credential errors."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from cloudrift.errors import ProviderError
from cloudrift_aws.session import AwsContext


def _stubbed(ctx: AwsContext, service: str) -> Stubber:
    return Stubber(ctx.client(service, "us-east-1"))


def test_paginate_follows_next_token_across_pages() -> None:
    # moto's EC2 ignores MaxResults, so paging is proven against botocore's own stubber
    ctx = AwsContext(boto3.session.Session(region_name="us-east-1"))
    stub = _stubbed(ctx, "ec2")
    stub.add_response("describe_vpcs", {"Vpcs": [{"VpcId": "vpc-1"}], "NextToken": "t1"}, {})
    stub.add_response("describe_vpcs", {"Vpcs": [{"VpcId": "vpc-2"}], "NextToken": "t2"},
                      {"NextToken": "t1"})
    stub.add_response("describe_vpcs", {"Vpcs": [{"VpcId": "vpc-3"}]}, {"NextToken": "t2"})
    with stub:
        items = ctx.paginate("ec2", "us-east-1", "describe_vpcs", "Vpcs")
    assert [i["VpcId"] for i in items] == ["vpc-1", "vpc-2", "vpc-3"]
    assert ctx.calls["ec2:DescribeVpcs"] == 3
    stub.assert_no_pending_responses()


def test_expired_credentials_are_a_provider_error() -> None:
    ctx = AwsContext(boto3.session.Session(region_name="us-east-1"))
    stub = _stubbed(ctx, "sts")
    stub.add_client_error("get_caller_identity", service_error_code="ExpiredToken",
                          http_status_code=403)
    with stub, pytest.raises(ProviderError, match=r"rejected the credentials \(ExpiredToken\)"):
        ctx.account_id("us-east-1")


def test_missing_credentials_are_a_provider_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    ctx = AwsContext(boto3.session.Session(region_name="us-east-1"),
                     endpoint_url="http://127.0.0.1:9")
    with pytest.raises(ProviderError, match="AWS credentials not found"):
        ctx.account_id("us-east-1")


def test_memo_computes_once() -> None:
    ctx = AwsContext(boto3.session.Session(region_name="us-east-1"))
    calls: list[int] = []
    assert ctx.memo("k", lambda: calls.append(1) or 42) == 42
    assert ctx.memo("k", lambda: calls.append(1) or 43) == 42
    assert calls == [1]
