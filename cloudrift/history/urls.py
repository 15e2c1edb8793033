"""``--history`` and ``--history-keep`` checked before a scan, without the database layer (it
loads only after the scan's last API call): the URL's scheme, a duration, a masked password."""

from __future__ import annotations

import re
from datetime import timedelta

from cloudrift.errors import ConfigError

SCHEMES = ("sqlite", "postgresql", "postgres")
_DURATION = re.compile(r"^\s*(\d+)\s*([hdwy])\s*$", re.IGNORECASE)
_UNIT_DAYS = {"h": 1 / 24, "d": 1, "w": 7, "y": 365}
_PASSWORD = re.compile(r"(://[^:/@?#]*:)[^@/?#]*@")


def mask_password(url: str) -> str:
    """The URL as typed with its password, if any, replaced by ``***``."""
    return _PASSWORD.sub(r"\1***@", url)


def scheme_of(url: str) -> str | None:
    """The database family of a URL (``sqlite``, ``postgresql``), None for a plain path."""
    if "://" not in url:
        return None
    family = url.split("://", 1)[0].split("+", 1)[0].lower()
    return "postgresql" if family == "postgres" else family


def check_url(url: str) -> None:
    family = scheme_of(url.strip())
    if not url.strip():
        raise ConfigError("--history is empty", hint="sqlite:///PATH or postgresql://USER@HOST/DB")
    if family is not None and family not in SCHEMES:
        raise ConfigError(f"--history {mask_password(url)!r}: unknown database {family!r}",
                          hint="sqlite:///PATH or postgresql://USER@HOST/DB")


def parse_duration(text: str, option: str = "--history-keep") -> timedelta:
    """``90d``, ``12w``, ``48h``, ``1y``."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise ConfigError(f"{option} {text!r} is not a duration", hint="e.g. 90d, 12w, 48h, 1y")
    return timedelta(days=int(match.group(1)) * _UNIT_DAYS[match.group(2).lower()])
