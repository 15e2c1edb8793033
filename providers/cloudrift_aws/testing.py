"""Test kit for the AWS provider, shipped like ``click.testing``: moto's server spoken to over
real HTTP, and a recorder that checks every in-process AWS scan only read.

``MotoServer`` needs ``moto[server]``. A plugin author testing a new type: start a
``MotoServer``, create the resource with boto3 against ``server.endpoint``, scan a state built
with ``cloudrift.testing.StateBuilder``; ``tests/providers/aws/cases`` shows the pattern.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cloudrift.testing import FAKE_CREDENTIALS, environment
from cloudrift.testing.faults import READ_ONLY_OPERATIONS, READ_PREFIXES

__all__ = ["FAKE_CREDENTIALS", "MotoServer", "ScanRecorder", "environment",
           "recording_aws_scans"]


class MotoServer:
    """moto's server in a thread on 127.0.0.1, on a free port, spoken to over real HTTP."""

    def __init__(self, *, own_process: bool = False) -> None:
        """``own_process``: run the server in a process of its own. moto keeps its backends in
        module globals, so every threaded server in one process shares one emulated cloud; an
        estate that must meet no other test's resources asks for its own process."""
        self._own_process = own_process
        self._server: Any = None
        self._process: subprocess.Popen[bytes] | None = None
        self.endpoint = ""

    def start(self) -> MotoServer:
        if self._own_process:
            self._start_process()
        else:
            import logging

            from moto.server import ThreadedMotoServer

            # one INFO line per request drowns every failing test's output
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
            self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            self._server.start()
            host, port = self._server.get_host_and_port()
            self.endpoint = f"http://{host}:{port}"
        self.configure({"lambda": {"use_docker": False}})
        return self

    def _start_process(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self._process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=2):
                    return
            except OSError as error:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto's server did not start on {self.endpoint}") from error
                time.sleep(0.1)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        elif self._server is not None:
            self._server.stop()
            self._server = None

    def _post(self, path: str, body: Mapping[str, Any] | None = None) -> None:
        data = json.dumps(body or {}).encode()
        request = urllib.request.Request(
            f"{self.endpoint}{path}", data=data, method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def reset(self) -> None:
        """Wipe every emulated resource (the default VPCs come back on next use)."""
        self._post("/moto-api/reset")
        self.configure({"lambda": {"use_docker": False}})

    def configure(self, config: Mapping[str, Any]) -> None:
        self._post("/moto-api/config", config)

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()



@dataclass
class ScanRecorder:
    """Every operation every ``AwsContext`` made while recording, as ``service:Operation``."""

    contexts: list[Any] = field(default_factory=list)

    @property
    def operations(self) -> list[str]:
        return [op for ctx in self.contexts for op in ctx.operations]

    def non_reads(self) -> list[str]:
        return sorted({op for op in self.operations
                       if not op.split(":", 1)[-1].startswith(READ_PREFIXES)
                       and op not in READ_ONLY_OPERATIONS})

    def assert_read_only(self) -> None:
        writes = self.non_reads()
        if writes:
            raise AssertionError(f"a scan made non-read calls: {writes}")


@contextmanager
def recording_aws_scans() -> Iterator[ScanRecorder]:
    """Record every ``AwsContext`` created inside the block (every in-process AWS scan: the
    provider tier, ``CliRunner`` scans), and hand them over for ``assert_read_only``."""
    from cloudrift_aws.session import AwsContext

    recorder = ScanRecorder()
    original: Callable[..., None] = AwsContext.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        recorder.contexts.append(self)

    AwsContext.__init__ = init  # type: ignore[method-assign]
    try:
        yield recorder
    finally:
        AwsContext.__init__ = original  # type: ignore[method-assign]
