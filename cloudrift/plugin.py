"""The provider plugin protocol, and loading plugins from the ``cloudrift.providers`` entry points.

A plugin is the object an entry point names. It lists the Terraform types it supports and creates
a ``Provider`` for one scan. The engine hands the provider the desired resources; the provider
normalises state instances with the same specs it uses for cloud payloads, enumerates the cloud
(bulk first, details only for what is managed) and returns an ``Observation``.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import importlib.util
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from cloudrift.errors import ConfigError
from cloudrift.kinds import GLOBAL_REGION
from cloudrift.meter import CallMeter
from cloudrift.progress import NoProgress, ProgressSink

if TYPE_CHECKING:
    # annotations only: every plugin's light __init__ imports this module, and the CLI loads
    # them all for their settings before it knows whether a scan will need the report model
    from cloudrift.model import Resource, ScanWarning, Scope, UnmanagedSearch
    from cloudrift.sources.tfstate import StateInstance
    from cloudrift.spec import ResourceSpec, SpecT

ENTRY_POINT_GROUP = "cloudrift.providers"


@dataclass(frozen=True)
class ScanOptions:
    regions: tuple[str, ...] = ()
    strict: bool = False
    parallelism: int = 16
    settings: Mapping[str, Any] = field(default_factory=dict)
    # (index, count), 1-based: this run scans only its share of the (type, scope) units
    shard: tuple[int, int] | None = None
    progress: ProgressSink = field(default_factory=NoProgress)
    # --type / --exclude-type globs: the types not wanted are neither listed nor compared
    types: tuple[str, ...] = ()
    exclude_types: tuple[str, ...] = ()
    # every provider session reports its calls here (counts, --verbose log, progress)
    meter: CallMeter = field(default_factory=CallMeter)
    # read the compared fields of unmanaged resources too (detail calls for each), so that a
    # fix can be written from them; off by default: a scan pays for what it compares
    observe_unmanaged: bool = False
    # --unmanaged: where unmanaged resources are looked for. "listings" lists every supported
    # type, but searches the parts that are listed one parent at a time only for the part
    # types the states manage; "all" searches those under every managed parent as well;
    # "managed-types" lists only the types the states manage; "none" reads only what is needed
    # to compare the managed resources (a provider may still list a type it cannot read by id,
    # and drops what is not managed)
    unmanaged: UnmanagedSearch = "listings"

    @property
    def unmanaged_limited(self) -> bool:
        """Whether only the types the states manage are listed (managed-types, none)."""
        return self.unmanaged in ("managed-types", "none")

    @property
    def every_part(self) -> bool:
        """Whether parts listed one parent at a time are searched under every managed parent
        even where no state manages their type (all); otherwise such a part type is searched
        only when the states manage it."""
        return self.unmanaged == "all"

    def listed(self, specs: Mapping[str, SpecT],
               desired: Iterable[Resource]) -> dict[str, SpecT]:
        """The specs of the types this scan lists: those it wants, and with a limited
        unmanaged search only those of which the states manage a resource."""
        chosen = self.selected(specs)
        if not self.unmanaged_limited:
            return chosen
        managed = {r.type for r in desired}
        return {rtype: spec for rtype, spec in chosen.items() if rtype in managed}

    def in_shard(self, provider: str, rtype: str, scope: str) -> bool:
        return in_shard(self.shard, provider, rtype, scope)

    def account_in_shard(self, provider: str, account: str | None) -> bool:
        """Whether a whole account belongs to this shard (a scan that spans several)."""
        return account_in_shard(self.shard, provider, account)

    def wants(self, rtype: str) -> bool:
        if self.types and not any(fnmatch.fnmatchcase(rtype, p) for p in self.types):
            return False
        return not any(fnmatch.fnmatchcase(rtype, p) for p in self.exclude_types)

    def selected(self, specs: Mapping[str, SpecT]) -> dict[str, SpecT]:
        """The specs of the types this scan wants."""
        return {rtype: spec for rtype, spec in specs.items() if self.wants(rtype)}


def in_shard(shard: tuple[int, int] | None, provider: str, rtype: str, scope: str) -> bool:
    """Whether a (type, scope) unit belongs to this shard; stable across runs and machines."""
    if shard is None:
        return True
    index, count = shard
    digest = hashlib.sha256(f"{provider}|{rtype}|{scope}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % count == index - 1


# the unit a shard takes when a provider's scan spans several accounts: the whole account
ACCOUNT_UNIT = "account"


def account_in_shard(shard: tuple[int, int] | None, provider: str, account: str | None) -> bool:
    """Whether an account (AWS account, Azure subscription, GCP project) belongs to this shard,
    for a scan that spans several: a shard then scans whole accounts, the unit of IAM
    permission and of rate limits. An unknown account is a unit of its own (``""``)."""
    return in_shard(shard, provider, ACCOUNT_UNIT, account or "")


@dataclass(frozen=True)
class Unit:
    """What one listing reaches: a type in a scope (account, region and, in Azure, resource
    group). A provider spanning several accounts (projects, subscriptions) names the account of
    each unit, so the same region names in two accounts stay two units."""

    type: str
    region: str = GLOBAL_REGION
    account: str | None = None
    group: str | None = None

    @property
    def scope(self) -> Scope:
        from cloudrift.model import Scope

        return Scope(account=self.account, region=self.region, group=self.group)


@dataclass
class Observation:
    """What a provider saw.

    ``scanned`` holds the units fully enumerated: a desired resource in one and not in
    ``resources`` is missing (a resource whose state names no account belongs to a unit of its
    type and place whatever its account). ``failed`` holds the units that could not be seen:
    nothing there is reported missing, and the report's coverage says so.
    """

    resources: list[Resource] = field(default_factory=list)
    scanned: set[Unit] = field(default_factory=set)
    failed: set[Unit] = field(default_factory=set)
    warnings: list[ScanWarning] = field(default_factory=list)
    api_calls: Counter[str] = field(default_factory=Counter)
    # types left out of the search for unmanaged resources (with --unmanaged listings: the part
    # types listed one parent at a time that no state manages); the report's coverage lists
    # them as not searched
    unsearched: set[str] = field(default_factory=set)


@runtime_checkable
class Provider(Protocol):
    name: str

    @property
    def state_providers(self) -> tuple[str, ...]:
        """Terraform provider names in state this provider compares (``google``, ``azurerm``)."""
        ...

    @property
    def specs(self) -> Mapping[str, ResourceSpec]:
        """The specs of every supported type, by Terraform type."""
        ...

    def desired(
        self, instances: Sequence[StateInstance]
    ) -> tuple[list[Resource], list[ScanWarning]]:
        """Normalise state instances of supported types into desired resources."""
        ...

    def observe(self, desired: Sequence[Resource]) -> Observation:
        """Enumerate the cloud for every supported type in every scope the scan touches."""
        ...


@runtime_checkable
class SpansAccounts(Protocol):
    """What a provider whose scan may span several accounts adds, so that ``--shard I/N`` cuts
    by account. When ``spans_accounts`` is true in a sharded scan, every managed resource,
    listing, warning and dropped state instance of the provider is counted by the shard its
    account belongs to (``account_in_shard``); the provider itself lists only the accounts of
    its shard. ``account_of`` names the account of a state instance or of a resource (desired
    or observed) the same way in every shard."""

    @property
    def spans_accounts(self) -> bool: ...

    def account_of(self, item: StateInstance | Resource) -> str | None: ...


@runtime_checkable
class ProviderPlugin(Protocol):
    """What an entry point of ``cloudrift.providers`` names.

    Its module must be light: the CLI loads every plugin to learn its settings, so a plugin
    imports its cloud SDK only in ``types()`` and ``create()``. Optional attributes:
    ``settings`` (``cloudrift.settings.Setting`` rows: the plugin's own flags, variables and
    config keys) and ``requires`` (modules its SDK provides; without them the plugin is listed
    as not usable, with the extra to install).
    """

    name: str
    terraform_sources: tuple[str, ...]
    state_providers: tuple[str, ...]

    def types(self) -> Mapping[str, ResourceSpec]: ...

    def create(self, options: ScanOptions) -> Provider: ...


def usable(plugin: object) -> bool:
    """Whether the modules a plugin's SDK provides are installed (found, not imported)."""
    for module in getattr(plugin, "requires", ()):
        try:
            if importlib.util.find_spec(module) is None:
                return False
        except (ImportError, ValueError):
            return False
    return True


