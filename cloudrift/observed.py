"""What providers share on the cloud side: how a failed API call reads in a warning, and one
warning per distinct problem.

The same wording in every cloud lets a reader (and a filter on warning codes) treat a denied
or throttled listing alike, whichever API it came from.
"""

from __future__ import annotations

from collections.abc import Iterable

from cloudrift.model import ScanWarning

# an API error can quote a whole request or a stack of causes: a warning needs its gist
ONE_LINE_LIMIT = 300


def one_line(value: object) -> str:
    """``str(value)`` with every whitespace run made one space, cut to ``ONE_LINE_LIMIT``."""
    return " ".join(str(value).split())[:ONE_LINE_LIMIT]


def api_failure(
    code: str, exc: BaseException, *, denied: bool, throttled: bool
) -> tuple[str, str]:
    """The warning code and the reason a call failed with, e.g. ``("access_denied",
    "access denied (AccessDenied)")``; ``denied`` and ``throttled`` are the cloud's own
    reading of the error, and denial wins when both hold."""
    if denied:
        return "access_denied", f"access denied ({code})"
    if throttled:
        return "throttled", f"throttled after retries ({code})"
    return "api_error", f"{code}: {one_line(exc)}"


def dedupe_warnings(warnings: Iterable[ScanWarning]) -> list[ScanWarning]:
    """The first of each (code, type, message), in order: calls made concurrently for many
    resources tend to fail alike."""
    seen: set[tuple[str, str | None, str]] = set()
    unique = []
    for warning in warnings:
        key = (warning.code, warning.type, warning.message)
        if key not in seen:
            seen.add(key)
            unique.append(warning)
    return unique
