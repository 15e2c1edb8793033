"""Each channel against a receiver that checks the service's documented shape and limits: what
arrives, what it says, and that no secret or hostile text gets through."""

from __future__ import annotations

import json
from typing import Any

from cloudrift.model import FindingStatus
from cloudrift.notify import parse_targets, plan, send
from cloudrift.redact import Redactor
from cloudrift.testing.receivers import (
    PagerDutyReceiver,
    SlackReceiver,
    TeamsReceiver,
    WebhookReceiver,
)
from tests.notify.conftest import FAST, WEBHOOK_SECRET, targets_for
from tests.notify.samples import STATE_SECRET, drift, many, mixed, report

LINK = "https://ci.example.com/jobs/77"


def deliver(report_: Any, targets: list[str], **kwargs: Any) -> list[Any]:
    redactor = Redactor([STATE_SECRET])
    parsed = parse_targets(targets, {}, redactor)
    planned = plan(report_, parsed, redactor=redactor, link=LINK, **kwargs)
    return send(planned, FAST, redactor)


def everything(*receivers: Any) -> str:
    return "\n".join(r.body.decode() for server in receivers for r in server.requests)


def test_every_channel_delivers_the_changes_only(slack: SlackReceiver, teams: TeamsReceiver,
                                                 webhook: WebhookReceiver,
                                                 pagerduty: PagerDutyReceiver) -> None:
    outcomes = deliver(mixed(), targets_for(slack, teams, webhook, pagerduty))
    assert all(o.ok for o in outcomes), outcomes
    for server in (slack, teams, webhook, pagerduty):
        assert not server.refused, server.refused

    message = slack.accepted[0]
    assert message["blocks"][0]["text"]["text"] == "cloudrift: 2 new, 1 reopened, 1 resolved drift"
    slack_text = json.dumps(message)
    for name in ("orders", "hostile", "billing", "fixed"):
        assert f"aws_sqs_queue.{name}" in slack_text
    assert "aws_sqs_queue.steady" not in slack_text  # known drift is no news
    assert "changed by arn:aws:iam::123456789012:user/alice" in slack_text
    assert f"<{LINK}|full report>" in slack_text

    card = teams.accepted[0]["attachments"][0]["content"]
    card_text = json.dumps(card)
    assert card["body"][0]["text"].startswith("cloudrift: 2 new")
    assert "aws\\\\_sqs\\\\_queue.billing" in card_text  # Markdown escaped
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Full report", "url": LINK}]

    document = webhook.accepted[0]
    assert document["counts"] == {"new": 2, "reopened": 1, "resolved": 1}
    assert [c["event"] for c in document["changes"]] == ["new", "new", "reopened", "resolved"]
    orders = next(c for c in document["changes"] if c["address"] == "aws_sqs_queue.orders")
    assert orders["address"] == "aws_sqs_queue.orders"
    assert orders["attribution"]["events"][0]["principal"].endswith("user/alice")
    assert len(webhook.deliveries) == 1

    assert [e["event_action"] for e in pagerduty.accepted] == ["trigger", "trigger", "trigger",
                                                               "resolve"]


def test_no_secret_and_no_forged_markup_reaches_a_payload(
        slack: SlackReceiver, teams: TeamsReceiver, webhook: WebhookReceiver,
        pagerduty: PagerDutyReceiver) -> None:
    deliver(mixed(), targets_for(slack, teams, webhook, pagerduty))
    sent = everything(slack, teams, webhook, pagerduty)
    assert STATE_SECRET not in sent
    assert "(sensitive)" in sent
    slack_text = json.dumps(slack.accepted[0])
    assert "<!channel>" not in slack_text
    assert "<https://evil.example|" not in slack_text
    assert "&lt;!channel&gt;" in slack_text
    teams_text = json.dumps(teams.accepted[0])
    assert "[x](https://evil.example)" not in teams_text


def test_nothing_is_sent_when_nothing_changed(slack: SlackReceiver, teams: TeamsReceiver,
                                             webhook: WebhookReceiver,
                                             pagerduty: PagerDutyReceiver) -> None:
    steady = report([drift("steady", FindingStatus.KNOWN)])
    assert deliver(steady, targets_for(slack, teams, webhook, pagerduty)) == []
    assert not any(s.requests for s in (slack, teams, webhook, pagerduty))
    # "always" is a heartbeat: it tells of open drift even when nothing changed
    outcomes = deliver(steady, [f"slack+{slack.url}"], on="always")
    assert [o.ok for o in outcomes] == [True]
    assert slack.accepted[0]["blocks"][0]["text"]["text"] == "cloudrift: 1 drift open"
    assert "STILL OPEN changed aws_sqs_queue.steady" in json.dumps(slack.accepted[0])


