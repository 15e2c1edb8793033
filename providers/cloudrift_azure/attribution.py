"""Who changed it, on Azure: the Activity Log, through azure-mgmt-monitor's
``activity_logs.list``.

One query per resource, in its subscription::

    eventTimestamp ge '<90 days ago>' and eventTimestamp le '<now>' and resourceUri eq '<id>'

with ``$select`` naming only the properties read here (the claims and the request body in
``properties`` are never fetched), paged with ``nextLink`` up to ``MAX_PAGES`` pages. The
Activity Log does not document an order, so what was read is sorted here, newest first. Only
writes count: ``operationName`` ending in ``/write`` or ``/delete`` with status
``Succeeded`` (the ``Started``/``Accepted`` records of the same call are dropped).

The calls go through the scan's ARM pipeline (``AzureContext.monitor``): counted, slowed when
ARM's read budget runs low, and a 429 retried after its ``Retry-After`` by azure-core.
Subscriptions are looked up in parallel, one subscription's lookups one after the other.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError

from cloudrift.sdk import (
    WINDOW,
    Attribution,
    AttributionResult,
    ChangeEvent,
    Finding,
    ProviderError,
    failed,
    found,
    iso_utc,
    one_line,
    unknown,
    worker_pool,
)
from cloudrift_azure import ids
from cloudrift_azure.session import AzureContext, error_code, is_denied, status_of

SOURCE = "azure-activity-log"
OPERATION = "activity_logs.list"
MAX_PAGES = 5
SELECT = ",".join(("eventDataId", "eventTimestamp", "caller", "httpRequest", "operationName",
                   "status", "resourceId"))
WRITES = ("/write", "/delete")


def activity_filter(resource_id: str, start: datetime, end: datetime) -> str:
    quoted = resource_id.replace("'", "''")
    return (f"eventTimestamp ge '{iso_utc(start)}' and eventTimestamp le '{iso_utc(end)}' "
            f"and resourceUri eq '{quoted}'")


def change_event(event: Any) -> ChangeEvent | None:
    """The write a record shows (an ``EventData``), or None for anything else."""
    operation = getattr(getattr(event, "operation_name", None), "value", None) or ""
    status = getattr(getattr(event, "status", None), "value", None) or ""
    when = getattr(event, "event_timestamp", None)
    if (not operation.lower().endswith(WRITES) or status.lower() != "succeeded"
            or not isinstance(when, datetime)):
        return None
    request = getattr(event, "http_request", None)
    return ChangeEvent(
        principal=str(getattr(event, "caller", None) or "unknown"),
        time=iso_utc(when),
        source_ip=getattr(request, "client_ip_address", None),
        event_name=operation,
        source=SOURCE,
        event_id=getattr(event, "event_data_id", None),
    )


class ActivityLogAttributor:
    """Attributes Azure findings from their subscriptions' Activity Logs."""

    def __init__(
        self,
        ctx: AzureContext,
        *,
        parallelism: int = 16,
        max_pages: int = MAX_PAGES,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.ctx = ctx
        self.parallelism = parallelism
        self.max_pages = max_pages
        self.now = now

    def attribute(self, findings: Sequence[Finding]) -> AttributionResult:
        end = self.now()
        start = end - WINDOW
        by_subscription: dict[str, list[str]] = defaultdict(list)
        spelling: dict[str, str] = {}
        keys: dict[str, tuple[str, str]] = {}
        answers: dict[str, Attribution] = {}
        for finding in findings:
            subscription = ids.subscription_of(finding.id) or finding.scope.account
            if not finding.id.startswith("/") or not subscription:
                # an import id that is no ARM id (an association's pair of ids): nothing to ask
                answers[finding.fingerprint] = unknown("no resource id to search the Activity "
                                                       "Log for")
                continue
            key = ids.canonical(finding.id)
            spelling.setdefault(key, finding.id)
            keys[finding.fingerprint] = (subscription.lower(), key)
            if key not in by_subscription[subscription.lower()]:
                by_subscription[subscription.lower()].append(key)
        before = self.ctx.calls[OPERATION]
        subscriptions = sorted(by_subscription)
        with worker_pool(max(1, min(self.parallelism, len(subscriptions)))) as pool:
            looked = list(pool.map(
                lambda s: self._subscription(s, [spelling[r] for r in by_subscription[s]],
                                             start, end), subscriptions))
        by_key = {(subscription, resource): attribution
                  for subscription, answered in zip(subscriptions, looked, strict=True)
                  for resource, attribution in answered.items()}
        by_key = {(s, ids.canonical(r)): a for (s, r), a in by_key.items()}
        answers.update({fp: by_key[key] for fp, key in keys.items()})
        made = self.ctx.calls[OPERATION] - before
        return AttributionResult(attributions=answers,
                                 api_calls=Counter({OPERATION: made} if made else {}))

    def _subscription(self, subscription: str, resources: Sequence[str], start: datetime,
                      end: datetime) -> dict[str, Attribution]:
        answers: dict[str, Attribution] = {}
        stop: str | None = None
        for resource in resources:
            if stop is not None:
                answers[resource] = failed(stop)
                continue
            try:
                answers[resource] = self._lookup(subscription, resource, start, end)
            except HttpResponseError as exc:
                code = error_code(exc)
                if is_denied(exc):
                    # the same answer awaits every other lookup in this subscription
                    stop = (f"Microsoft.Insights/eventtypes/values/read denied in subscription "
                            f"{subscription} ({code})")
                    answers[resource] = failed(stop)
                elif status_of(exc) == 429:
                    answers[resource] = failed(f"Activity Log throttled in subscription "
                                               f"{subscription} ({code}) after retries")
                else:
                    answers[resource] = failed(f"Activity Log query failed in subscription "
                                               f"{subscription} ({code})")
            except (ServiceRequestError, ServiceResponseError, ProviderError) as exc:
                stop = f"Activity Log not reachable ({one_line(exc)})"
                answers[resource] = failed(stop)
        return answers

    def _lookup(self, subscription: str, resource: str, start: datetime,
                end: datetime) -> Attribution:
        client = self.ctx.monitor(subscription)
        pages = client.activity_logs.list(filter=activity_filter(resource, start, end),
                                          select=SELECT).by_page()
        events: list[ChangeEvent] = []
        read = 0
        more = False
        for page in pages:
            read += 1
            for record in page:
                event = change_event(record)
                if event is not None:
                    events.append(event)
            if read >= self.max_pages:
                more = pages.continuation_token is not None
                break
        if events:
            return found(events)
        if more:
            return unknown(f"no write event in the first {read} pages of the Activity Log")
        return unknown(f"no write event in {WINDOW.days} days")
