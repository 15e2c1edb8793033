"""Delivery you can rely on: 429 waits what Retry-After says, 5xx and network errors are
retried with backoff, other refusals are not, and a failure is an outcome naming the masked
target, never an exception and never a secret."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from cloudrift.notify import Outcome, RetryPolicy, parse_targets, plan, send
from cloudrift.notify.delivery import DeliveryError, attempt_all, parse_retry_after
from cloudrift.redact import Redactor
from cloudrift.testing.receivers import PagerDutyReceiver, SlackReceiver, WebhookReceiver
from tests.notify.conftest import FAST, WEBHOOK_SECRET
from tests.notify.samples import mixed


def send_to(target: str, policy: RetryPolicy = FAST) -> list[Outcome]:
    redactor = Redactor()
    planned = plan(mixed(), parse_targets([target], {}, redactor), redactor=redactor)
    return send(planned, policy, redactor)


def test_429_then_success_waits_what_retry_after_says(slack: SlackReceiver) -> None:
    slack.fail_next(429, retry_after="1", body="rate_limited")
    [outcome] = send_to(f"slack+{slack.url}")
    assert outcome.ok
    assert outcome.attempts == 2
    first, second = slack.requests
    assert (first.status, second.status) == (429, 200)
    # FAST backs off at most 0.2 s on its own: a second's gap is Retry-After's
    assert second.at - first.at >= 1.0
    assert first.body == second.body


def test_5xx_is_retried_with_backoff_until_it_works(pagerduty: PagerDutyReceiver) -> None:
    pagerduty.fail_next(500, times=2)
    pagerduty.fail_next(503, times=1)
    target = f"pagerduty://{pagerduty.routing_key}?endpoint={pagerduty.url}"
    outcomes = send_to(target)
    assert [o.ok for o in outcomes] == [True] * 4
    assert outcomes[0].attempts == 4
    assert [r.status for r in pagerduty.requests[:4]] == [500, 500, 503, 202]
    assert len(pagerduty.accepted) == 4


def test_a_permanent_refusal_is_not_retried_and_names_the_masked_target(
        slack: SlackReceiver) -> None:
    slack.fail_next(403, body="invalid_token")
    [outcome] = send_to(f"slack+{slack.url}")
    assert not outcome.ok
    assert outcome.attempts == 1
    assert outcome.error == "HTTP 403: invalid_token"
    assert outcome.target == f"slack+{slack.endpoint}/***"
    assert slack.path not in repr(outcome)


def test_retries_run_out(webhook: WebhookReceiver) -> None:
    webhook.fail_next(502, times=10)
    [outcome] = send_to(f"webhook+{webhook.url}?secret={WEBHOOK_SECRET}")
    assert not outcome.ok
    assert outcome.error == "HTTP 502 after 4 attempts"
    assert len(webhook.requests) == 4
    # every attempt is signed anew, and carries the same delivery id
    ids = {r.headers["x-cloudrift-delivery"] for r in webhook.requests}
    assert len(ids) == 1


def test_a_retry_after_longer_than_allowed_gives_up(slack: SlackReceiver) -> None:
    slack.fail_next(429, retry_after="3600")
    [outcome] = send_to(f"slack+{slack.url}")
    assert not outcome.ok
    assert "asked to retry after 3600 s" in outcome.error
    assert len(slack.requests) == 1


def test_an_unreachable_target_is_retried_then_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    [outcome] = send_to(f"slack+http://127.0.0.1:{port}/services/T/B/unreachablesecret")
    assert not outcome.ok
    assert outcome.attempts == 4
    assert outcome.error.startswith("cannot connect")
    assert "unreachablesecret" not in repr(outcome)


def test_retry_after_forms() -> None:
    now = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True),
                             now) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True),
                             now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_backoff_doubles_up_to_its_ceiling() -> None:
    waits: list[float] = []

    def fail() -> None:
        raise DeliveryError("HTTP 500", retryable=True)

    policy = RetryPolicy(attempts=6, backoff=1.0, max_backoff=4.0)
    outcome = attempt_all(fail, policy, target="t", label="l", sleep=waits.append,
                          jitter=lambda: 1.0)
    assert waits == [1.0, 2.0, 4.0, 4.0, 4.0]
    assert outcome.attempts == 6
    assert not outcome.ok


def test_an_unexpected_error_is_an_outcome_not_a_crash() -> None:
    def broken() -> None:
        raise RuntimeError("renderer bug")

    outcome = attempt_all(broken, FAST, target="t", label="l")
    assert not outcome.ok
    assert outcome.error == "unexpected RuntimeError: renderer bug"


def test_a_target_that_refuses_us_is_not_sent_the_rest(pagerduty: PagerDutyReceiver) -> None:
    pagerduty.fail_next(403, body="forbidden")
    outcomes = send_to(f"pagerduty://{pagerduty.routing_key}?endpoint={pagerduty.url}")
    assert [(o.ok, o.label) for o in outcomes] == [
        (False, outcomes[0].label), (False, "3 more notifications")]
    assert outcomes[1].error == "not sent: an earlier notification to this target failed"
    assert len(pagerduty.requests) == 1


def test_a_payload_refused_for_itself_does_not_stop_the_rest(
        pagerduty: PagerDutyReceiver) -> None:
    pagerduty.fail_next(400, body='{"status": "invalid event"}')
    outcomes = send_to(f"pagerduty://{pagerduty.routing_key}?endpoint={pagerduty.url}")
    assert [o.ok for o in outcomes] == [False, True, True, True]
    assert len(pagerduty.accepted) == 3
