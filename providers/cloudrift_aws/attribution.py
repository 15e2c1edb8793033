"""Who changed it, on AWS: CloudTrail's ``LookupEvents`` (management events, 90 days).

One lookup per resource: ``LookupAttributes=[ResourceName = <import id>]`` in the region the
resource lives in (IAM, Route 53, CloudFront and the other global services log in us-east-1),
newest first, paged with ``NextToken`` until ``MAX_EVENTS`` write events are found or
``MAX_PAGES`` pages were read. A lookup takes one attribute only, so reads are dropped here,
by the event's ``ReadOnly`` field; so are calls that failed (an ``errorCode``): they changed
nothing.

LookupEvents answers two requests a second per account and region. Every HTTP attempt, retries
included, takes a token of the context's (region, cloudtrail) bucket, engaged from the first
call at that rate; botocore retries ``ThrottlingException`` (adaptive mode). Regions are
looked up in parallel, each region's lookups one after the other.

Only principal, time, source IP, event name and id are read from an event: its request
parameters may hold secrets and are never copied.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from cloudrift.sdk import (
    GLOBAL_REGION,
    MAX_EVENTS,
    WINDOW,
    Attribution,
    AttributionResult,
    ChangeEvent,
    Finding,
    failed,
    found,
    iso_utc,
    one_line,
    unknown,
    window_start,
    worker_pool,
)
from cloudrift_aws.session import DENIED_CODES, THROTTLE_CODES, AwsContext, error_code

SOURCE = "cloudtrail"
SERVICE = "cloudtrail"
PAGE_SIZE = 50  # the most LookupEvents returns at once
MAX_PAGES = 4  # per resource: its 200 newest events, reads included


def events_region(region: str, default_region: str) -> str:
    """Where CloudTrail logs a resource's events: global services log in their partition's
    first region."""
    if region != GLOBAL_REGION:
        return region
    if default_region.startswith("cn-"):
        return "cn-north-1"
    if default_region.startswith("us-gov-"):
        return "us-gov-west-1"
    return "us-east-1"


def change_event(raw: Mapping[str, Any]) -> ChangeEvent | None:
    """The write an event records, or None for a read, a failed call or an unreadable event."""
    try:
        record = json.loads(raw.get("CloudTrailEvent") or "{}")
    except ValueError:
        record = {}
    if not isinstance(record, dict):
        record = {}
    read_only = raw.get("ReadOnly", record.get("readOnly"))
    # "true", or no word at all: not a write we can vouch for
    if str(read_only).lower() != "false" or record.get("errorCode"):
        return None
    identity = record.get("userIdentity") or {}
    principal = (identity.get("arn") or identity.get("principalId")
                 or identity.get("invokedBy") or raw.get("Username") or "unknown")
    when = raw.get("EventTime")
    if isinstance(when, datetime):
        time = iso_utc(when)
    elif isinstance(record.get("eventTime"), str):
        time = iso_utc(datetime.fromisoformat(record["eventTime"].replace("Z", "+00:00")))
    else:
        return None
    name = raw.get("EventName") or record.get("eventName")
    if not name:
        return None
    return ChangeEvent(
        principal=str(principal),
        time=time,
        source_ip=record.get("sourceIPAddress"),
        event_name=str(name),
        source=SOURCE,
        event_id=raw.get("EventId") or record.get("eventID"),
    )


class CloudTrailAttributor:
    """Attributes the findings of one AWS account (one ``AwsContext``)."""

    def __init__(
        self,
        ctx: AwsContext,
        default_region: str,
        *,
        parallelism: int = 16,
        max_pages: int = MAX_PAGES,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.ctx = ctx
        self.default_region = default_region
        self.parallelism = parallelism
        self.max_pages = max_pages
        self.now = now

    def attribute(self, findings: Sequence[Finding],
                  arns: Mapping[tuple[str, str], str] | None = None) -> AttributionResult:
        """``arns``: the ARN the state records per (type, import id), looked up when the id
        finds nothing (CloudTrail names some resources by ARN, others by id)."""
        start = window_start(self.now())
        by_region: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        keys: dict[str, tuple[str, tuple[str, ...]]] = {}
        for finding in findings:
            region = events_region(finding.scope.region, self.default_region)
            arn = (arns or {}).get((finding.type, finding.id))
            names = (finding.id, arn) if arn and arn != finding.id else (finding.id,)
            keys[finding.fingerprint] = (region, names)
            if names not in by_region[region]:
                by_region[region].append(names)
        before = Counter(self.ctx.calls)
        regions = sorted(by_region)
        with worker_pool(max(1, min(self.parallelism, len(regions)))) as pool:
            answers = list(pool.map(lambda r: self._region(r, by_region[r], start), regions))
        by_key = {(region, names): attribution
                  for region, answered in zip(regions, answers, strict=True)
                  for names, attribution in answered.items()}
        calls = Counter(self.ctx.calls)
        calls.subtract(before)
        return AttributionResult(
            attributions={fp: by_key[key] for fp, key in keys.items()},
            api_calls=Counter({k: v for k, v in calls.items() if v > 0}),
        )

    def _region(self, region: str, resources: Sequence[tuple[str, ...]],
                start: datetime) -> dict[tuple[str, ...], Attribution]:
        # paced from the first call: the published limit is low enough to be met every time
        self.ctx.limits.bucket("", region, SERVICE).engage()
        answers: dict[tuple[str, ...], Attribution] = {}
        stop: str | None = None
        for names in resources:
            if stop is not None:
                answers[names] = failed(stop)
                continue
            try:
                answers[names] = self._resource(region, names, start)
            except ClientError as exc:
                code = error_code(exc)
                if code in DENIED_CODES:
                    # the same answer awaits every other lookup in this region
                    stop = f"cloudtrail:LookupEvents denied in {region} ({code})"
                    answers[names] = failed(stop)
                elif code in THROTTLE_CODES:
                    answers[names] = failed(f"CloudTrail throttled in {region} ({code}) "
                                            "after retries")
                else:
                    answers[names] = failed(f"CloudTrail LookupEvents failed in {region} "
                                            f"({code})")
            except BotoCoreError as exc:
                stop = f"CloudTrail in {region} not reachable ({one_line(exc)})"
                answers[names] = failed(stop)
        return answers

    def _resource(self, region: str, names: Sequence[str], start: datetime) -> Attribution:
        """The first name (id, then ARN) with write events answers."""
        answer = unknown(f"no write event in {WINDOW.days} days")
        for name in names:
            answer = self._lookup(region, name, start)
            if answer.events:
                return answer
        return answer

    def _lookup(self, region: str, name: str, start: datetime) -> Attribution:
        events: list[ChangeEvent] = []
        token: str | None = None
        pages = read = 0
        while pages < self.max_pages:
            params: dict[str, Any] = {
                "LookupAttributes": [{"AttributeKey": "ResourceName", "AttributeValue": name}],
                "StartTime": start,
                "MaxResults": PAGE_SIZE,
            }
            if token:
                params["NextToken"] = token
            response = self.ctx.call(SERVICE, region, "lookup_events", **params)
            pages += 1
            for raw in response.get("Events") or []:
                read += 1
                event = change_event(raw)
                if event is not None:
                    events.append(event)
            token = response.get("NextToken")
            if len(events) >= MAX_EVENTS or not token:
                break
        if events:
            return found(events)
        if token:
            return unknown(f"no write event among the {read} newest events "
                           f"({pages} pages of CloudTrail read)")
        return unknown(f"no write event in {WINDOW.days} days")
