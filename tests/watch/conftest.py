"""A tiny AWS estate on moto, and ``cloudrift watch`` run as users run it: a real process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest

from cloudrift.testing import StateBuilder
from cloudrift_aws.testing import MotoServer

REGION = "eu-west-1"
CLI = [sys.executable, "-c", "from cloudrift.cli import main; main()"]
SERVING = re.compile(r"serving (http://\S+?)/ ")
START_TIMEOUT_S = 60.0


@dataclass
class Estate:
    """Two queues in a state; ``drift()`` changes one behind Terraform's back, ``fix()`` puts
    it back."""

    state: Path
    env: dict[str, str]
    urls: dict[str, str]

    def _sqs(self) -> object:
        return boto3.client("sqs", region_name=REGION, endpoint_url=self.env["AWS_ENDPOINT_URL"])

    def set_timeout(self, name: str, seconds: int) -> None:
        self._sqs().set_queue_attributes(  # type: ignore[attr-defined]
            QueueUrl=self.urls[name], Attributes={"VisibilityTimeout": str(seconds)})

    def drift(self) -> None:
        self.set_timeout("orders", 90)

    def fix(self) -> None:
        self.set_timeout("orders", 30)

    def args(self) -> list[str]:
        return ["--from", f"tfstate://{self.state}", "--to", "aws", "--region", REGION]


def build_estate(moto: MotoServer, directory: Path) -> Estate:
    """Two in-sync queues on ``moto`` and the state that manages them, in ``directory``."""
    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=moto.endpoint)
    state = StateBuilder()
    urls = {}
    for name in ("orders", "invoices"):
        url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
        urls[name] = url
        state.add("aws_sqs_queue", "queue", {
            "id": url, "url": url, "name": name,
            "arn": f"arn:aws:sqs:{REGION}:123456789012:{name}",
            "visibility_timeout_seconds": 30, "tags": {}, "tags_all": {},
        }, index_key=name)
    path = directory / "terraform.tfstate"
    state.write(path)
    return Estate(path, {"AWS_ENDPOINT_URL": moto.endpoint}, urls)


@pytest.fixture
def estate(moto: MotoServer, tmp_path: Path) -> Estate:
    return build_estate(moto, tmp_path)


@dataclass
class WatchProcess:
    """A running ``cloudrift watch``; its stderr is collected line by line."""

    process: subprocess.Popen[str]
    url: str = ""
    lines: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    def start_reading(self) -> None:
        def read() -> None:
            assert self.process.stderr is not None
            for line in self.process.stderr:
                self.lines.append(line.rstrip("\n"))

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()

    def wait_for_line(self, pattern: str, timeout: float = START_TIMEOUT_S,
                      count: int = 1) -> list[str]:
        """The lines matching ``pattern`` once there are ``count`` of them."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            found = [line for line in list(self.lines) if regex.search(line)]
            if len(found) >= count:
                return found
            if self.process.poll() is not None and self._reader is not None:
                self._reader.join(5)
                found = [line for line in self.lines if regex.search(line)]
                if len(found) >= count:
                    return found
                raise AssertionError(f"watch exited {self.process.returncode} before "
                                     f"{pattern!r}:\n" + "\n".join(self.lines))
            time.sleep(0.05)
        raise AssertionError(f"no {count} line(s) matching {pattern!r} in {timeout}s:\n"
                             + "\n".join(self.lines))

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str],
                                                                               bytes]:
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.wait(timeout)

    def wait(self, timeout: float = 60.0) -> int:
        code = self.process.wait(timeout)
        if self._reader is not None:
            self._reader.join(5)
        return code


@pytest.fixture
def watch_process(tmp_path: Path) -> Iterator[object]:
    """``start(*args, env=...)`` runs ``cloudrift watch`` in ``tmp_path`` and waits until it
    serves; every process started is stopped at the end."""
    started: list[WatchProcess] = []

    def start(*args: str, env: dict[str, str] | None = None) -> WatchProcess:
        full_env = {**os.environ, **(env or {})}
        full_env.pop("CLOUDRIFT_NO_HISTORY", None)
        process = subprocess.Popen(
            [*CLI, "watch", "--listen", "127.0.0.1:0", *args], cwd=tmp_path, env=full_env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
            text=True,
        )
        watched = WatchProcess(process)
        started.append(watched)
        watched.start_reading()
        line = watched.wait_for_line(SERVING.pattern)[0]
        match = SERVING.search(line)
        assert match is not None
        watched.url = match.group(1)
        return watched

    yield start
    for watched in started:
        if watched.process.poll() is None:
            watched.process.kill()
            watched.process.wait(30)
