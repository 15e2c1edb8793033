"""Drift memory: every scan recorded, every finding given a status and an age.

``History(url)`` opens (creating or migrating) the store; ``record`` writes one scan and returns
its report with ``status``, ``first_seen``, ``last_seen``, ``age_days``, the drift it resolved,
its ``scan_id`` and the trend. Nothing here is imported by ``import cloudrift``: the database
layer loads on first use. See docs/history.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from cloudrift.errors import ConfigError
from cloudrift.history.status import Labels
from cloudrift.history.store import DEFAULT_URL, Database, HistoryUrl, open_database, parse_url
from cloudrift.history.urls import parse_duration

if TYPE_CHECKING:
    # a scan checks its history settings (cloudrift.history.urls) before it has a report
    from cloudrift.history.recorder import Recorded
    from cloudrift.model import Finding, ScanReport, TrendPoint

__all__ = ["DEFAULT_URL", "History", "Labels", "Recorded", "parse_duration", "parse_url"]

TREND_DAYS = 90


class History:
    """One history database, opened for the life of a command."""

    def __init__(self, url: str | HistoryUrl = DEFAULT_URL) -> None:
        self.location = parse_url(url) if isinstance(url, str) else url
        self.database: Database = open_database(self.location)

    @property
    def shown(self) -> str:
        """The URL with its password masked."""
        return self.location.shown

    @property
    def created(self) -> bool:
        """True when this open made a new SQLite file."""
        return self.database.created

    def record(
        self,
        report: ScanReport,
        *,
        ignored: Sequence[Finding] = (),
        shard: tuple[int, int] | None = None,
        labels: Labels | None = None,
        keep: timedelta | None = None,
        baseline: bool = False,
        redact: Callable[[Any], Any] | None = None,
        trend_days: int = TREND_DAYS,
        now: datetime | None = None,
    ) -> Recorded:
        """Write one scan (its report after ignore rules, before view filters)."""
        from cloudrift.history import queries, recorder

        with self.database.writing() as conn:
            done = recorder.record(conn, report, ignored=ignored, shard=shard, labels=labels,
                                   baseline=baseline, redact=redact, now=now)
            if keep is not None:
                done.pruned = recorder.prune(conn, keep, now)
        since = (now or datetime.now(timezone.utc)) - timedelta(days=trend_days)
        with self.database.reading() as conn:
            points = queries.trend(conn, since.strftime("%Y-%m-%d"))
        done.report = done.report.model_copy(update={"trend": points})
        return done

    def accept_open(self) -> Recorded:
        from cloudrift.history import recorder

        with self.database.writing() as conn:
            return recorder.accept_open(conn)

    def prune(self, keep: timedelta) -> int:
        from cloudrift.history import recorder

        with self.database.writing() as conn:
            return recorder.prune(conn, keep)

    def scans(self, where: Any = None) -> list[Any]:
        from cloudrift.history import queries

        with self.database.reading() as conn:
            return queries.list_scans(conn, where or queries.ScanFilter())

    def timeline(self, fingerprint: str) -> Any:
        """The timeline of one drift; a unique prefix of its fingerprint will do."""
        from cloudrift.history import queries

        with self.database.reading() as conn:
            found = queries.timeline(conn, fingerprint)
            if found is not None:
                return found
            matches = queries.find_fingerprints(conn, fingerprint) if len(fingerprint) >= 4 else []
            if len(matches) > 1:
                raise ConfigError(f"fingerprint {fingerprint!r} is ambiguous: "
                                  f"{', '.join(matches[:5])}{' ...' if len(matches) > 5 else ''}")
            return queries.timeline(conn, matches[0]) if matches else None

    def scan_findings(self, scan_id: int) -> list[Finding] | None:
        from cloudrift.history import queries

        with self.database.reading() as conn:
            if not queries.scan_exists(conn, scan_id):
                return None
            return queries.scan_findings(conn, scan_id)

    def trend(self, since: str) -> list[TrendPoint]:
        from cloudrift.history import queries

        with self.database.reading() as conn:
            return queries.trend(conn, since)

    def close(self) -> None:
        self.database.dispose()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
