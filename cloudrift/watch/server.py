"""The watch process's HTTP server: ``/`` (the last report's page), ``/metrics``, ``/healthz``.

``http.server`` in a daemon thread, GET and HEAD only, on 127.0.0.1 unless ``--listen`` says
otherwise. The page is served with the report's own Content-Security-Policy as a header (plus
``frame-ancestors 'none'``, which a ``<meta>`` cannot carry) and a ``Refresh`` header timed to
when the next scan's page should be there, so an open tab follows the scans with no script.

Bound to a loopback address, the server answers only requests whose ``Host`` is a loopback
name or address: a web page the user visits cannot read the report through a DNS name
rebound to 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import CollectorRegistry

from cloudrift.errors import ConfigError
from cloudrift.watch.metrics import registry_for
from cloudrift.watch.state import WatchState

_WAITING = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cloudrift: first scan running</title></head>
<body><p>cloudrift watch: the first scan has not finished yet.</p></body></html>
"""


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[IPv6]:PORT`` or ``:PORT`` (loopback); port 0 picks a free one."""
    host, sep, port_text = text.strip().rpartition(":")
    if not sep or not port_text.isdigit() or int(port_text) > 65535:
        raise ConfigError(f"--listen {text!r} is not HOST:PORT", hint="e.g. 127.0.0.1:8785")
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port_text)


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_of(header: str) -> str:
    """The host part of a Host header: ``name``, ``name:port``, ``[v6]`` or ``[v6]:port``."""
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.rpartition(":")[0] if header.count(":") == 1 else header


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: WatchState
    registry: CollectorRegistry
    loopback_only: bool


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # one small response per request: do not wait for more to fill a packet
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return "cloudrift-watch"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a scrape every few seconds is not news

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _refuse_method(self) -> None:
        self._send(405, b"GET or HEAD only\n", "text/plain; charset=utf-8", True,
                   {"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method  # noqa: N815

    def _answer(self, with_body: bool) -> None:
        if self.server.loopback_only and not _is_loopback(_host_of(self.headers.get("Host",
                                                                                    ""))):
            self._send(421, b"this server answers to loopback names only\n",
                       "text/plain; charset=utf-8", with_body)
            return
        path = self.path.split("?", 1)[0]
        if path == "/":
            self._page(with_body)
        elif path == "/metrics":
            encoder, content_type = choose_encoder(self.headers.get("Accept", ""))
            self._send(200, encoder(self.server.registry), content_type, with_body)
        elif path == "/healthz":
            healthy, body = self.server.state.health()
            self._send(200 if healthy else 503, json.dumps(body, indent=2).encode() + b"\n",
                       "application/json", with_body)
        else:
            self._send(404, b"not found: try /, /metrics or /healthz\n",
                       "text/plain; charset=utf-8", with_body)

    def _page(self, with_body: bool) -> None:
        from cloudrift.report.html import CONTENT_SECURITY_POLICY

        state = self.server.state
        with state.lock:
            snapshot = state.snapshot
        headers = {
            "Content-Security-Policy": f"{CONTENT_SECURITY_POLICY}; frame-ancestors 'none'",
            "Refresh": str(state.refresh_after()),
            "Referrer-Policy": "no-referrer",
        }
        if snapshot is None:
            self._send(503, _WAITING, "text/html; charset=utf-8", with_body, headers)
        else:
            self._send(200, snapshot.html, "text/html; charset=utf-8", with_body, headers)

    def _send(self, status: int, body: bytes, content_type: str, with_body: bool,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(body)


class WatchServer:
    """Serves ``state`` on ``host:port`` from a daemon thread until ``stop()``."""

    def __init__(self, state: WatchState, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        server_class = type("Server", (_Server,), {"address_family": family})
        try:
            self._server: _Server = server_class((host, port), _Handler)
        except OSError as exc:
            raise ConfigError(f"--listen {host}:{port}: cannot listen ({exc.strerror})",
                              hint="pick another port, or :0 for any free one") from None
        self._server.state = state
        self._server.registry = registry_for(state)
        self._server.loopback_only = _is_loopback(host)
        self._thread = threading.Thread(target=self._server.serve_forever, name="watch-http",
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        shown = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{shown}:{port}"

    def start(self) -> WatchServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
