"""A fault-injecting HTTP proxy for tests: put it between an SDK and an emulator.

``FaultProxy`` listens on 127.0.0.1 (a free port), forwards every request to an upstream such as
moto's server and, by rule, answers some requests itself the way a misbehaving cloud would:

- ``THROTTLE``: AWS ``Throttling`` / ``RequestLimitExceeded`` / ``SlowDown`` (in the shape the
  service's protocol uses), GCP 429 ``RESOURCE_EXHAUSTED``, Azure 429 with ``Retry-After``;
- ``DENY``: AWS ``AccessDenied`` / ``UnauthorizedOperation`` / ``AccessDeniedException``, 403;
- ``HTTP_500`` / ``HTTP_503``: a server error;
- ``ERROR``: any error code and status the rule names (``ExpiredToken``, 403);
- ``RESET``: the connection is reset (TCP RST) without an answer;
- ``STALL``: no answer until ``stall_seconds`` have passed (past the client's read timeout);
- ``TRUNCATE``: the real answer, cut off halfway through its body.

A rule fires on every matching call, on a fraction of them (``rate``: a seeded draw per request,
keyed by its service, region, operation and how many such requests came before, so a scan meets
the same faults however its threads interleave), on every Nth (``every``) or only on the Nth
(``nth``); it can be narrowed to a service, an operation or a region (glob patterns). Every
request is logged with what the proxy did to it, so a test can assert which operations a scan
made (``FaultProxy.non_reads``).

For AWS the service and region come from the SigV4 credential scope, the operation from
``X-Amz-Target`` (JSON protocol), the ``Action=`` form field (query and EC2 protocols) or the
``/service/S/operation/O`` path (Smithy RPC v2); REST services (S3, Lambda) have no operation
name on the wire, so rules and logs use ``METHOD /path`` for them.

Nothing here is imported by the scanner itself.
"""

from __future__ import annotations

import fnmatch
import http.client
import json
import random
import re
import socket
import ssl
import struct
import threading
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from enum import Enum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

Cloud = Literal["aws", "gcp", "azure"]

READ_PREFIXES = ("Describe", "List", "Get", "Head", "Search", "BatchGet", "Lookup")

# documented read-only POST endpoints: a query sent in a body, not a change
READ_ONLY_POSTS: tuple[str, ...] = (
    "*/providers/Microsoft.ResourceGraph/resources",
    "*:searchAllResources",
    "*:searchAllIamPolicies",
    "*:batchGetEffectiveIamPolicies",
    "*:analyzeIamPolicy",
)

_HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
    "transfer-encoding", "upgrade", "proxy-connection",
})

_CREDENTIAL = re.compile(r"Credential=[^/,\s]+/\d{8}/(?P<region>[^/,\s]+)/(?P<service>[^/,\s]+)/")
_RPC_V2 = re.compile(r"^/service/(?P<service>[^/]+)/operation/(?P<operation>[^/?]+)")


