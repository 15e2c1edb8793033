"""``--every``, ``--cron`` and ``--jitter``: what they accept and the slots they give."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from cloudrift.errors import ConfigError
from cloudrift.watch.schedule import Cron, Every, Jitter, parse_interval, parse_jitter


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1h", 3600.0), ("15m", 900.0), ("90s", 90.0), ("90", 90.0), ("0.1s", 0.1), ("1d", 86400.0),
     ("250ms", 0.25), (" 2H ", 7200.0)],
)
def test_intervals(text: str, seconds: float) -> None:
    assert parse_interval(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "0s", "-1h", "1w", "h", "1h30m", "nan", "inf"])
def test_bad_intervals_name_the_option(text: str) -> None:
    with pytest.raises(ConfigError, match=r"--every .* is not a duration"):
        parse_interval(text)


@pytest.mark.parametrize(("text", "fraction"), [("0", 0.0), ("0.1", 0.1), ("25%", 0.25),
                                                ("0.5", 0.5)])
def test_jitter(text: str, fraction: float) -> None:
    assert parse_jitter(text) == pytest.approx(fraction)


@pytest.mark.parametrize("text", ["0.6", "-0.1", "60%", "lots"])
def test_jitter_is_at_most_half_the_interval(text: str) -> None:
    with pytest.raises(ConfigError, match="--jitter"):
        parse_jitter(text)


def test_every_counts_from_the_slot_it_is_given() -> None:
    every = Every(90.0)
    assert every.next_slot(1000.0) == 1090.0
    assert every.period(1000.0) == 90.0
    assert every.describe() == "every 90s"
    assert Every(3600.0).describe() == "every 1h"


def _utc(*fields: int) -> float:
    return datetime(*fields, tzinfo=timezone.utc).timestamp()


def test_cron_slots_are_read_in_utc() -> None:
    hourly = Cron.parse("0 * * * *")
    assert hourly.next_slot(_utc(2026, 12, 6, 10, 0)) == _utc(2026, 12, 6, 11, 0)
    assert hourly.next_slot(_utc(2026, 12, 6, 10, 59, 59)) == _utc(2026, 12, 6, 11, 0)
    nightly = Cron.parse("30 2 * * *")
    assert nightly.next_slot(_utc(2026, 12, 6, 3, 0)) == _utc(2026, 12, 7, 2, 30)
    assert nightly.period(_utc(2026, 12, 7, 2, 30)) == 86400.0
    # croniter's sixth field counts seconds
    assert Cron.parse("* * * * * */5").period(_utc(2026, 12, 6, 10, 0, 5)) == 5.0


@pytest.mark.parametrize("expression", ["61 * * * *", "* * *", "hourly", ""])
def test_bad_cron_is_a_config_error(expression: str) -> None:
    with pytest.raises(ConfigError, match=r"--cron .* is not a cron expression"):
        Cron.parse(expression)


def test_jitter_delays_stay_within_the_fraction_and_vary() -> None:
    jitter = Jitter(0.25, seed=7)
    delays = [jitter.delay(100.0) for _ in range(500)]
    assert all(0.0 <= d <= 25.0 for d in delays)
    # spread over the whole range, not bunched at one end
    assert min(delays) < 2.5
    assert max(delays) > 22.5
    # a seed repeats its delays
    assert Jitter(0.25, seed=7).delay(100.0) == delays[0]
    assert Jitter(0.0).delay(100.0) == 0.0
