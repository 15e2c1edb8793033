"""``cloudrift history``, ``history show``, ``diff`` and ``baseline accept``.

Each takes ``--history URL`` (default: ``CLOUDRIFT_HISTORY``, then the config file's ``history``,
then ``sqlite:///.cloudrift/history.db``). Errors are ``CloudriftError``s: the CLI's group turns
them into one line and exit code 2.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from cloudrift.errors import ConfigError, HistoryError, SourceError
from cloudrift.model import Finding, ScanReport, finding_order

F = TypeVar("F", bound=Callable[..., Any])
HISTORY_ENV = "CLOUDRIFT_HISTORY"


def history_url(ctx: click.Context, given: str | None) -> str:
    """The URL from the flag or variable, else the config file, else the default."""
    from cloudrift.history.store import DEFAULT_URL

    if given:
        return given
    loaded = ctx.find_root().obj
    configured = getattr(loaded, "values", {}).get("history") if loaded is not None else None
    return str(configured) if configured else DEFAULT_URL


def history_option(func: F) -> F:
    return click.option(
        "--history", "history", metavar="URL", envvar=HISTORY_ENV,
        help="The history database: sqlite:///PATH or postgresql://USER@HOST/DB (default: "
        "sqlite:///.cloudrift/history.db).",
    )(func)


def _open(ctx: click.Context, given: str | None) -> Any:
    from cloudrift.history import History

    url = history_url(ctx, given)
    from cloudrift.history.store import parse_url

    location = parse_url(url)
    if location.path is not None and not os.path.exists(location.path):
        raise HistoryError(f"history {location.shown} does not exist: no scan was recorded there",
                           hint="run `cloudrift scan` first, or pass --history URL")
    return History(location)


def _day(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


_TABLE = ("id", "started_at", "kind", "shard", "findings", "new", "known", "reopened",
          "resolved", "ignored", "changed", "missing", "unmanaged", "unapplied", "complete")


@click.group("history", invoke_without_command=True)
@history_option
@click.option("--root", "roots", multiple=True, metavar="DIR",
              help="Only scans that read this root module. Repeatable.")
@click.option("--workspace", "workspaces", multiple=True, metavar="NAME",
              help="Only scans of this workspace. Repeatable.")
@click.option("--provider", "providers", multiple=True, metavar="NAME",
              help="Only scans of this provider (aws, gcp, azure). Repeatable.")
@click.option("--since", metavar="YYYY-MM-DD", help="Only scans from this day on.")
@click.option("--until", metavar="YYYY-MM-DD", help="Only scans before this day.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="At most this many scans, newest first (default: 50 as a table, all as "
              "json or csv).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="table for people, json or csv for other tools.")
@click.pass_context
def history_cmd(ctx: click.Context, history: str | None, roots: tuple[str, ...],
                workspaces: tuple[str, ...], providers: tuple[str, ...], since: str | None,
                until: str | None, limit: int | None, fmt: str) -> None:
    """List recorded scans, newest first, with their counts (new, known, reopened, resolved per
    scan). `cloudrift history show FINGERPRINT` shows the timeline of one drift."""
    if ctx.invoked_subcommand is not None:
        return  # the subcommand opens the history itself
    from cloudrift.history.queries import ScanFilter

    where = ScanFilter(
        roots=roots, workspaces=workspaces, providers=providers,
        since=_day(since, "--since"), until=_day(until, "--until"),
        limit=limit or (50 if fmt == "table" else None),
    )
    with _open(ctx, history) as store:
        rows = [row.as_dict() for row in store.scans(where)]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    elif fmt == "csv":
        buffer = io.StringIO()
        columns = [*_TABLE, "duration_s", "providers", "roots", "workspaces", "sources"]
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore",
                                lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ";".join(v) if isinstance(v, list) else v
                             for k, v in row.items()})
        click.echo(buffer.getvalue(), nl=False)
    else:
        _print_table(rows)


def _print_table(rows: list[dict[str, Any]]) -> None:
    if not rows:
        click.echo("no scans recorded (that match)")
        return
    headers = ["scan", "started (UTC)", "kind", "shard", "drift", "new", "known", "reopened",
               "resolved", "providers / roots"]
    table = [[
        str(r["id"]), r["started_at"].replace("T", " ").rstrip("Z"),
        r["kind"] + ("" if r["complete"] else " (incomplete)"), r["shard"] or "",
        str(r["findings"]), str(r["new"]), str(r["known"]), str(r["reopened"]),
        str(r["resolved"]), ", ".join(r.get("providers", []) + r.get("roots", [])),
    ] for r in rows]
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in table:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


@history_cmd.command("show")
@click.argument("fingerprint")
@history_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def history_show(ctx: click.Context, fingerprint: str, history: str | None, fmt: str) -> None:
    """The timeline of one drift: every scan that saw it, resolved it or reopened it. A unique
    prefix of the fingerprint will do."""
    if history is None and ctx.parent is not None:
        history = ctx.parent.params.get("history")
    with _open(ctx, history) as store:
        found = store.timeline(fingerprint)
    if found is None:
        raise ConfigError(f"no drift with fingerprint {fingerprint!r} in the history")
    if fmt == "json":
        click.echo(json.dumps(found.as_dict(), indent=2))
        return
    finding = found.finding
    what = finding.get("address") or f"{finding.get('type')}.{finding.get('id')}"
    click.echo(f"{found.fingerprint}  {finding.get('kind')}  {what}")
    click.echo(f"  state {found.state}; first seen {found.first_seen}, last seen "
               f"{found.last_seen}" + (f", closed {found.closed_at}" if found.closed_at else ""))
    for change in finding.get("changes", []):
        click.echo(f"  {change['path']}: {json.dumps(change.get('expected'))} → "
                   f"{json.dumps(change.get('actual'))}")
    for event in found.events:
        shard = f" (shard {event['shard']})" if event["shard"] else ""
        kind = " baseline" if event["scan_kind"] == "baseline" else ""
        click.echo(f"  {event['at']}  scan {event['scan_id']}{kind}{shard}: {event['status']}")


def _findings(ctx: click.Context, ref: str, history: str | None) -> tuple[str, list[Finding]]:
    """A saved JSON report (a path) or a scan id from the history."""
    if os.path.exists(ref) or not ref.isdigit():
        return ref, _read_report(ref).findings
    with _open(ctx, history) as store:
        found = store.scan_findings(int(ref))
    if found is None:
        raise ConfigError(f"{ref!r} is neither a report file nor a scan id in the history")
    return f"scan {ref}", found


def _read_report(path: str) -> ScanReport:
    from pydantic import ValidationError

    try:
        with open(path, encoding="utf-8") as handle:
            return ScanReport.model_validate_json(handle.read())
    except OSError as exc:
        raise SourceError(f"{path}: cannot read report ({exc.strerror})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        raise SourceError(f"{path}: not a cloudrift JSON report ({where}: {first['msg']})"
                          ) from None


def compare(old: list[Finding], new: list[Finding]) -> dict[str, list[Finding]]:
    """What appeared, what went and what stayed between two lists of findings (by
    fingerprint)."""
    before = {f.fingerprint: f for f in old}
    after = {f.fingerprint: f for f in new}
    return {
        "new": sorted((f for k, f in after.items() if k not in before), key=finding_order),
        "resolved": sorted((f for k, f in before.items() if k not in after), key=finding_order),
        "still": sorted((f for k, f in after.items() if k in before), key=finding_order),
    }


@click.command("diff")
@click.argument("old")
@click.argument("new")
@history_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def diff_cmd(ctx: click.Context, old: str, new: str, history: str | None, fmt: str) -> None:
    """Compare two scans: OLD and NEW are saved JSON reports or scan ids from the history.
    Lists the drift that is new, resolved and still there (by fingerprint)."""
    old_label, old_findings = _findings(ctx, old, history)
    new_label, new_findings = _findings(ctx, new, history)
    parts = compare(old_findings, new_findings)
    if fmt == "json":
        document = {"old": old_label, "new": new_label,
                    **{k: [f.model_dump(mode="json") for f in v] for k, v in parts.items()}}
        click.echo(json.dumps(document, indent=2))
        return
    click.echo(f"{old_label} → {new_label}: {len(parts['new'])} new, "
               f"{len(parts['resolved'])} resolved, {len(parts['still'])} still there")
    for name, sign in (("new", "+"), ("resolved", "-"), ("still", "=")):
        for finding in parts[name]:
            what = finding.address or f"{finding.type}.{finding.id}"
            paths = ", ".join(c.path for c in finding.changes)
            click.echo(f"{sign} {finding.kind.value:<9} {what}" + (f"  [{paths}]" if paths
                                                                    else ""))


@click.group("baseline")
def baseline_cmd() -> None:
    """Accept the drift there is now, so that `scan --fail-on new` fails only on what comes
    after."""


@baseline_cmd.command("accept")
@click.argument("report", required=False, metavar="[REPORT.json]")
@history_option
@click.pass_context
def baseline_accept(ctx: click.Context, report: str | None, history: str | None) -> None:
    """Mark what is there now as known. With REPORT.json (from `scan --output json://...`,
    unfiltered), record that scan as a baseline: its drift is known, none of it new; without,
    accept the drift the history holds open."""
    from cloudrift.history import History

    with History(history_url(ctx, history)) as store:
        if report is not None:
            loaded = _read_report(report)
            done = store.record(loaded.model_copy(update={"resolved": []}), baseline=True)
        else:
            done = store.accept_open()
    where = f" of {report}" if report is not None else " open in the history"
    click.echo(f"accepted {done.report.summary.known} finding(s){where} as known: baseline "
               f"scan {done.scan_id} in {store.shown}")


COMMANDS = (history_cmd, diff_cmd, baseline_cmd)
