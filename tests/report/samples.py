"""Scan reports for the renderer tests: every kind of finding, and values chosen to break
careless escaping."""

from __future__ import annotations

from pathlib import Path

from cloudrift.diff import compare
from cloudrift.model import (
    FieldChange,
    Finding,
    FindingKind,
    NotCompared,
    ScanReport,
    ScanWarning,
    Scope,
    Summary,
    TypeCoverage,
)
from cloudrift.normalise import as_set, policy

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "reports"

# what varies from run to run in a real report, pinned so the goldens are byte-stable; the
# version is not the package's, so a golden shows the renderers print the report's own
TOOL_VERSION = "9.8.7-golden"
STARTED_AT = "2025-01-02T03:04:05+00:00"

ACCOUNT = "123456789012"
EU = Scope(account=ACCOUNT, region="eu-west-1")
US_WEST = Scope(account=ACCOUNT, region="us-west-2")
GLOBAL = Scope(account=ACCOUNT)

# a value that would run if a renderer pasted it into HTML, and would break a Markdown table,
# a code span, a mention and an XML document if pasted there
HOSTILE = "</code><script>alert('x')</script> | `tick` @octocat #1 *b* \x1b[31m"
# a right-to-left override: shown as is, "invoice\u202egpj.exe" reads as "invoiceexe.jpg"
REVERSED = "invoice\u202egpj.exe"

# security group rules, shaped as the AWS provider compares them
_RULE = {"protocol": "tcp", "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [],
         "self": False}
HTTPS = {**_RULE, "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"],
         "description": "https"}
SSH_VPN = {**_RULE, "from_port": 22, "to_port": 22, "cidr_blocks": ["10.8.0.0/16"],
           "description": "ssh"}
SSH_ANY = {**_RULE, "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"],
           "description": ""}


def _finding(kind: FindingKind, rtype: str, rid: str, *, scope: Scope = EU,
             address: str | None = None, location: str | None = None,
             changes: list[FieldChange] | None = None) -> Finding:
    return Finding(
        kind=kind,
        type=rtype,
        id=rid,
        address=address,
        provider="aws",
        scope=scope,
        source="envs/prod/terraform.tfstate" if kind is not FindingKind.UNMANAGED else None,
        location=location,
        changes=changes or [],
    ).with_fingerprint()


