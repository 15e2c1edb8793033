"""A small AWS estate on moto that speaks every AWS wire protocol cloudrift meets, and the
judgement of a scan made under faults against the fault-free scan of the same estate.

The estate (built from the AWS tier's cases, so its states are what Terraform writes):
``us-east-1``: a VPC (EC2 protocol), an S3 bucket with drifted tags (REST-XML), an IAM role
(query, global), an SQS queue with a drifted visibility timeout (JSON), a deleted SNS topic
(query: missing), a log group (JSON) and an unmanaged queue; ``eu-west-1``: one queue in sync.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from cloudrift.engine import Scan, ScanInput, read_sources
from cloudrift.ignore import IgnoreSet, parse_ignore_file, rules_for
from cloudrift.model import GLOBAL_REGION, Finding, ScanReport
from cloudrift.plugin import ScanOptions
from cloudrift.postprocess import apply
from cloudrift.sources.uri import open_source
from cloudrift.testing import StateBuilder
from cloudrift_aws import AwsPlugin, AwsProvider
from cloudrift_aws.session import AwsContext
from tests.providers.aws.cases import AwsCase, all_cases
from tests.providers.aws.conftest import Clients

REGIONS = ("us-east-1", "eu-west-1")
DEFAULT_REGION = REGIONS[0]
SPECS = AwsPlugin().types()

# warning codes that mean one (type, region) was not enumerated at all
FAILURE_CODES = frozenset({"access_denied", "throttled", "api_error"})
# a resource was seen but some of its fields could not be fetched
DEGRADED_CODES = frozenset({"detail_unavailable"})

# label -> what happens to it after it is created
PLAN = {
    "aws_vpc": "keep",
    "aws_s3_bucket": "change",
    "aws_iam_role": "keep",
    "aws_sqs_queue": "change",
    "aws_sns_topic": "delete",
    "aws_cloudwatch_log_group": "keep",
}


@dataclass(frozen=True)
class Estate:
    path: Path
    scan_input: ScanInput


def _case(label: str) -> AwsCase:
    return next(c for c in all_cases() if c.label == label)


def _eu_queue(endpoint: str) -> dict[str, Any]:
    sqs = boto3.client("sqs", region_name="eu-west-1", endpoint_url=endpoint)
    url = sqs.create_queue(
        QueueName="eu-orders",
        Attributes={"VisibilityTimeout": "30", "MessageRetentionPeriod": "345600",
                    "MaximumMessageSize": "262144", "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "0"},
    )["QueueUrl"]
    return {
        "id": url, "url": url, "name": "eu-orders",
        "arn": "arn:aws:sqs:eu-west-1:123456789012:eu-orders",
        "visibility_timeout_seconds": 30, "message_retention_seconds": 345600,
        "max_message_size": 262144, "delay_seconds": 0, "receive_wait_time_seconds": 0,
        "fifo_queue": False, "content_based_deduplication": False, "policy": "",
        "redrive_policy": "", "kms_master_key_id": "", "tags": {}, "tags_all": {},
    }


def build_estate(endpoint: str, directory: Path) -> Estate:
    """Create the estate on an emptied moto and write its state file."""
    clients = Clients(endpoint)
    state = StateBuilder()
    for label, fate in PLAN.items():
        case = _case(label)
        attrs = case.create(clients)
        if fate == "change":
            case.change(clients, attrs)
        elif fate == "delete":
            case.delete(clients, attrs)
        state.add(case.type, "this", attrs, sensitive=[list(p) for p in case.sensitive])
    state.add("aws_sqs_queue", "eu", _eu_queue(endpoint))
    clients("sqs").create_queue(QueueName="stray")
    path = state.write(directory / "estate.tfstate")
    return Estate(Path(path), read_sources([open_source(path)]))


# one session for every scan of the tier: a fresh one loads every service model again, which
# costs more than the scan itself; the tier's scans never run at the same time
_SESSION = boto3.session.Session(region_name=DEFAULT_REGION)


def aws_context(endpoint: str, *, parallelism: int = 8, max_attempts: int = 2,
                read_timeout: float = 0.5) -> AwsContext:
    """A context with the short timeouts and few attempts a test can afford (production
    makes 8 attempts with a 60 s read timeout)."""
    return AwsContext(
        _SESSION, endpoint_url=endpoint,
        parallelism=parallelism, max_attempts=max_attempts, connect_timeout=0.5,
        read_timeout=read_timeout,
    )


def scan(estate: Estate, endpoint: str, *, parallelism: int = 8,
         **context: Any) -> tuple[ScanReport, AwsContext]:
    ctx = aws_context(endpoint, parallelism=parallelism, **context)
    provider = AwsProvider(SPECS, ScanOptions(regions=REGIONS, parallelism=parallelism), ctx)
    return Scan(estate.scan_input, {"aws": provider}).run(), ctx


def affected(estate: Estate, service: str, region: str | None = None) -> set[tuple[str, str]]:
    """The (type, scope region) pairs a fault on every call of ``service`` (in ``region``)
    leaves unseen: each spec lists through its own service (S3 Control signs as ``s3``),
    global ones from the default region; a facet type (never unmanaged: a bucket's policy)
    with nothing managed makes no call at all, nor does a part whose listing is one call per
    managed parent when it is not managed (the default ``--unmanaged listings``), unless that
    call is its parent's own read and a parent is managed."""
    managed = {i.type for d in estate.scan_input.documents for i in d.managed}
    signing = {"s3control": "s3"}
    pairs: set[tuple[str, str]] = set()
    for spec in SPECS.values():
        if signing.get(spec.service, spec.service) != service:
            continue
        if not (spec.unmanaged or spec.type in managed):
            continue
        if spec.per_parent and spec.type not in managed and not (spec.parent_read and any(
                part.parent_type in managed for part in spec.part_of)):
            continue
        for scope in (GLOBAL_REGION,) if spec.global_service else REGIONS:
            call_region = DEFAULT_REGION if scope == GLOBAL_REGION else scope
            if region is None or region == call_region:
                pairs.add((spec.type, scope))
    return pairs


# -- judging a report -----------------------------------------------------------------------


def failed_pairs(report: ScanReport) -> set[tuple[str, str]]:
    return {
        (cov.type, label.split("/", 1)[1]) for cov in report.coverage for label in cov.failed_scopes
    }


def warned_pairs(report: ScanReport, codes: Iterable[str]) -> set[tuple[str, str]]:
    wanted = frozenset(codes)
    return {
        (w.type or "", w.scope.region if w.scope else "")
        for w in report.warnings if w.code in wanted
    }


def _key(finding: Finding) -> tuple[str, str, str, str]:
    return (finding.kind.value, finding.type, finding.id, finding.scope.region)


def dumped(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    return sorted((f.model_dump(mode="json") for f in findings),
                  key=lambda d: json.dumps(d, sort_keys=True))


def quiet(report: ScanReport, baseline: ScanReport) -> ScanReport:
    """The report with the baseline's drift accepted by ignore rules (as `cloudrift ignore gen`
    writes them): what a user whose estate is in sync would get from this scan."""
    rules = parse_ignore_file("\n".join(rules_for(baseline.findings)), "accepted.ignore")
    return apply(report, IgnoreSet(rules), None)


def judge(report: ScanReport, baseline: ScanReport) -> str:
    """Check the promise every faulted scan keeps, and say which way it kept it.

    Either the findings and warnings are exactly the fault-free ones ("same"), or ("partial")
    the warnings name exactly the (type, region) pairs coverage shows failed, nothing is
    reported in those, every other finding is the baseline's (a resource whose detail call
    failed may show fewer changed fields, never other ones), and the scan is incomplete.
    """
    failed = failed_pairs(report)
    degraded = {t for t, _ in warned_pairs(report, DEGRADED_CODES)}
    assert warned_pairs(report, FAILURE_CODES) == failed, (
        "the warnings do not name exactly the types and regions coverage shows failed"
    )
    if not failed and not degraded:
        assert dumped(report.findings) == dumped(baseline.findings)
        assert {(w.code, w.message) for w in report.warnings} == {
            (w.code, w.message) for w in baseline.warnings
        }
        assert report.complete == baseline.complete
        return "same"

    expected = {_key(f): f for f in baseline.findings}
    for finding in report.findings:
        assert (finding.type, finding.scope.region) not in failed, (
            f"{finding.kind} {finding.type} {finding.id} reported in a scope that was not seen"
        )
        before = expected.get(_key(finding))
        assert before is not None, f"a finding the fault-free scan does not have: {finding}"
        if finding.type in degraded:
            assert {c.path for c in finding.changes} <= {c.path for c in before.changes}
        else:
            assert finding.model_dump() == before.model_dump()
    for key, before in expected.items():
        if (before.type, before.scope.region) in failed or before.type in degraded:
            continue
        assert any(_key(f) == key for f in report.findings), f"lost a finding: {before}"
    for cov in report.coverage:
        if cov.failed_scopes:
            assert not cov.complete
    assert not report.complete, "part of the cloud was not seen, yet the scan calls itself complete"
    return "partial"
