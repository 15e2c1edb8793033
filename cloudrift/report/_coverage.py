"""How every format says what was compared and what was not: one wording for all of them."""

from __future__ import annotations

from collections.abc import Iterator

from cloudrift.model import NOT_COMPARED_REASONS, NotCompared, ScanReport, Summary

REASON_TITLES = {
    "unsupported_type": "type not supported yet",
    "terraform_only": "exists only in Terraform",
    "outside_scope": "provider or account not part of this scan",
    "no_import_id": "no id in its state",
    "duplicate": "managed twice, compared once",
    "not_seen": "could not be listed where it lives",
    "filtered": "left out by --type / --exclude-type",
}
assert set(REASON_TITLES) == set(NOT_COMPARED_REASONS)


def compared_line(summary: Summary) -> str:
    """``20 of 42 managed resources compared (48%)``."""
    noun = "resource" if summary.managed == 1 else "resources"
    return (f"{summary.compared} of {summary.managed} managed {noun} compared "
            f"({summary.coverage:.0%})")


def not_compared_groups(report: ScanReport) -> Iterator[tuple[str, list[NotCompared]]]:
    """(reason title, its groups by type, largest first) for every reason with any."""
    for reason in NOT_COMPARED_REASONS:
        groups = [g for g in report.not_compared if g.reason == reason]
        if groups:
            yield REASON_TITLES[reason], groups
