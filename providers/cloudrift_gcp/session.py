"""The Cloud Asset Inventory client: credentials, endpoint, paging, pacing and retries.

One ``GcpSession`` serves one scan. Every page is one ``ListAssets`` request; pages are fetched
one by one (not through the client's pager) so that each request is paced, counted and retried
here, where the published quotas are known:

- ListAssets: 100 requests a minute per consumer project, 800 a minute per organisation
  (https://cloud.google.com/asset-inventory/docs/quota). Requests are paced under both.
- A 429 (raised by the REST transport as ``TooManyRequests``; ``ResourceExhausted`` over gRPC)
  is retried with exponential backoff whose total outlasts one quota minute, honouring the
  server's ``RetryInfo`` delay when it sends one.
- A request that got no complete answer over REST (the connection reset, the deadline passed,
  the body cut short) is retried the same way; past the last attempt it is a
  ``NoAnswerError``, which the provider reports as that scope not listed. A connection that
  cannot be opened at all stops the scan: nothing could be seen.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from google.api_core import exceptions as gexc

from cloudrift.sdk import CallMeter, ConfigError, ProviderError, one_line
from cloudrift_gcp.spec import CONTENT_TYPES

ENDPOINT_ENV = "CLOUDRIFT_GCP_ENDPOINT"
LOGGING_ENDPOINT_ENV = "CLOUDRIFT_GCP_LOGGING_ENDPOINT"
TRANSPORT_ENV = "CLOUDRIFT_GCP_TRANSPORT"
ANONYMOUS_ENV = "CLOUDRIFT_GCP_ANONYMOUS"
SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)

MAX_PAGE_SIZE = 1000  # the API's maximum: fewest requests per scope

# what this provider's calls are counted and logged under
LABEL = "gcp"


@dataclass(frozen=True)
class Quota:
    per_project_minute: int
    per_organization_minute: int


QUOTAS: Mapping[str, Quota] = {
    "ListAssets": Quota(per_project_minute=100, per_organization_minute=800),
    # Cloud Logging's entries.list (--attribute): 60 a minute per project
    "ListLogEntries": Quota(per_project_minute=60, per_organization_minute=60),
}

RETRYABLE = (
    gexc.TooManyRequests,
    gexc.ResourceExhausted,
    gexc.ServiceUnavailable,
    gexc.InternalServerError,
    gexc.GatewayTimeout,
    gexc.BadGateway,
    gexc.DeadlineExceeded,
)


class NoAnswerError(Exception):
    """Every attempt of a request went out and none came back whole (reset, timed out or cut
    short): the caller reports what it was listing as not seen."""


def _transient_transport_error(exc: Exception) -> bool:
    """A REST request that was sent but got no complete answer: worth another attempt.

    A refused or unresolvable connection (or one that could not be opened in time) is not:
    that endpoint cannot be reached at all.
    """
    try:
        import requests
        from urllib3.exceptions import NewConnectionError
    except ImportError:  # pragma: no cover - requests comes with google-auth's transport
        return False
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(exc, requests.exceptions.ConnectionError):
        cause = exc.args[0] if exc.args else None
        return not isinstance(getattr(cause, "reason", cause), NewConnectionError)
    return isinstance(exc, (requests.exceptions.Timeout, requests.exceptions.ChunkedEncodingError,
                            requests.exceptions.ContentDecodingError))


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter (each wait is 75-100 % of its step, so concurrent
    listings spread out). With the defaults the six waits add up to 70-94 s: the per-minute
    quota has refilled before the last attempt."""

    initial: float = 2.0
    multiplier: float = 2.0
    maximum: float = 32.0
    attempts: int = 7

    def delay(self, retry: int, hint: float | None = None,
              rng: Callable[[float, float], float] = random.uniform) -> float:
        step = min(self.maximum, self.initial * self.multiplier ** retry)
        wait = rng(step * 0.75, step)
        return max(wait, hint) if hint is not None else wait


class MinuteWindow:
    """At most ``limit`` calls in any 60-second window (how Google counts per-minute quotas)."""

    def __init__(self, limit: int, clock: Callable[[], float],
                 sleep: Callable[[float], None]) -> None:
        self.limit = limit
        self._clock = clock
        self._sleep = sleep
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._calls and now - self._calls[0] >= 60.0:
                    self._calls.popleft()
                if len(self._calls) < self.limit:
                    self._calls.append(now)
                    return waited
                wait = 60.0 - (now - self._calls[0])
            self._sleep(wait)
            waited += wait


