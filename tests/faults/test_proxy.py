"""The fault proxy itself: each fault reaches the real SDK as the cloud's own failure would, rules
fire when they say, and the request log tells reads from writes."""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from cloudrift.testing.faults import Fault, FaultKind, FaultProxy, RequestInfo, classify_aws
from cloudrift_aws.session import DENIED_CODES, EXPIRED_CODES, THROTTLE_CODES
from cloudrift_aws.testing import MotoServer

K = FaultKind


def client(service: str, endpoint: str, **config: Any) -> Any:
    options = {"retries": {"total_max_attempts": 1, "mode": "standard"}, "read_timeout": 10,
               "connect_timeout": 0.5, **config}
    return boto3.client(service, region_name="us-east-1", endpoint_url=endpoint,
                        config=Config(**options))


# one read per AWS wire protocol cloudrift meets
READS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "ec2": ("ec2", lambda c: c.describe_vpcs()),
    "query": ("iam", lambda c: c.list_roles()),
    "json": ("sqs", lambda c: c.list_queues()),
    "rest-xml": ("s3", lambda c: c.list_buckets()),
    "rest-json": ("lambda", lambda c: c.list_functions()),
}
# what the provider's error classification must make of each error kind
RECOGNISED: dict[FaultKind, Callable[[str, int], bool]] = {
    K.THROTTLE: lambda code, _: code in THROTTLE_CODES,
    K.DENY: lambda code, _: code in DENIED_CODES,
    K.HTTP_500: lambda _, status: status == 500,
    K.HTTP_503: lambda _, status: status == 503,
}


@pytest.fixture
def proxy(moto: MotoServer) -> Iterator[FaultProxy]:
    with FaultProxy(moto.endpoint, stall_seconds=2.0) as running:
        yield running


@pytest.mark.parametrize("kind", list(RECOGNISED), ids=str)
@pytest.mark.parametrize("protocol", list(READS))
def test_error_faults_arrive_in_the_protocols_shape(
    protocol: str, kind: FaultKind, proxy: FaultProxy
) -> None:
    service, call = READS[protocol]
    proxy.set_faults([Fault(kind, service=service)])
    with pytest.raises(ClientError) as caught:
        call(client(service, proxy.endpoint))
    error = caught.value.response
    code, status = error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]
    assert RECOGNISED[kind](code, status), (code, status)
    assert [e.request.protocol for e in proxy.log] == [protocol]


def test_error_fault_with_any_code(proxy: FaultProxy) -> None:
    proxy.set_faults([Fault(K.ERROR, service="sts", code="ExpiredToken", status=400)])
    with pytest.raises(ClientError) as caught:
        client("sts", proxy.endpoint).get_caller_identity()
    assert caught.value.response["Error"]["Code"] in EXPIRED_CODES


def test_reset_closes_the_connection_without_an_answer(proxy: FaultProxy) -> None:
    proxy.set_faults([Fault(K.RESET, service="sqs")])
    with pytest.raises(ConnectionClosedError):
        client("sqs", proxy.endpoint).list_queues()


def test_stall_outlasts_the_read_timeout(proxy: FaultProxy) -> None:
    proxy.set_faults([Fault(K.STALL, service="sqs")])
    with pytest.raises(ReadTimeoutError):
        client("sqs", proxy.endpoint, read_timeout=0.3).list_queues()
    assert proxy.wait_stalled(1.0)


def test_truncate_sends_fewer_bytes_than_announced(proxy: FaultProxy) -> None:
    proxy.set_faults([Fault(K.TRUNCATE)])
    target = urllib.parse.urlsplit(proxy.endpoint)
    connection = http.client.HTTPConnection(target.hostname or "", target.port, timeout=5)
    connection.request("GET", "/", headers={"Host": "s3.amazonaws.com"})
    response = connection.getresponse()
    announced = int(response.getheader("Content-Length") or 0)
    assert announced > 0
    with pytest.raises(http.client.IncompleteRead) as caught:
        response.read()
    assert 0 < len(caught.value.partial) < announced


def test_nth_every_limit_and_matching(proxy: FaultProxy) -> None:
    sqs = client("sqs", proxy.endpoint)
    proxy.set_faults([
        Fault(K.HTTP_500, service="sqs", operation="ListQueues", every=2, limit=2),
        Fault(K.DENY, service="sqs", operation="ListQueues", nth=3),
    ])
    outcomes = []
    for _ in range(7):
        try:
            sqs.list_queues()
            outcomes.append("ok")
        except ClientError as exc:
            outcomes.append(exc.response["Error"]["Code"])
    # the first rule fires on the 2nd and 4th (then its limit holds); the 3rd is the second's
    assert outcomes == ["ok", "InternalFailure", "AccessDeniedException", "InternalFailure",
                        "ok", "ok", "ok"]
    assert proxy.fired == [2, 1]
    sqs_region = {e.request.region for e in proxy.log}
    assert sqs_region == {"us-east-1"}
    proxy.set_faults([Fault(K.DENY, service="sqs", region="eu-west-1")])
    sqs.list_queues()
    assert proxy.injected == 0


