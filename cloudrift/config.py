"""Configuration: ``cloudrift.toml`` or ``[tool.cloudrift]`` in ``pyproject.toml``, then
``CLOUDRIFT_*`` environment variables, then flags. Later wins: flag > env > file > default.

File keys are the long flag names with dashes or underscores (``from``, ``region``,
``allow-incomplete``...), one per row of ``cloudrift.settings`` (the plugins' rows too).
``[[ignore]]`` tables add ignore rules with an owner, a reason and an expiry date::

    from = ["tfstate://envs/**/*.tfstate"]
    region = ["eu-west-1", "us-east-1"]
    output = ["console://", "json://drift.json"]

    [[ignore]]
    rule = "aws_s3_bucket.legacy-*"
    owner = "platform-team"
    reason = "migrating to the new account"
    expires = 2027-03-31
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cloudrift.errors import ConfigError
from cloudrift.ignore import IgnoreRule, parse_rule
from cloudrift.settings import Setting, all_settings, by_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONFIG_FILE = "cloudrift.toml"
PYPROJECT = "pyproject.toml"
@dataclass
class LoadedConfig:
    path: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    ignores: list[IgnoreRule] = field(default_factory=list)


def find_config(start: str = ".") -> tuple[str, dict[str, Any]] | None:
    """``cloudrift.toml`` in ``start``, else ``[tool.cloudrift]`` of its ``pyproject.toml``."""
    candidate = os.path.normpath(os.path.join(start, CONFIG_FILE))
    if os.path.isfile(candidate):
        return candidate, _read_toml(candidate)
    pyproject = os.path.normpath(os.path.join(start, PYPROJECT))
    if os.path.isfile(pyproject):
        table = _read_toml(pyproject).get("tool", {}).get("cloudrift")
        if isinstance(table, dict):
            return f"{pyproject} [tool.cloudrift]", table
    return None


def _read_toml(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            document: dict[str, Any] = tomllib.load(handle)
            return document
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None


def _ignore_rule(entry: Any, where: str, number: int) -> IgnoreRule:
    origin = f"{where} ignore[{number}]"
    if not isinstance(entry, Mapping) or "rule" not in entry:
        raise ConfigError(f"{origin}: each [[ignore]] needs a 'rule'")
    unknown = set(entry) - {"rule", "owner", "reason", "expires"}
    if unknown:
        raise ConfigError(f"{origin}: unknown key {sorted(unknown)[0]!r}",
                          hint="[[ignore]] takes rule, owner, reason, expires")
    expires = entry.get("expires")
    if isinstance(expires, str):
        try:
            expires = date.fromisoformat(expires)
        except ValueError:
            raise ConfigError(
                f"{origin}: expires {expires!r} is not a date (YYYY-MM-DD)"
            ) from None
    elif isinstance(expires, datetime):
        expires = expires.date()
    elif expires is not None and not isinstance(expires, date):
        raise ConfigError(f"{origin}: expires must be a date (YYYY-MM-DD)")
    rule = parse_rule(str(entry["rule"]), origin, owner=entry.get("owner"),
                      reason=entry.get("reason"), expires=expires)
    if rule is None:
        raise ConfigError(f"{origin}: empty rule")
    return rule


def load_config(explicit: str | None = None, start: str = ".",
                settings: Sequence[Setting] | None = None) -> LoadedConfig:
    """Read and validate the config file against the settings (default: every setting, the
    plugins' too); unknown keys are errors naming key and file."""
    known = by_name(all_settings() if settings is None else settings)
    if explicit is not None:
        if not os.path.isfile(explicit):
            raise ConfigError(f"{explicit}: config file not found")
        document = _read_toml(explicit)
        found: tuple[str, dict[str, Any]] | None = (explicit, document)
        if os.path.basename(explicit) == PYPROJECT:
            table = document.get("tool", {}).get("cloudrift", {})
            found = (f"{explicit} [tool.cloudrift]", table)
    else:
        found = find_config(start)
    if found is None:
        return LoadedConfig()
    where, raw = found
    loaded = LoadedConfig(path=where)
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name == "ignore":
            if not isinstance(value, list):
                raise ConfigError(f"{where}: 'ignore' must be an array of tables ([[ignore]])")
            loaded.ignores = [_ignore_rule(e, where, n) for n, e in enumerate(value, start=1)]
            continue
        if name not in known:
            keys = sorted(s.key for s in known.values() if not s.secret)
            raise ConfigError(f"{where}: unknown key {key!r}",
                              hint="known keys: " + ", ".join(keys) + ", ignore")
        loaded.values[name] = known[name].from_file(value, where)
    return loaded
