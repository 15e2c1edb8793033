"""``pagerduty://ROUTING_KEY``: PagerDuty Events v2, one event per drift.

New and reopened drift ``trigger`` an alert, resolved drift ``resolve``\\s it, and the drift's
fingerprint is the ``dedup_key`` that ties the two together (and makes a repeated trigger, as
``--notify-on always`` sends, land on the open alert instead of opening another). A digest is
not sent here: one event for many drifts could not be resolved drift by drift. Limits: the
summary at most 1,024 characters, ``dedup_key`` 255, an event 512 KB (custom details are cut
well below); PagerDuty answers 202, and 429 when throttled (~120 events a minute per key).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from cloudrift.notify.changes import Change, Notice, headline, item
from cloudrift.notify.channel import JsonChannel, Payload
from cloudrift.redact import REDACTED

SUMMARY_LIMIT = 1024
MAX_CHANGES = 50


def _summary(change: Change) -> str:
    text = f"cloudrift drift: {headline(change)}"
    if change.finding.changes:
        paths = ", ".join(c.path for c in change.finding.changes[:5])
        more = len(change.finding.changes) - 5
        text += f": {paths}" + (f" (+{more} more)" if more > 0 else "")
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1] + "…"


def _details(change: Change, notice: Notice) -> dict[str, Any]:
    details = item(change)
    changes = details["changes"]
    if len(changes) > MAX_CHANGES:
        details["changes"] = changes[:MAX_CHANGES]
        details["changes_left_out"] = len(changes) - MAX_CHANGES
    details["scan_id"] = notice.report.scan_id
    if notice.link:
        details["report"] = notice.link
    return details


def event(change: Change, notice: Notice, routing_key: str, severity: str) -> dict[str, Any]:
    finding = change.finding
    key = finding.fingerprint
    if change.event == "resolved":
        return {"routing_key": routing_key, "event_action": "resolve", "dedup_key": key}
    data: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": key,
        "payload": {
            "summary": _summary(change),
            "source": f"{finding.provider}:{finding.scope.label()}",
            "severity": severity,
            "timestamp": notice.report.started_at or datetime.now(timezone.utc).isoformat(),
            "component": finding.address or finding.type,
            "group": finding.scope.account or finding.provider,
            "class": f"drift/{finding.kind.value}",
            "custom_details": _details(change, notice),
        },
        "client": "cloudrift",
    }
    if notice.link and notice.link.startswith("https://"):
        data["client_url"] = notice.link
        data["links"] = [{"href": notice.link, "text": "cloudrift report"}]
    return data


class PagerDutyChannel(JsonChannel):
    def render(self, notice: Notice) -> list[Payload]:
        key = str(self.target.options["routing_key"])
        severity = str(self.target.options.get("severity", "warning"))
        payloads = []
        for change in notice.changes:
            if not change.finding.fingerprint:
                continue  # nothing to resolve it by later
            action = "resolve" if change.event == "resolved" else "trigger"
            payloads.append(Payload(f"PagerDuty {action} {change.finding.fingerprint}",
                                    event(change, notice, key, severity)))
        return payloads

    def show(self, payload: Payload) -> str:
        shown = dict(payload.body, routing_key=REDACTED)
        return super().show(Payload(payload.label, shown))