def _retry_hint(exc: gexc.GoogleAPICallError) -> float | None:
    """The server's own advice: a ``google.rpc.RetryInfo`` detail or a Retry-After header."""
    for detail in exc.details or ():
        delay = None
        if isinstance(detail, Mapping) and str(detail.get("@type", "")).endswith("RetryInfo"):
            delay = detail.get("retryDelay")
        elif type(detail).__name__ == "RetryInfo":
            delay = f"{detail.retry_delay.seconds}s"
        if isinstance(delay, str) and delay.endswith("s"):
            try:
                return float(delay[:-1])
            except ValueError:
                pass
    response = getattr(exc, "response", None)
    header = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
    if header:
        try:
            return float(header)
        except ValueError:
            return None
    return None


class GcpSession:
    """What the provider uses to talk to Cloud Asset Inventory."""

    def __init__(
        self,
        client: Any = None,
        *,
        endpoint: str | None = None,
        transport: str | None = None,
        credentials: Any = None,
        anonymous: bool = False,
        project: str | None = None,
        backoff: Backoff = Backoff(),
        page_size: int = MAX_PAGE_SIZE,
        timeout: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        meter: CallMeter | None = None,
        logging_endpoint: str | None = None,
    ) -> None:
        # the provider's scan meter: counts, --verbose log and progress for every call
        self.meter = meter or CallMeter()
        self.endpoint = endpoint
        self.logging_endpoint = logging_endpoint
        self._logging: dict[str, Any] = {}
        self.transport = transport or "rest"
        self.credentials = credentials
        self.anonymous = anonymous
        self.backoff = backoff
        self.page_size = page_size
        self.timeout = timeout
        self.waited = 0.0
        self.retries = 0
        self._client = client
        self._project = project
        self._adc_checked = False
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], MinuteWindow] = {}

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any],
                      meter: CallMeter | None = None) -> GcpSession:
        """Endpoint and transport from the scan settings or the environment (tests and private
        endpoints); credentials from Application Default Credentials."""
        endpoint = settings.get("gcp_endpoint") or os.environ.get(ENDPOINT_ENV) or None
        transport = settings.get("gcp_transport") or os.environ.get(TRANSPORT_ENV) or "rest"
        if transport not in ("rest", "grpc"):
            raise ConfigError(f"GCP transport {transport!r} is not 'rest' or 'grpc'")
        anonymous = bool(settings.get("gcp_anonymous")) or os.environ.get(
            ANONYMOUS_ENV, ""
        ).lower() in ("1", "true", "yes")
        logging_endpoint = (settings.get("gcp_logging_endpoint")
                            or os.environ.get(LOGGING_ENDPOINT_ENV) or None)
        return cls(endpoint=endpoint, transport=transport, anonymous=anonymous, meter=meter,
                   logging_endpoint=logging_endpoint)

    # -- client ----------------------------------------------------------------------------

    def _credentials(self) -> Any:
        if self.credentials is not None:
            return self.credentials
        if self.anonymous:
            from google.auth.credentials import AnonymousCredentials

            return AnonymousCredentials()  # type: ignore[no-untyped-call]
        import google.auth
        from google.auth.exceptions import DefaultCredentialsError

        try:
            credentials, project = google.auth.default(scopes=list(SCOPES))
        except DefaultCredentialsError as exc:
            raise ProviderError(
                f"Google Cloud credentials not found ({one_line(exc)})",
                hint="run `gcloud auth application-default login` or set "
                "GOOGLE_APPLICATION_CREDENTIALS",
            ) from None
        if self._project is None and project:
            self._project = project
        return credentials

    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                from google.cloud import asset_v1

                options: dict[str, Any] = {}
                if self.endpoint:
                    options["api_endpoint"] = self.endpoint
                self._client = asset_v1.AssetServiceClient(
                    credentials=self._credentials(),
                    transport=self.transport,
                    client_options=options or None,
                )
            return self._client

    def logging_client(self, project: str) -> Any:
        """google-cloud-logging's client over its JSON (REST) transport: its generated client
        speaks only gRPC."""
        with self._lock:
            found = self._logging.get(project)
        if found is not None:
            return found
        from google.cloud import logging as cloud_logging

        credentials = self._credentials()
        options = {"api_endpoint": self.logging_endpoint} if self.logging_endpoint else None
        client = cloud_logging.Client(  # type: ignore[no-untyped-call]
            project=project, credentials=credentials, _use_grpc=False, client_options=options)
        with self._lock:
            return self._logging.setdefault(project, client)

    def default_project(self) -> str | None:
        """The project Application Default Credentials name, if any (a scope of last resort)."""
        if self._project is None and not self._adc_checked and not self.anonymous:
            self._adc_checked = True
            try:
                import google.auth

                _, project = google.auth.default(scopes=list(SCOPES))
            except Exception:  # no ADC simply means no default project
                project = None
            self._project = project or None
        return self._project

    # -- calls -----------------------------------------------------------------------------

    def _window(self, key: tuple[str, str], limit: int) -> MinuteWindow:
        with self._lock:
            window = self._windows.get(key)
            if window is None:
                window = MinuteWindow(limit, self._clock, self._sleep)
                self._windows[key] = window
            return window

    def _pace(self, method: str, parent: str) -> None:
        quota = QUOTAS[method]
        waited = self._window(("consumer", method), quota.per_project_minute).acquire()
        if parent.startswith("organizations/"):
            waited += self._window((parent, method), quota.per_organization_minute).acquire()
        with self._lock:
            self.waited += waited

    @property
    def calls(self) -> Counter[str]:
        """This session's calls by method (``ListAssets``)."""
        return self.meter.counts(LABEL)

    def _count(self, method: str, parent: str) -> None:
        self.meter.record(LABEL, method, detail=parent)

    def list_assets(self, parent: str, asset_types: Sequence[str],
                    content_type: str) -> list[dict[str, Any]]:
        """Every asset of ``asset_types`` under ``parent``, all pages, as plain dicts.

        Raises the google-api-core error that ended the listing (after retries) for the caller
        to turn into a warning; raises ``ProviderError`` when Google cannot be used at all.
        """
        from google.cloud import asset_v1

        if content_type not in CONTENT_TYPES:
            raise ValueError(f"unsupported content type {content_type!r}")
        client = self.client()
        request = asset_v1.ListAssetsRequest(
            parent=parent,
            asset_types=list(asset_types),
            content_type=getattr(asset_v1.ContentType, content_type),
            page_size=self.page_size,
        )
        assets: list[dict[str, Any]] = []
        while True:
            page = self._call("ListAssets", parent,
                              lambda: client.list_assets(request=request, retry=None,
                                                         timeout=self.timeout))
            # the pager hands attribute lookups to the page it holds: one page per request here
            assets.extend(asset_v1.Asset.to_dict(a) for a in page.assets)
            token = page.next_page_token
            if not token:
                return assets
            request.page_token = token

    def list_log_entries(self, project: str, request: Mapping[str, Any]) -> dict[str, Any]:
        """One page of Cloud Logging's ``entries.list`` (the JSON body of the REST method),
        paced, counted and retried like every other call here.

        The client's own ``list_entries`` is a generator of entries that hides where one page
        (one request) ends; asked page by page through its JSON connection instead, each
        request is paced under the per-minute quota, counted, and a retry resumes at the page
        that failed.
        """
        client = self.logging_client(project)
        answer = self._call(
            "ListLogEntries", f"projects/{project}",
            lambda: client._connection.api_request(method="POST", path="/entries:list",
                                                   data=dict(request), timeout=self.timeout))
        return dict(answer or {})

    def _call(self, method: str, parent: str, send: Callable[[], Any]) -> Any:
        retry = 0
        while True:
            self._pace(method, parent)
            self._count(method, parent)
            last = retry + 1 >= self.backoff.attempts
            try:
                return send()
            except RETRYABLE as exc:
                if last:
                    raise
                self._back_off(retry, _retry_hint(exc))
            except gexc.Unauthenticated as exc:
                raise ProviderError(
                    f"Google rejected the credentials ({one_line(exc)})",
                    hint="refresh them: `gcloud auth application-default login`",
                ) from None
            except gexc.GoogleAPICallError:
                raise
            except Exception as exc:
                if not _transient_transport_error(exc):
                    raise _fatal(exc, *self._service(method)) from None
                if last:
                    raise NoAnswerError(
                        f"no complete answer after {self.backoff.attempts} attempts "
                        f"({type(exc).__name__}: {one_line(exc)})"
                    ) from None
                self._back_off(retry, None)
            retry += 1

    def _service(self, method: str) -> tuple[str, str]:
        """The API a method belongs to, and where it is reached, for error messages."""
        if method == "ListLogEntries":
            return "Cloud Logging", self.logging_endpoint or "logging.googleapis.com"
        return "Cloud Asset Inventory", self.endpoint or "cloudasset.googleapis.com"

    def _back_off(self, retry: int, hint: float | None) -> None:
        wait = self.backoff.delay(retry, hint)
        with self._lock:
            self.retries += 1
            self.waited += wait
        self._sleep(wait)


def _fatal(exc: Exception, service: str, where: str) -> Exception:
    """Errors below the API (no route, refused token) mean Google cannot be used at all."""
    from google.auth.exceptions import GoogleAuthError

    if isinstance(exc, GoogleAuthError):
        return ProviderError(
            f"Google Cloud credentials could not be used ({one_line(exc)})",
            hint="run `gcloud auth application-default login`",
        )
    try:
        import requests

        if isinstance(exc, requests.exceptions.RequestException):
            return ProviderError(f"cannot reach {service} at {where}: {one_line(exc)}")
    except ImportError:  # pragma: no cover - requests comes with google-auth's transport
        pass
    return exc
