"""A local Cloud Logging that serves ``entries.list``, for testing ``--attribute`` on GCP.

google-cloud-logging's client talks to it unchanged over its JSON transport
(``client_options={"api_endpoint": server.endpoint}``, ``_use_grpc=False``, anonymous
credentials). As the API does, it answers ``POST /v2/entries:list`` with camelCase
``LogEntry`` JSON from the projects named in ``resourceNames``, filtered by the Logging query
language (comparisons ``= != > >= < <= :`` on dotted fields, ``AND``, ``OR``, ``NOT`` and
parentheses, with its precedence: NOT, then OR, then AND; anything else is refused as
unparseable), ordered by ``orderBy`` (``timestamp asc`` or ``timestamp desc``), in pages of
``pageSize`` (default 50, at most 1000; fewer with ``max_page_size``) behind an opaque
``nextPageToken`` valid only for its query. Faults use Google's error bodies: 429
``RESOURCE_EXHAUSTED`` and 403 ``PERMISSION_DENIED``. Every request is recorded.

Nothing here is imported by the scanner itself.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from cloudrift.testing.servers import LocalServer, Request, Response
from cloudrift_gcp.testing import error_body

SERVICE = "logging.googleapis.com"
ACTIVITY = "cloudaudit.googleapis.com%2Factivity"
LIST_PATH = "/v2/entries:list"


def read_only(request: Request) -> bool:
    """entries.list is a read sent as a POST; every other POST of the API writes."""
    return request.method == "GET" or (request.method == "POST" and request.path == LIST_PATH)


def audit_entry(
    project: str,
    method: str,
    resource: str,
    *,
    at: datetime,
    principal: str = "alice@example.com",
    caller_ip: str = "203.0.113.7",
    service: str = "compute.googleapis.com",
    status_code: int = 0,
    operation: str | None = None,
    first: bool = False,
    request: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An Admin Activity audit log entry as entries.list returns it, request body included."""
    payload: dict[str, Any] = {
        "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
        "status": {"code": status_code, "message": "PERMISSION_DENIED"} if status_code else {},
        "authenticationInfo": {"principalEmail": principal},
        "requestMetadata": {"callerIp": caller_ip,
                            "callerSuppliedUserAgent": "google-cloud-sdk gcloud/502.0.0"},
        "serviceName": service,
        "methodName": method,
        "authorizationInfo": [{"resource": resource, "granted": status_code == 0}],
        "resourceName": resource,
        "request": dict(request or {}),
    }
    entry: dict[str, Any] = {
        "protoPayload": payload,
        "insertId": f"-{uuid.uuid4().hex[:12]}",
        "resource": {"type": "gce_instance", "labels": {"project_id": project}},
        "timestamp": at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "severity": "ERROR" if status_code else "NOTICE",
        "logName": f"projects/{project}/logs/{ACTIVITY}",
        "receiveTimestamp": at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    if operation is not None:
        entry["operation"] = {"id": operation, "producer": service,
                              **({"first": True} if first else {"last": True})}
    return entry


# -- the query language, the part of it a test needs ----------------------------------------------

_TOKEN = re.compile(r'\s*(?:(?P<paren>[()])|(?P<op>!=|>=|<=|=|>|<|:)|"(?P<str>(?:[^"\\]|\\.)*)"'
                    r"|(?P<word>[A-Za-z_@][\w.@/%-]*))")


class FilterError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise FilterError(f"unexpected text at {position}: {text[position:position + 20]!r}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "str":
            value = re.sub(r"\\(.)", r"\1", value)
        found.append((kind, value))
        position = match.end()
    return found


class _Parser:
    """and := or (AND or)* ; or := unary (OR unary)* ; unary := NOT unary | ( and ) | cmp."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FilterError("unexpected end of filter")
        self.at += 1
        return token

    def keyword(self, word: str) -> bool:
        if self.peek() == ("word", word):
            self.at += 1
            return True
        return False

    def parse(self) -> Any:
        tree = self.conjunction()
        if self.peek() is not None:
            raise FilterError(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return tree

    def conjunction(self) -> Any:
        parts = [self.disjunction()]
        while self.keyword("AND"):
            parts.append(self.disjunction())
        return ("and", parts)

    def disjunction(self) -> Any:
        parts = [self.unary()]
        while self.keyword("OR"):
            parts.append(self.unary())
        return ("or", parts)

    def unary(self) -> Any:
        if self.keyword("NOT"):
            return ("not", self.unary())
        if self.peek() == ("paren", "("):
            self.take()
            inner = self.conjunction()
            if self.take() != ("paren", ")"):
                raise FilterError("missing )")
            return inner
        kind, field = self.take()
        if kind != "word":
            raise FilterError(f"expected a field, got {field!r}")
        kind, operator = self.take()
        if kind != "op":
            raise FilterError(f"expected a comparison after {field}")
        kind, value = self.take()
        if kind not in ("str", "word"):
            raise FilterError(f"expected a value after {field}{operator}")
        return ("cmp", field, operator, value)


def _lookup(entry: Mapping[str, Any], path: str) -> Any:
    value: Any = entry
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _time(text: str) -> datetime:
    cleaned = re.sub(r"(\.\d{6})\d+", r"\1", text.replace("Z", "+00:00"))
    return datetime.fromisoformat(cleaned)


def _compare(entry: Mapping[str, Any], field: str, operator: str, value: str) -> bool:
    found = _lookup(entry, field)
    if found is None:
        return operator == "!="
    if operator == ":":
        return value.lower() in str(found).lower()
    left: Any = str(found)
    right: Any = value
    if field in ("timestamp", "receiveTimestamp"):
        left, right = _time(left), _time(right)
    outcome: bool = {
        "=": left == right, "!=": left != right, ">": left > right, ">=": left >= right,
        "<": left < right, "<=": left <= right,
    }[operator]
    return outcome


def matches(tree: Any, entry: Mapping[str, Any]) -> bool:
    kind = tree[0]
    if kind == "and":
        return all(matches(part, entry) for part in tree[1])
    if kind == "or":
        return any(matches(part, entry) for part in tree[1])
    if kind == "not":
        return not matches(tree[1], entry)
    return _compare(entry, tree[1], tree[2], tree[3])


# -- the server -----------------------------------------------------------------------------------


@dataclass
class _Fault:
    status: int
    body: dict[str, Any]
    project: str | None
    remaining: int | None


class LoggingServer(LocalServer):
    """Cloud Logging's entries.list on 127.0.0.1, on a free port, in a thread."""

    def __init__(self, *, max_page_size: int = 1000) -> None:
        super().__init__()
        self.max_page_size = max_page_size
        self._entries: dict[str, list[dict[str, Any]]] = {}
        self._faults: deque[_Fault] = deque()
        self._state = threading.Lock()

    def reset(self) -> None:
        with self._state:
            self._entries.clear()
            self._faults.clear()
        self.reset_counters()

    def add(self, project: str, entries: Iterable[Mapping[str, Any]]) -> None:
        with self._state:
            self._entries.setdefault(project, []).extend(copy.deepcopy(dict(e)) for e in entries)

    def quota_exceeded(self, *, times: int | None = 1, project: str | None = None,
                       consumer: str = "123456789012") -> None:
        self._fail(429, error_body(
            429, "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per "
            f"minute' of service '{SERVICE}' for consumer 'project_number:{consumer}'.",
            reason="RATE_LIMIT_EXCEEDED",
            metadata={"service": SERVICE, "consumer": f"projects/{consumer}",
                      "quota_metric": "logging.googleapis.com/read_requests",
                      "quota_limit": "ReadRequestsPerMinutePerProject"}),
            project, times)

    def permission_denied(self, *, times: int | None = None, project: str | None = None) -> None:
        self._fail(403, error_body(
            403, "The caller does not have permission", reason="IAM_PERMISSION_DENIED",
            metadata={"permission": "logging.logEntries.list"}), project, times)

    def _fail(self, status: int, body: dict[str, Any], project: str | None,
              times: int | None) -> None:
        with self._state:
            self._faults.append(_Fault(status, body, project, times))

    def list_calls(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == LIST_PATH]

    def handle(self, request: Request) -> Response:
        if request.path != LIST_PATH or request.method != "POST":
            return _json(404, error_body(404, f"Method not found: {request.method} "
                                              f"{request.path}"))
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return _json(400, error_body(400, "Invalid JSON payload received."))
        names = body.get("resourceNames") or []
        projects = [n.split("/", 1)[1] for n in names if n.startswith("projects/")]
        if not names or len(projects) != len(names):
            return _json(400, error_body(400, "resourceNames: only projects/[PROJECT_ID] "
                                              "here, and at least one"))
        fault = self._take_fault(projects)
        if fault is not None:
            return _json(fault.status, fault.body)
        return self._list(projects, body)

    def _take_fault(self, projects: list[str]) -> _Fault | None:
        with self._state:
            for fault in self._faults:
                if fault.project is None or fault.project in projects:
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def _list(self, projects: list[str], body: Mapping[str, Any]) -> Response:
        try:
            tree = _Parser(str(body.get("filter") or "")).parse() if body.get("filter") else None
        except FilterError as exc:
            return _json(400, error_body(400, f"Unparseable filter: {exc}"))
        order = str(body.get("orderBy") or "timestamp asc").strip().lower()
        if order not in ("timestamp asc", "timestamp desc"):
            return _json(400, error_body(400, f"Invalid orderBy: {order}"))
        size = body.get("pageSize") or 50
        if not isinstance(size, int) or not 0 < size <= 1000:
            return _json(400, error_body(400, "pageSize must be between 1 and 1000"))
        fingerprint = hashlib.sha256(json.dumps(
            {k: v for k, v in body.items() if k not in ("pageToken", "pageSize")},
            sort_keys=True).encode()).hexdigest()[:16]
        offset = 0
        if body.get("pageToken"):
            try:
                text = base64.urlsafe_b64decode(str(body["pageToken"])).decode()
                number, owner = text.split(":", 1)
                offset = int(number)
            except (ValueError, UnicodeDecodeError):
                owner = ""
            if owner != fingerprint:
                return _json(400, error_body(400, "Invalid page token: it does not belong to "
                                                  "this request"))
        with self._state:
            stored = [e for p in projects for e in self._entries.get(p, [])]
        selected = [e for e in stored if tree is None or matches(tree, e)]
        selected.sort(key=lambda e: _time(e["timestamp"]), reverse=order.endswith("desc"))
        size = min(size, self.max_page_size)
        page = selected[offset:offset + size]
        answer: dict[str, Any] = {}
        if page:
            answer["entries"] = page
        if offset + size < len(selected):
            answer["nextPageToken"] = base64.urlsafe_b64encode(
                f"{offset + size}:{fingerprint}".encode()).decode()
        return _json(200, answer)


def _json(status: int, body: Any) -> Response:
    return Response.json(status, body, None, "application/json; charset=UTF-8")
