"""Receivers for notification tests: a Slack incoming webhook, a Teams Workflows webhook, a signed
JSON webhook, PagerDuty's Events v2 endpoint and Apprise's JSON service, each on 127.0.0.1.

Each checks every request against the service's documented shape and limits (and the HMAC
signature, for the webhook), answers as the service does — Slack ``200 ok``, Teams ``202``,
PagerDuty ``202`` with a JSON status, the service's own error for what it would refuse — and
records what it accepted (``accepted``) and what it refused and why (``refused``). A test
scripts failures with ``fail_next(429, retry_after="1")`` or ``fail_next(500, times=3)``.
Built on ``LocalServer``, so a plugin author can reuse them for a channel of their own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cloudrift.testing.servers import LocalServer, Request, Response

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
PAGERDUTY_SEVERITIES = ("critical", "error", "warning", "info")


class Receiver(LocalServer):
    """Scripted failures first, then ``check``; accepted payloads are kept in order."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.accepted: list[Any] = []
        self.refused: list[tuple[Request, list[str]]] = []
        self._script: deque[Response] = deque()
        self._script_lock = threading.Lock()

    def fail_next(self, status: int, times: int = 1, *, retry_after: str | None = None,
                  body: str = "") -> None:
        headers = {"Content-Type": "text/plain"}
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        with self._script_lock:
            for _ in range(times):
                self._script.append(Response(status, dict(headers), body.encode()))

    def handle(self, request: Request) -> Response:
        with self._script_lock:
            scripted = self._script.popleft() if self._script else None
        if scripted is not None:
            return scripted
        try:
            document = json.loads(request.body)
        except ValueError:
            document = None
        problems = self.check(request, document)
        if problems:
            with self._lock:
                self.refused.append((request, problems))
            return self.refuse(request, problems)
        with self._lock:
            self.accepted.append(document)
        return self.success(request, document)

    def check(self, request: Request, document: Any) -> list[str]:
        raise NotImplementedError

    def refuse(self, request: Request, problems: list[str]) -> Response:
        return Response.json(400, {"errors": problems})

    def success(self, request: Request, document: Any) -> Response:
        return Response(204)


def _json_post(request: Request, document: Any, path: str) -> list[str]:
    problems = []
    if request.method != "POST":
        problems.append(f"method {request.method}, not POST")
    if request.path != path:
        problems.append(f"path {request.path!r}, not {path!r}")
    if "application/json" not in request.headers.get("content-type", ""):
        problems.append("Content-Type is not application/json")
    if not isinstance(document, dict):
        problems.append("body is not a JSON object")
    return problems


# -- Slack -----------------------------------------------------------------------------------

def _slack_text(owner: str, text: Any, limit: int, kinds: tuple[str, ...]) -> list[str]:
    if not isinstance(text, dict) or text.get("type") not in kinds:
        return [f"{owner}: text must be a {' or '.join(kinds)} object"]
    value = text.get("text")
    if not isinstance(value, str) or not value:
        return [f"{owner}: empty text"]
    if len(value) > limit:
        return [f"{owner}: text is {len(value)} characters, more than {limit}"]
    return []


def slack_block_problems(block: Any, index: int) -> list[str]:
    """A block as Block Kit documents it: header, section, context or divider."""
    where = f"blocks[{index}]"
    if not isinstance(block, dict):
        return [f"{where}: not an object"]
    kind = block.get("type")
    if kind == "header":
        return _slack_text(where, block.get("text"), 150, ("plain_text",))
    if kind == "section":
        problems = []
        if "text" not in block and "fields" not in block:
            problems.append(f"{where}: a section needs text or fields")
        if "text" in block:
            problems += _slack_text(where, block["text"], 3000, ("mrkdwn", "plain_text"))
        fields = block.get("fields", [])
        if len(fields) > 10:
            problems.append(f"{where}: {len(fields)} fields, more than 10")
        for n, field in enumerate(fields):
            problems += _slack_text(f"{where}.fields[{n}]", field, 2000, ("mrkdwn", "plain_text"))
        return problems
    if kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
            return [f"{where}: a context holds 1 to 10 elements"]
        return [p for n, e in enumerate(elements)
                for p in _slack_text(f"{where}.elements[{n}]", e, 3000, ("mrkdwn", "plain_text"))]
    if kind == "divider":
        return [] if set(block) <= {"type", "block_id"} else [f"{where}: a divider holds nothing"]
    return [f"{where}: unknown block type {kind!r}"]


