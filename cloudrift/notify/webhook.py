"""``webhook+https://…?secret=…``: the notice as JSON, signed with HMAC-SHA256.

Each attempt is signed anew (a retry after a long ``Retry-After`` must not look stale)::

    X-Cloudrift-Signature: t=1765000000,v1=<hex HMAC-SHA256(secret, "1765000000." + body)>
    X-Cloudrift-Delivery: <one id per payload, the same on every attempt>
    X-Cloudrift-Event: drift

A receiver recomputes the HMAC over the timestamp, a dot and the raw body, compares in constant
time, and rejects a timestamp more than five minutes away from its clock (docs/notifications.md
has the snippet). The ``secret`` parameter is ours: it is never sent.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections.abc import Callable
from typing import Any

from cloudrift.notify.changes import Notice, item
from cloudrift.notify.channel import JsonChannel, Payload, encode
from cloudrift.notify.delivery import post

SCHEMA = "cloudrift.notification/1"
SIGNATURE_HEADER = "X-Cloudrift-Signature"
DELIVERY_HEADER = "X-Cloudrift-Delivery"
EVENT_HEADER = "X-Cloudrift-Event"
TOLERANCE_S = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: float | None = None,
           tolerance: float = TOLERANCE_S) -> bool:
    """What a receiver checks: a v1 signature of ``body`` by ``secret``, not stale."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))


def document(notice: Notice) -> dict[str, Any]:
    report = notice.report
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "title": notice.title,
        "on": notice.on,
        "digest": notice.digest,
        "link": notice.link,
        "scan": {"id": report.scan_id, "started_at": report.started_at,
                 "tool_version": report.tool_version, "sources": report.sources,
                 "providers": report.providers, "complete": report.complete},
        "counts": notice.counts,
        "summary": report.summary.model_dump(mode="json"),
        "groups": [{"event": g.event, "kind": g.kind, "type": g.type, "count": g.count}
                   for g in notice.groups],
    }
    if not notice.digest:
        data["changes"] = [item(c) for c in notice.changes]
    return data


class WebhookChannel(JsonChannel):
    def __init__(self, target: Any, clock: Callable[[], float] = time.time) -> None:
        super().__init__(target)
        self._secret = str(target.options["secret"])
        self._clock = clock

    def render(self, notice: Notice) -> list[Payload]:
        body = document(notice)
        return [Payload("webhook", {"delivery": str(uuid.uuid4()), "document": body})]

    def deliver(self, payload: Payload, timeout: float) -> None:
        body = encode(payload.body["document"])
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: sign(self._secret, int(self._clock()), body),
            DELIVERY_HEADER: payload.body["delivery"],
            EVENT_HEADER: "drift",
        }
        post(self.target.url, body, headers, timeout)

    def show(self, payload: Payload) -> str:
        return super().show(Payload(payload.label, payload.body["document"]))
