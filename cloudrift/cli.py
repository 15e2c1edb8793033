"""The command line; the one place where errors become exit codes.

Exit codes: 0 in sync, 1 drift found, 2 error (or an incomplete scan that found no drift,
unless ``--allow-incomplete``), 130 interrupted.

Settings come from flags, then ``CLOUDRIFT_*`` environment variables, then the config file
(``cloudrift.toml`` or ``[tool.cloudrift]`` in ``pyproject.toml``); ``cloudrift config`` shows
which one each value came from.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from cloudrift import __version__
from cloudrift.config import SCAN_KEYS, env_var, load_config
from cloudrift.errors import CloudriftError, ConfigError, SourceError
from cloudrift.plugin import (
    Provider,
    ScanOptions,
    available_plugins,
    load_plugin,
    plugins_for_state,
)
from cloudrift.progress import NoProgress, TerminalProgress, should_show
from cloudrift.redact import REDACTED

EXIT_OK = 0
EXIT_DRIFT = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

log = logging.getLogger("cloudrift")

F = TypeVar("F", bound=Callable[..., Any])

# config-file key -> click parameter name
PARAM_NAMES = {
    "from": "sources",
    "to": "to",
    "region": "regions",
    "output": "outputs",
    "strict": "strict",
    "parallelism": "parallelism",
    "allow_incomplete": "allow_incomplete",
    "no_color": "no_color",
    "only": "only",
    "type": "types",
    "exclude_type": "exclude_types",
    "filter": "filter_expr",
    "ignore_file": "ignore_files",
    "gcp_scope": "gcp_scopes",
    "azure_subscription": "azure_subscriptions",
    "all_regions": "all_regions",
    "observe_unmanaged": "observe_unmanaged",
    "tfc_token": "tfc_token",
    "http_header": "http_headers",
    "hcl": "hcl",
    "repo": "repo",
    "ref": "ref",
    "workspace": "workspace",
    "all_workspaces": "all_workspaces",
    "aws_profile": "aws_profiles",
    "aws_role": "aws_roles",
    "shard": "shard",
    "min_coverage": "min_coverage",
    "attribute": "attribute",
    "quiet": "quiet",
    "verbose": "verbose",
    "history": "history",
    "no_history": "no_history",
    "history_keep": "history_keep",
    "fail_on": "fail_on",
}
# a secret never belongs in a config file that is committed next to the code
SECRET_SETTINGS = frozenset({"tfc_token"})
# shown with the password masked
URL_SETTINGS = frozenset({"history"})
FAIL_ON = ("new", "any", "none")
assert set(PARAM_NAMES) == set(SCAN_KEYS) | SECRET_SETTINGS


class CloudriftGroup(click.Group):
    """Turns ``CloudriftError`` into one line on stderr and exit code 2."""

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


@click.group(cls=CloudriftGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="PATH", envvar="CLOUDRIFT_CONFIG",
              help="Config file (default: ./cloudrift.toml, else [tool.cloudrift] in "
              "./pyproject.toml).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """cloudrift finds drift between Terraform state and what really runs in the cloud."""
    if ctx.resilient_parsing:
        return
    loaded = load_config(config_path)
    ctx.obj = loaded
    defaults = {PARAM_NAMES[k]: v for k, v in loaded.values.items()}
    ctx.default_map = {"scan": defaults, "config": defaults}


def _split(values: Sequence[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def scan_options(func: F) -> F:
    """The options ``scan`` takes and ``config`` explains, each also a CLOUDRIFT_* variable."""
    options = [
        click.option("--from", "sources", multiple=True, metavar="URL", envvar=env_var("from"),
                     help="Terraform state to compare: tfstate://PATH or a plain path (globs "
                     "such as 'tfstate://envs/**/*.tfstate' are expanded), "
                     "tfstate+s3://BUCKET/KEY_OR_GLOB, tfstate+gs://BUCKET/PREFIX, "
                     "tfstate+azurerm://ACCOUNT/CONTAINER/KEY, tfstate+https://URL, "
                     "tfstate+tfcloud://ORG/WORKSPACE (docs/sources.md). Repeatable. Without "
                     "--from, the root modules found here are read from their backends."),
        click.option("--tfc-token", "tfc_token", metavar="TOKEN", envvar=env_var("tfc_token"),
                     help="Terraform Cloud/Enterprise API token for tfstate+tfcloud:// "
                     "(default: TF_TOKEN_<host>, then credentials.tfrc.json)."),
        click.option("--http-header", "http_headers", multiple=True, metavar="'NAME: VALUE'",
                     envvar=env_var("http_header"),
                     help="A header sent to tfstate+http(s):// backends. Repeatable."),
        click.option("--hcl", "hcl", metavar="DIR", envvar=env_var("hcl"),
                     help="The root module whose code the --from states were applied from: "
                     "findings get the file:line of their block, and declared resources absent "
                     "from the states are reported as unapplied. Without --from, every root "
                     "module found is read with its own code."),
        click.option("--repo", "repo", metavar="PATH_OR_URL", envvar=env_var("repo"),
                     help="Read code and state files from this Git repository's object "
                     "database (a URL is cloned bare into the cache), never its working tree."),
        click.option("--ref", "ref", metavar="REF", envvar=env_var("ref"),
                     help="The Git ref to read with --repo (default HEAD), e.g. origin/main."),
        click.option("--workspace", "workspace", metavar="NAME", envvar=env_var("workspace"),
                     help="Without --from: the Terraform workspace to read (default: "
                     "TF_WORKSPACE, else the selected one, else default)."),
        click.option("--all-workspaces", is_flag=True, envvar=env_var("all_workspaces"),
                     help="Without --from: read every workspace of each root module."),
        click.option("--to", "to", multiple=True, metavar="PROVIDER", envvar=env_var("to"),
                     help="Cloud provider(s) to scan (e.g. aws). Default: the providers the "
                     "states use."),
        click.option("--region", "regions", multiple=True, metavar="REGION",
                     envvar=env_var("region"),
                     help="AWS region to scan, besides those the states name; the first is the "
                     "default for resources whose region the state does not say. Repeatable or "
                     "comma-separated. Default: AWS_REGION."),
        click.option("--output", "-o", "outputs", multiple=True, metavar="FORMAT://PATH",
                     envvar=env_var("output"),
                     help="Where to write the report: console://, json://, sarif://, "
                     "junit://, markdown://, html:// or driftctl://, each followed by a PATH "
                     "(none or '-' for standard output). Repeatable. Default: console://."),
        click.option("--strict", is_flag=True, envvar=env_var("strict"),
                     help="Also report cloud-created defaults (default VPC, its subnets and "
                     "security groups, AWS-managed policies, service-linked roles) as "
                     "unmanaged."),
        click.option("--parallelism", type=click.IntRange(1, 256), default=16,
                     show_default=True, envvar=env_var("parallelism"),
                     help="Concurrent API calls per provider."),
        click.option("--allow-incomplete", is_flag=True, envvar=env_var("allow_incomplete"),
                     help="Exit 0 rather than 2 when no drift was found but part of the cloud "
                     "could not be scanned."),
        click.option("--only", "only", multiple=True, metavar="KINDS", envvar=env_var("only"),
                     help="Report only these finding kinds: changed, missing, unmanaged, "
                     "unapplied (comma-separated or repeated)."),
        click.option("--type", "types", multiple=True, metavar="PATTERN",
                     envvar=env_var("type"),
                     help="Report only resource types matching this glob (aws_s3_*). "
                     "Repeatable."),
        click.option("--exclude-type", "exclude_types", multiple=True, metavar="PATTERN",
                     envvar=env_var("exclude_type"),
                     help="Leave out resource types matching this glob. Repeatable."),
        click.option("--filter", "filter_expr", metavar="JMESPATH", envvar=env_var("filter"),
                     help="Keep the findings for which this JMESPath expression is true, e.g. "
                     "\"type=='aws_s3_bucket' && kind!='unmanaged'\"."),
        click.option("--ignore-file", "ignore_files", multiple=True, metavar="PATH",
                     envvar=env_var("ignore_file"),
                     help="Ignore rules to apply (default: ./.cloudriftignore and "
                     "./.driftignore when present). Repeatable."),
        click.option("--gcp-scope", "gcp_scopes", multiple=True,
                     metavar="projects/P|folders/F|organizations/O",
                     envvar=env_var("gcp_scope"),
                     help="GCP scope(s) to search with Cloud Asset Inventory. Default: the "
                     "projects the states name."),
        click.option("--azure-subscription", "azure_subscriptions", multiple=True,
                     metavar="ID", envvar=env_var("azure_subscription"),
                     help="Azure subscription(s) to scan. Default: those the states' resource "
                     "ids name."),
        click.option("--aws-profile", "aws_profiles", multiple=True, metavar="PROFILE",
                     envvar=env_var("aws_profile"),
                     help="Scan the AWS account of this named profile; repeat for several "
                     "accounts in one scan. Default: the standard credential chain."),
        click.option("--aws-role", "aws_roles", multiple=True, metavar="ROLE_ARN",
                     envvar=env_var("aws_role"),
                     help="Assume this role and scan its account; repeatable, combinable with "
                     "--aws-profile. Resources go to the account their ARN names."),
        click.option("--all-regions", is_flag=True, envvar=env_var("all_regions"),
                     help="Search every region the AWS account has enabled for unmanaged "
                     "resources, not only those the states and --region name."),
        click.option("--observe-unmanaged", is_flag=True, envvar=env_var("observe_unmanaged"),
                     help="Also read the compared fields of unmanaged resources (one more "
                     "detail call each, AWS) and put them in the JSON report, so that "
                     "`cloudrift fix` can write their configuration without terraform."),
        click.option("--shard", "shard", metavar="I/N", envvar=env_var("shard"),
                     help="Scan only the I-th of N deterministic shares of the work (by "
                     "provider, type and region); join the N reports with `cloudrift merge`."),
        click.option("--min-coverage", "min_coverage", type=click.FloatRange(0.0, 1.0),
                     metavar="FRACTION", envvar=env_var("min_coverage"),
                     help="Exit 2 when fewer than this share of the managed resources were "
                     "compared (e.g. 0.95): a CI gate on coverage."),
        click.option("--attribute", is_flag=True, envvar=env_var("attribute"),
                     help="Say who changed each changed or missing resource: its last write "
                     "events (principal, time, source IP, call) from CloudTrail, the Azure "
                     "Activity Log or GCP Cloud Audit Logs, 90 days back. Costs at least one "
                     "API call per finding; CloudTrail answers two a second per region "
                     "(docs/attribution.md)."),
        click.option("--quiet", "-q", is_flag=True, envvar=env_var("quiet"),
                     help="No progress display (it is shown only on a terminal, never in CI)."),
        click.option("--verbose", "-v", is_flag=True, envvar=env_var("verbose"),
                     help="Log every cloud API call to stderr."),
        click.option("--no-color", is_flag=True, envvar=env_var("no_color"),
                     help="Never colour console output."),
        click.option("--history", "history", metavar="URL", envvar=env_var("history"),
                     help="Where to remember scans, for new/known/resolved and ages: "
                     "sqlite:///PATH or postgresql://USER@HOST/DB (default: "
                     "sqlite:///.cloudrift/history.db; docs/history.md)."),
        click.option("--no-history", is_flag=True, envvar=env_var("no_history"),
                     help="Do not read or write the history."),
        click.option("--history-keep", "history_keep", metavar="DURATION",
                     envvar=env_var("history_keep"),
                     help="Forget scans older than this (90d, 12w, 1y); drift still open is "
                     "kept. Default: keep everything."),
        click.option("--fail-on", "fail_on", type=click.Choice(FAIL_ON), default="any",
                     show_default=True, envvar=env_var("fail_on"),
                     help="Exit 1 on any drift, only on new or reopened drift (needs the "
                     "history), or never."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@cli.command()
@scan_options
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.pass_context
def scan(
    ctx: click.Context,
    sources: tuple[str, ...],
    tfc_token: str | None,
    http_headers: tuple[str, ...],
    hcl: str | None,
    repo: str | None,
    ref: str | None,
    workspace: str | None,
    all_workspaces: bool,
    to: tuple[str, ...],
    regions: tuple[str, ...],
    outputs: tuple[str, ...],
    strict: bool,
    parallelism: int,
    allow_incomplete: bool,
    only: tuple[str, ...],
    types: tuple[str, ...],
    exclude_types: tuple[str, ...],
    filter_expr: str | None,
    ignore_files: tuple[str, ...],
    gcp_scopes: tuple[str, ...],
    azure_subscriptions: tuple[str, ...],
    aws_profiles: tuple[str, ...],
    aws_roles: tuple[str, ...],
    all_regions: bool,
    observe_unmanaged: bool,
    shard: str | None,
    min_coverage: float | None,
    attribute: bool,
    quiet: bool,
    verbose: bool,
    no_color: bool,
    history: str | None,
    no_history: bool,
    history_keep: str | None,
    fail_on: str,
    debug: bool,
) -> None:
    """Compare Terraform state with the cloud and report drift.

    \b
    Exit codes: 0 in sync, 1 drift found, 2 error or incomplete scan, 130 interrupted.
    OpenTofu-encrypted states are decrypted with TF_ENCRYPTION (the encryption block OpenTofu
    takes, HCL or JSON), merged over a discovered root module's own (docs/opentofu.md).
    Example:
      cloudrift scan --from tfstate://terraform.tfstate --to aws --region eu-west-1 \\
                     --output console:// --output json://drift.json
    """
    from cloudrift import postprocess
    from cloudrift.engine import Scan, providers_used
    from cloudrift.gather import Request, gather
    from cloudrift.report import parse_output, write_outputs

    handler = _log_to_stderr(
        logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    )
    keep = _check_history_settings(history, no_history, history_keep, fail_on)
    shard_spec = parse_shard(shard)
    targets = [parse_output(o) for o in (outputs or ("console://",))]
    filters = postprocess.Filters.build(_split(only), _split(types), _split(exclude_types),
                                        filter_expr)
    ignores = _ignore_set(ignore_files, ctx.obj.ignores if ctx.obj else [])
    gathered = gather(Request(sources=sources, hcl=hcl, repo=repo, ref=ref,
                              workspace=workspace, all_workspaces=all_workspaces,
                              parallelism=parallelism, tfc_token=tfc_token,
                              http_headers=tuple(http_headers)))
    scan_input = gathered.scan_input
    # a token given on the command line is a secret like those in the states
    scan_input.redactor.add([tfc_token] if tfc_token else [])
    handler.addFilter(_ScrubFilter(scan_input.redactor))
    for note in gathered.notes:
        click.echo(f"cloudrift: note: {scan_input.redactor.scrub(note)}", err=True)

    names = _split(to)
    if not names:
        names, unknown = plugins_for_state(providers_used(scan_input.documents))
        for state_name in unknown:
            click.echo(f"cloudrift: warning: no provider plugin compares {state_name!r} "
                       "resources; they are not scanned", err=True)
    if not names:
        raise ConfigError(
            "the states manage no resources and no provider was named", hint="pass --to aws"
        )
    show_progress = should_show(sys.stderr, quiet or verbose or debug)
    progress = TerminalProgress() if show_progress else NoProgress()
    options = ScanOptions(
        regions=tuple(_split(regions)), strict=strict, parallelism=parallelism,
        settings={"gcp_scopes": tuple(_split(gcp_scopes)),
                  "azure_subscriptions": tuple(_split(azure_subscriptions)),
                  "all_regions": all_regions,
                  "aws_profiles": tuple(_split(aws_profiles)),
                  "aws_roles": tuple(_split(aws_roles))},
        shard=shard_spec, progress=progress, observe_unmanaged=observe_unmanaged,
        types=tuple(_split(types)), exclude_types=tuple(_split(exclude_types)),
    )
    providers: dict[str, Provider] = {}
    for name in names:
        plugin = load_plugin(name)
        create_all = getattr(plugin, "create_all", None)
        # a plugin may scan several accounts, one provider each
        providers.update(create_all(options) if create_all else {name: plugin.create(options)})

    with progress if isinstance(progress, TerminalProgress) else nullcontext():
        report = Scan(scan_input, providers, strict=strict, shard=shard_spec,
                      wants=options.wants).run()
    # ignore rules are accepted drift and filters a view: the history records what is left
    # after the rules and before the view, so a filtered scan resolves nothing
    accepted = postprocess.apply(report, ignores, None)
    failure: CloudriftError | None = None
    if not no_history:
        kept = {f.fingerprint for f in accepted.findings}
        ignored = [f for f in report.findings if f.fingerprint not in kept]
        try:
            accepted = _record(history, accepted, ignored, shard_spec, keep, gathered,
                               scan_input.redactor)
        except CloudriftError as exc:
            failure = exc  # drift is never lost because the history failed: report first
    from cloudrift.history.grouping import assign_groups

    report = postprocess.apply(assign_groups(accepted), None, filters)
    if attribute:
        from cloudrift.attribution import attribute_report

        # after ignores and filters: a finding nobody will see is not worth a lookup
        report = attribute_report(report, providers)
    write_outputs(report, targets, color=False if no_color else None,
                  redactor=scan_input.redactor)
    if failure is not None:
        click.echo(f"cloudrift: error: {failure}", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(exit_code(report, allow_incomplete, fail_on, min_coverage))


def _check_history_settings(history: str | None, no_history: bool, keep: str | None,
                            fail_on: str) -> Any:
    """What can be checked before the scan without loading the database layer."""
    from cloudrift.history.urls import check_url, parse_duration

    if fail_on not in FAIL_ON:
        raise ConfigError(f"--fail-on {fail_on!r} is not one of {', '.join(FAIL_ON)}")
    if no_history:
        if fail_on == "new":
            raise ConfigError("--fail-on new needs the history",
                              hint="drop --no-history, or use --fail-on any")
        return None
    if history:
        check_url(history)
    return parse_duration(keep) if keep else None


def _record(history: str | None, report: Any, ignored: list[Any], shard: Any, keep: Any,
            gathered: Any, redactor: Any) -> Any:
    from cloudrift.history import DEFAULT_URL, History, Labels

    with History(history or DEFAULT_URL) as store:
        if store.created:
            click.echo(f"cloudrift: note: started a new drift history at {store.shown}",
                       err=True)
        labels = Labels(roots=tuple(c.root for c in report.code_coverage),
                        workspaces=tuple(gathered.workspaces))
        done = store.record(report, ignored=ignored, shard=shard, labels=labels, keep=keep,
                            redact=redactor.scrub_value)
        return done.report


def parse_shard(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    index, sep, count = value.partition("/")
    try:
        shard = (int(index), int(count))
    except ValueError:
        shard = (0, 0)
    if not sep or shard[1] < 1 or not 1 <= shard[0] <= shard[1]:
        raise ConfigError(f"--shard {value!r} is not I/N with 1 <= I <= N", hint="e.g. 2/4")
    return shard


def exit_code(report: Any, allow_incomplete: bool, fail_on: str = "any",
              min_coverage: float | None = None) -> int:
    """1 for drift that fails the run (``--fail-on``: any, new or reopened only, none); 2 for
    coverage under ``--min-coverage``, or an incomplete scan without such drift unless
    ``--allow-incomplete``."""
    from cloudrift.model import FindingStatus

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



def _ignore_set(files: Sequence[str], config_rules: Sequence[Any]) -> Any:
    from cloudrift.ignore import IGNORE_FILES, IgnoreSet, parse_ignore_file

    paths = list(files) or [name for name in IGNORE_FILES if os.path.isfile(name)]
    rules = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                rules.extend(parse_ignore_file(handle.read(), path))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read ignore file ({exc.strerror})") from None
    rules.extend(config_rules)
    return IgnoreSet(rules)


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


@cli.command("config")
@scan_options
@click.pass_context
def config_cmd(ctx: click.Context, /, **values: Any) -> None:
    """Show every scan setting, its value and where it came from (flag > env > file > default).
    Takes the same options as `scan`."""
    loaded = ctx.obj
    click.echo(f"config file: {loaded.path if loaded and loaded.path else '(none)'}")
    for key, param in PARAM_NAMES.items():
        source = ctx.get_parameter_source(param)
        label = _SOURCE_LABELS.get(source, "default") if source else "default"
        if label == "env":
            label = f"env {env_var(key)}"
        elif label == "file" and loaded is not None:
            label = f"file {loaded.path}"
        value = values[param]
        shown = list(value) if isinstance(value, tuple) else value
        if key in SECRET_SETTINGS and value:
            shown = REDACTED
        if key in URL_SETTINGS and value:
            from cloudrift.history.urls import mask_password

            shown = mask_password(value)
        click.echo(f"{key.replace('_', '-'):<17} = {json.dumps(shown)}  ({label})")
    if loaded is not None and loaded.ignores:
        click.echo(f"ignore rules from the config file: {len(loaded.ignores)}")


@cli.command("sources")
@click.option("--repo", "repo", metavar="PATH_OR_URL", help="Read from this Git repository.")
@click.option("--ref", "ref", metavar="REF", help="The Git ref to read (default HEAD).")
@click.option("--workspace", "workspace", metavar="NAME", help="The workspace to read.")
@click.option("--all-workspaces", is_flag=True, help="Every workspace of each root module.")
def sources_cmd(repo: str | None, ref: str | None, workspace: str | None,
                all_workspaces: bool) -> None:
    """List the root modules found here (or at --repo/--ref), their backends and where their
    state would be read from. Calls no cloud."""
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


def _load_report(path: str) -> Any:
    from pydantic import ValidationError

    from cloudrift.model import ScanReport

    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        return ScanReport.model_validate_json(text)
    except OSError as exc:
        raise SourceError(f"{path}: cannot read report ({exc.strerror})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        raise SourceError(
            f"{path}: not a cloudrift JSON report ({where}: {first['msg']})"
        ) from None


@cli.command()
@click.option("--from", "source", required=True, metavar="PATH",
              help="A report written by `scan --output json://PATH` ('-' for standard input).")
@click.option("--output", "-o", "outputs", multiple=True, required=True, metavar="FORMAT://PATH",
              help="Format and destination, as for `scan`. Repeatable.")
@click.option("--no-color", is_flag=True, help="Never colour console output.")
def report(source: str, outputs: tuple[str, ...], no_color: bool) -> None:
    """Render a saved JSON report again, in any output format."""
    from cloudrift.report import parse_output, write_outputs

    targets = [parse_output(o) for o in outputs]
    write_outputs(_load_report(source), targets, color=False if no_color else None)


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
    from cloudrift.merge import merge_reports
    from cloudrift.report import parse_output, write_outputs

    merged = merge_reports([_load_report(path) for path in reports])
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
    from cloudrift.ignore import rules_for

    for line in rules_for(_load_report(source).findings):
        click.echo(line)


from cloudrift.fix.commands import fix as _fix  # noqa: E402 - after the group it joins

cli.add_command(_fix)


def _add_history_commands() -> None:
    from cloudrift.history.commands import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)


_add_history_commands()


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