class SlackReceiver(Receiver):
    """A Slack incoming webhook: ``200 ok``; ``400 invalid_blocks`` (or ``no_text``,
    ``msg_too_long``) for what Slack would refuse; ``404 no_service`` on another path."""

    def __init__(self, path: str = "/services/T0CLOUDRIFT/B0CLOUDRIFT/tEsTwEbHoOkSeCrEt1234",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = path

    @property
    def url(self) -> str:
        return f"{self.endpoint}{self.path}"

    def check(self, request: Request, document: Any) -> list[str]:
        problems = _json_post(request, document, self.path)
        if problems:
            return problems
        blocks = document.get("blocks")
        text = document.get("text")
        if not text and not blocks:
            return ["no_text"]
        if text is not None and (not isinstance(text, str) or len(text) > 40_000):
            problems.append("msg_too_long")
        if blocks is not None:
            if not isinstance(blocks, list) or len(blocks) > 50:
                problems.append(f"invalid_blocks: {len(blocks)} blocks, more than 50")
            else:
                problems += [f"invalid_blocks: {p}" for n, b in enumerate(blocks)
                             for p in slack_block_problems(b, n)]
        return problems

    def refuse(self, request: Request, problems: list[str]) -> Response:
        if any(p.startswith("path ") for p in problems):
            return Response.text(404, "no_service")
        return Response.text(400, problems[0].split(":", 1)[0])

    def success(self, request: Request, document: Any) -> Response:
        return Response.text(200, "ok")


# -- Teams -----------------------------------------------------------------------------------

def _card_element_problems(element: Any, where: str) -> list[str]:
    if not isinstance(element, dict):
        return [f"{where}: not an object"]
    kind = element.get("type")
    if kind == "TextBlock":
        return [] if isinstance(element.get("text"), str) else [f"{where}: TextBlock needs text"]
    if kind == "FactSet":
        facts = element.get("facts")
        if not isinstance(facts, list) or not all(
                isinstance(f, dict) and isinstance(f.get("title"), str)
                and isinstance(f.get("value"), str) for f in facts):
            return [f"{where}: FactSet facts need a title and a value, both strings"]
        return []
    if kind == "Container":
        items = element.get("items")
        if not isinstance(items, list):
            return [f"{where}: Container needs items"]
        return [p for n, i in enumerate(items) for p in _card_element_problems(i, f"{where}[{n}]")]
    return [f"{where}: element type {kind!r} is not one this receiver knows"]


class TeamsReceiver(Receiver):
    """A Teams Workflows webhook ("When a Teams webhook request is received"): an Adaptive
    Card message of at most 28 KB; ``202``; ``401`` without the URL's ``sig``; ``413`` past the
    size limit; ``400`` for a MessageCard or a malformed card."""

    SIZE_LIMIT = 28 * 1024

    def __init__(self, sig: str = "tEsTsIgNaTuRe0123456789abcdefABCDEF", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sig = sig
        self.path = "/workflows/0c1f2e3d4c5b6a798877665544332211/triggers/manual/paths/invoke"

    @property
    def url(self) -> str:
        return (f"{self.endpoint}{self.path}?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun"
                f"&sv=1.0&sig={self.sig}")

    def check(self, request: Request, document: Any) -> list[str]:
        if request.arg("sig") != self.sig:
            return ["sig: the signature of the trigger URL is missing or wrong"]
        if len(request.body) > self.SIZE_LIMIT:
            return [f"size: {len(request.body)} bytes, more than {self.SIZE_LIMIT}"]
        problems = _json_post(request, document, self.path)
        if problems:
            return problems
        if document.get("type") != "message":
            return ["type must be 'message' (MessageCard payloads are not accepted)"]
        attachments = document.get("attachments")
        if not isinstance(attachments, list) or not attachments:
            return ["attachments: at least one Adaptive Card"]
        for n, attachment in enumerate(attachments):
            where = f"attachments[{n}]"
            if attachment.get("contentType") != ADAPTIVE_CARD:
                problems.append(f"{where}.contentType is not {ADAPTIVE_CARD}")
            card = attachment.get("content")
            if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
                problems.append(f"{where}.content.type must be 'AdaptiveCard'")
                continue
            if not re.fullmatch(r"1\.[0-6]", str(card.get("version", ""))):
                problems.append(f"{where}.content.version {card.get('version')!r}")
            body = card.get("body")
            if not isinstance(body, list) or not body:
                problems.append(f"{where}.content.body is empty")
                continue
            problems += [p for i, e in enumerate(body)
                         for p in _card_element_problems(e, f"{where}.body[{i}]")]
            for i, action in enumerate(card.get("actions", [])):
                if action.get("type") != "Action.OpenUrl" or not str(
                        action.get("url", "")).startswith(("https://", "http://")):
                    problems.append(f"{where}.actions[{i}]: an Action.OpenUrl with a url")
        return problems

    def refuse(self, request: Request, problems: list[str]) -> Response:
        if problems[0].startswith("sig:"):
            return Response.json(401, {"error": {"code": "DirectApiAuthorizationRequired",
                                                 "message": problems[0]}})
        if problems[0].startswith("size:"):
            return Response.text(413, "Request Entity Too Large")
        return Response.json(400, {"error": {"code": "InvalidRequestContent",
                                             "message": "; ".join(problems)}})

    def success(self, request: Request, document: Any) -> Response:
        return Response(202)


# -- the signed JSON webhook -------------------------------------------------------------------

class WebhookReceiver(Receiver):
    """cloudrift's signed JSON webhook, verified as docs/notifications.md tells a receiver to:
    ``401`` for a missing, wrong or stale signature, ``422`` for a body not of the documented
    shape, ``204`` when accepted. ``deliveries`` holds each accepted delivery id."""

    EVENTS = ("new", "reopened", "resolved", "known", "open")

    def __init__(self, secret: str, tolerance: float = 300,
                 clock: Callable[[], float] = time.time, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.secret = secret
        self.tolerance = tolerance
        self.clock = clock
        self.deliveries: list[str] = []

    @property
    def url(self) -> str:
        return f"{self.endpoint}/hooks/drift"

    def signature_problem(self, request: Request) -> str | None:
        header = request.headers.get("x-cloudrift-signature", "")
        fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        if not fields.get("t", "").isdigit() or "v1" not in fields:
            return "signature: no t=…,v1=… header"
        stamp = int(fields["t"])
        if abs(self.clock() - stamp) > self.tolerance:
            return f"signature: timestamp {stamp} is stale"
        mac = hmac.new(self.secret.encode(), f"{stamp}.".encode() + request.body,
                       hashlib.sha256).hexdigest()
        if not hmac.compare_digest(mac, fields["v1"]):
            return "signature: does not match the body"
        return None

    def check(self, request: Request, document: Any) -> list[str]:
        problem = self.signature_problem(request)
        if problem:
            return [problem]
        problems = _json_post(request, document, "/hooks/drift")
        if problems:
            return problems
        if not request.headers.get("x-cloudrift-delivery"):
            problems.append("no X-Cloudrift-Delivery header")
        if document.get("schema") != "cloudrift.notification/1":
            problems.append(f"schema {document.get('schema')!r}")
        for key, kind in (("title", str), ("counts", dict), ("groups", list), ("scan", dict),
                          ("summary", dict), ("digest", bool)):
            if not isinstance(document.get(key), kind):
                problems.append(f"{key}: not a {kind.__name__}")
        changes = document.get("changes")
        if document.get("digest") is False:
            if not isinstance(changes, list):
                problems.append("changes: a list unless digest")
            else:
                for n, change in enumerate(changes):
                    if change.get("event") not in self.EVENTS or not change.get("fingerprint"):
                        problems.append(f"changes[{n}]: event and fingerprint")
        return problems

    def refuse(self, request: Request, problems: list[str]) -> Response:
        status = 401 if problems[0].startswith("signature:") else 422
        return Response.json(status, {"errors": problems})

    def success(self, request: Request, document: Any) -> Response:
        with self._lock:
            self.deliveries.append(request.headers.get("x-cloudrift-delivery", ""))
        return Response(204)


# -- PagerDuty -------------------------------------------------------------------------------

class PagerDutyReceiver(Receiver):
    """PagerDuty's Events API v2 ``/v2/enqueue``: ``202`` with ``{"status": "success", …}``;
    ``400 invalid event`` for what PagerDuty refuses. ``open_alerts`` maps each dedup_key a
    trigger opened (and no resolve closed) to its summary."""

    def __init__(self, routing_key: str = "R0CLOUDRIFTTESTROUTINGKEY0000000",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.routing_key = routing_key
        self.open_alerts: dict[str, str] = {}

    @property
    def url(self) -> str:
        return f"{self.endpoint}/v2/enqueue"

    def check(self, request: Request, document: Any) -> list[str]:
        problems = _json_post(request, document, "/v2/enqueue")
        if problems:
            return problems
        if len(request.body) > 512 * 1024:
            problems.append("event larger than 512 KB")
        if document.get("routing_key") != self.routing_key:
            problems.append("routing_key: invalid routing key")
        action = document.get("event_action")
        if action not in ("trigger", "acknowledge", "resolve"):
            problems.append(f"event_action {action!r}")
        key = document.get("dedup_key")
        if key is not None and (not isinstance(key, str) or not 0 < len(key) <= 255):
            problems.append("dedup_key: a string of at most 255 characters")
        if action in ("acknowledge", "resolve") and not key:
            problems.append(f"dedup_key is required to {action}")
        if action == "trigger":
            problems += self._payload_problems(document.get("payload"))
        for link in document.get("links", []):
            if not isinstance(link, dict) or not link.get("href"):
                problems.append("links: each needs an href")
        return problems

    @staticmethod
    def _payload_problems(payload: Any) -> list[str]:
        if not isinstance(payload, dict):
            return ["payload is required to trigger"]
        problems = []
        summary = payload.get("summary")
        if not isinstance(summary, str) or not 0 < len(summary) <= 1024:
            problems.append("payload.summary: 1 to 1024 characters")
        if not isinstance(payload.get("source"), str) or not payload["source"]:
            problems.append("payload.source is required")
        if payload.get("severity") not in PAGERDUTY_SEVERITIES:
            problems.append(f"payload.severity {payload.get('severity')!r}")
        if "timestamp" in payload:
            try:
                datetime.fromisoformat(str(payload["timestamp"]).replace("Z", "+00:00"))
            except ValueError:
                problems.append("payload.timestamp is not ISO 8601")
        for name in ("component", "group", "class"):
            if name in payload and not isinstance(payload[name], str):
                problems.append(f"payload.{name} is not a string")
        if "custom_details" in payload and not isinstance(payload["custom_details"], dict):
            problems.append("payload.custom_details is not an object")
        return problems

    def refuse(self, request: Request, problems: list[str]) -> Response:
        return Response.json(400, {"status": "invalid event",
                                   "message": "Event object is invalid", "errors": problems})

    def success(self, request: Request, document: Any) -> Response:
        key = document.get("dedup_key") or f"generated-{len(self.accepted)}"
        with self._lock:
            if document["event_action"] == "trigger":
                self.open_alerts[key] = document["payload"]["summary"]
            elif document["event_action"] == "resolve":
                self.open_alerts.pop(key, None)
        return Response.json(202, {"status": "success", "message": "Event processed",
                                   "dedup_key": key})


# -- Apprise's JSON service ------------------------------------------------------------------

class AppriseJsonReceiver(Receiver):
    """What Apprise's ``json://`` service posts: ``{"version": "1.0", "title", "message",
    "attachments", "type"}``; ``200``."""

    TYPES = ("info", "success", "warning", "failure")

    @property
    def url(self) -> str:
        host = self.endpoint.split("://", 1)[1]
        return f"json://{host}/apprise"

    def check(self, request: Request, document: Any) -> list[str]:
        problems = _json_post(request, document, "/apprise")
        if problems:
            return problems
        if document.get("version") != "1.0":
            problems.append(f"version {document.get('version')!r}")
        for key in ("title", "message"):
            if not isinstance(document.get(key), str):
                problems.append(f"{key}: not a string")
        if document.get("type") not in self.TYPES:
            problems.append(f"type {document.get('type')!r}")
        return problems

    def success(self, request: Request, document: Any) -> Response:
        return Response.json(200, {})
