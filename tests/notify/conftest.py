"""Receivers on 127.0.0.1 for each channel, started for a test and stopped after it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudrift.notify import RetryPolicy
from cloudrift.testing.receivers import (
    AppriseJsonReceiver,
    PagerDutyReceiver,
    SlackReceiver,
    TeamsReceiver,
    WebhookReceiver,
)

WEBHOOK_SECRET = "whsec-0123456789abcdef-signing"
# quick retries: the tests count attempts, they do not measure waits (except Retry-After's)
FAST = RetryPolicy(attempts=4, timeout=5.0, backoff=0.05, max_backoff=0.2)


@pytest.fixture
def slack() -> Iterator[SlackReceiver]:
    with SlackReceiver() as server:
        yield server


@pytest.fixture
def teams() -> Iterator[TeamsReceiver]:
    with TeamsReceiver() as server:
        yield server


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(WEBHOOK_SECRET) as server:
        yield server


@pytest.fixture
def pagerduty() -> Iterator[PagerDutyReceiver]:
    with PagerDutyReceiver() as server:
        yield server


@pytest.fixture
def apprise_json() -> Iterator[AppriseJsonReceiver]:
    with AppriseJsonReceiver() as server:
        yield server


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[object]:
    pytest.importorskip("aiosmtpd", reason="aiosmtpd (a dev dependency) is not installed")
    from cloudrift.testing.smtp import SmtpReceiver

    with SmtpReceiver(tmp_path / "smtp-tls") as server:
        yield server


def targets_for(slack: SlackReceiver, teams: TeamsReceiver, webhook: WebhookReceiver,
                pagerduty: PagerDutyReceiver) -> list[str]:
    return [f"slack+{slack.url}", f"teams+{teams.url}",
            f"webhook+{webhook.url}?secret={WEBHOOK_SECRET}",
            f"pagerduty://{pagerduty.routing_key}?endpoint={pagerduty.url}"]
