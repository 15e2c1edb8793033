"""Issue 15's "done when": a ``cloudrift watch`` process on the demo estate (moto over HTTP,
a real SQLite history) tells Slack, Teams, a signed webhook, e-mail (aiosmtpd, STARTTLS and
AUTH) and PagerDuty once about new drift, nothing about the unchanged scans after it, and about
the drift that was fixed when it is; every receiver checks what it got against the service's
documented shape."""

from __future__ import annotations

import importlib.util
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest

from cloudrift.testing import StateBuilder, environment
from cloudrift.testing.receivers import (
    PagerDutyReceiver,
    SlackReceiver,
    TeamsReceiver,
    WebhookReceiver,
)
from cloudrift_aws.testing import MotoServer
from tests.watch.conftest import WatchProcess
from tests.watch.test_process import metrics, scans_done, wait_for_scans

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_SECRET = "whsec-watch-0123456789abcdef"


def _demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_demo", ROOT / "demo" / "run_demo.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DEMO = _demo()


@pytest.fixture
def receivers(tmp_path: Path) -> Iterator[dict[str, Any]]:
    pytest.importorskip("aiosmtpd", reason="aiosmtpd (a dev dependency) is not installed")
    from cloudrift.testing.smtp import SmtpReceiver

    with SlackReceiver() as slack, TeamsReceiver() as teams, \
            WebhookReceiver(WEBHOOK_SECRET) as webhook, PagerDutyReceiver() as pagerduty, \
            SmtpReceiver(tmp_path / "smtp-tls") as smtp:
        yield {"slack": slack, "teams": teams, "webhook": webhook, "pagerduty": pagerduty,
               "smtp": smtp}


def counts(found: dict[str, Any]) -> dict[str, int]:
    """Messages per channel; PagerDuty's are events, one per drift (an alert each)."""
    return {name: len(server.messages if name == "smtp" else server.accepted)
            for name, server in found.items()}


def expect(found: dict[str, Any], each: int, pagerduty: int) -> dict[str, int]:
    return {**dict.fromkeys(found, each), "pagerduty": pagerduty}


def while_idle(watch: WatchProcess, change: Callable[[], None]) -> None:
    """Make ``change`` between two scans: the watch is frozen (SIGSTOP) while it waits for its
    next one, so that the next scan sees all of the change and the last one none of it."""
    deadline = time.monotonic() + 60
    while True:
        found = metrics(watch)
        running = found["cloudrift_scan_in_progress"][0][1]
        next_start = found.get("cloudrift_next_scan_timestamp_seconds", [({}, 0.0)])[0][1]
        if not running and next_start - time.time() > 1.0:
            break
        assert time.monotonic() < deadline, "the watch was never idle"
        time.sleep(0.05)
    watch.process.send_signal(signal.SIGSTOP)
    try:
        change()
    finally:
        watch.process.send_signal(signal.SIGCONT)


def test_watch_notifies_new_drift_once_nothing_when_unchanged_and_the_fix(
        moto: MotoServer, tmp_path: Path, receivers: dict[str, Any],
        watch_process: Callable[..., WatchProcess]) -> None:
    env = {"AWS_ENDPOINT_URL": moto.endpoint, "AWS_DEFAULT_REGION": DEMO.REGION}
    state = tmp_path / "terraform.tfstate"
    with environment(env):
        builder = StateBuilder()
        made = DEMO.build_estate(builder)
        builder.write(state)
    slack, teams, webhook = receivers["slack"], receivers["teams"], receivers["webhook"]
    pagerduty, smtp = receivers["pagerduty"], receivers["smtp"]
    targets = [f"slack+{slack.url}", f"teams+{teams.url}",
               f"webhook+{webhook.url}?secret={WEBHOOK_SECRET}",
               f"pagerduty://{pagerduty.routing_key}?endpoint={pagerduty.url}",
               smtp.url(recipients=("oncall@example.com",))]
    notify = [arg for target in targets for arg in ("--notify", target)]
    watch = watch_process("--from", f"tfstate://{state}", "--to", "aws", "--region",
                          DEMO.REGION, "--every", "3s", "--jitter", "0", *notify, env=env)
    wait_for_scans(watch, 1, timeout=120)
    assert counts(receivers) == dict.fromkeys(receivers, 0), "the estate was not in sync"

    with environment(env):
        while_idle(watch, lambda: DEMO.drift(made))
    done = scans_done(watch)
    wait_for_scans(watch, done + 1, timeout=120)
    new = {change["fingerprint"] for change in webhook.accepted[0]["changes"]}
    assert counts(receivers) == expect(receivers, 1, len(new)), watch.lines
    for name in ("slack", "teams", "webhook", "pagerduty"):
        assert receivers[name].refused == [], (name, receivers[name].refused)
    assert [event["event_action"] for event in pagerduty.accepted] == ["trigger"] * len(new)
    assert slack.accepted[0]["blocks"][0]["text"]["text"] == f"cloudrift: {len(new)} new drift"
    assert set(pagerduty.open_alerts) == new
    [mail] = smtp.messages
    assert mail["To"] == "oncall@example.com"
    assert "new drift" in mail["Subject"]

    # two more scans of the same drift: nobody is told anything
    wait_for_scans(watch, scans_done(watch) + 2, timeout=120)
    assert counts(receivers) == expect(receivers, 1, len(new))

    # the orders queue is put back: that drift is resolved, and said so on every channel
    def fix() -> None:
        boto3.client("sqs", region_name=DEMO.REGION, endpoint_url=moto.endpoint) \
            .set_queue_attributes(QueueUrl=made["orders"], Attributes={"VisibilityTimeout": "30"})

    while_idle(watch, fix)
    wait_for_scans(watch, scans_done(watch) + 1, timeout=120)
    assert counts(receivers) == expect(receivers, 2, len(new) + 1), watch.lines
    assert slack.accepted[-1]["blocks"][0]["text"]["text"] == "cloudrift: 1 resolved drift"
    assert webhook.accepted[-1]["counts"] == {"resolved": 1}
    resolve = pagerduty.accepted[-1]
    assert resolve["event_action"] == "resolve"
    assert resolve["dedup_key"] in new
    assert set(pagerduty.open_alerts) == new - {resolve["dedup_key"]}
    assert "resolved" in smtp.messages[-1]["Subject"]
    for name in ("slack", "teams", "webhook", "pagerduty"):
        assert receivers[name].refused == [], (name, receivers[name].refused)
    assert watch.stop() == 0
    log = "\n".join(watch.lines)
    for secret in (WEBHOOK_SECRET, pagerduty.routing_key, smtp.password,
                   slack.url.rsplit("/", 1)[-1]):
        assert secret not in log
