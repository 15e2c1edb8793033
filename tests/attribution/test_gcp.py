"""Who changed it on GCP: google-cloud-logging's client (JSON transport) against our Cloud
Logging, google-cloud-asset's against our Cloud Asset Inventory."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from google.auth.credentials import AnonymousCredentials

from cloudrift.cli import cli
from cloudrift.model import AttributionStatus, Finding, FindingKind, Scope
from cloudrift_gcp.attribution import AuditLogAttributor, entry_filter
from cloudrift_gcp.session import (
    ANONYMOUS_ENV,
    ENDPOINT_ENV,
    LOGGING_ENDPOINT_ENV,
    Backoff,
    GcpSession,
)
from cloudrift_gcp.testing_logging import ACTIVITY, LoggingServer, audit_entry, read_only
from tests.providers.gcp.conftest import (
    PROJECT,
    SCOPE,
    FakeSleep,
    GcpWorld,
    all_cases,
    patched,
    state_document,
)

NOW = datetime.now(timezone.utc).replace(microsecond=0)
DISK = "projects/acme-prod/zones/europe-west1-b/disks/pg-data"
SECRET = "s3cr3t-startup-script-token"


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def finding(resource_id: str, *, project: str | None = PROJECT,
            rtype: str = "google_compute_disk") -> Finding:
    return Finding(kind=FindingKind.CHANGED, type=rtype, id=resource_id, provider="gcp",
                   scope=Scope(account=project, region="europe-west1")).with_fingerprint()


def attributor(server: LoggingServer, sleep: FakeSleep | None = None,
               **kwargs: Any) -> AuditLogAttributor:
    fake = sleep or FakeSleep()
    session = GcpSession(credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
                         logging_endpoint=server.endpoint, backoff=Backoff(attempts=3),
                         timeout=10.0, clock=fake.clock, sleep=fake)
    return AuditLogAttributor(session, **kwargs)


def test_cli_attribute_reads_the_audit_logs(gcp: GcpWorld, logging_server: LoggingServer,
                                            tmp_path: Path) -> None:
    cases = {c.type: c for c in all_cases()}
    bucket, disk = cases["google_storage_bucket"], cases["google_compute_disk"]
    assert bucket.change is not None
    gcp.publish([patched(bucket.asset, bucket.change["set"])])  # the disk is gone
    logging_server.add(PROJECT, [
        # the two entries of one long-running operation count once
        audit_entry(PROJECT, "v1.compute.disks.delete", DISK, at=ago(hours=2),
                    operation="operation-1", request={"startupScript": SECRET}),
        audit_entry(PROJECT, "v1.compute.disks.delete", DISK, at=ago(hours=2, seconds=5),
                    operation="operation-1", first=True),
        # a newer attempt that was refused changed nothing
        audit_entry(PROJECT, "v1.compute.disks.delete", DISK, at=ago(hours=1),
                    principal="mallory@example.com", status_code=7),
        # Cloud Storage logs buckets as projects/_/buckets/NAME
        audit_entry(PROJECT, "storage.buckets.update", f"projects/_/buckets/{bucket.id}",
                    at=ago(days=3), principal="bob@example.com", caller_ip="198.51.100.9",
                    service="storage.googleapis.com"),
        audit_entry("other-project", "v1.compute.disks.delete", DISK, at=ago(hours=1)),
    ])
    state = tmp_path / "terraform.tfstate"
    state.write_text(json.dumps(state_document([bucket.instance(), disk.instance()])))
    result = CliRunner().invoke(
        cli, ["scan", "--from", f"tfstate://{state}", "--to", "gcp", "--gcp-scope", SCOPE,
              "-o", "json://", "--attribute"],
        env={ENDPOINT_ENV: gcp.server.endpoint, ANONYMOUS_ENV: "true",
             LOGGING_ENDPOINT_ENV: logging_server.endpoint},
        catch_exceptions=False)
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    by_kind = {f["kind"]: f for f in report["findings"]}
    assert by_kind["missing"]["attribution"] == {"status": "found", "note": None, "events": [{
        "principal": "alice@example.com", "time": stamp(ago(hours=2)),
        "source_ip": "203.0.113.7", "event_name": "v1.compute.disks.delete",
        "source": "gcp-audit-log",
        "event_id": by_kind["missing"]["attribution"]["events"][0]["event_id"],
    }]}
    changed = by_kind["changed"]["attribution"]["events"]
    assert [(e["principal"], e["source_ip"]) for e in changed] == [
        ("bob@example.com", "198.51.100.9")]
    assert report["api_calls"]["gcp:ListLogEntries"] == 2
    assert SECRET not in result.output

    calls = logging_server.list_calls()
    assert len(calls) == 2
    assert all(read_only(r) for r in logging_server.requests)
    bodies = [json.loads(r.body) for r in calls]
    assert all(b["resourceNames"] == [f"projects/{PROJECT}"] for b in bodies)
    assert all(b["orderBy"] == "timestamp desc" for b in bodies)
    assert all(f'logName="projects/{PROJECT}/logs/{ACTIVITY}"' in b["filter"] for b in bodies)


def test_without_attribute_logging_is_never_called(
        gcp: GcpWorld, logging_server: LoggingServer, tmp_path: Path) -> None:
    disk = next(c for c in all_cases() if c.type == "google_compute_disk")
    gcp.publish([])
    state = tmp_path / "terraform.tfstate"
    state.write_text(json.dumps(state_document([disk.instance()])))
    result = CliRunner().invoke(
        cli, ["scan", "--from", f"tfstate://{state}", "--to", "gcp", "--gcp-scope", SCOPE,
              "-o", "json://"],
        env={ENDPOINT_ENV: gcp.server.endpoint, ANONYMOUS_ENV: "true",
             LOGGING_ENDPOINT_ENV: logging_server.endpoint},
        catch_exceptions=False)
    assert result.exit_code == 1
    assert logging_server.requests == []


def test_the_filter_names_log_resource_and_window() -> None:
    start = datetime(2026, 9, 7, 10, 0, tzinfo=timezone.utc)
    assert entry_filter("p1", ["projects/p1/global/networks/n", 'odd"name'], start) == (
        'logName="projects/p1/logs/cloudaudit.googleapis.com%2Factivity" AND '
        '(protoPayload.resourceName="projects/p1/global/networks/n" OR '
        'protoPayload.resourceName="odd\\"name") AND timestamp>="2026-09-07T10:00:00Z"')


def test_no_entry_is_unknown(logging_server: LoggingServer) -> None:
    logging_server.add(PROJECT, [audit_entry(PROJECT, "v1.compute.disks.insert", DISK,
                                             at=ago(days=120))])
    target = finding(DISK)
    answer = attributor(logging_server).attribute([target]).attributions[target.fingerprint]
    assert answer.status is AttributionStatus.UNKNOWN
    assert answer.note == "no write event in 90 days"


def test_pages_are_followed_and_a_few_newest_kept(logging_server: LoggingServer) -> None:
    logging_server.max_page_size = 1
    logging_server.add(PROJECT, [
        audit_entry(PROJECT, "v1.compute.disks.resize", DISK, at=ago(hours=n)) for n in range(6)])
    target = finding(DISK)
    result = attributor(logging_server).attribute([target])
    answer = result.attributions[target.fingerprint]
    assert [e.time for e in answer.events] == [stamp(ago(hours=n)) for n in range(3)]
    calls = logging_server.list_calls()
    assert len(calls) == 3
    assert result.api_calls == {"ListLogEntries": 3}
    assert "pageToken" not in json.loads(calls[0].body)
    assert all(json.loads(c.body)["pageToken"] for c in calls[1:])


def test_quota_exhaustion_is_retried_then_answered(logging_server: LoggingServer) -> None:
    logging_server.add(PROJECT, [audit_entry(PROJECT, "v1.compute.disks.resize", DISK,
                                             at=ago(hours=1))])
    logging_server.quota_exceeded(times=2)
    sleep = FakeSleep()
    target = finding(DISK)
    answer = attributor(logging_server, sleep).attribute([target]).attributions[
        target.fingerprint]
    assert answer.status is AttributionStatus.FOUND
    assert len(logging_server.list_calls()) == 3
    assert len(sleep.waits) == 2  # a backoff before each retry


def test_quota_exhausted_past_the_retries_is_failed(logging_server: LoggingServer) -> None:
    logging_server.quota_exceeded(times=None)
    target = finding(DISK)
    answer = attributor(logging_server).attribute([target]).attributions[target.fingerprint]
    assert answer.status is AttributionStatus.FAILED
    assert answer.note == f"Cloud Logging quota exhausted in {PROJECT} after retries"


def test_denied_fails_the_project_with_one_call(logging_server: LoggingServer) -> None:
    logging_server.permission_denied(project=PROJECT)
    targets = [finding(DISK), finding(DISK.replace("pg-data", "other"))]
    answers = attributor(logging_server).attribute(targets).attributions
    assert {a.status for a in answers.values()} == {AttributionStatus.FAILED}
    assert {a.note for a in answers.values()} == {
        f"logging.logEntries.list denied in {PROJECT} (403 Forbidden)"}
    assert len(logging_server.list_calls()) == 1


def test_requests_are_paced_under_sixty_a_minute(logging_server: LoggingServer) -> None:
    sleep = FakeSleep()
    targets = [finding(f"{DISK}-{n}") for n in range(61)]
    attributor(logging_server, sleep).attribute(targets)
    assert len(logging_server.list_calls()) == 61
    # the 61st request waited for the first one's minute to pass
    assert sleep.now >= 60


def test_a_finding_without_project_is_unknown_without_a_call(
        logging_server: LoggingServer) -> None:
    target = finding("some-bucket", project=None, rtype="google_storage_bucket")
    answer = attributor(logging_server).attribute([target]).attributions[target.fingerprint]
    assert answer.status is AttributionStatus.UNKNOWN
    assert logging_server.requests == []


@pytest.mark.parametrize(("order", "query"), [("timestamp desc", "logName="),
                                               ("severity desc", "")])
def test_the_server_refuses_what_the_api_refuses(logging_server: LoggingServer,
                                                 order: str, query: str) -> None:
    import urllib.error
    import urllib.request

    body = json.dumps({"resourceNames": [f"projects/{PROJECT}"], "orderBy": order,
                       "filter": query}).encode()
    request = urllib.request.Request(f"{logging_server.endpoint}/v2/entries:list", data=body,
                                     method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 400
    assert json.loads(caught.value.read())["error"]["status"] == "INVALID_ARGUMENT"
