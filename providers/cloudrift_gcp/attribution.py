"""Who changed it, on GCP: the Admin Activity audit logs, through Cloud Logging's
``entries.list``.

One query per resource, in the project it lives in::

    logName="projects/P/logs/cloudaudit.googleapis.com%2Factivity"
    AND (protoPayload.resourceName="<name>" OR ...) AND timestamp>="<90 days ago>"

ordered ``timestamp desc``, paged with ``pageToken`` until ``MAX_EVENTS`` changes are found or
``MAX_PAGES`` pages were read. The Admin Activity log holds only calls that change
configuration, so every entry is a write; entries whose ``protoPayload.status`` carries an
error changed nothing and are dropped, and the two entries of one long-running operation
(``first``, ``last``) count once. Requests are paced under the API's 60 reads a minute (a
quota of the calling project, so one budget for every project looked into) and retried on 429
by the session (``GcpSession.list_log_entries``); projects are looked up in parallel, one
project's lookups one after the other.

Only principal, time, caller IP, method and insert id are read from an entry: its request
may hold secrets and is never copied.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from google.api_core import datetime_helpers
from google.api_core import exceptions as gexc

from cloudrift.sdk import (
    MAX_EVENTS,
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
    window_start,
    worker_pool,
)
from cloudrift_gcp.session import GcpSession, NoAnswerError

SOURCE = "gcp-audit-log"
ACTIVITY_LOG = "cloudaudit.googleapis.com%2Factivity"
PAGE_SIZE = 50
MAX_PAGES = 3
METHOD = "ListLogEntries"

# types whose import id is not the name their service logs them under
AUDIT_NAMES: Mapping[str, str] = {
    "google_storage_bucket": "projects/_/buckets/{id}",
}


def audit_names(finding: Finding) -> tuple[str, ...]:
    """The ``protoPayload.resourceName`` values a change of this resource is logged under."""
    names = [finding.id]
    template = AUDIT_NAMES.get(finding.type)
    if template is not None:
        names.append(template.format(id=finding.id))
    return tuple(dict.fromkeys(names))


def entry_filter(project: str, names: Sequence[str], start: datetime) -> str:
    resources = " OR ".join(f"protoPayload.resourceName={json.dumps(n)}" for n in names)
    return (f'logName="projects/{project}/logs/{ACTIVITY_LOG}" AND ({resources}) '
            f'AND timestamp>="{iso_utc(start)}"')


def change_event(entry: Mapping[str, Any]) -> ChangeEvent | None:
    """The change an audit entry records, or None for a failed call or an unreadable entry."""
    payload = entry.get("protoPayload")
    if not isinstance(payload, Mapping):
        return None
    status = payload.get("status") or {}
    if isinstance(status, Mapping) and status.get("code"):
        return None
    method = payload.get("methodName")
    stamp = entry.get("timestamp")
    if not method or not isinstance(stamp, str):
        return None
    try:
        when = datetime_helpers.from_rfc3339(stamp)  # type: ignore[no-untyped-call]
    except ValueError:
        return None
    authentication = payload.get("authenticationInfo") or {}
    metadata = payload.get("requestMetadata") or {}
    principal = (authentication.get("principalEmail") or authentication.get("principalSubject")
                 or "unknown")
    return ChangeEvent(
        principal=str(principal),
        time=iso_utc(when),
        source_ip=metadata.get("callerIp"),
        event_name=str(method),
        source=SOURCE,
        event_id=entry.get("insertId"),
    )


class AuditLogAttributor:
    """Attributes GCP findings from their projects' Admin Activity audit logs."""

    def __init__(
        self,
        session: GcpSession,
        *,
        parallelism: int = 16,
        max_pages: int = MAX_PAGES,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.session = session
        self.parallelism = parallelism
        self.max_pages = max_pages
        self.now = now

    def attribute(self, findings: Sequence[Finding]) -> AttributionResult:
        start = window_start(self.now())
        by_project: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        keys: dict[str, tuple[str, tuple[str, ...]]] = {}
        answers: dict[str, Attribution] = {}
        for finding in findings:
            project = finding.scope.account or self.session.default_project()
            if not project:
                answers[finding.fingerprint] = unknown("no project to read its audit logs in")
                continue
            names = audit_names(finding)
            keys[finding.fingerprint] = (project, names)
            if names not in by_project[project]:
                by_project[project].append(names)
        before = self.session.calls[METHOD]
        projects = sorted(by_project)
        with worker_pool(max(1, min(self.parallelism, len(projects)))) as pool:
            looked = list(pool.map(lambda p: self._project(p, by_project[p], start), projects))
        by_key = {(project, names): attribution
                  for project, answered in zip(projects, looked, strict=True)
                  for names, attribution in answered.items()}
        answers.update({fp: by_key[key] for fp, key in keys.items()})
        made = self.session.calls[METHOD] - before
        return AttributionResult(attributions=answers,
                                 api_calls=Counter({METHOD: made} if made else {}))

    def _project(self, project: str, resources: Sequence[tuple[str, ...]],
                 start: datetime) -> dict[tuple[str, ...], Attribution]:
        answers: dict[tuple[str, ...], Attribution] = {}
        stop: str | None = None
        for names in resources:
            if stop is not None:
                answers[names] = failed(stop)
                continue
            try:
                answers[names] = self._lookup(project, names, start)
            except (gexc.Forbidden, gexc.PermissionDenied) as exc:
                # the same answer awaits every other lookup in this project
                stop = f"logging.logEntries.list denied in {project} ({_reason(exc)})"
                answers[names] = failed(stop)
            except (gexc.TooManyRequests, gexc.ResourceExhausted):
                answers[names] = failed(f"Cloud Logging quota exhausted in {project} after "
                                        "retries")
            except gexc.GoogleAPICallError as exc:
                answers[names] = failed(f"Cloud Logging entries.list failed in {project} "
                                        f"({_reason(exc)})")
            except (NoAnswerError, ProviderError) as exc:
                stop = f"Cloud Logging not reachable for {project} ({one_line(exc)})"
                answers[names] = failed(stop)
        return answers

    def _lookup(self, project: str, names: Sequence[str], start: datetime) -> Attribution:
        request: dict[str, Any] = {
            "resourceNames": [f"projects/{project}"],
            "filter": entry_filter(project, names, start),
            "orderBy": "timestamp desc",
            "pageSize": PAGE_SIZE,
        }
        events: list[ChangeEvent] = []
        operations: set[str] = set()
        pages = 0
        token: str | None = None
        while pages < self.max_pages:
            if token:
                request["pageToken"] = token
            answer = self.session.list_log_entries(project, request)
            pages += 1
            for entry in answer.get("entries") or []:
                operation = (entry.get("operation") or {}).get("id")
                if operation in operations:
                    continue
                if operation:
                    operations.add(operation)
                event = change_event(entry)
                if event is not None:
                    events.append(event)
            token = answer.get("nextPageToken")
            if len(events) >= MAX_EVENTS or not token:
                break
        if events:
            return found(events)
        if token:
            return unknown(f"no change among the first {pages} pages of audit log read")
        return unknown(f"no write event in {WINDOW.days} days")


def _reason(exc: gexc.GoogleAPICallError) -> str:
    return f"{int(exc.code)} {type(exc).__name__}" if exc.code else type(exc).__name__
