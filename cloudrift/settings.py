"""Every scan setting, declared once: name, kind, help, default, secret or not.

One row gives a setting its flag (``--min-coverage``), its environment variable
(``CLOUDRIFT_MIN_COVERAGE``), its config-file key (``min-coverage`` or ``min_coverage``), its
validation and its line in ``cloudrift config``. The core declares ``SCAN``; each provider
plugin declares its own rows in its ``settings`` attribute (``--aws-profile`` is the AWS
plugin's), so a plugin the core has never heard of gets flags, variables and keys of its own.
Values reach the scan by name: ``ScanOptions.settings["aws_profile"]``.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import click

from cloudrift.errors import ConfigError

ENV_PREFIX = "CLOUDRIFT_"

Kind = Literal["str", "int", "float", "bool", "list", "choice"]
_SCALAR_TYPES: dict[str, type] = {"bool": bool, "int": int, "str": str, "float": float,
                                  "choice": str}


def env_var(name: str) -> str:
    return ENV_PREFIX + name.upper()


@dataclass(frozen=True)
class Setting:
    """One setting. ``split``: list items may also be given comma-separated (``--region
    a,b``). ``secret``: never read from a config file (it is committed next to the code) and
    never shown. ``url``: shown with its password masked. ``target``: notification targets,
    shown masked and read from a file only when their secrets come from the environment
    (``${NAME}``, docs/notifications.md). ``bounds``: an inclusive range for numbers."""

    name: str
    kind: Kind
    help: str
    default: Any = None
    short: str | None = None
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    bounds: tuple[float, float] | None = None
    split: bool = True
    secret: bool = False
    url: bool = False
    target: bool = False
    owner: str = "cloudrift"

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def key(self) -> str:
        """The config-file key as the docs write it."""
        return self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return env_var(self.name)

    @property
    def param(self) -> str:
        """The click parameter name: a Python identifier (``from`` is a keyword)."""
        return f"{self.name}_" if keyword.iskeyword(self.name) else self.name

    def option(self) -> click.Option:
        names = [self.flag, *([self.short] if self.short else []), self.param]
        kwargs: dict[str, Any] = {"help": self.help, "envvar": self.env,
                                  "metavar": self.metavar}
        if self.kind == "bool":
            kwargs.update(is_flag=True, default=bool(self.default))
        elif self.kind == "list":
            kwargs.update(multiple=True)
        elif self.kind == "choice":
            kwargs.update(type=click.Choice(self.choices), default=self.default,
                          show_default=self.default is not None)
        elif self.kind == "int":
            low, high = self.bounds or (None, None)
            kwargs.update(type=click.IntRange(None if low is None else int(low),
                                              None if high is None else int(high)),
                          default=self.default, show_default=self.default is not None)
        elif self.kind == "float":
            low, high = self.bounds or (None, None)
            kwargs.update(type=click.FloatRange(low, high), default=self.default)
        else:
            kwargs.update(default=self.default)
        return click.Option(names, **kwargs)

    def value(self, raw: Any) -> Any:
        """What the scan gets from click's value: lists as lists, comma-split if ``split``."""
        if self.kind != "list":
            return raw
        items = list(raw or ())
        if self.split:
            items = [part.strip() for item in items for part in str(item).split(",")
                     if part.strip()]
        return items

    def from_file(self, value: Any, where: str) -> Any:
        """A config-file value checked against the setting's kind (click converts it again,
        ranges and choices included, when the scan runs)."""
        if self.secret:
            raise ConfigError(f"{where}: {self.key!r} is a secret and is not read from a file",
                              hint=f"pass {self.flag} or set {self.env}")
        if self.kind == "list":
            if isinstance(value, str):
                value = [value]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                if self.target:
                    from cloudrift.notify.targets import check_file_target

                    for item in value:
                        check_file_target(item, where)
                return value
        # bool is an int in Python: a TOML `true` must not pass for a parallelism
        elif type(value) is _SCALAR_TYPES[self.kind]:
            if self.kind == "choice" and value not in self.choices:
                raise ConfigError(f"{where}: {self.key!r} must be one of "
                                  f"{', '.join(self.choices)}, not {value!r}")
            return value
        elif self.kind == "float" and type(value) is int:
            return float(value)
        wanted = {"list": "list of strings", "choice": "string"}.get(self.kind, self.kind)
        raise ConfigError(f"{where}: {self.key!r} must be a {wanted}, not "
                          f"{type(value).__name__}")


def _s(name: str, kind: Kind, help: str, **kwargs: Any) -> Setting:
    return Setting(name, kind, help, **kwargs)


