"""Opening the history: URLs, engines, schema checks and migrations, and clear errors.

``sqlite:///PATH`` (the default, ``.cloudrift/history.db`` under the working directory) or
``postgresql://USER:PASSWORD@HOST/DB``. SQLAlchemy and Alembic are imported here, lazily: never
at ``import cloudrift`` nor before a scan's first API call.

Writers are serialised by the database: SQLite in WAL mode takes its write lock when the
transaction begins (``BEGIN IMMEDIATE``) and waits for it up to the URL's ``timeout`` (seconds,
default 30); PostgreSQL takes a transaction-scoped advisory lock. Every failure becomes one
``HistoryError`` line naming the database with its password masked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudrift.errors import ConfigError, HistoryError
from cloudrift.history.urls import mask_password

if TYPE_CHECKING:
    from sqlalchemy import URL, Connection, Engine

DEFAULT_URL = "sqlite:///.cloudrift/history.db"
SQLITE_TIMEOUT_S = 30.0
POSTGRES_CONNECT_TIMEOUT_S = 10
# pg_advisory_xact_lock key every cloudrift writer takes: "cloudrif" as a big-endian int64
_PG_LOCK_KEY = int.from_bytes(b"cloudrif", "big") & (2**63 - 1)
_WRITE = "cloudrift_write"


@dataclass(frozen=True)
class HistoryUrl:
    """A parsed ``--history`` URL; ``shown`` never holds the password."""

    url: URL
    shown: str
    password: str | None

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def path(self) -> str | None:
        database = self.url.database
        return database if self.is_sqlite and database and database != ":memory:" else None


def parse_url(text: str) -> HistoryUrl:
    """``sqlite:///PATH``, ``postgresql://...`` (or ``postgres://``), or a plain file path."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    raw = text.strip()
    if "://" not in raw:
        raw = "sqlite:///" + raw
    scheme, _, rest = raw.partition("://")
    family = scheme.split("+", 1)[0].lower()
    if family == "sqlite":
        scheme = "sqlite+pysqlite"
    elif family in ("postgresql", "postgres"):
        scheme = "postgresql+psycopg"
    else:
        raise ConfigError(
            f"--history {mask_password(text)!r}: unknown database {family!r}",
            hint="sqlite:///PATH or postgresql://USER@HOST/DB",
        )
    try:
        url = make_url(f"{scheme}://{rest}")
    except ArgumentError:
        raise ConfigError(f"--history {mask_password(text)!r} is not a database URL",
                          hint="sqlite:///PATH or postgresql://USER@HOST/DB") from None
    if family == "sqlite" and not url.database:
        raise ConfigError(f"--history {text!r} names no file", hint="sqlite:///PATH")
    shown = url.render_as_string(hide_password=True).replace("+pysqlite", "").replace(
        "+psycopg", "")
    return HistoryUrl(url, shown, url.password if isinstance(url.password, str) else None)


