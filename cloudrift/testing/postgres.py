"""A throw-away PostgreSQL server for tests: ``initdb`` a cluster in a temporary directory and
run it on 127.0.0.1, as an unprivileged user when we are root (postgres refuses to run as root).

::

    with PostgresServer() as server:          # raises PostgresUnavailableError with the reason
        url = server.create_database("t1")     # postgresql://cloudrift:PASSWORD@127.0.0.1:PORT/t1

Password authentication (SCRAM) is on, so tests see what users see: a URL with a password.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

USER = "cloudrift"
_RUN_AS = "nobody"


class PostgresUnavailableError(RuntimeError):
    """PostgreSQL cannot be started here; the message says why."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PostgresServer:
    def __init__(self) -> None:
        self.password = secrets.token_hex(12)
        self.port = 0
        self.root: Path | None = None
        self._as_user: list[str] = []

    def _binaries(self) -> tuple[str, str]:
        initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
        if not initdb or not pg_ctl:
            raise PostgresUnavailableError("initdb/pg_ctl not on PATH (install PostgreSQL 15)")
        return initdb, pg_ctl

    def _run(self, *command: str) -> None:
        result = subprocess.run([*self._as_user, *command], capture_output=True, text=True,
                                check=False, timeout=120)
        if result.returncode != 0:
            raise PostgresUnavailableError(f"{Path(command[0]).name} failed: "
                                      f"{(result.stderr or result.stdout).strip()[-400:]}")

    def start(self) -> PostgresServer:
        initdb, pg_ctl = self._binaries()
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise PostgresUnavailableError("psycopg is not installed (pip install "
                                      "'cloudrift-scanner[postgres]')") from None
        self.root = Path(tempfile.mkdtemp(prefix="cloudrift-pg-"))
        if os.geteuid() == 0:
            runner = shutil.which("runuser") or shutil.which("setpriv")
            if runner is None:
                raise PostgresUnavailableError("running as root and neither runuser nor setpriv "
                                          "is available to drop to an unprivileged user")
            entry = pwd.getpwnam(_RUN_AS)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            if runner.endswith("runuser"):
                self._as_user = [runner, "-u", _RUN_AS, "--"]
            else:
                self._as_user = [runner, f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}",
                                 "--clear-groups"]
        secret = self.root / "pwfile"
        secret.write_text(self.password + "\n")
        if self._as_user:
            entry = pwd.getpwnam(_RUN_AS)
            os.chown(secret, entry.pw_uid, entry.pw_gid)
        data = self.root / "data"
        self._run(initdb, "-D", str(data), "-U", USER, f"--pwfile={secret}",
                  "--auth=scram-sha-256", "--encoding=UTF8", "--no-sync", "--no-instructions")
        self.port = _free_port()
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} "
                   f"-c unix_socket_directories={self.root} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._run(pg_ctl, "-D", str(data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", "60", "start")
        return self

    def url(self, database: str = "postgres", *, password: str | None = None) -> str:
        word = self.password if password is None else password
        return f"postgresql://{USER}:{word}@127.0.0.1:{self.port}/{database}"

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(statement.encode())

    def create_database(self, name: str) -> str:
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.root is None:
            return
        data = self.root / "data"
        if (data / "postmaster.pid").exists():
            _, pg_ctl = self._binaries()
            subprocess.run([*self._as_user, pg_ctl, "-D", str(data), "-m", "immediate",
                            "-w", "stop"], capture_output=True, check=False, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> PostgresServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
