"""E-mail through a real SMTP server (aiosmtpd): STARTTLS on a self-signed certificate, AUTH,
implicit TLS, a multipart/alternative message whose HTML escapes every value."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from cloudrift.notify import parse_targets, plan, send
from cloudrift.redact import Redactor
from tests.notify.conftest import FAST
from tests.notify.samples import HOSTILE, STATE_SECRET, mixed

pytest.importorskip("aiosmtpd", reason="aiosmtpd (a dev dependency) is not installed")

from cloudrift.testing.smtp import SmtpReceiver


def mail(target: str) -> list[Any]:
    redactor = Redactor([STATE_SECRET])
    planned = plan(mixed(), parse_targets([target], {}, redactor), redactor=redactor,
                   link="https://ci.example.com/jobs/9")
    return send(planned, FAST, redactor)


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def test_starttls_and_auth_deliver_text_and_html(smtp: SmtpReceiver) -> None:
    [outcome] = mail(smtp.url(recipients=("ops@example.com", "sre@example.com")))
    assert outcome.ok, outcome
    assert smtp.logins == [(smtp.username, True)]
    assert smtp.tls_sessions == [True]
    assert smtp.envelopes == [("cloudrift@example.com", ["ops@example.com", "sre@example.com"])]
    [message] = smtp.messages
    assert message["Subject"] == "cloudrift: 2 new, 1 reopened, 1 resolved drift (scan 42)"
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    assert "NEW changed aws_sqs_queue.orders" in text
    assert "changed by arn:aws:iam::123456789012:user/alice" in text
    assert "Full report: https://ci.example.com/jobs/9" in text
    assert "<h3" in html
    assert '<a href="https://ci.example.com/jobs/9">' in html
    # untrusted text is escaped in HTML, and the state's secret is nowhere
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert HOSTILE.split()[0] in text
    raw = message.as_string()
    assert STATE_SECRET not in raw
    assert smtp.password not in raw


def test_implicit_tls(tmp_path: Path) -> None:
    with SmtpReceiver(tmp_path / "tls", implicit_tls=True) as server:
        [outcome] = mail(server.url())
        assert outcome.ok, outcome
        assert server.tls_sessions == [True]
        assert server.logins == [(server.username, True)]


def test_a_wrong_password_fails_once_and_names_no_secret(smtp: SmtpReceiver) -> None:
    [outcome] = mail(smtp.url(password="not-the-password-123"))
    assert not outcome.ok
    assert outcome.attempts == 1
    assert outcome.error.startswith("authentication refused (SMTP 535")
    assert "not-the-password-123" not in repr(outcome)
    assert outcome.target == f"smtp://{smtp.username}@127.0.0.1:{smtp.port}"
    assert smtp.messages == []


def test_an_untrusted_certificate_is_refused(smtp: SmtpReceiver) -> None:
    url = smtp.url().split("&cafile=")[0]  # the system's trust store does not know it
    [outcome] = mail(url)
    assert not outcome.ok
    assert outcome.error.startswith("TLS failed")
    assert smtp.logins == []  # the password never left


def test_refused_recipients(tmp_path: Path) -> None:
    with SmtpReceiver(tmp_path / "tls", refuse_recipients=True) as server:
        [outcome] = mail(server.url())
        assert not outcome.ok
        assert outcome.error == "every recipient refused (SMTP [550])"
        assert outcome.attempts == 1
