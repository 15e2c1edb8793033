"""``cloudrift notify --from report.json --notify TARGET…``: send (or, with ``--dry-run``,
print) the notifications a saved report calls for. Its options are the ``notify*`` rows of
``cloudrift.settings`` (flags, ``CLOUDRIFT_NOTIFY*`` variables, config keys), as ``scan``'s
are; it exits 2 when a delivery fails, sending being its whole job."""

from __future__ import annotations

import sys
from typing import Any

import click

from cloudrift.settings import NOTIFY, Setting, values_of

EXIT_ERROR = 2
# --require-notify is scan's: here a failed delivery always fails the command
SETTINGS: tuple[Setting, ...] = tuple(s for s in NOTIFY if s.name != "require_notify")


class NotifyCommand(click.Command):
    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return [*(s.option() for s in SETTINGS), *super().get_params(ctx)]


@click.command("notify", cls=NotifyCommand)
@click.option("--from", "source", required=True, metavar="PATH",
              help="A report written by `scan --output json://PATH` ('-' for standard input).")
@click.option("--dry-run", is_flag=True,
              help="Print each payload under its masked target and send nothing.")
def notify(source: str, dry_run: bool, **params: Any) -> None:
    """Send the notifications a saved JSON report calls for (docs/notifications.md). Exits 2
    if any delivery failed."""
    from cloudrift.api import load_report
    from cloudrift.errors import ConfigError
    from cloudrift.notify.run import from_report

    values = values_of(SETTINGS, params)
    if not values["notify"]:
        raise ConfigError("no --notify target", hint="--notify slack+https://hooks.slack.com/…")
    delivered = from_report(load_report(source), values, dry_run=dry_run,
                            note=lambda line: click.echo(line, err=True),
                            out=lambda text: click.echo(text, nl=False))
    if not delivered:
        sys.exit(EXIT_ERROR)