def _draws(seed: int, order: list[int]) -> list[bool]:
    proxy = FaultProxy("http://127.0.0.1:9", [Fault(K.HTTP_503, rate=0.3)], seed=seed)
    requests = [RequestInfo("POST", "/", service="ec2", region="us-east-1",
                            operation=f"Describe{n % 5}") for n in order]
    return [proxy.decide(r) is not None for r in requests]


def test_rate_is_seeded_and_independent_of_arrival_order() -> None:
    order = list(range(400))
    draws = _draws(7, order)
    assert 0.2 < sum(draws) / len(draws) < 0.4
    assert _draws(7, order) == draws
    assert _draws(8, order) != draws
    # the same requests in another order meet the same faults, request for request
    shuffled = order[::-1]
    by_request = dict(zip(shuffled, _draws(7, shuffled), strict=True))
    for operation in range(5):
        mine = [d for n, d in zip(order, draws, strict=True) if n % 5 == operation]
        theirs = [by_request[n] for n in shuffled[::-1] if n % 5 == operation]
        assert sorted(mine) == sorted(theirs)


def test_log_tells_reads_from_writes(proxy: FaultProxy) -> None:
    sqs = client("sqs", proxy.endpoint)
    s3 = client("s3", proxy.endpoint, s3={"addressing_style": "path"})
    sqs.list_queues()
    s3.list_buckets()
    client("ec2", proxy.endpoint).describe_vpcs()
    assert proxy.non_reads() == []
    sqs.create_queue(QueueName="written")
    s3.create_bucket(Bucket="written")
    client("ec2", proxy.endpoint).create_vpc(CidrBlock="10.9.0.0/16")
    assert proxy.non_reads() == ["ec2:CreateVpc", "s3:PUT /written", "sqs:CreateQueue"]


def test_classify_reads_the_wire() -> None:
    headers = {
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20250101/eu-west-1/ec2/aws4_request, "
        "SignedHeaders=host, Signature=abc",
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
    }
    ec2 = classify_aws("POST", "/", headers, b"Action=DescribeVpcs&Version=2016-11-15")
    assert (ec2.service, ec2.region, ec2.operation, ec2.protocol) == (
        "ec2", "eu-west-1", "DescribeVpcs", "ec2")
    cbor = classify_aws("POST", "/service/GraniteServiceVersion20100801/operation/GetMetricData",
                        {**headers, "Content-Type": "application/cbor"}, b"")
    assert (cbor.operation, cbor.protocol) == ("GetMetricData", "rpc-v2-cbor")
    presigned = classify_aws(
        "GET", "/b/k?X-Amz-Credential=AKID%2F20250101%2Fus-west-2%2Fs3%2Faws4_request", {}, b"")
    assert (presigned.service, presigned.region, presigned.is_read()) == ("s3", "us-west-2", True)
    assert RequestInfo("POST", "/subscriptions/s/providers/Microsoft.ResourceGraph/resources"
                       ).is_read()
    assert not RequestInfo("PUT", "/subscriptions/s/resourcegroups/rg").is_read()


@pytest.mark.parametrize(
    ("cloud", "kind", "status", "code"),
    [
        ("gcp", K.THROTTLE, 429, "RESOURCE_EXHAUSTED"),
        ("gcp", K.DENY, 403, "PERMISSION_DENIED"),
        ("azure", K.THROTTLE, 429, "TooManyRequests"),
        ("azure", K.DENY, 403, "AuthorizationFailed"),
        ("azure", K.HTTP_503, 503, "ServiceUnavailable"),
    ],
)
def test_gcp_and_azure_error_shapes(moto: MotoServer, cloud: Any, kind: FaultKind, status: int,
                                    code: str) -> None:
    with FaultProxy(moto.endpoint, [Fault(kind)], cloud=cloud, retry_after=3) as proxy:
        target = urllib.parse.urlsplit(proxy.endpoint)
        connection = http.client.HTTPConnection(target.hostname or "", target.port, timeout=5)
        connection.request("GET", "/v1/projects/p/assets")
        response = connection.getresponse()
        body = json.loads(response.read())
    assert response.status == status
    error = body["error"]
    assert (error["status"] if cloud == "gcp" else error["code"]) == code
    if cloud == "azure" and kind in (K.THROTTLE, K.HTTP_503):
        assert response.getheader("Retry-After") == "3"


def test_tls_listener_for_sdks_that_refuse_plain_http(moto: MotoServer, tmp_path: Path) -> None:
    with FaultProxy(moto.endpoint, tls_directory=tmp_path) as proxy:
        assert proxy.endpoint.startswith("https://")
        sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=proxy.endpoint,
                           verify=str(proxy.certificate))
        assert sqs.list_queues().get("QueueUrls", []) == []
        assert [e.request.operation for e in proxy.log] == ["ListQueues"]