class Database:
    """An engine on one history database, with its errors made into ``HistoryError``."""

    def __init__(self, location: HistoryUrl) -> None:
        self.location = location
        self.created = False
        self.engine = self._engine()

    def _engine(self) -> Engine:
        from sqlalchemy import create_engine, event
        from sqlalchemy.pool import NullPool

        location = self.location
        url = location.url
        if location.is_sqlite:
            if "timeout" not in url.query:
                url = url.update_query_dict({"timeout": str(SQLITE_TIMEOUT_S)})
            path = location.path
            if path is not None:
                self.created = not os.path.exists(path) or os.path.getsize(path) == 0
                parent = os.path.dirname(os.path.abspath(path))
                try:
                    os.makedirs(parent, exist_ok=True)
                except OSError as exc:
                    raise HistoryError(f"history {location.shown}: cannot create {parent} "
                                       f"({exc.strerror})") from None
            engine = create_engine(url, poolclass=NullPool)
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        if "connect_timeout" not in url.query:
            url = url.update_query_dict({"connect_timeout": str(POSTGRES_CONNECT_TIMEOUT_S)})
        try:
            import psycopg  # noqa: F401 - only checks that the driver is there
        except ImportError:
            raise HistoryError(
                f"history {location.shown}: PostgreSQL needs the psycopg package",
                hint="pip install 'cloudrift-scanner[postgres]'",
            ) from None
        return create_engine(url, poolclass=NullPool)

    @property
    def timeout(self) -> float:
        value = self.location.url.query.get("timeout")
        try:
            return float(value) if isinstance(value, str) else SQLITE_TIMEOUT_S
        except ValueError:
            return SQLITE_TIMEOUT_S

    @contextmanager
    def errors(self, doing: str) -> Iterator[None]:
        """Turn a database failure during ``doing`` into one clear line."""
        from sqlalchemy.exc import DBAPIError, SQLAlchemyError

        try:
            yield
        except HistoryError:
            raise
        except DBAPIError as exc:
            raise self._explain(doing, exc.orig if exc.orig is not None else exc) from None
        except SQLAlchemyError as exc:
            raise self._explain(doing, exc) from None
        except OSError as exc:
            raise HistoryError(f"history {self.location.shown}: cannot {doing} "
                               f"({exc.strerror or exc})") from None

    def _explain(self, doing: str, error: BaseException) -> HistoryError:
        lines = str(error).strip().splitlines()
        detail = self._scrub(lines[0] if lines else type(error).__name__)
        where = f"history {self.location.shown}"
        lowered = detail.lower()
        if "locked" in lowered or "lock timeout" in lowered:
            return HistoryError(
                f"{where} is locked: another writer held it past the {self.timeout:g} s timeout",
                hint="raise it with ?timeout=SECONDS in the URL, or look for a stuck process",
            )
        if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
            return HistoryError(
                f"{where} is corrupt or not a SQLite database ({detail})",
                hint="cloudrift never replaces it: move it aside to start a new history",
            )
        if not self.location.is_sqlite and _is_connection_error(error):
            return HistoryError(f"{where} cannot be reached: {detail}",
                                hint="check the host, port, credentials and network")
        return HistoryError(f"{where}: cannot {doing}: {detail}")

    def _scrub(self, text: str) -> str:
        password = self.location.password
        return text.replace(password, "***") if password else text

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.errors("read"), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A transaction that holds the database's one write lock from its first statement."""
        with self.errors("write"), self.engine.connect() as raw:
            conn = raw.execution_options(**{_WRITE: True})
            with conn.begin():
                if not self.location.is_sqlite:
                    from sqlalchemy import text

                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                 {"key": _PG_LOCK_KEY})
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def _is_connection_error(error: BaseException) -> bool:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - the engine could not have been made
        return False
    return isinstance(error, psycopg.OperationalError)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # our own BEGINs (below), not the driver's implicit ones
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # readers never block the writer, and a crash mid-write leaves the last commit intact
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # a deferred transaction that reads, then writes, fails at once with SQLITE_BUSY when another
    # writer got in between; IMMEDIATE takes the write lock first, and the busy timeout waits
    write = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def open_database(location: HistoryUrl) -> Database:
    """Open (creating or migrating where needed) the history at ``location``."""
    from cloudrift.history.tables import HEAD

    database = Database(location)
    revision, tables = _current(database)
    if revision == HEAD:
        return database
    ours = tables & _our_tables()
    if revision is None and ours:
        raise HistoryError(f"history {location.shown} has cloudrift's tables but no schema "
                           "revision: not a history cloudrift wrote")
    if revision is None and location.is_sqlite and tables:
        raise HistoryError(f"history {location.shown} is a SQLite database of something else "
                           f"(tables: {', '.join(sorted(tables)[:3])})",
                           hint="point --history at a new file")
    known = _known_revisions()
    if revision is not None and revision not in known:
        raise HistoryError(
            f"history {location.shown} was written by a newer cloudrift (schema revision "
            f"{revision!r}; this one knows up to {HEAD!r})",
            hint="upgrade cloudrift, or point --history elsewhere",
        )
    _migrate(database)
    return database


def _our_tables() -> frozenset[str]:
    from cloudrift.history.tables import TABLE_NAMES

    return TABLE_NAMES


def _current(database: Database) -> tuple[str | None, set[str]]:
    from sqlalchemy import inspect, text

    from cloudrift.history.tables import VERSION_TABLE

    with database.reading() as conn:
        tables = set(inspect(conn).get_table_names())
        if VERSION_TABLE not in tables:
            return None, tables - {VERSION_TABLE}
        revision = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
        return (str(revision) if revision is not None else None), tables - {VERSION_TABLE}


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "cloudrift.history:migrations")
    return config


def _migrate(database: Database) -> None:
    """Upgrade to the head under the write lock: of several first runs, one migrates."""
    from alembic import command

    config = _alembic_config()
    with database.writing() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
