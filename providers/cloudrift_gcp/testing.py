"""A local server that speaks Cloud Asset Inventory v1 REST, for testing the GCP provider.

The real ``google-cloud-asset`` client talks to it unchanged (``transport="rest"``,
``client_options={"api_endpoint": server.endpoint}``, anonymous credentials). It serves
``GET /v1/{parent}/assets`` (ListAssets) the way the API does: camelCase JSON, repeated
``assetTypes`` filters, ``contentType`` as the enum's name or number, pages of at most
``pageSize`` (default 100, capped at ``max_page_size``) with an opaque ``nextPageToken`` that is
only valid for the query that produced it, and Google's error bodies (``google.rpc.Status`` with
``ErrorInfo`` details) for the failures a test injects. Every request is recorded.

Nothing here is imported by the scanner itself.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudrift.testing.servers import LocalServer, Request, Response

SERVICE = "cloudasset.googleapis.com"
READ_TIME = "2024-05-01T12:00:00Z"

# google.cloud.asset.v1.ContentType
CONTENT_TYPES = {
    "0": "CONTENT_TYPE_UNSPECIFIED",
    "1": "RESOURCE",
    "2": "IAM_POLICY",
    "4": "ORG_POLICY",
    "5": "ACCESS_POLICY",
    "6": "OS_INVENTORY",
    "7": "RELATIONSHIP",
}
_CONTENT_FIELDS = {
    "RESOURCE": "resource",
    "IAM_POLICY": "iamPolicy",
    "ORG_POLICY": "orgPolicy",
    "ACCESS_POLICY": "accessPolicy",
    "OS_INVENTORY": "osInventory",
    "RELATIONSHIP": "relatedAssets",
}
_ENVELOPE = ("name", "assetType", "ancestors", "updateTime")
_LIST_PATH = re.compile(r"^/v1/((?:projects|folders|organizations)/[^/:]+)/assets$")
_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


def read_only(request: Request) -> bool:
    """ListAssets, SearchAll* and the other Get/List methods are GETs, and ``:queryAssets`` is a
    read-only POST; everything else that is not a GET (feeds, saved queries, exports) writes."""
    return request.method == "GET" or (request.method == "POST"
                                       and request.path.endswith(":queryAssets"))


@dataclass
class _Fault:
    status: int
    body: dict[str, Any]
    parent: str | None
    remaining: int
    headers: dict[str, str] = field(default_factory=dict)
    content: str | None = None

    def matches(self, parent: str | None, content: str | None) -> bool:
        return (self.parent is None or self.parent == parent) and (
            self.content is None or self.content == content
        )


def error_body(status: int, message: str, *, reason: str | None = None,
               metadata: Mapping[str, str] | None = None,
               extra_details: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """A ``google.rpc.Status`` error body as Google's REST front end sends it."""
    details: list[dict[str, Any]] = []
    if reason:
        details.append({
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": reason,
            "domain": "googleapis.com",
            "metadata": dict(metadata or {}),
        })
    details.extend(dict(d) for d in extra_details)
    error: dict[str, Any] = {"code": status, "message": message,
                             "status": _STATUS.get(status, "UNKNOWN")}
    if details:
        error["details"] = details
    return {"error": error}