def sample_report() -> ScanReport:
    findings = [
        _finding(
            FindingKind.CHANGED, "aws_security_group", "sg-0a1b2c3d",
            address='module.net.aws_security_group.web["a.b"]',
            location="modules/net/main.tf:12",
            changes=[
                FieldChange(path="description", expected="web tier", actual=HOSTILE),
                # a rule added in the console, and one whose description was edited
                *compare("ingress", as_set([HTTPS, {**SSH_VPN}]),
                         as_set([HTTPS, {**SSH_VPN, "description": "ssh (vpn)"}, SSH_ANY])),
                FieldChange(path="tags.kubernetes.io/role", expected="elb", actual=None),
            ],
        ),
        _finding(
            FindingKind.CHANGED, "aws_sqs_queue",
            "https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
            address='aws_sqs_queue.q["orders"]', location="main.tf:3",
            changes=[
                *compare("policy", policy({
                    "Statement": [{"Action": "sqs:SendMessage", "Effect": "Allow",
                                   "Principal": "*"}],
                    "Version": "2012-10-17",
                }), policy({
                    "Statement": [{"Action": "sqs:*", "Effect": "Allow", "Principal": "*"}],
                    "Version": "2012-10-17",
                })),
                FieldChange(path="tags.env", expected="prod", actual="dev"),
                FieldChange(path="visibility_timeout_seconds", expected=30, actual=60),
            ],
        ),
        _finding(
            FindingKind.CHANGED, "aws_db_instance", "orders-db",
            address="aws_db_instance.orders",
            changes=[FieldChange(path="password", expected="(sensitive)", actual="(sensitive)")],
        ),
        _finding(
            FindingKind.MISSING, "aws_s3_bucket", "acme-logs",
            address="aws_s3_bucket.logs", location="storage/s3 buckets.tf:7",
        ),
        _finding(
            FindingKind.UNMANAGED, "aws_iam_user", "bob", scope=GLOBAL,
        ),
        _finding(
            FindingKind.UNMANAGED, "aws_sqs_queue",
            "https://sqs.eu-west-1.amazonaws.com/123456789012/stray",
        ),
        _finding(
            FindingKind.UNAPPLIED, "aws_lambda_function", "resize",
            address="aws_lambda_function.resize", location="lambda.tf:1",
        ),
    ]
    coverage = [
        TypeCoverage(provider="aws", type="aws_db_instance",
                     scanned_scopes=[f"{ACCOUNT}/eu-west-1"], managed=1, actual=1),
        TypeCoverage(provider="aws", type="aws_iam_user", scanned_scopes=[f"{ACCOUNT}/global"],
                     managed=0, actual=3),
        TypeCoverage(provider="aws", type="aws_s3_bucket",
                     scanned_scopes=[f"{ACCOUNT}/eu-west-1"],
                     failed_scopes=[f"{ACCOUNT}/us-west-2"], managed=3, actual=1, not_seen=1),
        TypeCoverage(provider="aws", type="aws_security_group",
                     scanned_scopes=[f"{ACCOUNT}/eu-west-1"], managed=2, actual=4,
                     unknown_fields=1),
        TypeCoverage(provider="aws", type="aws_sqs_queue", scanned_scopes=[f"{ACCOUNT}/eu-west-1"],
                     managed=4, actual=5),
        TypeCoverage(provider="aws", type="aws_vpc", scanned_scopes=[f"{ACCOUNT}/eu-west-1"],
                     managed=5, actual=6),
    ]
    not_compared = [
        NotCompared(reason="unsupported_type", provider="aws", type="aws_route", count=6),
        NotCompared(reason="unsupported_type", provider="aws",
                    type="aws_s3_bucket_public_access_block", count=1),
        NotCompared(reason="outside_scope", provider="google", type="google_storage_bucket",
                    count=2),
        NotCompared(reason="not_seen", provider="aws", type="aws_s3_bucket", count=1),
    ]
    compared = sum(c.managed - c.not_seen for c in coverage)
    managed = compared + sum(g.count for g in not_compared)
    summary = Summary(
        total_resources=managed + 2 + 1, managed=managed, compared=compared,
        not_compared={"unsupported_type": 7, "outside_scope": 2, "not_seen": 1},
        in_sync=compared - 3 - 1, changed=3, missing=1, unmanaged=2, unapplied=1,
        coverage=round(compared / managed, 4), api_calls=41, duration_s=2.75,
    )
    return ScanReport(
        tool_version=TOOL_VERSION,
        started_at=STARTED_AT,
        sources=["envs/prod/terraform.tfstate", "envs/prod/network.tfstate"],
        providers=["aws"],
        summary=summary,
        findings=findings,
        warnings=[
            ScanWarning(code="access_denied", provider="aws", type="aws_s3_bucket", scope=US_WEST,
                        message="s3:ListAllMyBuckets in us-west-2: AccessDenied"),
            ScanWarning(code="provider_not_scanned", provider="google",
                        message="2 resource(s) of provider 'google' were not compared"),
        ],
        coverage=coverage,
        api_calls={"aws:sqs.list_queues": 1, "aws:ec2.describe_security_groups": 40},
        not_compared=not_compared,
    )


def empty_report() -> ScanReport:
    coverage = [TypeCoverage(provider="aws", type="aws_vpc",
                             scanned_scopes=[f"{ACCOUNT}/eu-west-1"], managed=2, actual=2)]
    return ScanReport(
        tool_version=TOOL_VERSION, started_at=STARTED_AT,
        sources=["terraform.tfstate"], providers=["aws"],
        summary=Summary(total_resources=2, managed=2, compared=2, in_sync=2, api_calls=3,
                        duration_s=0.2),
        coverage=coverage,
    )
