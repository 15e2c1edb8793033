"""The command line; the one place where errors become exit codes.

Exit codes: 0 in sync, 1 drift found, 2 error (or an incomplete scan that found no drift,
unless ``--allow-incomplete``), 130 interrupted.

Settings come from flags, then ``CLOUDRIFT_*`` environment variables, then the config file
(``cloudrift.toml`` or ``[tool.cloudrift]`` in ``pyproject.toml``); ``cloudrift config`` shows
which one each value came from. Every one is a row of ``cloudrift.settings`` (the core's, and
each provider plugin's own), which gives it its flag, variable and key.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from functools import cache
from typing import Any

import click
from click.core import ParameterSource

from cloudrift._version import __version__
from cloudrift.config import load_config
from cloudrift.errors import CloudriftError, ConfigError
from cloudrift.progress import NoProgress, TerminalProgress, should_show
from cloudrift.redact import REDACTED
from cloudrift.settings import Setting, all_settings, values_of

EXIT_OK = 0
EXIT_DRIFT = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

log = logging.getLogger("cloudrift")


@cache
def _settings() -> tuple[Setting, ...]:
    """Every scan setting, the installed plugins' too; computed once, when first needed."""
    return tuple(all_settings())


# commands that live with what they do, imported only when run (or listed by --help)
LAZY_COMMANDS = {
    "fix": "cloudrift.fix.commands:fix",
    "history": "cloudrift.history.commands:history_cmd",
    "diff": "cloudrift.history.commands:diff_cmd",
    "baseline": "cloudrift.history.commands:baseline_cmd",
    "notify": "cloudrift.notify.commands:notify",
    "watch": "cloudrift.watch.command:watch",
}


class CloudriftGroup(click.Group):
    """Turns ``CloudriftError`` into one line on stderr and exit code 2; loads the commands of
    ``LAZY_COMMANDS`` when they are used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in LAZY_COMMANDS:
            from importlib import import_module

            module_name, _, attribute = LAZY_COMMANDS[cmd_name].partition(":")
            command = getattr(import_module(module_name), attribute)
            assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        debug = "--debug" in sys.argv
        try:
            return super().invoke(ctx)
        except CloudriftError as exc:
            if debug:
                traceback.print_exc()
            click.echo(f"cloudrift: error: {exc}", err=True)
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("cloudrift: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)


class SettingsCommand(click.Command):
    """A command that takes every scan setting as an option, built from the settings table
    when the command is used (plugins are not loaded to import the CLI)."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return [*(s.option() for s in _settings()), *super().get_params(ctx)]


