"""What every remote backend shares: key globs, URL options, concurrent reads, safe labels."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import SplitResult, urlsplit, urlunsplit

from cloudrift.errors import ConfigError, SourceError, StateFormatError
from cloudrift.sources.tfstate import SourceFailure, StateDocument, parse_state
from cloudrift.sources.types import DEFAULT_MAX_WORKERS

if TYPE_CHECKING:
    from cloudrift.sources.tofu_encryption import StateKeys

log = logging.getLogger("cloudrift.sources")

T = TypeVar("T")

GLOB_CHARS = frozenset("*?[")


class ObjectError(Exception):
    """One state object could not be read; the source's other objects still can."""


# --- globs over object keys ------------------------------------------------------------------


def has_glob(text: str) -> bool:
    return not GLOB_CHARS.isdisjoint(text)


def literal_prefix(pattern: str) -> str:
    """The part of a key pattern before its first wildcard: what a listing can be narrowed to."""
    for position, char in enumerate(pattern):
        if char in GLOB_CHARS:
            return pattern[:position]
    return pattern


def _char_class(pattern: str, start: int) -> tuple[str, int] | None:
    # a "]" right after "[" or "[!" belongs to the class, as in fnmatch and the shell
    body_start = start + 1
    if pattern.startswith("!", body_start):
        body_start += 1
    end = pattern.find("]", body_start + 1)
    if end == -1:
        return None
    body = pattern[body_start:end]
    negate = body_start > start + 1
    escaped = body.replace("\\", "\\\\")
    if escaped.startswith("^"):
        escaped = "\\" + escaped
    # a class never matches the separator, like "*" and "?"
    regex = f"[^/{escaped}]" if negate else f"(?!/)[{escaped}]"
    return regex, end + 1


def glob_regex(pattern: str) -> re.Pattern[str]:
    """``*`` and ``?`` stay within one ``/`` segment, ``**`` as a whole segment spans any number
    of them (none included), ``[abc]`` / ``[!abc]`` are classes: the semantics of a recursive
    shell glob, applied to object keys."""
    out: list[str] = []
    position = 0
    length = len(pattern)
    while position < length:
        char = pattern[position]
        if char == "*":
            end = position
            while end < length and pattern[end] == "*":
                end += 1
            whole_segment = (position == 0 or pattern[position - 1] == "/") and (
                end == length or pattern[end] == "/"
            )
            if end - position >= 2 and whole_segment:
                if end == length:
                    out.append(".*")
                else:
                    out.append("(?:[^/]*/)*")
                    end += 1
            else:
                out.append("[^/]*")
            position = end
        elif char == "?":
            out.append("[^/]")
            position += 1
        elif char == "[" and (parsed := _char_class(pattern, position)) is not None:
            regex, position = parsed
            out.append(regex)
        else:
            out.append(re.escape(char))
            position += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def narrowest_prefixes(prefixes: Iterable[str]) -> list[str]:
    """Drop every prefix another one already covers, so no key is listed twice."""
    kept: list[str] = []
    for prefix in sorted(set(prefixes)):
        if not any(prefix.startswith(other) for other in kept):
            kept.append(prefix)
    return kept


def key_regex(pattern: str) -> re.Pattern[str]:
    """A glob's regex, or for a key without wildcards one that matches that key alone."""
    return glob_regex(pattern) if has_glob(pattern) else re.compile(re.escape(pattern) + r"\Z")


def matching_objects(
    patterns: Sequence[str],
    list_prefix: Callable[[str], Iterable[T]],
    name: Callable[[T], str],
) -> list[T]:
    """The listed objects whose name matches one of ``patterns``, sorted by name.

    Each pattern's literal prefix is listed once (``list_prefix`` maps a failure of the
    listing to the backend's own error); names ending in "/" are folder placeholders that
    consoles create, never states.
    """
    regexes = [key_regex(p) for p in patterns]
    found: dict[str, T] = {}
    for prefix in narrowest_prefixes(literal_prefix(p) for p in patterns):
        for item in list_prefix(prefix):
            key = name(item)
            if not key.endswith("/") and any(r.match(key) for r in regexes):
                found.setdefault(key, item)
    return [found[key] for key in sorted(found)]


# --- workspaces -------------------------------------------------------------------------------


def workspace_option(uri: str, values: Mapping[str, str]) -> str | None:
    """``?workspace=``: a workspace name, or a glob over names; neither holds a "/"."""
    workspace = values.get("workspace")
    if workspace is not None and ("/" in workspace or not workspace):
        raise ConfigError(f"--from {uri!r}: workspace must be a name or a glob without '/'")
    return workspace


