"""The one scaffold every local test server is built on, and its self-signed certificate.

A server of ours speaks a real service's wire protocol on 127.0.0.1 and a free port, so the
real SDK client is tested unchanged. Subclasses answer ``handle(request) -> Response``; the
scaffold reads the request (any method, a body by length or chunked), records it, counts how
many are served at once (``peak``: tests tell concurrent reads by it), optionally serves HTTPS
with a certificate it makes itself, and writes the answer. A server that must misbehave at the
socket level (the fault proxy: resets, stalls, truncated bodies) overrides ``serve`` instead and
uses the exchange's ``send`` and ``reset``.

Nothing here is imported by the scanner itself.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
import socket
import ssl
import struct
import threading
import time
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

_S = TypeVar("_S", bound="LocalServer")


@dataclass
class Request:
    """One request as the server received it (header names lower-cased), and the status it
    was answered with once it was."""

    method: str
    target: str
    headers: Mapping[str, str]
    body: bytes = b""
    at: float = field(default_factory=time.monotonic)
    status: int = 0

    @cached_property
    def path(self) -> str:
        """The path, percent-decoded, without the query."""
        return unquote(urlsplit(self.target).path)

    @cached_property
    def raw_path(self) -> str:
        """The path as sent, still percent-encoded."""
        return urlsplit(self.target).path

    @cached_property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def json(cls, status: int, document: Any, headers: Mapping[str, str] | None = None,
             content_type: str = "application/json") -> Response:
        return cls(status, {"Content-Type": content_type, **(headers or {})},
                   json.dumps(document).encode())

    @classmethod
    def text(cls, status: int, text: str, content_type: str = "text/plain") -> Response:
        return cls(status, {"Content-Type": content_type}, text.encode())


def self_signed_certificate(directory: str | os.PathLike[str]) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key: (cert.pem, key.pem).

    It carries the extensions a strict verifier asks of a CA that signs itself (key usage,
    subject and authority key identifiers): Python 3.13 verifies with ``VERIFY_X509_STRICT``.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cloudrift test server")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Exchange(BaseHTTPRequestHandler):
    """One connection's requests; hands each to its server's ``serve``."""

    # without it every response waits for the client's delayed ACK (~40 ms a request)
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    owner: ClassVar[LocalServer]

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            # the TLS handshake runs here, in the request's thread, so a client that refuses
            # the certificate cannot stall the accepting one
            self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a server's own record is ``LocalServer.requests``."""

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            return self.rfile.read(length)
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return b""

    def _dispatch(self) -> None:
        received = {k.lower(): v for k, v in self.headers.items()}
        self.owner.serve(self, Request(self.command, self.path, received, self.read_body()))

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _dispatch  # noqa: N815

    def send(self, response: Response, cut: int | None = None,
             skip_headers: frozenset[str] = frozenset()) -> None:
        """Write ``response``; with ``cut``, announce the whole body, send only that many
        bytes and close: a connection dropped mid-body."""
        self.send_response(response.status)
        for name, value in response.headers.items():
            if name.lower() not in skip_headers and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if cut is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body if cut is None else response.body[:cut])
        self.wfile.flush()
        if cut is not None:
            self.close_connection = True

    def reset(self) -> None:
        """Drop the connection with a TCP reset, answering nothing."""
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def finish(self) -> None:
        # after a reset or a client that gave up, flushing the closed socket fails: expected
        with suppress(OSError, ValueError):
            super().finish()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-request (a read timeout, a reset) is part of a test."""


class LocalServer:
    """A threaded HTTP(S) server on 127.0.0.1; subclasses implement ``handle``.

    With ``tls_directory`` it serves HTTPS with a self-signed certificate written there
    (``certificate`` is its path, for clients that should trust it). ``delay`` slows every
    request ``counts`` says is one of interest.
    """

    def __init__(self, delay: float = 0.0,
                 tls_directory: str | os.PathLike[str] | None = None) -> None:
        self.delay = delay
        self.requests: list[Request] = []
        self.peak = 0
        self._in_flight = 0
        self._lock = threading.RLock()
        handler = type("Handler", (Exchange,), {"owner": self})
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        self.certificate: Path | None = None
        self.key: Path | None = None
        if tls_directory is not None:
            self.certificate, self.key = self_signed_certificate(tls_directory)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.certificate, self.key)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True,
                                                      do_handshake_on_connect=False)
        self._thread: threading.Thread | None = None
        # servers started and stopped with this one (the TFC server's archivist)
        self.companions: list[LocalServer] = []

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        scheme = "https" if self.certificate is not None else "http"
        return f"{scheme}://{host!s}:{port}"

    def start(self: _S) -> _S:
        for companion in self.companions:
            companion.start()
        # a short poll interval: shutdown() waits for it, once per test
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True, name=f"{type(self).__name__}-{id(self):x}")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for companion in self.companions:
            companion.stop()

    def __enter__(self: _S) -> _S:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def reset_counters(self) -> None:
        with self._lock:
            self.requests.clear()
            self.peak = 0

    def requested(self, pattern: str = "", method: str | None = None) -> list[Request]:
        """The recorded requests whose path the regular expression ``pattern`` finds (case
        ignored), and of ``method`` if given."""
        compiled = re.compile(pattern, re.IGNORECASE)
        with self._lock:
            return [r for r in self.requests if compiled.search(r.path)
                    and (method is None or r.method == method)]

    def counts(self, request: Request) -> bool:
        """Whether ``request`` is one of those ``delay`` and ``peak`` are about."""
        return True

    def record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def serve(self, exchange: Exchange, request: Request) -> None:
        """Record, answer with ``handle`` and write the answer."""
        self.record(request)
        counted = self.counts(request)
        if counted:
            with self._lock:
                self._in_flight += 1
                self.peak = max(self.peak, self._in_flight)
        try:
            if self.delay and counted:
                time.sleep(self.delay)
            response = self.handle(request)
            request.status = response.status
        finally:
            if counted:
                with self._lock:
                    self._in_flight -= 1
        exchange.send(response)

    def handle(self, request: Request) -> Response:
        raise NotImplementedError