def test_notify_on_new_leaves_resolved_out(slack: SlackReceiver,
                                           pagerduty: PagerDutyReceiver) -> None:
    deliver(mixed(), [f"slack+{slack.url}",
                      f"pagerduty://{pagerduty.routing_key}?endpoint={pagerduty.url}"], on="new")
    assert slack.accepted[0]["blocks"][0]["text"]["text"] == "cloudrift: 2 new, 1 reopened drift"
    assert [e["event_action"] for e in pagerduty.accepted] == ["trigger"] * 3


def test_pagerduty_triggers_and_resolves_by_fingerprint(pagerduty: PagerDutyReceiver) -> None:
    target = f"pagerduty://{pagerduty.routing_key}?endpoint={pagerduty.url}&severity=error"
    first = report([drift("orders", FindingStatus.NEW), drift("billing", FindingStatus.NEW)])
    assert all(o.ok for o in deliver(first, [target]))
    fingerprints = {f.fingerprint for f in first.findings}
    assert set(pagerduty.open_alerts) == fingerprints
    trigger = next(e for e in pagerduty.accepted
                   if e["payload"]["component"] == "aws_sqs_queue.orders")
    assert trigger["dedup_key"] == first.findings[0].fingerprint
    assert trigger["payload"]["severity"] == "error"
    assert trigger["payload"]["source"] == "aws:123456789012/eu-west-1"
    assert trigger["payload"]["custom_details"]["changes"][0]["path"] == "tags.env"
    assert trigger["client_url"] == LINK

    # the orders queue is fixed: its alert is resolved, the other stays open
    orders = first.findings[0].model_copy(update={"status": FindingStatus.RESOLVED})
    billing = first.findings[1].model_copy(update={"status": FindingStatus.KNOWN})
    assert all(o.ok for o in deliver(report([billing], [orders]), [target]))
    resolve = pagerduty.accepted[-1]
    assert resolve == {"routing_key": pagerduty.routing_key, "event_action": "resolve",
                       "dedup_key": orders.fingerprint}
    assert set(pagerduty.open_alerts) == {billing.fingerprint}


def test_large_drift_stays_within_every_limit(slack: SlackReceiver, teams: TeamsReceiver,
                                              webhook: WebhookReceiver) -> None:
    big = many(400)
    targets = [f"slack+{slack.url}", f"teams+{teams.url}",
               f"webhook+{webhook.url}?secret={WEBHOOK_SECRET}"]
    outcomes = deliver(big, targets, digest=1000)  # itemised, far past the limits
    assert all(o.ok for o in outcomes), outcomes
    blocks = slack.accepted[0]["blocks"]
    assert len(blocks) <= 50
    assert sum(len(b.get("text", {}).get("text", "")) for b in blocks) <= 12_000
    more = blocks[-2]["text"]["text"]
    assert more.startswith("…and ")
    assert f"<{LINK}|full report>" in more
    shown = sum("q0" in b.get("text", {}).get("text", "") for b in blocks)
    assert more.startswith(f"…and {400 - shown} more changes")
    assert len(teams.requests[0].body) <= 28 * 1024
    assert "more changes" in json.dumps(teams.accepted[0])
    assert len(webhook.accepted[0]["changes"]) == 400  # a machine reader gets them all


def test_many_changes_become_a_digest(slack: SlackReceiver, webhook: WebhookReceiver) -> None:
    outcomes = deliver(many(60), [f"slack+{slack.url}",
                                  f"webhook+{webhook.url}?secret={WEBHOOK_SECRET}"], digest=25)
    assert all(o.ok for o in outcomes)
    texts = [b["text"]["text"] for b in slack.accepted[0]["blocks"] if b["type"] == "section"]
    assert "60 changes: a digest" in texts[0]
    assert sorted(texts[1:]) == sorted(["NEW changed aws_sqs_queue: 20",
                                        "NEW changed aws_s3_bucket: 20",
                                        "NEW changed aws_iam_role: 20"])
    document = webhook.accepted[0]
    assert document["digest"] is True
    assert "changes" not in document
    assert sum(g["count"] for g in document["groups"]) == 60


def test_a_set_that_changed_says_what_changed_inside() -> None:
    from cloudrift.model import FieldChange
    from cloudrift.notify.changes import Change, detail_lines

    finding = drift("rules", FindingStatus.NEW).model_copy(update={"changes": [FieldChange(
        path="ingress", expected=[{"from_port": 22}], actual=[{"from_port": 22},
                                                             {"from_port": 443}],
        added=[{"from_port": 443}])]})
    lines = detail_lines(Change("new", finding))
    assert lines[:2] == ["ingress: 1 added", "  + {from_port: 443}"]
