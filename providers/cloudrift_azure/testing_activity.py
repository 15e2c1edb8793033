"""The Azure Activity Log for ``ArmServer``, for testing ``--attribute`` on Azure.

The Activity Log is served by Resource Manager itself
(``GET /subscriptions/{id}/providers/Microsoft.Insights/eventtypes/management/values``,
api-version 2015-04-01), so it lives on the ARM test server's host: ``ArmServer.activity`` is
one of these, and the server's faults (``throttle``: 429 with ``Retry-After``, ``fail``: 403
``AuthorizationFailed``) apply to its path like any other. As the service does, it accepts only
the documented ``$filter`` patterns (``eventTimestamp ge '…'`` [``and eventTimestamp le '…'``]
[``and resourceUri|resourceGroupName|resourceProvider|correlationId eq '…'``]), returns the
properties ``$select`` names, newest first, in pages of ``value`` behind an absolute
``nextLink``.

Nothing here is imported by the scanner itself.
"""

from __future__ import annotations

import copy
import re
import threading
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

API_VERSIONS = ("2015-04-01",)
PATH = re.compile(r"^/subscriptions/([^/]+)/providers/microsoft\.insights/eventtypes/management/"
                  r"values$")
# EventData's properties: the service's documented $select list leaves out some it accepts
# (caller, category, resourceType), which clients select every day
SELECTABLE = frozenset({
    "authorization", "caller", "category", "channels", "claims", "correlationId",
    "description", "eventDataId", "eventName", "eventTimestamp", "httpRequest", "id", "level",
    "operationId", "operationName", "properties", "resourceGroupName", "resourceId",
    "resourceProviderName", "resourceType", "status", "submissionTimestamp", "subStatus",
    "subscriptionId", "tenantId",
})
_TIME = r"'(\d{4}-\d\d-\d\dT[\d:.]+Z?)'"
_FILTER = re.compile(
    rf"^\s*eventTimestamp ge {_TIME}(?: and eventTimestamp le {_TIME})?"
    r"(?: and (resourceUri|resourceGroupName|resourceProvider|correlationId) eq "
    r"'((?:[^']|'')*)')?\s*$", re.IGNORECASE)
_FIELDS = {"resourceuri": "resourceId", "resourcegroupname": "resourceGroupName",
           "resourceprovider": "resourceProviderName", "correlationid": "correlationId"}


def activity_event(
    resource_id: str,
    operation: str,
    *,
    at: datetime,
    caller: str = "alice@contoso.com",
    client_ip: str = "203.0.113.7",
    status: str = "Succeeded",
    correlation: str | None = None,
    request_body: str = "{}",
) -> dict[str, Any]:
    """One Activity Log record as the API returns it (``Administrative`` category), with the
    caller's claims and the request body in ``properties``, as Azure keeps them."""
    event_id = str(uuid.uuid4())
    parts = [p for p in resource_id.split("/") if p]
    stamp = at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    provider = operation.split("/", 1)[0]
    begin = status in ("Started", "Accepted")

    def localizable(value: str) -> dict[str, str]:
        return {"value": value, "localizedValue": value}

    return {
        "authorization": {"action": operation, "scope": resource_id},
        "caller": caller,
        "channels": "Operation",
        "claims": {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": caller,
                   "ipaddr": client_ip, "name": caller.split("@", 1)[0]},
        "correlationId": correlation or str(uuid.uuid4()),
        "description": "",
        "eventDataId": event_id,
        "eventName": localizable("BeginRequest" if begin else "EndRequest"),
        "category": localizable("Administrative"),
        "eventTimestamp": stamp,
        "httpRequest": {"clientRequestId": str(uuid.uuid4()), "clientIpAddress": client_ip,
                        "method": "DELETE" if operation.endswith("/delete") else "PUT"},
        "id": f"{resource_id}/events/{event_id}/ticks/{int(at.timestamp() * 10**7)}",
        "level": "Informational",
        "resourceGroupName": parts[3] if len(parts) > 3 else "",
        "resourceProviderName": localizable(provider),
        "resourceId": resource_id,
        "resourceType": localizable("/".join(operation.split("/")[:-1])),
        "operationId": str(uuid.uuid4()),
        "operationName": localizable(operation),
        "properties": {"statusCode": "OK" if not begin else "Created",
                       "requestbody": request_body},
        "status": localizable(status),
        "subStatus": localizable(""),
        "submissionTimestamp": stamp,
        "subscriptionId": parts[1] if len(parts) > 1 else "",
        "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
    }


def _when(text: str) -> datetime:
    cleaned = re.sub(r"(\.\d{6})\d+", r"\1", text.rstrip("Z"))
    return datetime.fromisoformat(cleaned).replace(tzinfo=timezone.utc)


class ActivityLog:
    """The events of each subscription, and the list endpoint over them."""

    def __init__(self, page_size: int = 200) -> None:
        self.page_size = page_size
        self._events: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._events.clear()
            self.page_size = 200

    def add(self, subscription: str, events: Iterable[Mapping[str, Any]]) -> None:
        with self._lock:
            self._events.setdefault(subscription.lower(), []).extend(
                copy.deepcopy(dict(e)) for e in events)

    def list(self, endpoint: str, path: str, subscription: str,
             query: Mapping[str, str]) -> tuple[int, Any, dict[str, str]]:
        version = query.get("api-version")
        if version not in API_VERSIONS:
            return _error(400, "InvalidApiVersionParameter",
                          f"The api-version '{version}' is invalid. The supported versions are "
                          f"'{', '.join(API_VERSIONS)}'.")
        text = query.get("$filter")
        if not text:
            return _error(400, "BadRequest", "The $filter parameter is required.")
        match = _FILTER.match(text)
        if match is None:
            return _error(400, "BadRequest", f"The $filter '{text}' is not supported.")
        start, end, field, value = match.groups()
        selected = [s.strip() for s in (query.get("$select") or "").split(",") if s.strip()]
        unknown = [s for s in selected if s not in SELECTABLE]
        if unknown:
            return _error(400, "BadRequest", f"Invalid $select property: {unknown[0]}")
        with self._lock:
            stored = list(self._events.get(subscription.lower(), []))
        wanted = value.replace("''", "'").lower() if value is not None else None
        events = []
        for event in stored:
            moment = _when(event["eventTimestamp"])
            if moment < _when(start) or (end is not None and moment > _when(end)):
                continue
            if field is not None:
                have = event.get(_FIELDS[field.lower()])
                if isinstance(have, Mapping):
                    have = have.get("value")
                if str(have or "").lower() != wanted:
                    continue
            events.append(event)
        events.sort(key=lambda e: _when(e["eventTimestamp"]), reverse=True)
        offset = int(query.get("$skiptoken") or query.get("$skipToken") or 0)
        page = events[offset:offset + self.page_size]
        if selected:
            page = [{k: v for k, v in e.items() if k in selected} for e in page]
        body: dict[str, Any] = {"value": copy.deepcopy(page)}
        if offset + self.page_size < len(events):
            link = f"{endpoint}{path}?api-version={quote(version)}&%24filter={quote(text)}"
            if selected:
                link += f"&%24select={quote(','.join(selected))}"
            body["nextLink"] = f"{link}&%24skipToken={offset + self.page_size}"
        return 200, body, {}


def _error(status: int, code: str, message: str) -> tuple[int, Any, dict[str, str]]:
    return status, {"error": {"code": code, "message": message}}, {}
