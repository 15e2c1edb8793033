"""The history store on SQLite and on a real PostgreSQL server: statuses across scans, the
timeline, filters, retention, the trend, baselines, and the schema the migrations make."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cloudrift.history import History, Labels, parse_duration
from cloudrift.history.queries import ScanFilter
from cloudrift.model import FindingStatus
from tests.history.builders import changed, coverage, report, unmanaged

LATER = datetime(2026, 11, 30, tzinfo=timezone.utc)


def statuses(done: object) -> dict[str, str]:
    findings = done.report.findings  # type: ignore[attr-defined]
    return {f.id: f.status.value for f in findings}


def test_new_then_known_then_resolved_then_reopened(history_url: str) -> None:
    orders, invoices = changed("orders"), changed("invoices")
    with History(history_url) as store:
        first = store.record(report([orders, invoices], day=1), now=LATER)
        assert statuses(first) == {"orders": "new", "invoices": "new"}
        assert first.report.summary.new == 2
        assert first.report.scan_id == str(first.scan_id)

        second = store.record(report([orders, invoices], day=2), now=LATER)
        assert statuses(second) == {"orders": "known", "invoices": "known"}
        assert second.report.findings[0].first_seen == "2026-11-01T03:00:00Z"
        assert second.report.findings[0].age_days == 1.0

        third = store.record(report([orders], day=3), now=LATER)
        assert statuses(third) == {"orders": "known"}
        assert [(f.id, f.status) for f in third.report.resolved] == [
            ("invoices", FindingStatus.RESOLVED)]
        assert third.report.summary.resolved == 1

        fourth = store.record(report([orders, invoices], day=4), now=LATER)
        assert statuses(fourth) == {"orders": "known", "invoices": "reopened"}
        assert fourth.report.resolved == []

        timeline = store.timeline(invoices.fingerprint)
        assert [e["status"] for e in timeline.events] == ["new", "known", "resolved",
                                                          "reopened"]
        assert timeline.first_seen == "2026-11-01T03:00:00Z"
        assert store.timeline(invoices.fingerprint[:8]).fingerprint == invoices.fingerprint


def test_a_failed_region_resolves_nothing_in_it(history_url: str) -> None:
    west, east = changed("orders"), changed("jobs", region="us-east-1")
    both = coverage(regions=("eu-west-1", "us-east-1"))
    with History(history_url) as store:
        store.record(report([west, east], day=1, cov=both), now=LATER)
        blind = coverage(regions=("eu-west-1", "us-east-1"), failed=("us-east-1",))
        done = store.record(report([], day=2, cov=blind), now=LATER)
        assert [f.id for f in done.report.resolved] == ["orders"]
        again = store.record(report([east], day=3, cov=both), now=LATER)
        assert statuses(again) == {"jobs": "known"}


def test_values_are_stored_as_given_and_redacted_by_the_hook(history_url: str) -> None:
    secret = changed("orders", path="tags.token", expected="hunter2-secret", actual="x")

    def redact(document: object) -> object:
        return __import__("json").loads(
            __import__("json").dumps(document).replace("hunter2-secret", "(sensitive)"))

    with History(history_url) as store:
        store.record(report([secret], day=1), redact=redact, now=LATER)
        stored = store.timeline(secret.fingerprint).finding
    assert stored["changes"][0]["expected"] == "(sensitive)"


def test_scans_are_listed_newest_first_and_filtered(history_url: str) -> None:
    with History(history_url) as store:
        store.record(report([changed("a")], day=1), labels=Labels(("envs/prod",), ("default",)),
                     now=LATER)
        store.record(report([changed("a"), changed("b")], day=2),
                     labels=Labels(("envs/staging",), ("blue",)), now=LATER)
        store.record(report([unmanaged("c")], day=3), now=LATER)
        every = store.scans()
        assert [r.values["started_at"][:10] for r in every] == [
            "2026-11-03", "2026-11-02", "2026-11-01"]
        assert [r.values["new"] for r in every] == [1, 1, 1]
        assert every[2].labels["root"] == ["envs/prod"]
        prod = store.scans(ScanFilter(roots=("envs/prod",)))
        assert [r.values["id"] for r in prod] == [every[2].values["id"]]
        blue = store.scans(ScanFilter(workspaces=("blue",)))
        assert [r.values["findings"] for r in blue] == [2]
        assert store.scans(ScanFilter(providers=("gcp",))) == []
        window = store.scans(ScanFilter(since="2026-11-02", until="2026-11-03"))
        assert [r.values["started_at"][:10] for r in window] == ["2026-11-02"]
        assert len(store.scans(ScanFilter(limit=2))) == 2


def test_retention_forgets_old_scans_and_closed_drift_but_keeps_open_drift(
        history_url: str) -> None:
    kept, fixed = changed("kept"), changed("fixed")
    with History(history_url) as store:
        store.record(report([kept, fixed], day=1), now=LATER)
        store.record(report([kept], day=2), now=LATER)  # fixed is resolved on day 2
        done = store.record(report([kept], day=20), now=datetime(2026, 11, 20, 4,
                                                                 tzinfo=timezone.utc),
                            keep=parse_duration("10d"))
        assert done.pruned == 2
        assert [r.values["started_at"][:10] for r in store.scans()] == ["2026-11-20"]
        assert store.timeline(fixed.fingerprint) is None
        still = store.timeline(kept.fingerprint)
        assert still.first_seen == "2026-11-01T03:00:00Z"
        assert [e["status"] for e in still.events] == ["known"]


def test_the_trend_adds_up_the_shards_of_a_day(history_url: str) -> None:
    queues = [changed(f"q{i}") for i in range(3)]
    with History(history_url) as store:
        store.record(report(queues, day=1), now=LATER)
        store.record(report(queues[:2], day=2), shard=(1, 2), now=LATER)
        store.record(report([unmanaged("x")], day=2, cov=coverage(("aws_s3_bucket",))),
                     shard=(2, 2), now=LATER)
        done = store.record(report(queues[:1], day=3), now=LATER)
    points = {p.day: p for p in done.report.trend}
    assert points["2026-11-01"].kinds == {"changed": 3}
    assert points["2026-11-02"].kinds == {"changed": 2, "unmanaged": 1}
    assert points["2026-11-02"].providers == {"aws": 3}
    assert points["2026-11-03"].kinds == {"changed": 1}


def test_baseline_accept_of_a_report_makes_its_drift_known(history_url: str) -> None:
    orders = changed("orders")
    with History(history_url) as store:
        store.record(report([orders], day=1), baseline=True, now=LATER)
        done = store.record(report([orders, changed("new-one")], day=2), now=LATER)
        assert statuses(done) == {"orders": "known", "new-one": "new"}
        accepted = store.accept_open()
        assert accepted.report.summary.known == 2
        kinds = [r.values["kind"] for r in store.scans()]
        assert kinds == ["baseline", "scan", "baseline"]


def test_the_scan_findings_of_a_recorded_scan(history_url: str) -> None:
    with History(history_url) as store:
        first = store.record(report([changed("a"), changed("b")], day=1), now=LATER)
        store.record(report([changed("a")], day=2), now=LATER)
        assert sorted(f.id for f in store.scan_findings(first.scan_id) or []) == ["a", "b"]
        assert store.scan_findings(999) is None


def test_parse_duration() -> None:
    assert parse_duration("90d") == timedelta(days=90)
    assert parse_duration("2w") == timedelta(days=14)
    assert parse_duration("48h") == timedelta(days=2)
    from cloudrift.errors import ConfigError

    for bad in ("", "90", "0d", "3 months", "-1d"):
        with pytest.raises(ConfigError):
            parse_duration(bad)


def test_unmanaged_drift_stays_open_through_a_scan_that_did_not_look_for_it(
        history_url: str) -> None:
    extra = unmanaged("debug-replay")
    with History(history_url) as store:
        store.record(report([extra], day=1), now=LATER)
        blind = report([], day=2, cov=[c.model_copy(update={"unmanaged_searched": False})
                                       for c in coverage()])
        blind.summary.unmanaged_search = "none"
        done = store.record(blind, now=LATER)
        assert done.report.resolved == []
        again = store.record(report([extra], day=3), now=LATER)
        assert [f.status for f in again.report.findings] == [FindingStatus.KNOWN]
        gone = store.record(report([], day=4), now=LATER)
        assert [f.id for f in gone.report.resolved] == ["debug-replay"]