FAIL_ON = ("new", "any", "none")
# how far the search for unmanaged resources goes (docs/scale.md#managed-only-scans)
UNMANAGED_SEARCH = ("all", "listings", "managed-types", "none")
NOTIFY_ON = ("change", "new", "always")

# where and when to tell of drift that changed (docs/notifications.md); `cloudrift notify`
# takes these too, less require_notify
NOTIFY: tuple[Setting, ...] = (
    _s("notify", "list", "Tell of drift that changed: slack+https://…, teams+https://…, "
       "webhook+https://…?secret=…, smtp://… or smtps://…, pagerduty://ROUTING_KEY, "
       "apprise+…; ${NAME} reads an environment variable (a config file must use it for "
       "secrets). Repeatable (docs/notifications.md).", metavar="TARGET", split=False,
       target=True),
    _s("notify_on", "choice", "Tell of new, reopened and resolved drift (change), of new and "
       "reopened drift only (new), or of every open drift on every scan (always).",
       choices=NOTIFY_ON, default="change"),
    _s("notify_digest", "int", "Above this many changes, send counts by kind and type instead "
       "of one item per drift (0: always a digest).", default=25, bounds=(0, 1_000_000),
       metavar="N"),
    _s("notify_link", "str", "Where readers find the full report (default: the CI job's page "
       "when known, else the report files written).", metavar="URL"),
    _s("require_notify", "bool", "Exit 2 when a notification could not be delivered (by "
       "default a warning on stderr)."),
)

