"""A small HTTP GET for the HTTP and Terraform Cloud backends, on the standard library.

Credentials travel as "unredirected" headers: urllib copies ordinary headers onto a redirect,
wherever it points, and a state server that redirects to a signed storage URL on another host
must not receive the token.
"""

from __future__ import annotations

import email.message
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from cloudrift._version import __version__
from cloudrift.sources.backends._common import redact_url

USER_AGENT = f"cloudrift/{__version__}"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_WAIT = 10.0


class TransportError(Exception):
    """No HTTP answer at all: unknown host, refused connection, TLS failure, timeout."""


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    headers: email.message.Message
    body: bytes

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return None if value is None else str(value)


def _retry_wait(response: Response | None, attempt: int, base_delay: float) -> float:
    if response is not None:
        for name in ("Retry-After", "X-RateLimit-Reset"):
            value = response.header(name)
            if value:
                try:
                    wait = float(value)
                except ValueError:
                    break
                return min(max(wait, 0.0), MAX_RETRY_WAIT)
    return min(base_delay * float(2**attempt), MAX_RETRY_WAIT)


def _describe(exc: BaseException) -> str:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({reason.verify_message})"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error ({reason.reason or reason})"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__


def get(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    secret_headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    retries: int = 2,
    retry_delay: float = 0.25,
    context: ssl.SSLContext | None = None,
) -> Response:
    """GET ``url``; every HTTP status is returned, not raised. Busy or failing servers (429,
    5xx) and dropped connections are retried ``retries`` times; a refused connection or an
    unknown host is not, it will not get better in a second."""
    attempt = 0
    while True:
        request = urllib.request.Request(url, method="GET")
        request.add_header("User-Agent", USER_AGENT)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        for name, value in (secret_headers or {}).items():
            request.add_unredirected_header(name, value)
        response: Response | None = None
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=context) as raw:
                response = Response(raw.geturl(), raw.status, raw.headers, raw.read())
        except urllib.error.HTTPError as exc:
            with exc:
                response = Response(exc.geturl() or url, exc.code, exc.headers, exc.read())
        except (urllib.error.URLError, OSError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            transient = isinstance(reason, (TimeoutError, socket.timeout, ConnectionResetError))
            if not transient or attempt >= retries:
                raise TransportError(f"{redact_url(url)}: {_describe(exc)}") from None
        if response is not None and (response.status not in RETRY_STATUSES or attempt >= retries):
            return response
        time.sleep(_retry_wait(response, attempt, retry_delay))
        attempt += 1