class CloudAssetServer(LocalServer):
    """Cloud Asset Inventory v1 on 127.0.0.1, on a free port, in a thread."""

    def __init__(self, *, max_page_size: int = 1000) -> None:
        super().__init__()
        self.max_page_size = max_page_size
        self._assets: dict[str, list[dict[str, Any]]] = {}
        self._faults: deque[_Fault] = deque()

    # -- content ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every asset, fault and recorded request."""
        with self._lock:
            self._assets.clear()
            self._faults.clear()
            self.requests.clear()

    def set_assets(self, parent: str, assets: Iterable[Mapping[str, Any]]) -> None:
        """What ListAssets returns under ``parent`` (``projects/P``, ``folders/F``,
        ``organizations/O``), in this order. A folder or organisation given no assets of its
        own lists, as the API does, every asset whose ``ancestors`` name it. Assets are given in
        the API's camelCase form and may carry both ``resource`` and ``iamPolicy``: each request
        gets the part its ``contentType`` asks for."""
        with self._lock:
            self._assets[parent] = [copy.deepcopy(dict(a)) for a in assets]

    def add_assets(self, parent: str, assets: Iterable[Mapping[str, Any]]) -> None:
        with self._lock:
            self._assets.setdefault(parent, []).extend(copy.deepcopy(dict(a)) for a in assets)

    # -- faults ----------------------------------------------------------------------------

    def fail(self, status: int, body: Mapping[str, Any], *, parent: str | None = None,
             content: str | None = None, times: int = 1,
             headers: Mapping[str, str] | None = None) -> None:
        """The next ``times`` requests (for ``parent`` and ``content`` type, or any) get this
        error."""
        with self._lock:
            self._faults.append(_Fault(status, dict(body), parent, times, dict(headers or {}),
                                       content))

    def quota_exceeded(self, *, parent: str | None = None, times: int = 1,
                       retry_delay: str | None = None, consumer: str = "123456789012") -> None:
        details = [{"@type": "type.googleapis.com/google.rpc.RetryInfo",
                    "retryDelay": retry_delay}] if retry_delay else []
        self.fail(429, error_body(
            429,
            "Quota exceeded for quota metric 'List Assets Requests' and limit 'List Assets "
            f"Requests per minute per project' of service '{SERVICE}' for consumer "
            f"'project_number:{consumer}'.",
            reason="RATE_LIMIT_EXCEEDED",
            metadata={"service": SERVICE, "consumer": f"projects/{consumer}",
                      "quota_metric": "cloudasset.googleapis.com/list_assets_requests",
                      "quota_limit": "ListAssetsRequestsPerMinutePerProject"},
            extra_details=details,
        ), parent=parent, times=times)

    def service_disabled(self, *, parent: str | None = None, times: int = 1,
                         consumer: str = "123456789012") -> None:
        self.fail(403, error_body(
            403,
            f"Cloud Asset API has not been used in project {consumer} before or it is "
            "disabled. Enable it by visiting https://console.developers.google.com/apis/api/"
            f"{SERVICE}/overview?project={consumer} then retry.",
            reason="SERVICE_DISABLED",
            metadata={"service": SERVICE, "consumer": f"projects/{consumer}"},
        ), parent=parent, times=times)

    def permission_denied(self, *, parent: str | None = None, content: str | None = None,
                          times: int = 1,
                          permission: str = "cloudasset.assets.listResource") -> None:
        self.fail(403, error_body(
            403,
            f"The caller does not have permission ({permission}) on the requested scope.",
            reason="IAM_PERMISSION_DENIED",
            metadata={"permission": permission},
        ), parent=parent, content=content, times=times)

    def unauthenticated(self, *, times: int = 1) -> None:
        self.fail(401, error_body(
            401,
            "Request had invalid authentication credentials. Expected OAuth 2 access token.",
            reason="ACCESS_TOKEN_TYPE_UNSUPPORTED",
        ), times=times)

    # -- queries ---------------------------------------------------------------------------

    @property
    def list_calls(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if _LIST_PATH.match(r.path)]

    def _take_fault(self, parent: str | None, content: str | None) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(parent, content):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def handle(self, request: Request) -> Response:
        match = _LIST_PATH.match(request.path)
        parent = match.group(1) if match else None
        raw_content = request.arg("contentType", "0") or "0"
        fault = self._take_fault(parent, CONTENT_TYPES.get(raw_content, raw_content))
        if fault is not None:
            status, body, headers = fault.status, fault.body, fault.headers
        elif request.method != "GET" or match is None:
            status, body, headers = 404, error_body(
                404, f"Method not found: {request.method} {request.path}"), {}
        else:
            status, body = self._list_assets(str(parent), request.query)
            headers = {}
        return Response.json(status, body, headers, "application/json; charset=UTF-8")

    def _list_assets(self, parent: str, query: Mapping[str, list[str]]
                     ) -> tuple[int, dict[str, Any]]:
        with self._lock:
            known = parent in self._assets
            assets = list(self._assets.get(parent, []))
            if not known and not parent.startswith("projects/"):
                assets = self._below(parent)
                known = bool(assets)
        if not known:
            # the API does not say whether a scope exists to a caller who may not see it
            return 403, error_body(403, "The caller does not have permission",
                                   reason="IAM_PERMISSION_DENIED",
                                   metadata={"permission": "cloudasset.assets.listResource"})
        raw_content = (query.get("contentType") or ["0"])[0]
        content = CONTENT_TYPES.get(raw_content, raw_content)
        if content not in CONTENT_TYPES.values():
            return 400, error_body(400, f"Invalid value at 'content_type' ({raw_content})")
        patterns = [re.compile(t) for t in query.get("assetTypes", [])]
        try:
            page_size = int((query.get("pageSize") or ["0"])[0] or 0) or 100
        except ValueError:
            return 400, error_body(400, "Invalid value at 'page_size'")
        if page_size < 0 or page_size > 1000:
            return 400, error_body(400, "page_size must be between 1 and 1000")
        page_size = min(page_size, self.max_page_size)

        fingerprint = _query_fingerprint(parent, query)
        offset = 0
        token = (query.get("pageToken") or [""])[0]
        if token:
            decoded = _decode_token(token)
            if decoded is None or decoded[1] != fingerprint:
                return 400, error_body(400, "Invalid page token: it does not belong to this "
                                            "request")
            offset = decoded[0]

        part = _CONTENT_FIELDS.get(content)
        selected = []
        for asset in assets:
            if patterns and not any(p.fullmatch(str(asset.get("assetType", ""))) for p in patterns):
                continue
            if part is not None and part not in asset:
                continue
            shown = {k: asset[k] for k in _ENVELOPE if k in asset}
            if part is not None:
                shown[part] = asset[part]
            selected.append(shown)

        page = selected[offset:offset + page_size]
        body: dict[str, Any] = {"readTime": READ_TIME}
        if page:
            body["assets"] = page
        if offset + page_size < len(selected):
            body["nextPageToken"] = _encode_token(offset + page_size, fingerprint)
        return 200, body


    def _below(self, parent: str) -> list[dict[str, Any]]:
        """Every stored asset whose ancestors include ``parent``, each once."""
        seen: set[tuple[str, str]] = set()
        found: list[dict[str, Any]] = []
        for key in sorted(self._assets):
            for asset in self._assets[key]:
                ident = (str(asset.get("name")), str(asset.get("assetType")))
                if parent in (asset.get("ancestors") or []) and ident not in seen:
                    seen.add(ident)
                    found.append(asset)
        return found


def _query_fingerprint(parent: str, query: Mapping[str, list[str]]) -> str:
    kept = {k: sorted(v) for k, v in query.items() if k not in ("pageToken", "pageSize")}
    text = json.dumps([parent, kept], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _encode_token(offset: int, fingerprint: str) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{fingerprint}".encode()).decode().rstrip("=")


def _decode_token(token: str) -> tuple[int, str] | None:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        offset, fingerprint = text.split(":", 1)
        return int(offset), fingerprint
    except (ValueError, UnicodeDecodeError):
        return None