@click.group(cls=CloudriftGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="PATH", envvar="CLOUDRIFT_CONFIG",
              help="Config file (default: ./cloudrift.toml, else [tool.cloudrift] in "
              "./pyproject.toml).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """cloudrift finds drift between Terraform state and what really runs in the cloud."""
    if ctx.resilient_parsing:
        return
    loaded = load_config(config_path, settings=_settings())
    ctx.obj = loaded
    params = {s.name: s.param for s in _settings()}
    defaults = {params[name]: value for name, value in loaded.values.items()}
    from cloudrift.settings import NOTIFY

    notify = {s.param for s in NOTIFY}
    ctx.default_map = {"scan": defaults, "config": defaults, "watch": defaults,
                       "notify": {k: v for k, v in defaults.items() if k in notify}}


@cli.command(cls=SettingsCommand)
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.pass_context
def scan(ctx: click.Context, /, debug: bool, **params: Any) -> None:
    """Compare Terraform state with the cloud and report drift.

    \b
    Exit codes: 0 in sync, 1 drift found, 2 error or incomplete scan, 130 interrupted.
    OpenTofu-encrypted states are decrypted with TF_ENCRYPTION (the encryption block OpenTofu
    takes, HCL or JSON), merged over a discovered root module's own (docs/opentofu.md).
    Example:
      cloudrift scan --from tfstate://terraform.tfstate --to aws --region eu-west-1 \\
                     --output console:// --output json://drift.json
    """
    from cloudrift.api import ScanJob

    values = values_of(_settings(), params)
    handler = _log_to_stderr(
        logging.DEBUG if debug else logging.INFO if values["verbose"] else logging.WARNING
    )
    quiet = values["quiet"] or values["verbose"] or debug
    progress = TerminalProgress() if should_show(sys.stderr, quiet) else NoProgress()
    job = ScanJob(values, ctx.obj.ignores if ctx.obj else [],
                  note=lambda line: click.echo(line, err=True), progress=progress)
    handler.addFilter(_ScrubFilter(job.prepare()))
    outcome = job.execute()
    job.write(outcome, color=False if values["no_color"] else None)
    # after the outputs: a notification never holds back, changes or loses the report
    delivered = job.notify(outcome)
    if outcome.history_error is not None:
        click.echo(f"cloudrift: error: {outcome.history_error}", err=True)
        sys.exit(EXIT_ERROR)
    code = exit_code(outcome.report, values["allow_incomplete"], values["fail_on"],
                     values["min_coverage"])
    if not delivered and values["require_notify"]:
        click.echo("cloudrift: error: a notification was not delivered (--require-notify); "
                   "exiting 2", err=True)
        code = EXIT_ERROR
    sys.exit(code)


def exit_code(report: Any, allow_incomplete: bool, fail_on: str = "any",
              min_coverage: float | None = None) -> int:
    """1 for drift that fails the run (``--fail-on``: any, new or reopened only, none); 2 for
    coverage under ``--min-coverage``, or an incomplete scan without such drift unless
    ``--allow-incomplete``."""
    from cloudrift.kinds import FindingStatus

    if min_coverage is not None and report.summary.coverage < min_coverage:
        s = report.summary
        click.echo(f"cloudrift: error: coverage {s.coverage:.1%} is below --min-coverage "
                   f"{min_coverage:.1%} ({s.compared} of {s.managed} managed resources "
                   "compared); exiting 2", err=True)
        return EXIT_ERROR
    if fail_on == "any":
        failing = report.findings
    elif fail_on == "new":
        failing = [f for f in report.findings
                   if f.status in (FindingStatus.NEW, FindingStatus.REOPENED)]
    else:
        failing = []
    if failing:
        return EXIT_DRIFT
    if not report.complete and not allow_incomplete:
        reasons = report.incomplete_reasons
        more = f" (+{len(reasons) - 1} more)" if len(reasons) > 1 else ""
        first = f": {reasons[0]}{more}" if reasons else ""
        what = "no drift found" if not report.findings else f"no drift to fail on (--fail-on " \
            f"{fail_on})"
        click.echo(f"cloudrift: error: scan incomplete and {what}{first}; exiting 2 "
                   "(--allow-incomplete to accept)", err=True)
        return EXIT_ERROR
    return EXIT_OK


def _log_to_stderr(level: int) -> logging.Handler:
    """cloudrift's own log lines go to stderr, whatever logging the host process set up."""
    logger = logging.getLogger("cloudrift")
    for old in [h for h in logger.handlers if getattr(h, "_cloudrift", False)]:
        logger.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("cloudrift: %(levelname)s %(name)s: %(message)s"))
    handler._cloudrift = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return handler


class _ScrubFilter(logging.Filter):
    def __init__(self, redactor: Any) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor.scrub(record.getMessage())
        record.args = ()
        return True


_SOURCE_LABELS = {
    ParameterSource.COMMANDLINE: "flag",
    ParameterSource.ENVIRONMENT: "env",
    ParameterSource.DEFAULT_MAP: "file",
    ParameterSource.DEFAULT: "default",
}


