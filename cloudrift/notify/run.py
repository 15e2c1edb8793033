"""Notifying after a scan, and from a saved report: what ``cloudrift scan``, ``cloudrift
notify``, ``cloudrift.scan()`` and ``cloudrift watch`` share.

The report comes first: a scan writes every output, then notifies, and a notification never
changes a written report. A delivery that fails is a warning line naming the masked target
(``cloudrift: warning: notification to slack+https://hooks.slack.com/*** (Slack message)
failed: HTTP 500 after 4 attempts``); whether that fails the run is the caller's to say
(``--require-notify``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cloudrift.model import ScanReport
from cloudrift.notify import (
    Outcome,
    RetryPolicy,
    Target,
    ci_link,
    dry_run_text,
    parse_targets,
    plan,
    send,
)
from cloudrift.notify.changes import check_settings
from cloudrift.redact import Redactor

Note = Callable[[str], None]


def report_link(explicit: str | None, env: Mapping[str, str],
                written: Sequence[str] = ()) -> str | None:
    """Where readers find the full report: ``--notify-link``, else the CI job's page, else the
    files the scan wrote (the HTML report first)."""
    if explicit:
        return explicit
    found = ci_link(env)
    if found:
        return found
    ordered = sorted(written, key=lambda path: not path.endswith((".html", ".htm")))
    return ", ".join(ordered) if ordered else None


def tell(outcomes: Sequence[Outcome], note: Note) -> bool:
    """One warning per failed payload and one note for what went out; True if all went."""
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        note(f"cloudrift: warning: notification to {outcome.target} ({outcome.label}) "
             f"failed: {outcome.error}")
    sent = [o for o in outcomes if o.ok]
    if sent:
        targets = len({o.target for o in sent})
        note(f"cloudrift: note: sent {len(sent)} notification{'s' * (len(sent) != 1)} "
             f"to {targets} target{'s' * (targets != 1)}")
    return not failed


def prepare(values: Mapping[str, Any], env: Mapping[str, str] | None = None) -> list[Target]:
    """What a scan checks before it calls any cloud: every ``notify`` target parses (the
    variables it names are set) and ``notify_on`` fits the history."""
    targets = parse_targets(values["notify"], os.environ if env is None else env)
    if targets:
        check_settings(values["notify_on"], values["notify_digest"],
                       history=not values.get("no_history", False))
    return targets


def after_scan(report: ScanReport, targets: Sequence[Target], values: Mapping[str, Any], *,
               redactor: Redactor, note: Note, written: Sequence[str] = (),
               history_failed: bool = False, policy: RetryPolicy | None = None,
               env: Mapping[str, str] | None = None) -> bool:
    """Notify after the outputs are written; True when every delivery went (or none was
    due)."""
    if not targets:
        return True
    for target in targets:
        redactor.add(target.secrets)
    if history_failed and values["notify_on"] != "always":
        note("cloudrift: warning: no notification sent: they follow the history's statuses, "
             "and the history failed")
        return False
    link = report_link(values.get("notify_link"), os.environ if env is None else env, written)
    planned = plan(report, targets, on=values["notify_on"], digest=values["notify_digest"],
                   link=link, redactor=redactor)
    return tell(send(planned, policy, redactor), note) if planned else True


def from_report(report: ScanReport, values: Mapping[str, Any], *, note: Note,
                out: Callable[[str], None], dry_run: bool = False,
                policy: RetryPolicy | None = None,
                env: Mapping[str, str] | None = None) -> bool:
    """``cloudrift notify``: render a saved report's notifications and send them, or print
    them (``dry_run``); True when every delivery went."""
    env = os.environ if env is None else env
    redactor = Redactor()
    targets = parse_targets(values["notify"], env, redactor)
    planned = plan(report, targets, on=values["notify_on"], digest=values["notify_digest"],
                   link=report_link(values.get("notify_link"), env), redactor=redactor)
    if dry_run:
        out(dry_run_text(planned, redactor) or "nothing to notify\n")
        return True
    return tell(send(planned, policy, redactor), note) if planned else True
