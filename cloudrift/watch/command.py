"""``cloudrift watch``: the click command. It takes every scan setting (the settings table) plus
the schedule, the jitter, where to listen and the grace period; each scan is ``scan``'s own
``ScanJob`` (states, comparison, history, outputs, notifications)."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from cloudrift.cli import SettingsCommand
from cloudrift.errors import ConfigError

DEFAULT_LISTEN = "127.0.0.1:8785"


@click.command("watch", cls=SettingsCommand)
@click.option("--every", "every", metavar="DURATION", envvar="CLOUDRIFT_EVERY",
              help="Scan at this interval, from the start: 30s, 15m, 1h, 1d.")
@click.option("--cron", "cron", metavar="EXPR", envvar="CLOUDRIFT_CRON",
              help="Scan at the times of this cron expression, in UTC: '0 * * * *' hourly "
              "(a sixth field counts seconds).")
@click.option("--jitter", "jitter", default="0.1", show_default=True, metavar="FRACTION",
              envvar="CLOUDRIFT_JITTER",
              help="Delay each scan after the first by a random share of the interval, up to "
              "this fraction (0 to 0.5, or 10%), so that watchers started together do not "
              "call the cloud in step.")
@click.option("--listen", "listen", default=DEFAULT_LISTEN, show_default=True,
              metavar="HOST:PORT", envvar="CLOUDRIFT_LISTEN",
              help="Serve / (the last report), /metrics (Prometheus) and /healthz here; port 0 "
              "picks a free one. An address other than loopback shows the report to that "
              "network.")
@click.option("--grace", "grace", default="30s", show_default=True, metavar="DURATION",
              envvar="CLOUDRIFT_GRACE",
              help="On SIGTERM or SIGINT, let a running scan finish for this long before "
              "abandoning it.")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.pass_context
def watch(ctx: click.Context, /, every: str | None, cron: str | None, jitter: str, listen: str,
          grace: str, debug: bool, **params: Any) -> None:
    """Scan on a schedule in one long-running process: every scan is recorded in the history,
    written to the --output targets, notified to the --notify targets on change, and served at
    / (the HTML report with the trend), /metrics and /healthz.

    \b
    Scans never overlap; the first starts at once. SIGTERM or SIGINT stops the watch: a
    running scan gets --grace to finish, then is abandoned with nothing of it recorded.
    Exit codes: 0 stopped, 2 bad settings, 130 a running scan was abandoned.
    Example:
      cloudrift watch --every 1h --from tfstate://terraform.tfstate --notify 'slack+https://...'
    """
    from cloudrift.cli import _log_to_stderr, _settings
    from cloudrift.settings import values_of
    from cloudrift.watch.cycle import check_settings, cycle_function
    from cloudrift.watch.loop import Watcher
    from cloudrift.watch.schedule import Cron, Every, Jitter, parse_interval, parse_jitter
    from cloudrift.watch.server import WatchServer, parse_listen
    from cloudrift.watch.state import WatchState

    if bool(every) == bool(cron):
        raise ConfigError("watch needs one of --every and --cron",
                          hint="e.g. --every 1h or --cron '0 * * * *'")
    schedule = Every(parse_interval(every)) if every else Cron.parse(str(cron))
    fraction = parse_jitter(jitter)
    grace_s = parse_interval(grace, "--grace")
    host, port = parse_listen(listen)
    values = values_of(_settings(), params)
    check_settings(values)

    def say(line: str) -> None:
        click.echo(line, err=True)

    handler = _log_to_stderr(
        logging.DEBUG if debug else logging.INFO if values["verbose"] else logging.WARNING)
    scan = cycle_function(values, ctx.obj.ignores if ctx.obj else [], say, handler)
    state = WatchState(schedule.describe())
    server = WatchServer(state, host, port).start()
    watcher = Watcher(scan, schedule, Jitter(fraction), grace=grace_s, state=state, say=say)
    say(f"cloudrift: watching, {schedule.describe()}, jitter up to {fraction:.0%}; serving "
        f"{server.url}/ (also /metrics, /healthz)")
    try:
        code = watcher.run()
    finally:
        server.stop()
    sys.exit(code)