@cli.command("config", cls=SettingsCommand)
@click.pass_context
def config_cmd(ctx: click.Context, /, **params: Any) -> None:
    """Show every scan setting, its value and where it came from (flag > env > file > default).
    Takes the same options as `scan`; a plugin's settings say which plugin declared them."""
    loaded = ctx.obj
    click.echo(f"config file: {loaded.path if loaded and loaded.path else '(none)'}")
    width = max(len(s.key) for s in _settings())
    for setting in _settings():
        source = ctx.get_parameter_source(setting.param)
        label = _SOURCE_LABELS.get(source, "default") if source else "default"
        if label == "env":
            label = f"env {setting.env}"
        elif label == "file" and loaded is not None:
            label = f"file {loaded.path}"
        if setting.owner != "cloudrift":
            label += f", {setting.owner} plugin"
        value = params[setting.param]
        shown = list(value) if isinstance(value, tuple) else value
        if setting.secret and value:
            shown = REDACTED
        if setting.url and value:
            from cloudrift.history.urls import mask_password

            shown = mask_password(value)
        if setting.target and value:
            from cloudrift.notify.targets import masked

            shown = [masked(v, os.environ) for v in value]
        click.echo(f"{setting.key:<{width}} = {json.dumps(shown)}  ({label})")
    if loaded is not None and loaded.ignores:
        click.echo(f"ignore rules from the config file: {len(loaded.ignores)}")


@cli.command("sources")
@click.option("--repo", "repo", metavar="PATH_OR_URL", help="Read from this Git repository.")
@click.option("--ref", "ref", metavar="REF", help="The Git ref to read (default HEAD).")
@click.option("--workspace", "workspace", metavar="NAME", help="The workspace to read.")
@click.option("--all-workspaces", is_flag=True, help="Every workspace of each root module.")
def sources_cmd(repo: str | None, ref: str | None, workspace: str | None,
                all_workspaces: bool) -> None:
    """List the root modules and Terragrunt units found here (or at --repo/--ref), their
    backends and where their state would be read from. Calls no cloud."""
    from cloudrift.gather import open_tree
    from cloudrift.sources.discover import describe_roots, discover_roots

    tree = open_tree(repo, ref)
    roots = discover_roots(tree, workspace=workspace, all_workspaces=all_workspaces)
    click.echo(f"in {tree.label}:")
    for line in describe_roots(roots, tree):
        click.echo(line)


@cli.command()
def version() -> None:
    """Print cloudrift's version and the installed providers."""
    from cloudrift.plugin import available_plugins

    plugins = available_plugins()
    click.echo(f"cloudrift {__version__}")
    for name in sorted(plugins):
        click.echo(f"  provider {name}: {len(plugins[name].types())} resource types")


