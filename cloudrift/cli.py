"""The command line; the one place where errors become exit codes.

Exit codes: 0 in sync, 1 drift found, 2 error (or an incomplete scan that found no drift,
unless ``--allow-incomplete``), 130 interrupted.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

import click

from cloudrift import __version__
from cloudrift.errors import CloudriftError, ConfigError
from cloudrift.plugin import Provider, ScanOptions, available_plugins, load_plugin

EXIT_OK = 0
EXIT_DRIFT = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

log = logging.getLogger("cloudrift")


class CloudriftGroup(click.Group):
    """Turns ``CloudriftError`` into one line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = "--debug" in sys.argv
        try:
            return super().invoke(ctx)
        except CloudriftError as exc:
            if debug:
                raise
            click.echo(f"cloudrift: error: {exc}", err=True)
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("cloudrift: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)


@click.group(cls=CloudriftGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """cloudrift finds drift between Terraform state and what really runs in the cloud."""


def _split(values: Sequence[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@cli.command()
@click.option("--from", "sources", multiple=True, metavar="URL",
              help="Terraform state to compare: tfstate://PATH or a plain path; globs such as "
              "'tfstate://envs/**/*.tfstate' are expanded. Repeatable.")
@click.option("--to", "to", multiple=True, metavar="PROVIDER",
              help="Cloud provider(s) to scan (e.g. aws). Default: the providers the states use.")
@click.option("--region", "regions", multiple=True, metavar="REGION",
              help="AWS region to scan, besides those the states name; the first is the default "
              "for resources whose region the state does not say. Repeatable or comma-separated. "
              "Default: AWS_REGION.")
@click.option("--output", "-o", "outputs", multiple=True, metavar="FORMAT://PATH",
              help="Where to write the report: console:// (standard output) or "
              "json://PATH ('json://' alone for standard output). Repeatable. "
              "Default: console://.")
@click.option("--strict", is_flag=True,
              help="Also report cloud-created defaults (default VPC, its subnets and security "
              "groups, AWS-managed policies, service-linked roles) as unmanaged.")
@click.option("--parallelism", type=click.IntRange(1, 256), default=16, show_default=True,
              help="Concurrent API calls per provider.")
@click.option("--allow-incomplete", is_flag=True,
              help="Exit 0 rather than 2 when no drift was found but part of the cloud could not "
              "be scanned.")
@click.option("--no-color", is_flag=True, help="Never colour console output.")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
def scan(
    sources: tuple[str, ...],
    to: tuple[str, ...],
    regions: tuple[str, ...],
    outputs: tuple[str, ...],
    strict: bool,
    parallelism: int,
    allow_incomplete: bool,
    no_color: bool,
    debug: bool,
) -> None:
    """Compare Terraform state with the cloud and report drift.

    \b
    Exit codes: 0 in sync, 1 drift found, 2 error or incomplete scan, 130 interrupted.
    Example:
      cloudrift scan --from tfstate://terraform.tfstate --to aws --region eu-west-1 \\
                     --output console:// --output json://drift.json
    """
    from cloudrift.engine import Scan, providers_used, read_sources
    from cloudrift.report import parse_output, write_outputs
    from cloudrift.sources import open_source

    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="cloudrift: %(levelname)s %(name)s: %(message)s")
    if not sources:
        raise ConfigError("no state to compare", hint="pass --from tfstate://PATH")
    targets = [parse_output(o) for o in (outputs or ("console://",))]
    opened = [open_source(uri) for uri in sources]
    scan_input = read_sources(opened, parallelism)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_ScrubFilter(scan_input.redactor))

    names = _split(to) or providers_used(scan_input.documents)
    if not names:
        raise ConfigError(
            "the states manage no resources and no provider was named", hint="pass --to aws"
        )
    options = ScanOptions(regions=tuple(_split(regions)), strict=strict, parallelism=parallelism)
    providers: dict[str, Provider] = {}
    for name in names:
        providers[name] = load_plugin(name).create(options)

    report = Scan(scan_input, providers, strict=strict).run()
    write_outputs(report, targets, color=False if no_color else None,
                  redactor=scan_input.redactor)
    if report.findings:
        sys.exit(EXIT_DRIFT)
    if not report.complete and not allow_incomplete:
        click.echo("cloudrift: scan incomplete and no drift found: exiting 2 "
                   "(see warnings; --allow-incomplete to accept)", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_OK)


class _ScrubFilter(logging.Filter):
    def __init__(self, redactor: Any) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor.scrub(record.getMessage())
        record.args = ()
        return True


@cli.command()
def version() -> None:
    """Print cloudrift's version and the installed providers."""
    plugins = available_plugins()
    click.echo(f"cloudrift {__version__}")
    for name in sorted(plugins):
        click.echo(f"  provider {name}: {len(plugins[name].types())} resource types")


@cli.command()
@click.option("--provider", "provider", default=None, help="Only this provider's types.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def types(provider: str | None, as_json: bool) -> None:
    """List the supported resource types per provider."""
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


def main() -> None:
    cli(prog_name="cloudrift")
