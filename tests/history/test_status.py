"""new / known / reopened / resolved, decided from what the history knows and what a scan saw."""

from __future__ import annotations

from cloudrift.history.status import DriftState, Prior, Seen, Unit, age_days, classify
from cloudrift.model import Finding, FindingStatus, ScanWarning, TypeCoverage, UnmanagedSearch
from cloudrift.plugin import in_shard
from tests.history.builders import ACCOUNT, changed, coverage, report, unapplied, unmanaged

NOW = "2026-11-10T03:00:00Z"
EARLIER = "2026-11-01T03:00:00Z"


def prior(finding: Finding, state: DriftState = DriftState.OPEN) -> Prior:
    return Prior(finding.fingerprint, state, EARLIER, "2026-11-09T03:00:00Z", Unit.of(finding),
                 finding.model_dump_json())


def test_first_sighting_is_new_then_known_with_its_first_sighting_kept() -> None:
    queue = changed("orders")
    first = classify([queue], {}, [], Seen(), EARLIER)
    assert [f.status for f in first.findings] == [FindingStatus.NEW]
    assert first.findings[0].first_seen == EARLIER
    second = classify([queue], {queue.fingerprint: prior(queue)}, [], Seen(), NOW)
    shown = second.findings[0]
    assert shown.status is FindingStatus.KNOWN
    assert (shown.first_seen, shown.last_seen, shown.age_days) == (EARLIER, NOW, 9.0)


def test_resolved_drift_that_comes_back_is_reopened() -> None:
    queue = changed("orders")
    outcome = classify([queue], {queue.fingerprint: prior(queue, DriftState.RESOLVED)}, [],
                       Seen(), NOW)
    assert outcome.findings[0].status is FindingStatus.REOPENED
    assert outcome.findings[0].first_seen == EARLIER


def test_gone_from_a_unit_the_scan_saw_is_resolved_and_listed() -> None:
    gone, stays = changed("orders"), changed("invoices")
    seen = Seen.from_report(report([stays]))
    outcome = classify([stays], {stays.fingerprint: prior(stays)},
                       [prior(gone), prior(stays)], seen, NOW)
    assert [f.id for f in outcome.resolved] == ["orders"]
    assert outcome.resolved[0].status is FindingStatus.RESOLVED
    assert outcome.resolved[0].last_seen == "2026-11-09T03:00:00Z"


def test_a_scope_not_seen_resolves_nothing() -> None:
    elsewhere = changed("orders", region="us-east-1")  # this scan listed eu-west-1 only
    failed = changed("jobs", region="eu-central-1")
    other_type = changed("logs", rtype="aws_s3_bucket")
    other_state = changed("billing", source="envs/billing/terraform.tfstate")
    seen = Seen.from_report(report([], cov=coverage(
        regions=("eu-west-1", "eu-central-1"), failed=("eu-central-1",))))
    outcome = classify([], {}, [prior(f) for f in (elsewhere, failed, other_type, other_state)],
                       seen, NOW)
    assert outcome.resolved == []
    assert outcome.transitions == []


def test_unmanaged_resolves_whatever_states_were_read() -> None:
    # unmanaged drift is about the cloud alone: no state needs to have been read
    extra = unmanaged("debug-replay")
    seen = Seen.from_report(report([], sources=()))
    assert [f.id for f in classify([], {}, [prior(extra)], seen, NOW).resolved] == [
        "debug-replay"]


def test_fields_not_read_keep_changed_drift_open_but_not_missing_or_unmanaged() -> None:
    queue, extra = changed("orders"), unmanaged("debug-replay")
    scanned = report([])
    scanned.warnings.append(ScanWarning(code="detail_unavailable", message="denied",
                                        provider="aws", type="aws_sqs_queue"))
    outcome = classify([], {}, [prior(queue), prior(extra)], Seen.from_report(scanned), NOW)
    assert [f.id for f in outcome.resolved] == ["debug-replay"]


