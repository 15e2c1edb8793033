"""cloudrift against Terraform's own drift detection, on a real applied estate.

Terraform's ``plan -refresh-only`` (its ``resource_drift``) is the reference: every address it
finds updated must be a ``changed`` finding, every address it finds deleted a ``missing`` one, and
nothing else. Only types cloudrift supports are compared; the rest of the estate is there so that
the supported set can grow without touching this file.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.behind_terraform import MUTATIONS
from tests.e2e.conftest import Estate, Judgement, unexplained_changes

pytestmark = pytest.mark.e2e

EXIT_OK, EXIT_DRIFT = 0, 1


def _describe(entries: object) -> str:
    return json.dumps(entries, indent=1, default=str)


def test_terraform_sees_no_drift_right_after_apply(baseline: Judgement) -> None:
    assert [(e.address, e.kind, sorted(e.changed_attributes)) for e in baseline.terraform] == []


def test_untouched_estate_has_no_changed_or_missing(estate: Estate, baseline: Judgement) -> None:
    run = baseline.cloudrift
    assert run.findings("changed") == [], _describe(run.findings("changed"))
    assert run.findings("missing") == [], _describe(run.findings("missing"))
    # every managed resource is counted; those of supported types are all compared
    summary = run.report["summary"]
    assert summary["managed"] == len(estate.types)
    assert summary["compared"] == len(estate.supported_addresses())
    assert summary["managed"] - summary["compared"] == sum(summary["not_compared"].values())
    failed = [c for c in run.report["coverage"] if c["failed_scopes"]]
    assert failed == [], _describe(run.report["warnings"])


def test_untouched_estate_exits_in_sync(baseline: Judgement) -> None:
    # Everything in this emulator was made by the apply, by AWS for it, or is a region default:
    # none of that is unmanaged, so a correct scan finds nothing at all.
    run = baseline.cloudrift
    assert run.findings("unmanaged") == [], _describe(run.findings("unmanaged"))
    assert run.returncode == EXIT_OK, run.stderr


def test_terraform_sees_every_change_made_behind_its_back(drifted: Judgement) -> None:
    expected = {m.address: m.expect for m in MUTATIONS}
    seen = {e.address: e.kind for e in drifted.terraform}
    assert seen == expected


def test_changed_addresses_match_terraform(estate: Estate, drifted: Judgement) -> None:
    want = drifted.terraform_addresses("changed", estate.supported)
    assert want, "no supported type was changed: the comparison would prove nothing"
    assert drifted.cloudrift.addresses("changed") == want


def test_missing_addresses_match_terraform(estate: Estate, drifted: Judgement) -> None:
    want = drifted.terraform_addresses("missing", estate.supported)
    assert want, "no supported type was deleted: the comparison would prove nothing"
    assert drifted.cloudrift.addresses("missing") == want


def test_changed_fields_are_fields_terraform_saw_move(drifted: Judgement) -> None:
    assert unexplained_changes(drifted.terraform, drifted.cloudrift) == []


def test_every_unmanaged_resource_made_is_reported(estate: Estate, drifted: Judgement) -> None:
    made = {key for key in drifted.created if key[0] in estate.supported}
    assert made, "no supported type among the unmanaged resources made"
    assert made <= drifted.cloudrift.unmanaged(), sorted(made - drifted.cloudrift.unmanaged())


def test_no_other_unmanaged_resource_appears(baseline: Judgement, drifted: Judgement) -> None:
    new = drifted.cloudrift.unmanaged() - baseline.cloudrift.unmanaged()
    assert new <= set(drifted.created), sorted(new - set(drifted.created))


def test_drift_exits_1(drifted: Judgement) -> None:
    assert drifted.cloudrift.returncode == EXIT_DRIFT, drifted.cloudrift.stderr


def test_secrets_in_state_never_reach_the_report(estate: Estate, drifted: Judgement) -> None:
    secrets = [
        estate.values["aws_iam_access_key.ci"]["secret"],
        estate.values["aws_db_instance.db"]["password"],
    ]
    assert all(secrets)
    text = json.dumps(drifted.cloudrift.report)
    assert [s for s in secrets if s in text] == []

