"""History fixtures: one real PostgreSQL cluster per test session (a fresh database per test),
and ``history_url``, run once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudrift.testing.postgres import PostgresServer, PostgresUnavailableError

_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        server.start()
    except PostgresUnavailableError as exc:
        server.stop()
        print(f"skipping the PostgreSQL history tests: {exc}")
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A new, empty database on the session's server, dropped after the test."""
    name = f"history_{next(_names)}"
    url = postgres_server.create_database(name)
    try:
        yield url
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'state' / 'history.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def history_url(request: pytest.FixtureRequest) -> str:
    """The same test against SQLite and against a real PostgreSQL server."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url