def test_an_unknown_account_in_coverage_matches_the_findings_account() -> None:
    queue = changed("orders")
    scanned = report([], cov=[TypeCoverage(provider="aws", type="aws_sqs_queue",
                                           scanned_scopes=["?/eu-west-1"])])
    assert classify([], {}, [prior(queue)], Seen.from_report(scanned), NOW).resolved
    other = report([], cov=[TypeCoverage(provider="aws", type="aws_sqs_queue",
                                         scanned_scopes=["999999999999/eu-west-1"])])
    assert not classify([], {}, [prior(queue)], Seen.from_report(other), NOW).resolved
    assert ACCOUNT != "999999999999"


def test_unapplied_resolves_only_in_a_root_whose_code_was_checked_and_in_this_shard() -> None:
    declared = unapplied("aws_sqs_queue.new", root="envs/prod")
    unchecked = report([], roots=())
    assert not classify([], {}, [prior(declared)], Seen.from_report(unchecked), NOW).resolved
    checked = report([], roots=("envs/prod",))
    assert classify([], {}, [prior(declared)], Seen.from_report(checked), NOW).resolved
    mine = next(i for i in (1, 2) if in_shard((i, 2), "code", declared.type, declared.address
                                              or ""))
    other = 3 - mine
    assert classify([], {}, [prior(declared)], Seen.from_report(checked, (mine, 2)), NOW).resolved
    assert not classify([], {}, [prior(declared)], Seen.from_report(checked, (other, 2)),
                        NOW).resolved


def test_ignored_drift_is_closed_quietly_and_comes_back_known() -> None:
    queue = changed("orders")
    outcome = classify([], {queue.fingerprint: prior(queue)}, [prior(queue)],
                       Seen.from_report(report([])), NOW, ignored=[queue])
    assert outcome.resolved == []
    assert [(m.status, m.state) for m in outcome.transitions] == [("ignored", DriftState.IGNORED)]
    # the rule goes away, the drift is still there: known, first sighting kept
    back = classify([queue], {queue.fingerprint: prior(queue, DriftState.IGNORED)}, [],
                    Seen(), NOW)
    assert back.findings[0].status is FindingStatus.KNOWN
    assert back.findings[0].first_seen == EARLIER
    # the accepted drift is fixed: closed, not announced
    fixed = classify([], {}, [prior(queue, DriftState.IGNORED)], Seen.from_report(report([])),
                     NOW)
    assert fixed.resolved == []
    assert [m.state for m in fixed.transitions] == [DriftState.RESOLVED]


def test_a_baseline_makes_everything_known_and_resolves_nothing() -> None:
    queue, gone = changed("orders"), changed("invoices")
    outcome = classify([queue], {}, [prior(gone)], Seen.from_report(report([queue])), NOW,
                       baseline=True)
    assert [f.status for f in outcome.findings] == [FindingStatus.KNOWN]
    assert outcome.resolved == []


def test_age_in_days() -> None:
    assert age_days("2026-11-01T00:00:00Z", "2026-11-02T12:00:00+00:00") == 1.5
    assert age_days(NOW, NOW) == 0.0


def test_a_type_listed_without_its_unmanaged_search_resolves_no_unmanaged_drift() -> None:
    """--unmanaged none lists a managed type for its managed resources only: an unmanaged
    drift of that type was not looked for, so it stays open; a changed one still resolves."""
    extra, fixed = unmanaged("debug-replay"), changed("orders")
    cases: tuple[tuple[UnmanagedSearch, bool], ...] = (("none", True), ("managed-types", False))
    for search, covered in cases:
        cov = coverage()
        cov[0].unmanaged_searched = covered
        scan = report([], cov=cov)
        scan.summary.unmanaged_search = search
        outcome = classify([], {}, [prior(extra), prior(fixed)], Seen.from_report(scan), NOW)
        assert [f.id for f in outcome.resolved] == ["orders"], search
    searched = report([], cov=coverage())
    searched.summary.unmanaged_search = "managed-types"
    outcome = classify([], {}, [prior(extra)], Seen.from_report(searched), NOW)
    assert [f.id for f in outcome.resolved] == ["debug-replay"]
