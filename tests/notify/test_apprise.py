"""``apprise+…`` targets: the long tail through Apprise (an optional extra), here its JSON
service posting to a receiver of ours."""

from __future__ import annotations

import logging

import pytest

from cloudrift.errors import ConfigError
from cloudrift.notify import parse_targets, plan, send
from cloudrift.redact import Redactor
from cloudrift.testing.receivers import AppriseJsonReceiver
from tests.notify.conftest import FAST
from tests.notify.samples import STATE_SECRET, mixed

pytest.importorskip("apprise", reason="the apprise extra is not installed")


def test_apprise_delivers_title_and_text(apprise_json: AppriseJsonReceiver) -> None:
    redactor = Redactor([STATE_SECRET])
    targets = parse_targets([f"apprise+{apprise_json.url}"], {}, redactor)
    assert targets[0].shown == "apprise+json://***"
    [outcome] = send(plan(mixed(), targets, redactor=redactor), FAST, redactor)
    assert outcome.ok, outcome
    [document] = apprise_json.accepted
    assert document["title"] == "cloudrift: 2 new, 1 reopened, 1 resolved drift"
    assert document["type"] == "warning"
    assert "NEW changed aws_sqs_queue.orders" in document["message"]
    assert STATE_SECRET not in document["message"]


def test_an_apprise_failure_is_retried_reported_and_keeps_the_url_out_of_logs(
        apprise_json: AppriseJsonReceiver, caplog: pytest.LogCaptureFixture) -> None:
    apprise_json.fail_next(500, times=10)
    redactor = Redactor()
    targets = parse_targets([f"apprise+{apprise_json.url}"], {}, redactor)
    with caplog.at_level(logging.DEBUG):
        [outcome] = send(plan(mixed(), targets, redactor=redactor), FAST, redactor)
    assert not outcome.ok
    assert outcome.attempts == 4
    assert outcome.error.startswith("Apprise could not deliver")
    port = apprise_json.endpoint.rsplit(":", 1)[1]
    assert port not in outcome.error
    assert port not in caplog.text


def test_a_url_apprise_does_not_know_is_a_config_error() -> None:
    [target] = parse_targets(["apprise+nosuchservice://token@host"], {})
    with pytest.raises(ConfigError, match="Apprise does not understand"):
        plan(mixed(), [target])
