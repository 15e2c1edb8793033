"""The cloud-side wording every provider shares."""

from __future__ import annotations

import pytest

from cloudrift.model import ScanWarning
from cloudrift.observed import ONE_LINE_LIMIT, api_failure, dedupe_warnings, one_line


def test_one_line_collapses_whitespace_and_bounds_the_length() -> None:
    assert one_line(ValueError("first\n  second\tthird ")) == "first second third"
    long = one_line("x " * ONE_LINE_LIMIT)
    assert len(long) == ONE_LINE_LIMIT
    assert long.startswith("x x")


@pytest.mark.parametrize(("denied", "throttled", "expected"), [
    (True, False, ("access_denied", "access denied (Code)")),
    (True, True, ("access_denied", "access denied (Code)")),
    (False, True, ("throttled", "throttled after retries (Code)")),
    (False, False, ("api_error", "Code: went wrong here")),
])
def test_api_failure(denied: bool, throttled: bool, expected: tuple[str, str]) -> None:
    exc = RuntimeError("went wrong\nhere")
    assert api_failure("Code", exc, denied=denied, throttled=throttled) == expected


def test_dedupe_keeps_the_first_of_each_problem_in_order() -> None:
    def warning(code: str, rtype: str | None, message: str, provider: str = "p") -> ScanWarning:
        return ScanWarning(code=code, type=rtype, message=message, provider=provider)

    first = warning("api_error", "t1", "m")
    kept = dedupe_warnings([
        first,
        warning("api_error", "t2", "m"),
        warning("api_error", "t1", "m", provider="other"),  # same problem: one is enough
        warning("throttled", "t1", "m"),
        warning("api_error", "t1", "n"),
    ])
    assert [(w.code, w.type, w.message) for w in kept] == [
        ("api_error", "t1", "m"), ("api_error", "t2", "m"), ("throttled", "t1", "m"),
        ("api_error", "t1", "n"),
    ]
    assert kept[0] is first
