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
import os
import random
import re
import ssl
import struct
import threading
import urllib.parse
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from cloudrift.testing.servers import Exchange, LocalServer, Request, Response

Cloud = Literal["aws", "gcp", "azure"]

READ_PREFIXES = ("Describe", "List", "Get", "Head", "Search", "BatchGet", "Lookup")

# the calls a scan may make that no prefix above names, each for one purpose and changing
# nothing in the account: KMS Decrypt of the data key an OpenTofu-encrypted state carries (its
# aws_kms key provider; no Encrypt, no GenerateDataKey), and STS AssumeRole into the accounts
# of --aws-organization (temporary credentials of the scan's own)
READ_ONLY_OPERATIONS = frozenset({"kms:Decrypt", "sts:AssumeRole"})

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
    ``except_service`` one it must not (``"sts"``: leave the identity call alone);
    ``parameter`` (``"RoleArn=arn:aws:iam::222222222222:*"``) a form parameter of a query- or
    EC2-protocol call it must carry, as ``NAME=GLOB``. ``limit``
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
    parameter: str | None = None

    def __post_init__(self) -> None:
        if self.rate is not None and not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate {self.rate} is not between 0 and 1")
        for name in ("every", "nth", "limit"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1, not {value}")
        if self.kind is FaultKind.ERROR and not (self.code and self.status):
            raise ValueError("an ERROR fault needs a code and a status")
        if self.parameter is not None and "=" not in self.parameter:
            raise ValueError(f"parameter {self.parameter!r} is not NAME=GLOB")

    def matches(self, request: RequestInfo) -> bool:
        return (
            _glob(self.service, request.service)
            and _glob(self.operation, request.operation_label)
            and _glob(self.region, request.region)
            and not (self.except_service and _glob(self.except_service, request.service))
            and self._parameter_matches(request)
        )

    def _parameter_matches(self, request: RequestInfo) -> bool:
        if self.parameter is None:
            return True
        name, _, pattern = self.parameter.partition("=")
        return any(key == name and fnmatch.fnmatchcase(value, pattern)
                   for key, value in request.params)

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
    # the form parameters of a query- or EC2-protocol call (``RoleArn``), by name
    params: tuple[tuple[str, str], ...] = ()

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
        """Describe/List/Get/Head/Search-style operations, GET/HEAD on REST, a documented
        read-only query endpoint, or one of ``READ_ONLY_OPERATIONS``."""
        if self.operation is not None:
            return (self.operation.startswith(READ_PREFIXES)
                    or f"{self.service}:{self.operation}" in READ_ONLY_OPERATIONS)
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
    params: tuple[tuple[str, str], ...] = ()
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
            params = tuple((name, value) for name, values in sorted(form.items())
                           for value in values)
        elif service == "s3" or "s3" in (headers.get("Host", "") or "").split(".")[:2]:
            protocol, service = "rest-xml", service or "s3"
        else:
            protocol = "rest-json"
    return RequestInfo(method=method, path=path, query=query, service=service, region=region,
                       operation=operation, protocol=protocol, params=params)


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

    def response(self) -> Response:
        headers: dict[str, str] = {}
        for name, value in self.headers:
            # a header sent twice is one header whose values are joined by commas (RFC 9110)
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        return Response(self.status, headers, self.body)


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


class FaultProxy(LocalServer):
    """A threaded HTTP(S) proxy on 127.0.0.1 that forwards to ``upstream`` and injects faults.

    ``tls_directory``: serve HTTPS with a self-signed certificate written there
    (``certificate``; Azure's SDK refuses plain HTTP);
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
        tls_directory: str | os.PathLike[str] | None = None,
        upstream_tls: ssl.SSLContext | None = None,
        rewrite_host: bool = True,
        upstream_timeout: float = 30.0,
    ) -> None:
        target = urllib.parse.urlsplit(upstream)
        if target.scheme not in ("http", "https") or not target.hostname:
            raise ValueError(f"upstream {upstream!r} is not an http(s) URL")
        super().__init__(tls_directory=tls_directory)
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
        self.seed = seed
        self._occurrences: dict[tuple[str | None, str | None, str], int] = {}
        self._faults: list[Fault] = []
        self._seen: list[int] = []
        self._fired: list[int] = []
        self._log: list[LoggedRequest] = []
        self._stopping = threading.Event()
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

    # -- serving -------------------------------------------------------------------------

    def serve(self, exchange: Exchange, request: Request) -> None:
        info = self.classify(request.method, request.target, exchange.headers, request.body)
        decision = self.decide(info)
        rule, fault = decision if decision else (None, None)
        kind = fault.kind if fault else None
        if fault is None or kind is FaultKind.TRUNCATE:
            self._forward(exchange, request, info, kind, rule)
        elif kind is FaultKind.RESET:
            self._record(LoggedRequest(info, kind, rule, None))
            exchange.reset()
        elif kind is FaultKind.STALL:
            self._record(LoggedRequest(info, kind, rule, None))
            self._stopping.wait(self.stall_seconds)
            exchange.close_connection = True
        else:
            answer = self.error_answer(fault, info)
            self._record(LoggedRequest(info, kind, rule, answer.status))
            exchange.send(answer.response())

    def _forward(self, exchange: Exchange, request: Request, info: RequestInfo,
                 kind: FaultKind | None, rule: int | None) -> None:
        try:
            answer = self.forward(request.method, request.target, exchange.headers, request.body)
        except (OSError, http.client.HTTPException):
            self._record(LoggedRequest(info, kind, rule, 502))
            exchange.send(Response.text(502, "upstream unreachable"))
            return
        self._record(LoggedRequest(info, kind, rule, answer.status))
        cut = None
        if kind is FaultKind.TRUNCATE:
            cut = max(1, len(answer.body) // 2) if answer.body else 0
        exchange.send(answer.response(), cut=cut, skip_headers=frozenset({"date", "server"}))

    def stop(self) -> None:
        self._stopping.set()
        super().stop()

    def wait_stalled(self, timeout: float) -> bool:
        """Block until a request is being stalled (or ``timeout`` passes)."""
        waited = 0.0
        while waited < timeout:
            if any(e.fault is FaultKind.STALL for e in self.log):
                return True
            self._stopping.wait(0.02)
            waited += 0.02
        return False


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
