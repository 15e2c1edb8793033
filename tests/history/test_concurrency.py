"""Several processes recording scans into one history at once, as shards and parallel CI jobs
do: every scan is there afterwards, nothing is counted twice, the database is intact."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from cloudrift.history import History, parse_url
from cloudrift.history import tables as t
from tests.history.writer import OWN, SHARED

WRITERS = 4
SCANS = 5
ROOT = Path(__file__).resolve().parents[2]


def _run_writers(url: str, tmp_path: Path) -> None:
    History(url).close()  # created once, so the writers race on recording, not only on set-up
    go = tmp_path / "go"
    writers = [
        subprocess.Popen([sys.executable, "-m", "tests.history.writer", url, str(n),
                          str(SCANS), str(go)], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for n in range(1, WRITERS + 1)
    ]
    go.touch()
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err[-2000:]
        assert "done" in out


def _check(url: str) -> None:
    engine = create_engine(parse_url(url).url)
    with engine.connect() as conn:
        def count(query: object) -> int:
            return int(conn.execute(query).scalar_one())  # type: ignore[call-overload]

        assert count(select(func.count()).select_from(t.scans)) == WRITERS * SCANS
        # every scan wrote one event per drift it reported or resolved, and its counts agree
        for scan in conn.execute(select(t.scans)):
            events = count(select(func.count()).select_from(t.events)
                           .where(t.events.c.scan_id == scan.id))
            assert events == scan.findings + scan.resolved
            # scan n (day n + 1) fixed n of the writer's own drift
            assert scan.findings == SHARED + OWN - (int(scan.started_at[8:10]) - 1)
        # a drift all writers report is new exactly once: the writers were serialised
        new_shared = count(select(func.count()).select_from(t.events).join(
            t.drifts, t.drifts.c.fingerprint == t.events.c.fingerprint).where(
            t.events.c.status == "new", t.drifts.c.type == "aws_s3_bucket"))
        assert new_shared == SHARED
        assert count(select(func.count()).select_from(t.drifts)) == SHARED + WRITERS * OWN
        resolved = count(select(func.count()).select_from(t.drifts)
                         .where(t.drifts.c.state == "resolved"))
        assert resolved == WRITERS * (SCANS - 1)
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    engine.dispose()


def test_concurrent_writers_on_sqlite(sqlite_url: str, tmp_path: Path) -> None:
    _run_writers(sqlite_url, tmp_path)
    _check(sqlite_url)


def test_concurrent_writers_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    _run_writers(postgres_url, tmp_path)
    _check(postgres_url)


def test_concurrent_first_runs_create_the_schema_once(tmp_path: Path) -> None:
    # no History(url) beforehand: every writer finds no database and migrates
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    go = tmp_path / "go"
    writers = [
        subprocess.Popen([sys.executable, "-m", "tests.history.writer", url, str(n), "1",
                          str(go)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for n in range(1, WRITERS + 1)
    ]
    go.touch()
    for writer in writers:
        _, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err[-2000:]
    with History(url) as store:
        assert len(store.scans()) == WRITERS
