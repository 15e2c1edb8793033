"""The verification snippet docs/notifications.md gives receivers, run as written: it accepts
what cloudrift signs and refuses a changed body, another secret and a stale timestamp."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cloudrift.notify import parse_targets, plan, send
from cloudrift.notify.webhook import sign, verify
from cloudrift.testing.receivers import WebhookReceiver
from tests.notify.conftest import FAST, WEBHOOK_SECRET
from tests.notify.samples import mixed

DOC = Path(__file__).resolve().parents[2] / "docs" / "notifications.md"


@pytest.fixture(scope="module")
def documented_verify() -> Callable[..., bool]:
    text = DOC.read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "def verify" in b)
    namespace: dict[str, Any] = {}
    exec(compile(block, str(DOC), "exec"), namespace)
    found: Callable[..., bool] = namespace["verify"]
    return found


def test_the_documented_snippet_verifies_a_real_delivery(
        webhook: WebhookReceiver, documented_verify: Callable[..., bool]) -> None:
    targets = parse_targets([f"webhook+{webhook.url}?secret={WEBHOOK_SECRET}"], {})
    [outcome] = send(plan(mixed(), targets), FAST)
    assert outcome.ok, outcome
    [request] = webhook.requests
    header = request.headers["x-cloudrift-signature"]
    body = request.body
    secret = WEBHOOK_SECRET.encode()
    assert documented_verify(secret, header, body)
    assert not documented_verify(secret, header, body.replace(b"orders", b"ordersX"))
    assert not documented_verify(b"another-secret", header, body)
    assert not documented_verify(secret, header, body, now=time.time() + 301)
    assert not documented_verify(secret, header, body, now=time.time() - 301)
    assert not documented_verify(secret, "v1=" + header.split("v1=")[1], body)


def test_the_receiver_refuses_a_stale_or_forged_signature(webhook: WebhookReceiver) -> None:
    import json
    import urllib.error
    import urllib.request

    body = json.dumps({"schema": "cloudrift.notification/1"}).encode()

    def post(header: str) -> int:
        request = urllib.request.Request(webhook.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "X-Cloudrift-Signature": header,
            "X-Cloudrift-Delivery": "d-1"})
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    stale = int(time.time()) - 3600
    assert post(sign(WEBHOOK_SECRET, stale, body)) == 401
    assert post(sign("not-the-secret", int(time.time()), body)) == 401
    # signed right but not the documented shape: refused for that, not for the signature
    assert post(sign(WEBHOOK_SECRET, int(time.time()), body)) == 422
    assert [problems[0] for _, problems in webhook.refused][:2] == [
        f"signature: timestamp {stale} is stale", "signature: does not match the body"]


def test_our_own_verify_agrees_with_the_snippet(documented_verify: Callable[..., bool]) -> None:
    body = b'{"x": 1}'
    now = time.time()
    header = sign("k" * 20, int(now), body)
    assert verify("k" * 20, header, body, now=now)
    assert documented_verify(b"k" * 20, header, body, now=now)
    assert not verify("k" * 20, header, body, now=now + 1000)
