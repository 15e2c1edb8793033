"""``cloudrift notify --from report.json``: a dry run prints every payload and sends nothing; a
failed delivery is a warning naming the masked target and exit 2; the report is never touched."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cloudrift.cli import cli
from cloudrift.testing.receivers import (
    PagerDutyReceiver,
    SlackReceiver,
    TeamsReceiver,
    WebhookReceiver,
)
from tests.notify.conftest import WEBHOOK_SECRET, targets_for
from tests.notify.samples import mixed, report


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(mixed().json_dict()))
    return path


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["notify", *args], env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_dry_run_prints_each_payload_and_sends_nothing(
        saved: Path, slack: SlackReceiver, teams: TeamsReceiver, webhook: WebhookReceiver,
        pagerduty: PagerDutyReceiver) -> None:
    targets = targets_for(slack, teams, webhook, pagerduty)
    args = [a for t in targets for a in ("--notify", t)]
    code, out, err = run("--from", str(saved), "--dry-run", *args)
    assert code == 0, err
    assert not any(s.requests for s in (slack, teams, webhook, pagerduty))
    assert f"--- slack+{slack.endpoint}/*** (Slack message)" in out
    assert f"--- teams+{teams.endpoint}/*** (Teams card)" in out
    assert f"--- webhook+{webhook.endpoint}/*** (webhook)" in out
    assert out.count("--- pagerduty://***?endpoint=") == 4
    assert '"event_action": "resolve"' in out
    for secret in (slack.path, teams.sig, WEBHOOK_SECRET, pagerduty.routing_key):
        assert secret not in out + err
    # what would be sent is valid JSON under each header
    first = out.split("\n--- ")[0].split("\n", 1)[1]
    assert json.loads(first)["blocks"][0]["type"] == "header"


def test_a_failed_delivery_is_a_masked_warning_and_exit_2(saved: Path, slack: SlackReceiver,
                                                         webhook: WebhookReceiver) -> None:
    before = hashlib.sha256(saved.read_bytes()).hexdigest()
    slack.fail_next(404, body="no_service")
    code, out, err = run("--from", str(saved), "--notify", f"slack+{slack.url}",
                         "--notify", f"webhook+{webhook.url}?secret={WEBHOOK_SECRET}")
    assert code == 2
    assert (f"cloudrift: warning: notification to slack+{slack.endpoint}/*** (Slack message) "
            "failed: HTTP 404: no_service") in err
    assert "cloudrift: note: sent 1 notification to 1 target" in err
    assert len(webhook.accepted) == 1
    assert slack.path not in out + err
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == before


def test_targets_from_the_environment(saved: Path, slack: SlackReceiver) -> None:
    env = {"CLOUDRIFT_NOTIFY": "slack+${HOOK}", "HOOK": slack.url}
    code, _, err = run("--from", str(saved), env=env)
    assert code == 0, err
    assert len(slack.accepted) == 1


def test_a_report_without_history_needs_notify_on_always(tmp_path: Path,
                                                         slack: SlackReceiver) -> None:
    from tests.notify.samples import drift

    path = tmp_path / "plain.json"
    path.write_text(json.dumps(report([drift("orders", None)], scan_id=None).json_dict()))
    code, _, err = run("--from", str(path), "--notify", f"slack+{slack.url}")
    assert code == 2
    assert "--notify-on change needs the history" in err
    code, _, err = run("--from", str(path), "--notify", f"slack+{slack.url}",
                       "--notify-on", "always")
    assert code == 0, err
    assert "OPEN changed aws_sqs_queue.orders" in json.dumps(slack.accepted[0])


def test_nothing_to_say_sends_nothing(tmp_path: Path, slack: SlackReceiver) -> None:
    path = tmp_path / "quiet.json"
    path.write_text(json.dumps(report([]).json_dict()))
    code, out, _ = run("--from", str(path), "--notify", f"slack+{slack.url}", "--dry-run")
    assert (code, out) == (0, "nothing to notify\n")
    code, _, _ = run("--from", str(path), "--notify", f"slack+{slack.url}")
    assert code == 0
    assert slack.requests == []


def test_targets_from_the_config_file(saved: Path, slack: SlackReceiver, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cloudrift.toml").write_text('notify = ["slack+${HOOK}"]\nnotify_on = "new"\n')
    code, _, err = run("--from", str(saved), env={"HOOK": slack.url})
    assert code == 0, err
    assert slack.accepted[0]["blocks"][0]["text"]["text"] == "cloudrift: 2 new, 1 reopened drift"
    (tmp_path / "cloudrift.toml").write_text(f'notify = ["slack+{slack.url}"]\n')
    code, _, err = run("--from", str(saved))
    assert code == 2
    assert "holds its secret in the file" in err
    assert slack.path not in err
