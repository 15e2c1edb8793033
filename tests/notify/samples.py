"""Reports for the notification tests: drift with history statuses, a resolved drift, who
changed it, a value that must never reach a payload, and text chosen to break careless
escaping."""

from __future__ import annotations

from collections.abc import Sequence

from cloudrift.attribution import found
from cloudrift.model import (
    ChangeEvent,
    FieldChange,
    Finding,
    FindingKind,
    FindingStatus,
    ScanReport,
    Scope,
    Summary,
)

ACCOUNT = "123456789012"
EU = Scope(account=ACCOUNT, region="eu-west-1")
ALICE = "arn:aws:iam::123456789012:user/alice"
# a state secret the redactor knows: it must be blanked in every payload
STATE_SECRET = "hunter2-db-password-0f9e8d"
# a value that would forge a link, a mention or markup if pasted raw
HOSTILE = "<!channel> <https://evil.example|click> [x](https://evil.example) **b** <script>"


def drift(name: str, status: FindingStatus | None, *, kind: FindingKind = FindingKind.CHANGED,
          rtype: str = "aws_sqs_queue", actual: object = "dev", attributed: bool = False,
          path: str = "tags.env") -> Finding:
    changes = ([FieldChange(path=path, expected="prod", actual=actual)]
               if kind is FindingKind.CHANGED else [])
    made = Finding(kind=kind, type=rtype, id=f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/"
                   f"{name}", address=f"{rtype}.{name}", provider="aws", scope=EU,
                   source="envs/prod/terraform.tfstate", location="envs/prod/main.tf:12",
                   changes=changes).with_fingerprint()
    update: dict[str, object] = {}
    if status is not None:
        update = {"status": status, "first_seen": "2026-12-01T03:00:00Z",
                  "last_seen": "2026-12-06T03:00:00Z", "age_days": 5.0}
    if attributed:
        update["attribution"] = found([ChangeEvent(
            principal=ALICE, time="2026-12-05T10:12:03Z", source_ip="203.0.113.7",
            event_name="SetQueueAttributes", source="cloudtrail")])
    return made.model_copy(update=update)


def report(findings: list[Finding], resolved: Sequence[Finding] = (), *,
           scan_id: str | None = "42") -> ScanReport:
    news = sum(f.status is FindingStatus.NEW for f in findings)
    return ScanReport(
        tool_version="0.1.0", started_at="2026-12-06T03:00:00+00:00",
        sources=["envs/prod/terraform.tfstate"], providers=["aws"], scan_id=scan_id,
        summary=Summary(managed=10, compared=10, changed=len(findings), new=news,
                        resolved=len(resolved)),
        findings=findings, resolved=list(resolved))


def mixed() -> ScanReport:
    """One of each: new (attributed, with a secret and hostile text), reopened, known,
    resolved."""
    return report([
        drift("orders", FindingStatus.NEW, actual=STATE_SECRET, attributed=True),
        drift("hostile", FindingStatus.NEW, actual=HOSTILE),
        drift("billing", FindingStatus.REOPENED),
        drift("steady", FindingStatus.KNOWN),
    ], [drift("fixed", FindingStatus.RESOLVED)])


def many(count: int, status: FindingStatus = FindingStatus.NEW) -> ScanReport:
    """``count`` drifts of a few types, each with a long value: past every channel's limit."""
    types = ("aws_sqs_queue", "aws_s3_bucket", "aws_iam_role")
    return report([drift(f"q{n:05d}", status, rtype=types[n % 3], actual="x" * 400)
                   for n in range(count)])