# the core's settings, in the order `scan --help` and `cloudrift config` list them
SCAN: tuple[Setting, ...] = (
    _s("from", "list", "Terraform state to compare: tfstate://PATH or a plain path (globs such "
       "as 'tfstate://envs/**/*.tfstate' are expanded), tfstate+s3://BUCKET/KEY_OR_GLOB, "
       "tfstate+gs://BUCKET/PREFIX, tfstate+azurerm://ACCOUNT/CONTAINER/KEY, "
       "tfstate+https://URL, tfstate+tfcloud://ORG/WORKSPACE (docs/sources.md). Repeatable. "
       "Without --from, the root modules and Terragrunt units found here are read from their "
       "backends.",
       metavar="URL", split=False),
    _s("tfc_token", "str", "Terraform Cloud/Enterprise API token for tfstate+tfcloud:// "
       "(default: TF_TOKEN_<host>, then credentials.tfrc.json).", metavar="TOKEN",
       secret=True),
    _s("http_header", "list", "A header sent to tfstate+http(s):// backends. Repeatable.",
       metavar="'NAME: VALUE'", split=False),
    _s("hcl", "str", "The root module whose code the --from states were applied from: "
       "findings get the file:line of their block, and declared resources absent from the "
       "states are reported as unapplied. Without --from, every root module found is read "
       "with its own code.", metavar="DIR"),
    _s("repo", "str", "Read code and state files from this Git repository's object database "
       "(a URL is cloned bare into the cache), never its working tree.",
       metavar="PATH_OR_URL"),
    _s("ref", "str", "The Git ref to read with --repo (default HEAD), e.g. origin/main.",
       metavar="REF"),
    _s("workspace", "str", "Without --from: the Terraform workspace to read (default: "
       "TF_WORKSPACE, else the selected one, else default).", metavar="NAME"),
    _s("all_workspaces", "bool", "Without --from: read every workspace of each root module."),
    _s("to", "list", "Cloud provider(s) to scan (e.g. aws). Default: the providers the states "
       "use.", metavar="PROVIDER"),
    _s("region", "list", "AWS region to scan, besides those the states name; the first is the "
       "default for resources whose region the state does not say. Repeatable or "
       "comma-separated. Default: AWS_REGION.", metavar="REGION"),
    _s("output", "list", "Where to write the report: console://, json://, sarif://, junit://, "
       "markdown://, html://, driftctl:// or codequality:// (GitLab), each followed by a PATH "
       "(none or '-' for standard output). Repeatable. Default: console://.", short="-o",
       metavar="FORMAT://PATH", split=False),
    _s("strict", "bool", "Also report cloud-created defaults (default VPC, its subnets and "
       "security groups, AWS-managed policies, service-linked roles) as unmanaged."),
    _s("parallelism", "int", "Concurrent API calls per provider.", default=16,
       bounds=(1, 256)),
    _s("allow_incomplete", "bool", "Exit 0 rather than 2 when no drift was found but part of "
       "the cloud could not be scanned."),
    _s("only", "list", "Report only these finding kinds: changed, missing, unmanaged, "
       "unapplied (comma-separated or repeated).", metavar="KINDS"),
    _s("type", "list", "Scan and report only resource types matching this glob (aws_s3_*). "
       "Repeatable.", metavar="PATTERN"),
    _s("exclude_type", "list", "Leave out resource types matching this glob. Repeatable.",
       metavar="PATTERN"),
    _s("filter", "str", "Keep the findings for which this JMESPath expression is true, e.g. "
       "\"type=='aws_s3_bucket' && kind!='unmanaged'\".", metavar="JMESPATH"),
    _s("ignore_file", "list", "Ignore rules to apply (default: ./.cloudriftignore and "
       "./.driftignore when present). Repeatable.", metavar="PATH", split=False),
    _s("unmanaged", "choice", "Where to look for unmanaged resources: every supported type "
       "by its listings (listings, the default: parts a cloud lists only one parent at a "
       "time, such as a bucket's configurations or a user's access keys, are searched only "
       "for the part types the states manage); all of that and those parts under every "
       "managed parent, a call or more per parent (all); only the types the states manage "
       "(managed-types); or nowhere (none: only the managed resources are read, with fewer "
       "calls; nothing is reported unmanaged and the report says the search was off).",
       choices=UNMANAGED_SEARCH, default="listings"),
    _s("observe_unmanaged", "bool", "Also read the compared fields of unmanaged resources "
       "(one more detail call each, AWS) and put them in the JSON report, so that `cloudrift "
       "fix` can write their configuration without terraform."),
    _s("shard", "str", "Scan only the I-th of N deterministic shares of the work (by "
       "provider, type and region; by whole account with --aws-organization, "
       "--azure-all-subscriptions or --gcp-projects-under); join the N reports with "
       "`cloudrift merge`.",
       metavar="I/N"),
    _s("min_coverage", "float", "Exit 2 when fewer than this share of the managed resources "
       "were compared (e.g. 0.95): a CI gate on coverage.", metavar="FRACTION",
       bounds=(0.0, 1.0)),
    _s("attribute", "bool", "Say who changed each changed or missing resource: its last write "
       "events (principal, time, source IP, call) from CloudTrail, the Azure Activity Log or "
       "GCP Cloud Audit Logs, 90 days back. Costs at least one API call per finding; "
       "CloudTrail answers two a second per region (docs/attribution.md)."),
    _s("quiet", "bool", "No progress display (it is shown only on a terminal, never in CI).",
       short="-q"),
    _s("verbose", "bool", "Log every cloud API call to stderr.", short="-v"),
    _s("no_color", "bool", "Never colour console output."),
    _s("history", "str", "Where to remember scans, for new/known/resolved and ages: "
       "sqlite:///PATH or postgresql://USER@HOST/DB (default: sqlite:///.cloudrift/history.db; "
       "docs/history.md).", metavar="URL", url=True),
    _s("no_history", "bool", "Do not read or write the history."),
    _s("history_keep", "str", "Forget scans older than this (90d, 12w, 1y); drift still open "
       "is kept. Default: keep everything.", metavar="DURATION"),
    _s("fail_on", "choice", "Exit 1 on any drift, only on new or reopened drift (needs the "
       "history), or never.", choices=FAIL_ON, default="any"),
    *NOTIFY,
)


def plugin_settings() -> list[Setting]:
    """The settings every installed provider plugin declares, owner filled in."""
    from cloudrift.plugin import available_plugins

    found: list[Setting] = []
    for name, plugin in sorted(available_plugins(include_unusable=True).items()):
        for setting in getattr(plugin, "settings", ()):
            found.append(setting if setting.owner != "cloudrift"
                         else Setting(**{**vars(setting), "owner": name}))
    return found


def all_settings() -> list[Setting]:
    """The core's settings, then the plugins'; a name declared twice is refused."""
    settings = [*SCAN, *plugin_settings()]
    seen: dict[str, Setting] = {}
    for setting in settings:
        first = seen.setdefault(setting.name, setting)
        if first is not setting:
            raise ConfigError(f"setting {setting.name!r} is declared by both {first.owner} and "
                              f"{setting.owner}")
    return settings


def by_name(settings: Iterable[Setting]) -> dict[str, Setting]:
    return {s.name: s for s in settings}


def values_of(settings: Sequence[Setting], params: Mapping[str, Any]) -> dict[str, Any]:
    """Click's parameters (by ``param``) as the scan's values (by ``name``)."""
    return {s.name: s.value(params.get(s.param)) for s in settings}
