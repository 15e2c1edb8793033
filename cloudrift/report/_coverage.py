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


def unmanaged_count(summary: Summary) -> str:
    """The unmanaged count as it may be read: ``3``, ``3 (managed types only)``, or ``not
    searched`` (``--unmanaged none``: zero would read as "none there")."""
    if summary.unmanaged_search == "none":
        return "not searched"
    if summary.unmanaged_search == "managed-types":
        return f"{summary.unmanaged} (managed types only)"
    return str(summary.unmanaged)


def unmanaged_search_line(report: ScanReport) -> str | None:
    """What a reader must know when the unmanaged search was limited; None when it was not."""
    search = report.summary.unmanaged_search
    if search == "none":
        return ("Unmanaged search: off (--unmanaged none). Only the managed resources were "
                "read; resources no state manages were not looked for.")
    if search == "managed-types":
        searched = sorted({c.type for c in report.coverage if c.unmanaged_searched})
        noun = "type" if len(searched) == 1 else "types"
        return (f"Unmanaged search: limited to the managed types (--unmanaged managed-types): "
                f"{len(searched)} {noun} searched; other types were not looked at.")
    if search == "listings":
        left = sorted({c.type for c in report.coverage if not c.unmanaged_searched})
        if left:
            noun = "part type" if len(left) == 1 else "part types"
            return (f"Unmanaged search: {len(left)} {noun} listed one parent at a time, which "
                    f"no state manages, not searched (--unmanaged all searches them under "
                    f"every managed parent).")
    return None
