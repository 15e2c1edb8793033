"""Notifications: tell the owners when drift changes (docs/notifications.md).

::

    targets = parse_targets(["slack+https://hooks.slack.com/services/…"], os.environ, redactor)
    planned = plan(report, targets, on="change", digest=25, link=url, redactor=redactor)
    outcomes = send(planned)            # never raises; a failure is an Outcome with its error

Targets' secrets are registered with the ``Redactor`` as they are parsed, and every payload is
rendered from the report scrubbed by it, the same report the outputs are written from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from cloudrift.model import ScanReport
from cloudrift.notify.changes import DEFAULT_DIGEST, Notice, build_notice, ci_link
from cloudrift.notify.channel import Channel, Payload
from cloudrift.notify.delivery import Outcome, RetryPolicy, attempt_all
from cloudrift.notify.targets import Target, parse_target
from cloudrift.redact import Redactor
from cloudrift.settings import NOTIFY_ON

__all__ = [
    "DEFAULT_DIGEST",
    "NOTIFY_ON",
    "Notice",
    "Outcome",
    "Planned",
    "RetryPolicy",
    "Target",
    "channel_for",
    "ci_link",
    "dry_run_text",
    "parse_targets",
    "plan",
    "send",
]

log = logging.getLogger("cloudrift.notify")
_MAX_PARALLEL = 8


def channel_for(target: Target) -> Channel:
    from cloudrift.notify.email import EmailChannel
    from cloudrift.notify.pagerduty import PagerDutyChannel
    from cloudrift.notify.slack import SlackChannel
    from cloudrift.notify.teams import TeamsChannel
    from cloudrift.notify.webhook import WebhookChannel

    if target.channel == "apprise":
        from cloudrift.notify.via_apprise import AppriseChannel

        return AppriseChannel(target)
    kinds: dict[str, Callable[[Target], Channel]] = {
        "slack": SlackChannel, "teams": TeamsChannel, "webhook": WebhookChannel,
        "email": EmailChannel, "pagerduty": PagerDutyChannel,
    }
    return kinds[target.channel](target)


def parse_targets(values: Iterable[str], env: Mapping[str, str],
                  redactor: Redactor | None = None) -> list[Target]:
    """Parse each ``--notify`` value and register its secrets with ``redactor``."""
    targets = []
    for value in values:
        target = parse_target(value, env)
        if redactor is not None:
            redactor.add(target.secrets)
        targets.append(target)
    return targets


@dataclass(frozen=True)
class Planned:
    target: Target
    channel: Channel
    payloads: tuple[Payload, ...]


def plan(report: ScanReport, targets: Sequence[Target], *, on: str = "change",
         digest: int = DEFAULT_DIGEST, link: str | None = None,
         redactor: Redactor | None = None) -> list[Planned]:
    """The payloads each target would get; none at all when there is nothing to say."""
    from cloudrift.report import _scrubbed

    notice = build_notice(_scrubbed(report, redactor), on=on, digest=digest, link=link)
    if notice is None or not targets:
        return []
    planned = []
    for target in targets:
        channel = channel_for(target)
        planned.append(Planned(target, channel, tuple(channel.render(notice))))
    return planned


def _send_one(item: Planned, policy: RetryPolicy) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for n, payload in enumerate(item.payloads):

        def attempt(payload: Payload = payload) -> None:
            item.channel.deliver(payload, policy.timeout)

        outcome = attempt_all(attempt, policy, target=item.target.shown, label=payload.label)
        if outcome.ok:
            log.info("notified %s (%s)", item.target.shown, payload.label)
        outcomes.append(outcome)
        left = len(item.payloads) - n - 1
        if outcome.target_down and left:
            # a dead or refusing target would cost every remaining payload its full retries
            more = f"{left} more notification{'s' * (left != 1)}"
            outcomes.append(Outcome(item.target.shown, more, ok=False, attempts=0,
                                    error="not sent: an earlier notification to this target "
                                    "failed", target_down=True))
            break
    return outcomes


def send(planned: Sequence[Planned], policy: RetryPolicy | None = None,
         redactor: Redactor | None = None) -> list[Outcome]:
    """Deliver every payload, targets in parallel, each target's payloads in order. Never
    raises: a failure is an ``Outcome`` whose error names no secret."""
    policy = policy or RetryPolicy()
    if not planned:
        return []
    with ThreadPoolExecutor(max_workers=min(_MAX_PARALLEL, len(planned)),
                            thread_name_prefix="cloudrift-notify") as pool:
        results = list(pool.map(lambda item: _send_one(item, policy), planned))
    outcomes = [outcome for per_target in results for outcome in per_target]
    if redactor is None:
        return outcomes
    return [Outcome(o.target, o.label, o.ok, o.attempts,
                    redactor.scrub(o.error) if o.error else None, o.target_down)
            for o in outcomes]


def dry_run_text(planned: Sequence[Planned], redactor: Redactor | None = None) -> str:
    """Each payload as it would be sent, under the masked target it would go to."""
    blocks = []
    for item in planned:
        for payload in item.payloads:
            shown = item.channel.show(payload)
            if redactor is not None:
                shown = redactor.scrub(shown)
            blocks.append(f"--- {item.target.shown} ({payload.label})\n{shown}\n")
    return "\n".join(blocks)