class FaultKind(str, Enum):
    THROTTLE = "throttle"
    DENY = "deny"
    HTTP_500 = "http500"
    HTTP_503 = "http503"
    ERROR = "error"
    RESET = "reset"
    STALL = "stall"
    TRUNCATE = "truncate"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Fault:
    """One rule: what to do, to which requests, and how often.

    With none of ``rate``, ``every`` and ``nth`` the fault hits every matching request.
    ``service``, ``operation`` and ``region`` are glob patterns a request must match;
    ``except_service`` one it must not (``"sts"``: leave the identity call alone). ``limit``
    caps how many times the rule fires in all. ``code`` and ``status`` are for ``ERROR`` (and
    override the preset of any error kind); ``message`` replaces the error's message (an error
    that quotes what it was sent).
    """

    kind: FaultKind
    service: str | None = None
    operation: str | None = None
    region: str | None = None
    except_service: str | None = None
    rate: float | None = None
    every: int | None = None
    nth: int | None = None
    limit: int | None = None
    code: str | None = None
    status: int | None = None
    message: str | None = None

    def __post_init__(self) -> None:
        if self.rate is not None and not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate {self.rate} is not between 0 and 1")
        for name in ("every", "nth", "limit"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1, not {value}")
        if self.kind is FaultKind.ERROR and not (self.code and self.status):
            raise ValueError("an ERROR fault needs a code and a status")

    def matches(self, request: RequestInfo) -> bool:
        return (
            _glob(self.service, request.service)
            and _glob(self.operation, request.operation_label)
            and _glob(self.region, request.region)
            and not (self.except_service and _glob(self.except_service, request.service))
        )

    def describe(self) -> str:
        where = ",".join(
            f"{k}={v}" for k, v in (("service", self.service), ("operation", self.operation),
                                    ("region", self.region)) if v
        )
        how = (f"rate={self.rate}" if self.rate is not None
               else f"every={self.every}" if self.every is not None
               else f"nth={self.nth}" if self.nth is not None else "all")
        return f"{self.kind}[{how}{';' + where if where else ''}]"


def _glob(pattern: str | None, value: str | None) -> bool:
    if pattern is None:
        return True
    return value is not None and fnmatch.fnmatchcase(value, pattern)


@dataclass(frozen=True)
class RequestInfo:
    """What a request is, as far as the wire says."""

    method: str
    path: str
    query: str = ""
    service: str | None = None
    region: str | None = None
    operation: str | None = None
    protocol: str = "rest"

    @property
    def operation_label(self) -> str:
        """The operation name, or ``METHOD /path?names`` where the protocol does not name one
        (the query's parameter names tell S3's sub-resources apart: ``GET /b?policy``)."""
        if self.operation:
            return self.operation
        names = sorted({name for name, _ in urllib.parse.parse_qsl(self.query,
                                                                    keep_blank_values=True)})
        return f"{self.method} {self.path}" + (f"?{'&'.join(names)}" if names else "")

    def is_read(self, read_only_posts: Sequence[str] = READ_ONLY_POSTS) -> bool:
        """Describe/List/Get/Head/Search-style operations, GET/HEAD on REST, or a documented
        read-only query endpoint."""
        if self.operation is not None:
            return self.operation.startswith(READ_PREFIXES)
        if self.method in ("GET", "HEAD"):
            return True
        return self.method == "POST" and any(
            fnmatch.fnmatchcase(self.path, pattern) for pattern in read_only_posts
        )


@dataclass(frozen=True)
class LoggedRequest:
    request: RequestInfo
    fault: FaultKind | None
    rule: int | None
    status: int | None


def classify_aws(method: str, target: str, headers: Any, body: bytes) -> RequestInfo:
    """Service, region, operation and protocol of one AWS SDK request."""
    parsed = urllib.parse.urlsplit(target)
    path, query = parsed.path or "/", parsed.query
    service = region = operation = None
    credential = _CREDENTIAL.search(headers.get("Authorization", "") or "")
    if credential:
        service, region = credential.group("service"), credential.group("region")
    else:
        # a presigned URL carries its credential scope in the query string
        scope = urllib.parse.parse_qs(query).get("X-Amz-Credential", [""])[0].split("/")
        if len(scope) >= 5:
            region, service = scope[2], scope[3]
    protocol = "rest"
    amz_target = headers.get("X-Amz-Target")
    rpc = _RPC_V2.match(path)
    if amz_target:
        protocol, operation = "json", amz_target.rsplit(".", 1)[-1]
    elif rpc:
        protocol, operation = "rpc-v2-cbor", rpc.group("operation")
    else:
        form: dict[str, list[str]] = urllib.parse.parse_qs(query)
        content_type = headers.get("Content-Type", "") or ""
        if "Action" not in form and "x-www-form-urlencoded" in content_type:
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            operation = form["Action"][0]
            protocol = "ec2" if service == "ec2" else "query"
        elif service == "s3" or "s3" in (headers.get("Host", "") or "").split(".")[:2]:
            protocol, service = "rest-xml", service or "s3"
        else:
            protocol = "rest-json"
    return RequestInfo(method=method, path=path, query=query, service=service, region=region,
                       operation=operation, protocol=protocol)


def classify_http(method: str, target: str, headers: Any, body: bytes) -> RequestInfo:
    """GCP and Azure REST calls: the method and path are what there is to go by."""
    parsed = urllib.parse.urlsplit(target)
    host = (headers.get("Host", "") or "").split(":")[0]
    return RequestInfo(method=method, path=parsed.path or "/", query=parsed.query,
                       service=host or None, protocol="rest")


# -- error bodies -----------------------------------------------------------------------------

_AWS_PRESETS: dict[FaultKind, dict[str, tuple[str, int]]] = {
    # protocol -> (code, status), as the real services answer
    FaultKind.THROTTLE: {
        "ec2": ("RequestLimitExceeded", 503), "query": ("Throttling", 400),
        "json": ("ThrottlingException", 400), "rpc-v2-cbor": ("ThrottlingException", 400),
        "rest-json": ("TooManyRequestsException", 429), "rest-xml": ("SlowDown", 503),
    },
    FaultKind.DENY: {
        "ec2": ("UnauthorizedOperation", 403), "query": ("AccessDenied", 403),
        "json": ("AccessDeniedException", 400), "rpc-v2-cbor": ("AccessDeniedException", 400),
        "rest-json": ("AccessDeniedException", 403), "rest-xml": ("AccessDenied", 403),
    },
    FaultKind.HTTP_500: {
        "ec2": ("InternalError", 500), "query": ("InternalFailure", 500),
        "json": ("InternalFailure", 500), "rpc-v2-cbor": ("InternalFailure", 500),
        "rest-json": ("ServiceException", 500), "rest-xml": ("InternalError", 500),
    },
    FaultKind.HTTP_503: {
        "ec2": ("Unavailable", 503), "query": ("ServiceUnavailable", 503),
        "json": ("ServiceUnavailable", 503), "rpc-v2-cbor": ("ServiceUnavailable", 503),
        "rest-json": ("ServiceException", 503), "rest-xml": ("ServiceUnavailable", 503),
    },
}

_HTTP_PRESETS: dict[FaultKind, tuple[int, str, str]] = {
    # kind -> (status, GCP status, Azure code)
    FaultKind.THROTTLE: (429, "RESOURCE_EXHAUSTED", "TooManyRequests"),
    FaultKind.DENY: (403, "PERMISSION_DENIED", "AuthorizationFailed"),
    FaultKind.HTTP_500: (500, "INTERNAL", "InternalServerError"),
    FaultKind.HTTP_503: (503, "UNAVAILABLE", "ServiceUnavailable"),
}

_MESSAGES = {
    FaultKind.THROTTLE: "Rate exceeded",
    FaultKind.DENY: "User is not authorized to perform this operation",
    FaultKind.HTTP_500: "We encountered an internal error. Please try again.",
    FaultKind.HTTP_503: "Service is unavailable. Please try again.",
    FaultKind.ERROR: "Injected error",
}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cbor_text(text: str) -> bytes:
    data = text.encode()
    if len(data) < 24:
        return bytes([0x60 | len(data)]) + data
    return bytes([0x78, len(data)]) + data if len(data) < 256 else (
        b"\x79" + struct.pack(">H", len(data)) + data
    )


def aws_error(request: RequestInfo, code: str, status: int, message: str) -> Answer:
    """An AWS error answer in the shape the request's protocol uses."""
    request_id = str(uuid.uuid4())
    protocol = request.protocol
    headers: list[tuple[str, str]] = [("x-amzn-RequestId", request_id)]
    if protocol == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            f"<Code>{code}</Code><Message>{_xml_escape(message)}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        ).encode()
        headers.append(("Content-Type", "text/xml;charset=UTF-8"))
    elif protocol == "query":
        fault_type = "Receiver" if status >= 500 else "Sender"
        body = (
            "<ErrorResponse><Error>"
            f"<Type>{fault_type}</Type><Code>{code}</Code>"
            f"<Message>{_xml_escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers.append(("Content-Type", "text/xml"))
    elif protocol == "rest-xml":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error>'
            f"<Code>{code}</Code><Message>{_xml_escape(message)}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        ).encode()
        headers.append(("Content-Type", "application/xml"))
    elif protocol == "rpc-v2-cbor":
        body = (b"\xa2" + _cbor_text("__type") + _cbor_text(code)
                + _cbor_text("message") + _cbor_text(message))
        headers += [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
    elif protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        headers += [("Content-Type", "application/x-amz-json-1.1"),
                    # query-compatible JSON services (SQS) take the code from this header
                    ("x-amzn-query-error", f"{code};{'Receiver' if status >= 500 else 'Sender'}")]
    else:
        body = json.dumps({"message": message, "Message": message}).encode()
        headers += [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
    return Answer(status, tuple(headers), body)


def gcp_error(status: int, grpc_status: str, message: str) -> Answer:
    body = json.dumps({"error": {"code": status, "message": message, "status": grpc_status}})
    return Answer(status, (("Content-Type", "application/json; charset=UTF-8"),), body.encode())


def azure_error(status: int, code: str, message: str, retry_after: int | None) -> Answer:
    body = json.dumps({"error": {"code": code, "message": message}})
    headers: list[tuple[str, str]] = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("x-ms-request-id", str(uuid.uuid4())),
    ]
    if retry_after is not None:
        headers.append(("Retry-After", str(retry_after)))
    return Answer(status, tuple(headers), body.encode())


# -- the proxy --------------------------------------------------------------------------------


class FaultProxy:
    """A threaded HTTP(S) proxy on 127.0.0.1 that forwards to ``upstream`` and injects faults.

    ``tls``: serve HTTPS with this server-side context (Azure's SDK refuses plain HTTP);
    ``upstream_tls``: the client context for an ``https://`` upstream (default: no
    verification, the upstream is a local test server). ``rewrite_host`` sends the upstream's
    own Host header, so answers that embed the host (SQS queue URLs) look as they would
    without the proxy.
    """

    def __init__(
        self,
        upstream: str,
        faults: Iterable[Fault] = (),
        *,
        cloud: Cloud = "aws",
        seed: int = 0,
        stall_seconds: float = 5.0,
        retry_after: int | None = 1,
        tls: ssl.SSLContext | None = None,
        upstream_tls: ssl.SSLContext | None = None,
        rewrite_host: bool = True,
        upstream_timeout: float = 30.0,
    ) -> None:
        target = urllib.parse.urlsplit(upstream)
        if target.scheme not in ("http", "https") or not target.hostname:
            raise ValueError(f"upstream {upstream!r} is not an http(s) URL")
        self.upstream = upstream
        self._upstream_host = target.hostname
        self._upstream_port = target.port or (443 if target.scheme == "https" else 80)
        self._upstream_https = target.scheme == "https"
        self._upstream_netloc = target.netloc
        if self._upstream_https and upstream_tls is None:
            upstream_tls = ssl.create_default_context()
            upstream_tls.check_hostname = False
            upstream_tls.verify_mode = ssl.CERT_NONE
        self._upstream_tls = upstream_tls
        self.cloud: Cloud = cloud
        self.stall_seconds = stall_seconds
        self.retry_after = retry_after
        self.rewrite_host = rewrite_host
        self.upstream_timeout = upstream_timeout
        self._tls = tls
        self._lock = threading.Lock()
        self.seed = seed
        self._occurrences: dict[tuple[str | None, str | None, str], int] = {}
        self._faults: list[Fault] = []
        self._seen: list[int] = []
        self._fired: list[int] = []
        self._log: list[LoggedRequest] = []
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.endpoint = ""
        self.set_faults(faults)

    # -- rules and log ---------------------------------------------------------------------

    def set_faults(self, faults: Iterable[Fault]) -> None:
        """Replace the rules; their counters start again from zero."""
        with self._lock:
            self._faults = list(faults)
            self._occurrences.clear()
            self._seen = [0] * len(self._faults)
            self._fired = [0] * len(self._faults)

    @property
    def faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    @property
    def fired(self) -> list[int]:
        """How many times each rule fired."""
        with self._lock:
            return list(self._fired)

    @property
    def log(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    @property
    def injected(self) -> int:
        return sum(self.fired)

    def non_reads(self, read_only_posts: Sequence[str] = READ_ONLY_POSTS) -> list[str]:
        """Every logged request that is not a read, as ``service:operation``; sorted, unique."""
        return sorted({
            f"{entry.request.service}:{entry.request.operation_label}"
            for entry in self.log if not entry.request.is_read(read_only_posts)
        })

    def decide(self, request: RequestInfo) -> tuple[int, Fault] | None:
        """The first rule that fires for this request, counting it against every rule that
        matches (so ``nth`` means the Nth matching request, whatever other rules did)."""
        chosen: tuple[int, Fault] | None = None
        key = (request.service, request.region, request.operation_label)
        with self._lock:
            occurrence = self._occurrences.get(key, 0)
            self._occurrences[key] = occurrence + 1
            for position, fault in enumerate(self._faults):
                if not fault.matches(request):
                    continue
                self._seen[position] += 1
                count = self._seen[position]
                if fault.rate is not None:
                    # drawn from the request's kind and how many of that kind came before, not
                    # from arrival order: the same scan meets the same faults however its
                    # threads interleave, and a retry (the next occurrence) draws afresh
                    draw = random.Random(f"{self.seed}|{position}|{key}|{occurrence}").random()
                    fires = draw < fault.rate
                elif fault.every is not None:
                    fires = count % fault.every == 0
                elif fault.nth is not None:
                    fires = count == fault.nth
                else:
                    fires = True
                if fault.limit is not None and self._fired[position] >= fault.limit:
                    fires = False
                if fires and chosen is None:
                    self._fired[position] += 1
                    chosen = (position, fault)
        return chosen

    def _record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._log.append(entry)

    def classify(self, method: str, target: str, headers: Any, body: bytes) -> RequestInfo:
        if self.cloud == "aws":
            return classify_aws(method, target, headers, body)
        return classify_http(method, target, headers, body)

    def error_answer(self, fault: Fault, request: RequestInfo) -> Answer:
        kind = fault.kind
        message = fault.message or _MESSAGES[kind]
        if self.cloud == "aws":
            code, status = _AWS_PRESETS.get(kind, {}).get(request.protocol, ("InternalError", 500))
            code, status = fault.code or code, fault.status or status
            return aws_error(request, code, status, message)
        status, grpc_status, azure_code = _HTTP_PRESETS.get(kind, (0, "UNKNOWN", "Error"))
        status = fault.status or status
        if self.cloud == "gcp":
            return gcp_error(status, fault.code or grpc_status, message)
        retry_after = self.retry_after if kind in (FaultKind.THROTTLE, FaultKind.HTTP_503) else None
        return azure_error(status, fault.code or azure_code, message, retry_after)

    # -- forwarding ------------------------------------------------------------------------

    def forward(self, method: str, target: str, headers: Any, body: bytes) -> Answer:
        connection: http.client.HTTPConnection
        if self._upstream_https:
            connection = http.client.HTTPSConnection(
                self._upstream_host, self._upstream_port, timeout=self.upstream_timeout,
                context=self._upstream_tls,
            )
        else:
            connection = http.client.HTTPConnection(
                self._upstream_host, self._upstream_port, timeout=self.upstream_timeout
            )
        try:
            connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in headers.items():
                lower = name.lower()
                if lower in _HOP_BY_HOP or lower == "content-length":
                    continue
                if lower == "host" and self.rewrite_host:
                    value = self._upstream_netloc
                connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            data = response.read()
            answer_headers = tuple(
                (k, v) for k, v in response.getheaders()
                if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length"
            )
            return Answer(response.status, answer_headers, data)
        finally:
            connection.close()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        if self._tls is not None:
            server.socket = self._tls.wrap_socket(server.socket, server_side=True)
        self._server = server
        host, port = server.server_address[:2]
        scheme = "https" if self._tls is not None else "http"
        self.endpoint = f"{scheme}://{host!s}:{port}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05},
            name="cloudrift-fault-proxy", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def wait_stalled(self, timeout: float) -> bool:
        """Block until a request is being stalled (or ``timeout`` passes)."""
        waited = 0.0
        while waited < timeout:
            if any(e.fault is FaultKind.STALL for e in self.log):
                return True
            self._stopping.wait(0.02)
            waited += 0.02
        return False

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-request (a read timeout, a reset) is part of the test."""


def _handler_for(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(_ProxyHandler):
        owner = proxy

    return Handler


class _ProxyHandler(BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.1"
    # without it every small answer waits ~40 ms for a delayed ACK
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the proxy's own log is ``FaultProxy.log``."""

    def _body(self) -> bytes:
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

    def _handle(self) -> None:
        proxy = self.owner
        body = self._body()
        request = proxy.classify(self.command, self.path, self.headers, body)
        decision = proxy.decide(request)
        fault = decision[1] if decision else None
        rule = decision[0] if decision else None
        kind = fault.kind if fault else None
        if fault is None:
            self._forward(request, body, None, None)
        elif kind is FaultKind.RESET:
            proxy._record(LoggedRequest(request, kind, rule, None))
            self._reset()
        elif kind is FaultKind.STALL:
            proxy._record(LoggedRequest(request, kind, rule, None))
            proxy._stopping.wait(proxy.stall_seconds)
            self.close_connection = True
        elif kind is FaultKind.TRUNCATE:
            self._forward(request, body, kind, rule)
        else:
            answer = proxy.error_answer(fault, request)
            proxy._record(LoggedRequest(request, kind, rule, answer.status))
            self._send(answer)

    def _forward(self, request: RequestInfo, body: bytes, kind: FaultKind | None,
                 rule: int | None) -> None:
        proxy = self.owner
        try:
            answer = proxy.forward(self.command, self.path, self.headers, body)
        except (OSError, http.client.HTTPException):
            proxy._record(LoggedRequest(request, kind, rule, 502))
            self._send(Answer(502, (("Content-Type", "text/plain"),), b"upstream unreachable"))
            return
        proxy._record(LoggedRequest(request, kind, rule, answer.status))
        if kind is FaultKind.TRUNCATE:
            self._send(answer, cut=max(1, len(answer.body) // 2) if answer.body else 0)
        else:
            self._send(answer)

    def _send(self, answer: Answer, cut: int | None = None) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers:
            if name.lower() not in ("date", "server"):
                self.send_header(name, value)
        # the full length is announced, then fewer bytes come: a connection dropped mid-body
        self.send_header("Content-Length", str(len(answer.body)))
        if cut is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body if cut is None else answer.body[:cut])
        self.wfile.flush()
        if cut is not None:
            self.close_connection = True

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def finish(self) -> None:
        # after a reset or a client that gave up, flushing the closed socket fails: expected
        with suppress(OSError, ValueError):
            super().finish()

    def do_GET(self) -> None:
        self._handle()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET  # noqa: N815


@contextmanager
def fault_proxy(
    upstream: str, faults: Iterable[Fault] = (), **options: Any
) -> Iterator[FaultProxy]:
    """``with fault_proxy(moto.endpoint, [Fault(FaultKind.THROTTLE, service="sqs")]) as p:``"""
    proxy = FaultProxy(upstream, faults, **options).start()
    try:
        yield proxy
    finally:
        proxy.stop()


# -- recording the operations of in-process scans ---------------------------------------------


@dataclass
class ScanRecorder:
    """Every operation every ``AwsContext`` made while recording, as ``service:Operation``."""

    contexts: list[Any] = field(default_factory=list)

    @property
    def operations(self) -> list[str]:
        return [op for ctx in self.contexts for op in ctx.operations]

    def non_reads(self) -> list[str]:
        return sorted({op for op in self.operations
                       if not op.split(":", 1)[-1].startswith(READ_PREFIXES)})

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