@cli.command()
@click.option("--provider", "provider", default=None, help="Only this provider's types.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def types(provider: str | None, as_json: bool) -> None:
    """List the supported resource types per provider."""
    from cloudrift.plugin import available_plugins, load_plugin

    plugins = {provider: load_plugin(provider)} if provider else available_plugins()
    listing = {
        name: sorted(plugin.types()) for name, plugin in sorted(plugins.items())
    }
    if as_json:
        click.echo(json.dumps(listing, indent=2))
        return
    for name, names in listing.items():
        click.echo(f"{name} ({len(names)} types)")
        for rtype in names:
            spec = plugins[name].types()[rtype]
            note = "" if spec.unmanaged else "  (compared when managed; not listed as unmanaged)"
            click.echo(f"  {rtype}{note}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the json:// report."""
    from cloudrift.report.json import schema as report_schema

    click.echo(json.dumps(report_schema(), indent=2))


@cli.command()
@click.option("--from", "source", required=True, metavar="PATH",
              help="A report written by `scan --output json://PATH` ('-' for standard input).")
@click.option("--output", "-o", "outputs", multiple=True, required=True, metavar="FORMAT://PATH",
              help="Format and destination, as for `scan`. Repeatable.")
@click.option("--no-color", is_flag=True, help="Never colour console output.")
def report(source: str, outputs: tuple[str, ...], no_color: bool) -> None:
    """Render a saved JSON report again, in any output format."""
    from cloudrift.api import load_report
    from cloudrift.report import parse_output, write_outputs

    targets = [parse_output(o) for o in outputs]
    write_outputs(load_report(source), targets, color=False if no_color else None)


@cli.command()
@click.argument("reports", nargs=-1, required=True, metavar="REPORT.json...")
@click.option("--output", "-o", "outputs", multiple=True, metavar="FORMAT://PATH",
              help="Format and destination, as for `scan`. Repeatable. Default: json://.")
@click.option("--allow-incomplete", is_flag=True,
              help="Exit 0 rather than 2 when no drift was found but a shard was incomplete.")
@click.option("--no-color", is_flag=True, help="Never colour console output.")
def merge(reports: tuple[str, ...], outputs: tuple[str, ...], allow_incomplete: bool,
          no_color: bool) -> None:
    """Join the JSON reports of `scan --shard I/N` runs into the report of the whole scan.
    Exits like `scan`: 0 in sync, 1 drift, 2 incomplete."""
    from cloudrift.api import load_report
    from cloudrift.merge import merge_reports
    from cloudrift.report import parse_output, write_outputs

    merged = merge_reports([load_report(path) for path in reports])
    targets = [parse_output(o) for o in (outputs or ("json://",))]
    write_outputs(merged, targets, color=False if no_color else None)
    sys.exit(exit_code(merged, allow_incomplete))


@cli.group()
def ignore() -> None:
    """Manage ignore rules (.cloudriftignore, compatible with driftctl's .driftignore)."""


@ignore.command("add")
@click.argument("rule")
@click.option("--owner", help="Who accepted this drift.")
@click.option("--reason", help="Why it is accepted.")
@click.option("--expires", metavar="YYYY-MM-DD", help="The rule stops applying after this day.")
@click.option("--file", "path", default=".cloudriftignore", show_default=True,
              help="Ignore file for plain rules.")
@click.option("--config-file", "config_file", default="cloudrift.toml", show_default=True,
              help="Config file for rules with an owner, reason or expiry.")
def ignore_add(rule: str, owner: str | None, reason: str | None, expires: str | None,
               path: str, config_file: str) -> None:
    """Add RULE (TYPE.ID or TYPE.ID.FIELD; dots in ids escaped as \\.).

    With --owner, --reason or --expires the rule goes to the config file as an [[ignore]]
    table; otherwise it is appended to the ignore file."""
    from datetime import date

    from cloudrift.ignore import parse_rule

    parse_rule(rule, "RULE")
    if expires is not None:
        try:
            date.fromisoformat(expires)
        except ValueError:
            raise ConfigError(f"--expires {expires!r} is not a date (YYYY-MM-DD)") from None
    if owner or reason or expires:
        lines = ["", "[[ignore]]", f"rule = {json.dumps(rule)}"]
        if owner:
            lines.append(f"owner = {json.dumps(owner)}")
        if reason:
            lines.append(f"reason = {json.dumps(reason)}")
        if expires:
            lines.append(f"expires = {expires}")
        _append(config_file, "\n".join(lines) + "\n")
        load_config(config_file)
        click.echo(f"added to {config_file}: {rule}")
    else:
        _append(path, rule + "\n")
        click.echo(f"added to {path}: {rule}")


def _append(path: str, text: str) -> None:
    try:
        needs_newline = False
        if os.path.isfile(path) and os.path.getsize(path) > 0:
            with open(path, "rb") as existing:
                existing.seek(-1, os.SEEK_END)
                needs_newline = existing.read(1) != b"\n"
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(("\n" if needs_newline else "") + text)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write ({exc.strerror})") from None


@ignore.command("gen")
@click.option("--input", "source", default="-", show_default=True, metavar="PATH",
              help="The JSON report to read ('-' for standard input).")
def ignore_gen(source: str) -> None:
    """Print one ignore rule per unmanaged, missing or changed resource of a JSON report,
    like driftctl's gen-driftignore: `cloudrift ignore gen < report.json >> .cloudriftignore`."""
    from cloudrift.api import load_report
    from cloudrift.ignore import rules_for

    for line in rules_for(load_report(source).findings):
        click.echo(line)


def main() -> None:
    try:
        cli(prog_name="cloudrift")
    except SystemExit as exc:
        if exc.code == EXIT_INTERRUPTED:
            # worker threads blocked in a network read would hold a normal exit until their
            # timeouts ran out; nothing is half-written (outputs are renamed into place only
            # when complete), so leave now
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(EXIT_INTERRUPTED)
        raise
