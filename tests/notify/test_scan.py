"""``scan --notify`` end to end: the demo estate on moto over HTTP, a real SQLite history, and
receivers for every channel. New drift is told once, an unchanged scan tells nothing, a fix is
told as resolved (PagerDuty resolves the very alert it opened); a target that fails is a warning
naming it masked, the report is written all the same, and no secret — the state's or the
targets' — reaches any output, log line or payload."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from cloudrift.cli import cli
from cloudrift.testing import StateBuilder, environment
from cloudrift.testing.receivers import (
    AppriseJsonReceiver,
    PagerDutyReceiver,
    SlackReceiver,
    TeamsReceiver,
    WebhookReceiver,
)
from cloudrift_aws.testing import MotoServer
from tests.notify.conftest import targets_for

ROOT = Path(__file__).resolve().parents[2]
# a value the state marks sensitive, pasted behind Terraform's back into a tag nobody marked
STATE_SECRET = "Vq7-unique-state-secret-Kx2"


def _demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_demo", ROOT / "demo" / "run_demo.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DEMO = _demo()


class Estate:
    def __init__(self, moto: MotoServer, tmp_path: Path) -> None:
        self.moto = moto
        self.dir = tmp_path
        self.state = tmp_path / "terraform.tfstate"
        self.history = f"sqlite:///{tmp_path / 'history.db'}"
        self.env = {"AWS_ENDPOINT_URL": moto.endpoint, "AWS_DEFAULT_REGION": DEMO.REGION}
        with environment(self.env):
            builder = StateBuilder()
            self.made = DEMO.build_estate(builder)
            builder.add("aws_secretsmanager_secret_version", "db", {
                "id": f"arn:aws:secretsmanager:{DEMO.REGION}:123456789012:secret:db|v1",
                "secret_string": STATE_SECRET, "version_id": "v1"},
                sensitive=[["secret_string"]])
            builder.write(self.state)
            DEMO.drift(self.made)
            self.client("sqs").tag_queue(QueueUrl=self.made["invoices"],
                                         Tags={"note": f"pw {STATE_SECRET}"})

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=DEMO.REGION, endpoint_url=self.moto.endpoint)

    def scan(self, *extra: str, outputs: dict[str, str] | None = None
             ) -> tuple[int, str, str, dict[str, str]]:
        files = {fmt: str(self.dir / name) for fmt, name in (outputs or {
            "json": "report.json"}).items()}
        args = ["scan", "--from", f"tfstate://{self.state}", "--to", "aws", "--region",
                DEMO.REGION, "--history", self.history, "--output", "console://",
                *[f"--output={fmt}://{path}" for fmt, path in files.items()], *extra]
        result = CliRunner().invoke(cli, args, env=self.env, catch_exceptions=False)
        texts = {fmt: Path(path).read_text() for fmt, path in files.items()
                 if Path(path).exists()}
        return result.exit_code, result.stdout, result.stderr, texts


@pytest.fixture
def estate(moto: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Estate:
    monkeypatch.delenv("CLOUDRIFT_NO_HISTORY", raising=False)
    monkeypatch.chdir(tmp_path)
    return Estate(moto, tmp_path)


def flags(targets: list[str]) -> list[str]:
    return [arg for target in targets for arg in ("--notify", target)]


def test_new_then_nothing_then_resolved(estate: Estate, slack: SlackReceiver,
                                        teams: TeamsReceiver, webhook: WebhookReceiver,
                                        pagerduty: PagerDutyReceiver) -> None:
    targets = flags(targets_for(slack, teams, webhook, pagerduty))
    code, _, err, texts = estate.scan(*targets)
    assert code == 1, err
    report = json.loads(texts["json"])
    fingerprints = {f["fingerprint"] for f in report["findings"]}
    assert {f["status"] for f in report["findings"]} == {"new"}
    assert "cloudrift: note: sent" in err
    for server in (slack, teams, webhook, pagerduty):
        assert not server.refused, server.refused
    count = len(fingerprints)
    assert slack.accepted[0]["blocks"][0]["text"]["text"] == f"cloudrift: {count} new drift"
    assert {c["fingerprint"] for c in webhook.accepted[0]["changes"]} == fingerprints
    assert set(pagerduty.open_alerts) == fingerprints
    sent = json.dumps([s.accepted for s in (slack, teams, webhook, pagerduty)])
    assert STATE_SECRET not in sent
    assert "pw (sensitive)" in sent

    # nothing changed: nothing is sent
    for server in (slack, teams, webhook, pagerduty):
        server.reset_counters()
    code, _, err, _ = estate.scan(*targets)
    assert code == 1
    assert not any(s.requests for s in (slack, teams, webhook, pagerduty))
    assert "cloudrift: note: sent" not in err

    # the orders queue's visibility timeout is fixed: that drift is resolved, and said so
    estate.client("sqs").set_queue_attributes(QueueUrl=estate.made["orders"],
                                              Attributes={"VisibilityTimeout": "30"})
    code, _, err, texts = estate.scan(*targets)
    third = json.loads(texts["json"])
    [resolved] = third["resolved"]
    assert slack.accepted[-1]["blocks"][0]["text"]["text"] == "cloudrift: 1 resolved drift"
    assert webhook.accepted[-1]["counts"] == {"resolved": 1}
    assert pagerduty.accepted[-1] == {"routing_key": pagerduty.routing_key,
                                      "event_action": "resolve",
                                      "dedup_key": resolved["fingerprint"]}
    assert set(pagerduty.open_alerts) == fingerprints - {resolved["fingerprint"]}


def test_notify_on_always_and_new(estate: Estate, slack: SlackReceiver) -> None:
    estate.scan()  # everything is new, and no one was told
    code, _, err, texts = estate.scan("--notify", f"slack+{slack.url}", "--notify-on", "new")
    assert code == 1, err
    assert slack.requests == []  # nothing new since
    code, _, err, texts = estate.scan("--notify", f"slack+{slack.url}", "--notify-on",
                                      "always", "--notify-digest", "0")
    report = json.loads(texts["json"])
    [message] = slack.accepted
    assert message["blocks"][0]["text"]["text"] == \
        f"cloudrift: {len(report['findings'])} drift open"
    assert f"{len(report['findings'])} changes: a digest" in json.dumps(message)


def test_no_history_needs_notify_on_always(estate: Estate, slack: SlackReceiver) -> None:
    code, _, err, _ = estate.scan("--no-history", "--notify", f"slack+{slack.url}")
    assert code == 2
    assert "--notify-on change needs the history" in err
    assert slack.requests == []


def test_a_bad_target_fails_before_any_cloud_call(estate: Estate) -> None:
    code, _, err, texts = estate.scan("--notify", "webhook+https://example.com/hook")
    assert code == 2
    assert "needs a signing secret" in err
    assert texts == {}  # no scan ran, no report was written


OUTPUTS = {"json": "report.json", "html": "report.html", "markdown": "report.md",
           "sarif": "report.sarif", "junit": "report.xml", "console": "report.txt"}


def test_every_target_failing_leaks_no_secret_and_keeps_the_report(
        estate: Estate, tmp_path: Path, slack: SlackReceiver, teams: TeamsReceiver,
        webhook: WebhookReceiver, pagerduty: PagerDutyReceiver,
        apprise_json: AppriseJsonReceiver, smtp: Any) -> None:
    slack.fail_next(403, body="invalid_token")
    apprise_json.fail_next(403, times=10)
    secrets = {
        "slack": slack.path.rsplit("/", 1)[1],
        "teams": "WrongSig0123456789abcdefWRONG",
        "webhook": "not-the-receivers-secret-99",
        "pagerduty": "RWRONGROUTINGKEY0123456789ABCDE",
        "smtp": "wrong-smtp-password-Qz81",
        "apprise": "apprise-token-Lm42",
    }
    apprise_host = apprise_json.url.split("://", 1)[1]
    targets = [
        f"slack+{slack.url}",
        f"teams+{teams.url.replace(teams.sig, secrets['teams'])}",
        f"webhook+{webhook.url}?secret={secrets['webhook']}",
        f"pagerduty://{secrets['pagerduty']}?endpoint={pagerduty.url}",
        smtp.url(password=secrets["smtp"]),
        f"apprise+json://bot:{secrets['apprise']}@{apprise_host}",
    ]
    code, out, err, texts = estate.scan(*flags(targets), "--require-notify", "--debug",
                                        outputs=OUTPUTS)
    assert code == 2
    assert "exiting 2" in err
    masked = [f"slack+{slack.endpoint}/***", f"teams+{teams.endpoint}/***",
              f"webhook+{webhook.endpoint}/***", f"pagerduty://***?endpoint={pagerduty.url}",
              f"smtp://{smtp.username}@127.0.0.1:{smtp.port}", "apprise+json://***"]
    for shown in masked:
        assert f"cloudrift: warning: notification to {shown} (" in err, shown
    # the report was written whole, before any delivery, and says nothing of them
    assert set(texts) == set(OUTPUTS)
    report = json.loads(texts["json"])
    assert report["findings"]
    assert not any("notif" in w["message"] for w in report["warnings"])
    everything = {"stdout": out, "stderr": err, **texts}
    for where, text in everything.items():
        for name, secret in {**secrets, "state": STATE_SECRET}.items():
            assert secret not in text, f"the {name} secret in {where}"
    # without --require-notify the drift decides the exit code
    slack.fail_next(403, body="invalid_token")
    code, _, err, _ = estate.scan("--notify", f"slack+{slack.url}", "--notify-on", "always")
    assert code == 1
    assert f"notification to slack+{slack.endpoint}/*** (Slack message) failed" in err


def test_config_shows_targets_masked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cloudrift.toml").write_text(
        'notify = ["slack+${HOOK}", "pagerduty://${PD}"]\nnotify_on = "new"\n')
    result = CliRunner().invoke(cli, ["config"], env={
        "HOOK": "https://hooks.slack.com/services/T1/B1/cfgsecrettoken", "PD": "RPDKEY12345"})
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("notify "))
    assert '["slack+https://hooks.slack.com/***", "pagerduty://***"]' in line
    assert "cfgsecrettoken" not in result.output
    assert "RPDKEY12345" not in result.output


def test_the_python_api_notifies_too(estate: Estate, slack: SlackReceiver) -> None:
    import cloudrift

    with environment(estate.env):
        report = cloudrift.scan([f"tfstate://{estate.state}"], to=["aws"],
                                region=[DEMO.REGION], no_history=True,
                                notify=[f"slack+{slack.url}"], notify_on="always")
    [message] = slack.accepted
    assert message["blocks"][0]["text"]["text"] == f"cloudrift: {len(report.findings)} drift open"
    slack.fail_next(500, times=10)
    from cloudrift.errors import CloudriftError

    with environment(estate.env), pytest.raises(CloudriftError,
                                                match="not delivered"):
        cloudrift.scan([f"tfstate://{estate.state}"], to=["aws"], region=[DEMO.REGION],
                       no_history=True, notify=[f"slack+{slack.url}"], notify_on="always",
                       require_notify=True)