def _loaded(entry: metadata.EntryPoint) -> ProviderPlugin | None:
    try:
        loaded = entry.load()
    except (ImportError, AttributeError):
        # a half-installed plugin is not available
        return None
    plugin: ProviderPlugin = loaded() if isinstance(loaded, type) else loaded
    return plugin


@functools.cache
def _entry_points() -> tuple[metadata.EntryPoint, ...]:
    # read once a process: every installed distribution's metadata is opened to find them, and
    # a scan asks for its settings, its state's providers and its plugin in turn
    return tuple(metadata.entry_points(group=ENTRY_POINT_GROUP))


def available_plugins(include_unusable: bool = False) -> dict[str, ProviderPlugin]:
    """Installed plugins by name: those whose SDK is installed, or all with
    ``include_unusable`` (their settings are known even where they cannot run)."""
    plugins: dict[str, ProviderPlugin] = {}
    for entry in _entry_points():
        plugin = _loaded(entry)
        if plugin is not None and (include_unusable or usable(plugin)):
            plugins[entry.name] = plugin
    return plugins


def plugins_for_state(state_names: Iterable[str]) -> tuple[list[str], list[str]]:
    """Plugin names that compare these state provider names, and the names no plugin takes."""
    plugins = available_plugins()
    chosen: list[str] = []
    unknown: list[str] = []
    for state_name in state_names:
        owner = next(
            (n for n, p in sorted(plugins.items()) if state_name in p.state_providers), None
        )
        if owner is None:
            unknown.append(state_name)
        elif owner not in chosen:
            chosen.append(owner)
    return chosen, unknown


def load_plugin(name: str) -> ProviderPlugin:
    entry_points = {e.name: e for e in _entry_points()}
    if name not in entry_points:
        known = ", ".join(sorted(entry_points)) or "none installed"
        raise ConfigError(f"unknown provider {name!r} (available: {known})")
    plugin = _loaded(entry_points[name])
    if plugin is None or not usable(plugin):
        missing = next((m for m in getattr(plugin, "requires", ())
                        if importlib.util.find_spec(m.split(".")[0]) is None), None)
        raise ConfigError(
            f"provider {name!r} is installed without its SDK ({missing or 'not loadable'})",
            hint=f"pip install 'cloudrift-scanner[{name}]'",
        )
    return plugin