def workspace_patterns(
    key: str, workspace: str | None, stored_at: Callable[[str], str]
) -> list[str]:
    """The key patterns for a backend that keeps the default workspace at ``key`` and each
    other one at ``stored_at(workspace)``; ``key`` itself only when the glob takes in
    "default"."""
    if workspace is None:
        return [key]
    patterns = [stored_at(workspace)]
    if glob_regex(workspace).match("default"):
        patterns.insert(0, key)
    return patterns


def no_match_error(labels: Iterable[str]) -> SourceError:
    return SourceError(f"{', '.join(labels)}: no state object matches")


# --- URL options ------------------------------------------------------------------------------


def options_dict(
    uri: str, options: Sequence[tuple[str, str]], allowed: Iterable[str]
) -> dict[str, str]:
    known = frozenset(allowed)
    values: dict[str, str] = {}
    for name, value in options:
        if name not in known:
            raise ConfigError(
                f"--from {redact_url(uri)!r}: unknown option {name!r}",
                hint="options of this backend: " + ", ".join(sorted(known)),
            )
        if name in values:
            raise ConfigError(f"--from {redact_url(uri)!r}: option {name!r} is given twice")
        values[name] = value
    return values


def flag(uri: str, name: str, value: str | None) -> bool:
    if value is None:
        return False
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"--from {redact_url(uri)!r}: option {name!r} takes true or false")


def split_bucket(uri: str, location: str, what: str = "bucket") -> tuple[str, str]:
    bucket, _, rest = location.partition("/")
    if not bucket:
        raise ConfigError(f"--from {redact_url(uri)!r} names no {what}")
    return bucket, rest


# --- labels that never carry secrets ----------------------------------------------------------


def _redacted_query(query: str) -> str:
    # query strings of HTTP state servers sometimes carry access tokens: keep the names only
    parts = []
    for item in query.split("&"):
        name, sep, _ = item.partition("=")
        parts.append(f"{name}=***" if sep else name)
    return "&".join(parts)


def redact_url(url: str) -> str:
    """``https://user:pass@host/p?token=x`` -> ``https://host/p?token=***``."""
    try:
        parts: SplitResult = urlsplit(url)
    except ValueError:
        return url.split("@")[-1] if "@" in url else url
    netloc = parts.netloc.rpartition("@")[2]
    query = _redacted_query(parts.query) if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def failure_message(exc: StateFormatError, label: str) -> str:
    """The message of a parse error without the label the engine's warning already starts with."""
    text = str(exc)
    prefix = f"{label}: "
    return text[len(prefix):] if text.startswith(prefix) else text


# --- reading many objects at once -------------------------------------------------------------


def read_states(
    items: Sequence[T],
    fetch: Callable[[T], bytes | None],
    label: Callable[[T], str],
    max_workers: int = DEFAULT_MAX_WORKERS,
    keys: StateKeys | None = None,
) -> list[StateDocument | SourceFailure]:
    """Fetch and parse every item on a bounded pool, in the order given.

    ``fetch`` returns None for an item that turns out to hold no state (it is left out),
    raises ``ObjectError`` for a failure of that object alone (it becomes a ``SourceFailure``)
    and ``SourceError`` when the whole source is unusable (it propagates, and the objects not
    yet started are cancelled); so does a ``StateDecryptionError`` (``keys`` that cannot open
    a state are the user's configuration, wrong for every state they meet).
    """

    def one(item: T) -> StateDocument | SourceFailure | None:
        name = label(item)
        try:
            data = fetch(item)
        except ObjectError as exc:
            # not logged: the report's warnings carry it, and the exit-2 line names it, so a
            # single unreadable state is one line on stderr, not two
            log.debug("%s: state not read: %s", name, exc)
            return SourceFailure(name, str(exc))
        if data is None:
            return None
        try:
            return parse_state(data, name, keys)
        except StateFormatError as exc:
            return SourceFailure(name, failure_message(exc, name))

    if not items:
        return []
    workers = max(1, min(max_workers, len(items)))
    if workers == 1:
        results = [one(item) for item in items]
    else:
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cloudrift-state")
        try:
            futures = [pool.submit(one, item) for item in items]
            results = [future.result() for future in futures]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return [result for result in results if result is not None]


def env_first(environ: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = environ.get(name)
        if value:
            return value
    return None
