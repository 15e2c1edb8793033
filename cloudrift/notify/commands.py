"""``cloudrift notify --from report.json --notify TARGET…``, and what ``scan`` calls after its
outputs are written.

A notification is sent after the report is written and never changes it: a delivery that fails
is a warning on stderr naming the masked target (``cloudrift: warning: notification to
slack+https://hooks.slack.com/*** failed: HTTP 500 after 4 attempts``); ``scan
--require-notify`` makes it exit 2, and ``notify`` always does, sending being its whole job.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import click

from cloudrift.model import ScanReport
from cloudrift.notify import (
    DEFAULT_DIGEST,
    NOTIFY_ON,
    Outcome,
    RetryPolicy,
    ci_link,
    dry_run_text,
    parse_targets,
    plan,
    send,
)
from cloudrift.notify.targets import Target
from cloudrift.redact import Redactor

EXIT_ERROR = 2


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


def warn_failures(outcomes: Sequence[Outcome]) -> bool:
    """One stderr line per failed payload and one note for what went out; True if any
    failed."""
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        click.echo(f"cloudrift: warning: notification to {outcome.target} ({outcome.label}) "
                   f"failed: {outcome.error}", err=True)
    sent = [o for o in outcomes if o.ok]
    if sent:
        targets = len({o.target for o in sent})
        click.echo(f"cloudrift: note: sent {len(sent)} notification{'s' * (len(sent) != 1)} "
                   f"to {targets} target{'s' * (targets != 1)}", err=True)
    return bool(failed)


def notify_report(report: ScanReport, values: Sequence[str], *, on: str, digest: int,
                  link: str | None, redactor: Redactor, dry_run: bool = False,
                  env: Mapping[str, str] | None = None,
                  policy: RetryPolicy | None = None) -> bool:
    """Render and send (or print, for a dry run); True when every delivery succeeded."""
    targets = parse_targets(values, os.environ if env is None else env, redactor)
    planned = plan(report, targets, on=on, digest=digest, link=link, redactor=redactor)
    if dry_run:
        text = dry_run_text(planned, redactor)
        sys.stdout.write(text if text else "nothing to notify\n")
        sys.stdout.flush()
        return True
    if not planned:
        return True
    return not warn_failures(send(planned, policy, redactor))


def prepare(values: Sequence[str], on: str, digest: int, *, history: bool,
            env: Mapping[str, str] | None = None) -> list[Target]:
    """What ``scan`` checks before it calls any cloud: every target parses (secrets from the
    environment are there) and the settings fit the history."""
    from cloudrift.notify.changes import check_settings

    targets = parse_targets(values, os.environ if env is None else env)
    if targets:
        check_settings(on, digest, history=history)
    return targets


def after_scan(report: ScanReport, targets: Sequence[Target], *, on: str, digest: int,
               link: str | None, redactor: Redactor, written: Sequence[str] = (),
               require: bool = False, policy: RetryPolicy | None = None) -> int | None:
    """Notify after the outputs are written. Returns exit code 2 when a delivery failed and
    ``--require-notify`` says that fails the scan, else None (the drift decides)."""
    if not targets:
        return None
    for target in targets:
        redactor.add(target.secrets)
    planned = plan(report, targets, on=on, digest=digest,
                   link=report_link(link, os.environ, written), redactor=redactor)
    if not planned:
        return None
    failed = warn_failures(send(planned, policy, redactor))
    if failed and require:
        click.echo("cloudrift: error: a notification was not delivered (--require-notify); "
                   "exiting 2", err=True)
        return EXIT_ERROR
    return None


def _options(require: bool) -> list[Any]:
    options = [
        click.option("--notify", "notify_targets", multiple=True, metavar="TARGET",
                     envvar="CLOUDRIFT_NOTIFY",
                     help="Tell of drift that changed: slack+https://…, teams+https://…, "
                     "webhook+https://…?secret=…, smtp://… or smtps://…, pagerduty://KEY, "
                     "apprise+…; ${NAME} reads an environment variable. Repeatable "
                     "(docs/notifications.md)."),
        click.option("--notify-on", "notify_on", type=click.Choice(NOTIFY_ON), default="change",
                     show_default=True, envvar="CLOUDRIFT_NOTIFY_ON",
                     help="Tell of new, reopened and resolved drift (change), new and reopened "
                     "only (new), or every open drift on every run (always)."),
        click.option("--notify-digest", "notify_digest", type=click.IntRange(min=0),
                     default=DEFAULT_DIGEST, show_default=True, envvar="CLOUDRIFT_NOTIFY_DIGEST",
                     help="Above this many changes, send counts by kind and type instead of "
                     "one item per drift (0: always a digest)."),
        click.option("--notify-link", "notify_link", metavar="URL",
                     envvar="CLOUDRIFT_NOTIFY_LINK",
                     help="Where readers find the full report (default: the CI job's page "
                     "when known, else the report files written)."),
    ]
    if require:
        options.append(click.option(
            "--require-notify", "require_notify", is_flag=True,
            envvar="CLOUDRIFT_REQUIRE_NOTIFY",
            help="Exit 2 when a notification could not be delivered (by default a warning)."))
    return options


def scan_notify_options() -> list[Any]:
    """``scan``'s notification options, ``--require-notify`` included."""
    return _options(require=True)


def notify_options(func: Any) -> Any:
    """``--notify``, ``--notify-on``, ``--notify-digest``, ``--notify-link`` for ``notify``."""
    for option in reversed(_options(require=False)):
        func = option(func)
    return func


@click.command("notify")
@click.option("--from", "source", required=True, metavar="PATH",
              help="A report written by `scan --output json://PATH` ('-' for standard input).")
@notify_options
@click.option("--dry-run", is_flag=True,
              help="Print each payload (targets masked) and send nothing.")
def notify(source: str, notify_targets: tuple[str, ...], notify_on: str, notify_digest: int,
           notify_link: str | None, dry_run: bool) -> None:
    """Send the notifications a saved JSON report calls for. Exits 2 if any delivery failed."""
    from cloudrift.cli import _load_report
    from cloudrift.errors import ConfigError

    if not notify_targets:
        raise ConfigError("no --notify target", hint="--notify slack+https://hooks.slack.com/…")
    report = _load_report(source)
    link = report_link(notify_link, os.environ)
    delivered = notify_report(report, notify_targets, on=notify_on, digest=notify_digest, link=link,
                              redactor=Redactor(), dry_run=dry_run)
    if not delivered:
        sys.exit(EXIT_ERROR)
