"""``apprise+SERVICE://…``: the long tail of services (Discord, Telegram, Matrix, ntfy, …)
through Apprise, an optional extra (``pip install 'cloudrift-scanner[apprise]'``).

Apprise formats for each service itself, so what it gets is a title and a plain-text body (the
same wording as the e-mail's text part); the five first-class channels keep their own formats,
limits and signing. Apprise says only whether a notification went out, not why not, nor how
long to wait: a failure is retried with our backoff, without ``Retry-After``. Its log lines
hold the service URL, so they are captured, never printed, and only their gist is reported,
scrubbed of the URL's secrets.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cloudrift.errors import ConfigError
from cloudrift.notify.changes import Notice
from cloudrift.notify.channel import Payload
from cloudrift.notify.delivery import DeliveryError
from cloudrift.notify.email import _text
from cloudrift.notify.targets import Target

# Apprise logs the service URL, urllib3 (under Apprise's requests) the host and path: neither
# may reach a handler of the host program while Apprise runs
_QUIET = ("apprise", "urllib3")
_quiet_lock = threading.Lock()


@contextmanager
def _quiet() -> Iterator[None]:
    with _quiet_lock:
        loggers = [logging.getLogger(name) for name in _QUIET]
        kept = [logger.propagate for logger in loggers]
        for logger in loggers:
            logger.propagate = False
        try:
            yield
        finally:
            for logger, propagate in zip(loggers, kept, strict=True):
                logger.propagate = propagate


def _apprise() -> Any:
    try:
        import apprise
    except ImportError:
        raise ConfigError("apprise+… targets need Apprise",
                          hint="pip install 'cloudrift-scanner[apprise]'") from None
    return apprise


class AppriseChannel:
    def __init__(self, target: Target) -> None:
        self.target = target
        apprise = _apprise()
        self._service = apprise.Apprise()
        with _quiet():
            added = self._service.add(target.url)
        if not added:
            raise ConfigError(f"--notify {target.shown}: Apprise does not understand this URL",
                              hint="see Apprise's list of services and their URL forms")

    def render(self, notice: Notice) -> list[Payload]:
        return [Payload("Apprise notification", {"title": notice.title, "body": _text(notice),
                                                 "type": _type(notice)})]

    def deliver(self, payload: Payload, timeout: float) -> None:
        apprise = _apprise()
        with _quiet(), apprise.LogCapture(level=logging.WARNING) as captured:
            sent = self._service.notify(body=payload.body["body"], title=payload.body["title"],
                                        notify_type=payload.body["type"])
            said = captured.getvalue()
        if not sent:
            gist = " ".join(line.split(" - ", 2)[-1] for line in said.splitlines()[-2:])
            raise DeliveryError(f"Apprise could not deliver ({gist.strip() or 'no reason given'})",
                                retryable=True)

    def show(self, payload: Payload) -> str:
        body = payload.body
        return f"[{body['type']}] {body['title']}\n\n{body['body']}"


def _type(notice: Notice) -> str:
    counts = notice.counts
    if counts.get("new") or counts.get("reopened"):
        return "warning"
    if counts.get("resolved") and not notice.report.findings:
        return "success"
    return "info"
