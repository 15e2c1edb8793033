"""A history that cannot be used is one clear HistoryError, never a silently new history: a
schema from the future, a corrupt or truncated file, someone else's database, a lock held past
the timeout, a server that cannot be reached, a wrong password (never printed)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cloudrift.errors import ConfigError, HistoryError
from cloudrift.history import History, parse_url
from cloudrift.history.tables import HEAD, VERSION_TABLE, metadata
from cloudrift.testing.postgres import PostgresServer
from tests.history.builders import changed, report


def _set_revision(url: str, revision: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(parse_url(url).url)
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = :r"), {"r": revision})
    engine.dispose()


def test_a_schema_from_a_newer_cloudrift_is_refused(history_url: str) -> None:
    with History(history_url) as store:
        store.record(report([changed("a")]))
    _set_revision(history_url, "0042_future")
    with pytest.raises(HistoryError, match="written by a newer cloudrift") as caught:
        History(history_url)
    assert "0042_future" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_migrations_make_the_tables_the_code_reads(history_url: str) -> None:
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, inspect

    from cloudrift.history.store import _alembic_config

    assert ScriptDirectory.from_config(_alembic_config()).get_current_head() == HEAD
    History(history_url).close()
    engine = create_engine(parse_url(history_url).url)
    with engine.connect() as conn:
        inspector = inspect(conn)
        made = {name: {c["name"] for c in inspector.get_columns(name)}
                for name in inspector.get_table_names() if name != VERSION_TABLE}
    engine.dispose()
    assert made == {name: {c.name for c in table.columns}
                    for name, table in metadata.tables.items()}


@pytest.mark.parametrize("content", [b"this is not a database, just text\n" * 200,
                                     b"SQLite format 3\x00" + b"\xff" * 4096])
def test_a_corrupt_file_is_an_error_and_is_left_alone(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "history.db"
    path.write_bytes(content)
    with pytest.raises(HistoryError, match="corrupt or not a SQLite database") as caught:
        History(f"sqlite:///{path}")
    assert str(path) in str(caught.value)
    assert path.read_bytes() == content


def test_a_truncated_database_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    with History(f"sqlite:///{path}") as store:
        store.record(report([changed(f"q{i}") for i in range(2000)]))
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.truncate(size // 2)
    with pytest.raises(HistoryError, match="corrupt"), History(f"sqlite:///{path}") as store:
        store.record(report([changed(f"q{i}") for i in range(2000)], day=2))


def test_a_sqlite_database_of_something_else_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE users (id INTEGER)")
    with pytest.raises(HistoryError, match="of something else"):
        History(f"sqlite:///{path}")


def test_a_lock_held_past_the_timeout_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    History(f"sqlite:///{path}").close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys, time\n"
         f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
         "c.execute('BEGIN IMMEDIATE')\n"
         "print('locked', flush=True)\n"
         "time.sleep(30)\n"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with History(f"sqlite:///{path}?timeout=0.3") as store, pytest.raises(
                HistoryError, match=r"is locked: another writer held it past the 0\.3 s"):
            store.record(report([changed("a")]))
    finally:
        holder.kill()
        holder.wait()
    with History(f"sqlite:///{path}") as store:
        assert store.record(report([changed("a")])).report.summary.new == 1


def test_an_unreachable_server_is_an_error_without_the_password() -> None:
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://scanner:s3cret-pw@127.0.0.1:{port}/drift?connect_timeout=2"
    with pytest.raises(HistoryError, match="cannot be reached") as caught:
        History(url)
    assert "s3cret-pw" not in str(caught.value)
    assert "scanner:***@127.0.0.1" in str(caught.value)


def test_a_wrong_password_is_an_error_that_does_not_print_it(
        postgres_server: PostgresServer) -> None:
    url = postgres_server.url(password="not-the-password-1234")
    with pytest.raises(HistoryError) as caught:
        History(url)
    message = str(caught.value)
    assert "not-the-password-1234" not in message
    assert postgres_server.password not in message
    assert "password authentication failed" in message


@pytest.mark.parametrize("url", ["mysql://h/db", "sqlite://", "http://example.invalid/x"])
def test_unsupported_urls_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError):
        parse_url(url)


def test_a_password_in_an_unparsable_url_is_masked() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_url("oracle://admin:hunter2pw@db/x")
    assert "hunter2pw" not in str(caught.value)


def test_a_plain_path_is_a_sqlite_file(tmp_path: Path) -> None:
    location = parse_url(str(tmp_path / "h.db"))
    assert location.is_sqlite
    assert location.path == str(tmp_path / "h.db")
