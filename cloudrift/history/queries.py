"""Reading the history: scans with their counts, one drift's timeline, a scan's drift, the
trend."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from cloudrift.history import tables as t
from cloudrift.model import Finding, FindingStatus, TrendPoint

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Connection

SCAN_COLUMNS = ("id", "kind", "started_at", "shard", "complete", "findings", "new", "known",
                "reopened", "resolved", "ignored", "changed", "missing", "unmanaged",
                "unapplied", "duration_s")


@dataclass(frozen=True)
class ScanFilter:
    roots: tuple[str, ...] = ()
    workspaces: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    since: str | None = None  # ISO stamp, inclusive
    until: str | None = None  # ISO stamp, exclusive
    limit: int | None = None


@dataclass
class ScanRow:
    values: dict[str, Any]
    labels: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {**self.values, **{f"{k}s": v for k, v in sorted(self.labels.items())}}


def list_scans(conn: Connection, where: ScanFilter) -> list[ScanRow]:
    """Scans newest first, each with its counts and labels."""
    from sqlalchemy import and_, exists, select

    scans = t.scans
    conditions: list[ColumnElement[bool]] = []
    for kind, values in (("root", where.roots), ("workspace", where.workspaces),
                         ("provider", where.providers)):
        if values:
            labels = t.scan_labels
            conditions.append(exists().where(and_(
                labels.c.scan_id == scans.c.id, labels.c.kind == kind,
                labels.c.value.in_(list(values)),
            )))
    if where.since:
        conditions.append(scans.c.started_at >= where.since)
    if where.until:
        conditions.append(scans.c.started_at < where.until)
    query = select(*(scans.c[name] for name in SCAN_COLUMNS)).where(and_(True, *conditions))
    query = query.order_by(scans.c.started_at.desc(), scans.c.id.desc())
    if where.limit:
        query = query.limit(where.limit)
    rows = [ScanRow(dict(row._mapping)) for row in conn.execute(query)]
    by_id = {row.values["id"]: row for row in rows}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        labels = t.scan_labels
        query = select(labels).where(labels.c.scan_id.in_(chunk)).order_by(
            labels.c.kind, labels.c.value)
        for label in conn.execute(query):
            by_id[label.scan_id].labels.setdefault(label.kind, []).append(label.value)
    for row in rows:
        row.values["complete"] = bool(row.values["complete"])
    return rows


@dataclass
class Timeline:
    fingerprint: str
    state: str
    first_seen: str
    last_seen: str
    closed_at: str | None
    finding: dict[str, Any]
    events: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "state": self.state,
                "first_seen": self.first_seen, "last_seen": self.last_seen,
                "closed_at": self.closed_at, "finding": self.finding, "events": self.events}


def find_fingerprints(conn: Connection, prefix: str) -> list[str]:
    from sqlalchemy import select

    drifts = t.drifts
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = select(drifts.c.fingerprint).where(
        drifts.c.fingerprint.like(escaped + "%", escape="\\")).limit(20)
    return [row.fingerprint for row in conn.execute(query)]


def timeline(conn: Connection, fingerprint: str) -> Timeline | None:
    from sqlalchemy import select

    drifts, events, scans = t.drifts, t.events, t.scans
    row = conn.execute(select(drifts).where(drifts.c.fingerprint == fingerprint)).first()
    if row is None:
        return None
    query = (
        select(events.c.status, scans.c.id, scans.c.kind, scans.c.started_at, scans.c.shard)
        .join(scans, scans.c.id == events.c.scan_id)
        .where(events.c.fingerprint == fingerprint)
        .order_by(scans.c.started_at, scans.c.id)
    )
    history = [
        {"scan_id": e.id, "at": e.started_at, "status": e.status, "scan_kind": e.kind,
         "shard": e.shard}
        for e in conn.execute(query)
    ]
    return Timeline(row.fingerprint, row.state, row.first_seen, row.last_seen, row.closed_at,
                    orjson.loads(row.finding), history)


def scan_exists(conn: Connection, scan_id: int) -> bool:
    from sqlalchemy import select

    return conn.execute(select(t.scans.c.id).where(t.scans.c.id == scan_id)).first() is not None


def scan_findings(conn: Connection, scan_id: int) -> list[Finding]:
    """The drift a scan reported (as last recorded: values are those of the latest sighting)."""
    from sqlalchemy import select

    events, drifts = t.events, t.drifts
    showing = [s.value for s in FindingStatus if s is not FindingStatus.RESOLVED]
    query = (
        select(events.c.status, drifts.c.finding, drifts.c.first_seen)
        .join(drifts, drifts.c.fingerprint == events.c.fingerprint)
        .where(events.c.scan_id == scan_id, events.c.status.in_(showing))
    )
    return [
        Finding.model_validate({**orjson.loads(row.finding), "status": row.status,
                                "first_seen": row.first_seen})
        for row in conn.execute(query)
    ]


def trend(conn: Connection, since: str) -> list[TrendPoint]:
    """Open drift per day: for each day, the last scan of each scope that day, added up, so
    the shards of one scan and scans of different roots count once each."""
    from sqlalchemy import select

    scans, counts = t.scans, t.scan_counts
    query = (
        select(scans.c.id, scans.c.started_at, scans.c.scope_key)
        .where(scans.c.started_at >= since, scans.c.kind == "scan")
        .order_by(scans.c.started_at, scans.c.id)
    )
    last: dict[tuple[str, str], int] = {}
    for row in conn.execute(query):
        last[(row.started_at[:10], row.scope_key)] = row.id
    chosen = sorted(set(last.values()))
    per_scan: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for start in range(0, len(chosen), 500):
        query = select(counts).where(counts.c.scan_id.in_(chosen[start:start + 500]))
        for row in conn.execute(query):
            per_scan[row.scan_id].append((row.provider, row.kind, int(row._mapping["count"])))
    days: dict[str, TrendPoint] = {}
    for (day, _), scan_id in sorted(last.items()):
        point = days.setdefault(day, TrendPoint(day=day))
        for provider, kind, count in per_scan.get(scan_id, ()):
            point.kinds[kind] = point.kinds.get(kind, 0) + count
            point.providers[provider] = point.providers.get(provider, 0) + count
    return [days[day] for day in sorted(days)]


def latest_scan_id(conn: Connection, kinds: Sequence[str] = ("scan", "baseline")) -> int | None:
    from sqlalchemy import func, select

    value = conn.execute(select(func.max(t.scans.c.id)).where(t.scans.c.kind.in_(kinds)))
    result = value.scalar()
    return int(result) if result is not None else None
