"""The protocol every notification channel follows, and the JSON-over-HTTP delivery most share.

A channel renders a ``Notice`` into payloads (``render``), sends one payload in one attempt
(``deliver``: ``delivery.attempt_all`` retries it), and shows one without sending it
(``show``, for ``--dry-run``). Rendering never sees a secret of the target, so a dry run's
output is what would be sent, less the URL and signature.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from cloudrift.notify.changes import Notice
from cloudrift.notify.delivery import post
from cloudrift.notify.targets import Target


@dataclass(frozen=True)
class Payload:
    """One message: ``label`` says which in a warning or a dry run; ``body`` is the channel's
    (a JSON document for the HTTP channels, an ``EmailMessage`` for e-mail)."""

    label: str
    body: Any


class Channel(Protocol):
    target: Target

    def render(self, notice: Notice) -> list[Payload]: ...

    def deliver(self, payload: Payload, timeout: float) -> None: ...

    def show(self, payload: Payload) -> str: ...


def encode(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def size(document: Any) -> int:
    """Bytes on the wire, as the services count their limits."""
    return len(encode(document))


class JsonChannel:
    """A channel that POSTs one JSON document per payload; 2xx is delivered."""

    def __init__(self, target: Target) -> None:
        self.target = target

    def headers(self, body: bytes) -> dict[str, str]:
        return {"Content-Type": "application/json; charset=utf-8"}

    def deliver(self, payload: Payload, timeout: float) -> None:
        body = encode(payload.body)
        post(self.target.url, body, self.headers(body), timeout)

    def show(self, payload: Payload) -> str:
        return json.dumps(payload.body, indent=2, ensure_ascii=False)
