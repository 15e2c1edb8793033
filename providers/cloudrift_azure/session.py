"""Azure Resource Manager clients for one scan: credentials, endpoint, throttling, call counting.

One ``AzureContext`` serves one scan. It builds one ``ResourceManagementClient`` per
subscription, all sharing one HTTP session (its pool sized for the scan's parallelism), and
hands out plain JSON dicts. The pipeline is azure-core's usual one with three changes:

- no ``ARMAutoResourceProviderRegistrationPolicy``: it answers a 409 "provider not registered"
  by POSTing a registration, and a scan never writes;
- two policies of ours: one counts every request (``calls``, ``operations``), one reads ARM's
  ``x-ms-ratelimit-remaining-*`` headers and pauses every worker for a moment when the budget
  runs low, before ARM starts answering 429. A 429 itself is retried by azure-core's
  ``RetryPolicy``, which waits as long as ``Retry-After`` says;
- that policy's own backoff is jittered, so that concurrent calls that failed together do not
  retry together.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlparse

import requests
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import (
    ContentDecodePolicy,
    CustomHookPolicy,
    DistributedTracingPolicy,
    HeadersPolicy,
    HTTPPolicy,
    NetworkTraceLoggingPolicy,
    ProxyPolicy,
    RedirectPolicy,
    RequestIdPolicy,
    RetryPolicy,
    SansIOHTTPPolicy,
    SensitiveHeaderCleanupPolicy,
    UserAgentPolicy,
)
from azure.core.pipeline.transport import RequestsTransport
from azure.core.rest import HttpRequest
from azure.mgmt.core.exceptions import ARMErrorFormat
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy
from azure.mgmt.resource.resources import ResourceManagementClient

from cloudrift._version import __version__
from cloudrift.errors import ProviderError
from cloudrift.meter import CallMeter
from cloudrift.observed import one_line
from cloudrift_azure import ids

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

Item = dict[str, Any]

PUBLIC_ENDPOINT = "https://management.azure.com"
ACTIVITY_LOG_PATH = (r"/subscriptions/[^/]+/providers/microsoft\.insights/eventtypes/management"
                     r"/values")
ENDPOINT_ENV = "CLOUDRIFT_AZURE_ENDPOINT"

# 401 for a subscription of another tenant; 403 for a role that does not cover the scope
DENIED_CODES = frozenset(
    {
        "AuthorizationFailed",
        "LinkedAuthorizationFailed",
        "Forbidden",
        "InvalidAuthenticationTokenTenant",
        "AuthorizationPermissionMismatch",
        "DisallowedOperation",
    }
)

# what this provider's calls are counted and logged under
LABEL = "azure"


# what one call can fail with, for the caller to report and go on: an answer ARM gave (an error
# status, a body cut short), or none after every retry (the connection dropped once the request
# was sent, the read timed out). Not reaching ARM at all (ServiceRequestError) stops the scan.
CALL_ERRORS: tuple[type[Exception], ...] = (HttpResponseError, ServiceResponseError)


def resolve_endpoint(settings: Mapping[str, Any]) -> str:
    """``settings["azure_endpoint"]``, else ``$CLOUDRIFT_AZURE_ENDPOINT``, else public Azure."""
    endpoint = settings.get("azure_endpoint") or os.environ.get(ENDPOINT_ENV) or PUBLIC_ENDPOINT
    return str(endpoint).rstrip("/")


def error_code(exc: BaseException) -> str:
    """ARM's error code (``AuthorizationFailed``), else ``HTTP <status>``, else the class name."""
    if isinstance(exc, HttpResponseError):
        error = getattr(exc, "error", None)
        code = getattr(error, "code", None)
        if code:
            return str(code)
        if exc.status_code:
            return f"HTTP {exc.status_code}"
    return type(exc).__name__


def status_of(exc: BaseException) -> int | None:
    return exc.status_code if isinstance(exc, HttpResponseError) else None


def is_denied(exc: BaseException) -> bool:
    return status_of(exc) in (401, 403) or error_code(exc) in DENIED_CODES


def is_not_found(exc: BaseException) -> bool:
    return status_of(exc) == 404


def operation_name(method: str, url: str) -> str:
    """A stable name for what a request does, for the report's call counts."""
    path = urlparse(url).path.rstrip("/")
    lowered = path.lower()
    if lowered == "/subscriptions":
        return "subscriptions.list"
    if re.fullmatch(r"/subscriptions/[^/]+/resources", lowered):
        return "resources.list"
    if re.fullmatch(r"/subscriptions/[^/]+/resourcegroups", lowered):
        return "resource_groups.list"
    if re.fullmatch(r"/subscriptions/[^/]+/resourcegroups/[^/]+/resources", lowered):
        return "resources.list_by_resource_group"
    if lowered == "/providers/microsoft.resourcegraph/resources":
        return "resourcegraph.resources"
    if re.fullmatch(ACTIVITY_LOG_PATH, lowered):
        return "activity_logs.list"
    if method.upper() == "GET":
        arm_type = ids.arm_type_of(path)
        if arm_type is None and (listed := ids.arm_type_of(path + "/-")):
            # a collection below a subscription or a resource: a SQL server's databases
            return f"list:{listed}"
        return f"resources.get_by_id:{arm_type or 'unknown'}"
    return f"{method.upper()} {path}"


class _CountingPolicy(SansIOHTTPPolicy[Any, Any]):
    """Counts each logical request once (it sits before the retry policy)."""

    def __init__(self, context: AzureContext) -> None:
        super().__init__()
        self._context = context

    def on_request(self, request: PipelineRequest[Any]) -> None:
        http = request.http_request
        self._context.record(http.method, http.url)


_REMAINING = re.compile(r"^x-ms-ratelimit-remaining-")


def remaining_budget(headers: Mapping[str, str]) -> int | None:
    """The lowest remaining read budget any ``x-ms-ratelimit-remaining-*`` header reports.

    Write and delete budgets do not concern a scan. Compute's per-policy header
    (``x-ms-ratelimit-remaining-resource: Microsoft.Compute/GetVM3Min;38,...``) counts too.
    """
    lowest: int | None = None
    for name, value in headers.items():
        lname = name.lower()
        if not _REMAINING.match(lname) or "write" in lname or "delete" in lname:
            continue
        for part in str(value).split(","):
            text = part.rsplit(";", 1)[-1].strip()
            if text.lstrip("-").isdigit():
                count = int(text)
                lowest = count if lowest is None else min(lowest, count)
    return lowest


class _JitteredRetryPolicy(RetryPolicy[Any, Any]):
    """azure-core's retry policy, with each backoff drawn from 75-100 % of its step: the stock
    one waits exactly ``factor * 2**n``, so workers that failed together retry together. A
    429's or 503's Retry-After is still waited out as the server says."""

    def get_backoff_time(self, settings: dict[str, Any]) -> float:
        step = super().get_backoff_time(settings)
        return random.uniform(0.75 * step, step) if step > 0 else 0.0


class _RateLimitPolicy(HTTPPolicy[Any, Any]):
    """Pauses every request for ``pause`` seconds once ARM reports ``floor`` reads or fewer
    left, so that a wide scan slows down instead of running into 429s."""

    def __init__(self, context: AzureContext) -> None:
        super().__init__()
        self._context = context

    def send(self, request: PipelineRequest[Any]) -> PipelineResponse[Any, Any]:
        self._context.wait_for_budget()
        response = self.next.send(request)
        remaining = remaining_budget(response.http_response.headers)
        if remaining is not None:
            self._context.note_budget(remaining)
        return response


class AzureContext:
    """What the provider uses to talk to ARM."""

    def __init__(
        self,
        credential: TokenCredential | None = None,
        *,
        endpoint: str = PUBLIC_ENDPOINT,
        connection_verify: bool | str = True,
        parallelism: int = 16,
        retry_total: int = 6,
        retry_backoff_factor: float = 0.8,
        retry_backoff_max: int = 60,
        ratelimit_floor: int | None = None,
        ratelimit_pause: float = 1.0,
        timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        meter: CallMeter | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        # the provider hands its scan's meter over before its first request
        self.meter = meter or CallMeter()
        self._credential = credential
        self.connection_verify = connection_verify
        self.parallelism = parallelism
        self.pauses = 0
        self.lowest_budget: int | None = None
        self._retry = {
            "retry_total": retry_total,
            "retry_backoff_factor": retry_backoff_factor,
            "retry_backoff_max": retry_backoff_max,
        }
        self._floor = ratelimit_floor if ratelimit_floor is not None else max(10, parallelism)
        self._pause = ratelimit_pause
        self._timeout = timeout
        self._sleep = sleep
        self._resume_at = 0.0
        self._lock = threading.Lock()
        self._clients: dict[str, ResourceManagementClient] = {}
        self._graph: Any = None
        self._monitors: dict[str, Any] = {}
        self._session: requests.Session | None = None

    # -- plumbing --------------------------------------------------------------------------

    @property
    def credential(self) -> TokenCredential:
        with self._lock:
            if self._credential is None:
                from azure.identity import DefaultAzureCredential

                self._credential = DefaultAzureCredential()
            return self._credential

    @property
    def calls(self) -> Counter[str]:
        """This context's requests by operation (``resources.list``)."""
        return self.meter.counts(LABEL)

    def record(self, method: str, url: str) -> None:
        self.meter.record(LABEL, operation_name(method, url),
                          detail=f"{method.upper()} {urlparse(url).path}")

    def wait_for_budget(self) -> None:
        with self._lock:
            wait = self._resume_at - time.monotonic()
        if wait > 0:
            self._sleep(wait)

    def note_budget(self, remaining: int) -> None:
        with self._lock:
            if self.lowest_budget is None or remaining < self.lowest_budget:
                self.lowest_budget = remaining
            if remaining <= self._floor and time.monotonic() >= self._resume_at:
                self._resume_at = time.monotonic() + self._pause
                self.pauses += 1

    def _http_session(self) -> requests.Session:
        if self._session is None:
            session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(
                pool_connections=4, pool_maxsize=max(10, self.parallelism)
            )
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            self._session = session
        return self._session

    def _policies(self) -> list[Any]:
        scope = f"{self.endpoint}/.default"
        return [
            RequestIdPolicy(),
            HeadersPolicy(),
            UserAgentPolicy(user_agent=f"cloudrift/{__version__}"),
            ProxyPolicy(),
            ContentDecodePolicy(),
            _CountingPolicy(self),
            RedirectPolicy(),
            _JitteredRetryPolicy(**self._retry),
            ARMChallengeAuthenticationPolicy(self.credential, scope),
            _RateLimitPolicy(self),
            CustomHookPolicy(),
            NetworkTraceLoggingPolicy(),
            DistributedTracingPolicy(),
            SensitiveHeaderCleanupPolicy(),
            ARMHttpLoggingPolicy(),
        ]

    def _transport(self) -> RequestsTransport:
        return RequestsTransport(
            session=self._http_session(), session_owner=False,
            connection_verify=self.connection_verify,
            connection_timeout=self._timeout, read_timeout=self._timeout,
        )

    def client(self, subscription: str) -> ResourceManagementClient:
        key = subscription.lower()
        with self._lock:
            found = self._clients.get(key)
        if found is not None:
            return found
        credential = self.credential
        policies = self._policies()
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                found = ResourceManagementClient(
                    credential, subscription, base_url=self.endpoint,
                    policies=policies, transport=self._transport(),
                )
                self._clients[key] = found
            return found

    def monitor(self, subscription: str) -> Any:
        """azure-mgmt-monitor's client for one subscription (the Activity Log, for
        ``--attribute``), on the same pipeline and HTTP session as the ARM clients."""
        key = subscription.lower()
        with self._lock:
            found = self._monitors.get(key)
        if found is not None:
            return found
        from azure.mgmt.monitor import MonitorManagementClient

        credential = self.credential
        policies = self._policies()
        with self._lock:
            if key not in self._monitors:
                self._monitors[key] = MonitorManagementClient(
                    credential, subscription, base_url=self.endpoint, policies=policies,
                    transport=self._transport(),
                )
            return self._monitors[key]

    def close(self) -> None:
        with self._lock:
            clients: list[Any] = [*self._clients.values(), *self._monitors.values()]
            self._clients = {}
            self._monitors = {}
            if self._graph is not None:
                clients.append(self._graph)
                self._graph = None
            session, self._session = self._session, None
        for client in clients:
            client.close()
        if session is not None:
            session.close()

    # -- calls: every one returns plain JSON, raises azure-core errors as they come --------

    def list_subscriptions(self) -> list[Item]:
        """Every subscription the credential sees in its tenant (``GET /subscriptions``, all
        pages), through azure-mgmt-resource-subscriptions' client on this context's pipeline."""
        from azure.mgmt.resource.subscriptions import SubscriptionClient

        credential = self.credential
        client = SubscriptionClient(credential, base_url=self.endpoint,
                                    policies=self._policies(), transport=self._transport())
        try:
            with _fatal_errors(self.endpoint):
                return [_plain(s) for s in client.subscriptions.list()]
        finally:
            client.close()

    def list_groups(self, subscription: str) -> list[Item]:
        with _fatal_errors(self.endpoint):
            return [_plain(g) for g in self.client(subscription).resource_groups.list()]

    def list_resources(self, subscription: str) -> list[Item]:
        with _fatal_errors(self.endpoint):
            return [_plain(r) for r in self.client(subscription).resources.list()]

    def list_group_resources(self, subscription: str, group: str) -> list[Item]:
        with _fatal_errors(self.endpoint):
            pages = self.client(subscription).resources.list_by_resource_group(group)
            return [_plain(r) for r in pages]

    def get(self, resource_id: str, api_version: str) -> Item:
        subscription = ids.subscription_of(resource_id) or "-"
        with _fatal_errors(self.endpoint):
            body = self.client(subscription).resources.get_by_id(
                resource_id, api_version=api_version, cls=_raw_json
            )
        return dict(body) if isinstance(body, Mapping) else {}

    def list_path(self, subscription: str, path: str, api_version: str) -> list[Item]:
        """Every item of an ARM collection (``<parent id>/databases``,
        ``/subscriptions/<s>/providers/Microsoft.Authorization/roleAssignments``), following
        ``nextLink``: a read the client has no operation for, sent through its pipeline."""
        client = self.client(subscription)
        url: str | None = f"{path}?api-version={quote(api_version)}"
        items: list[Item] = []
        with _fatal_errors(self.endpoint):
            while url:
                response = client.send_request(HttpRequest("GET", url))
                if response.status_code >= 400:
                    kind = _ERRORS.get(response.status_code, HttpResponseError)
                    raise kind(response=response, error_format=ARMErrorFormat)
                body = response.json()
                if not isinstance(body, Mapping):
                    break
                items.extend(dict(v) for v in body.get("value") or [] if isinstance(v, Mapping))
                url = body.get("nextLink") or None
        return items


    # -- Azure Resource Graph: many resources' full payloads in one read-only query -------

    @staticmethod
    def graph_available() -> bool:
        return importlib.util.find_spec("azure.mgmt.resourcegraph") is not None

    def graph_query(self, subscriptions: Sequence[str], query: str, *,
                    page_size: int = 1000) -> list[Item]:
        """Every row of a Resource Graph query (``objectArray`` rows), following
        ``$skipToken``. Needs ``azure-mgmt-resourcegraph``."""
        # imported by name: an optional package, absent from the azure extra
        graph = importlib.import_module("azure.mgmt.resourcegraph")
        models = importlib.import_module("azure.mgmt.resourcegraph.models")

        with self._lock:
            client = self._graph
        if client is None:
            credential = self.credential
            policies = self._policies()
            with self._lock:
                if self._graph is None:
                    self._graph = graph.ResourceGraphClient(
                        credential, base_url=self.endpoint, policies=policies,
                        transport=self._transport(),
                    )
                client = self._graph
        rows: list[Item] = []
        token: str | None = None
        with _fatal_errors(self.endpoint):
            while True:
                response = client.resources(models.QueryRequest(
                    subscriptions=list(subscriptions), query=query,
                    options=models.QueryRequestOptions(skip_token=token, top=page_size,
                                                       result_format="objectArray"),
                ))
                rows.extend(dict(row) for row in response.data or [])
                token = response.skip_token
                if not token:
                    return rows


# what the generated operations raise for these answers (callers tell them by status)
_ERRORS: dict[int, type[HttpResponseError]] = {401: ClientAuthenticationError,
                                               404: ResourceNotFoundError}


def _raw_json(pipeline_response: Any, _deserialized: Any, _headers: Any) -> Any:
    # the payload exactly as ARM sent it: properties keep ARM's own key spelling
    return pipeline_response.http_response.json()


def _plain(model: Any) -> Item:
    if isinstance(model, Mapping):
        as_dict = getattr(model, "as_dict", None)
        return dict(as_dict()) if callable(as_dict) else dict(model)
    return dict(model.as_dict())


@contextmanager
def _fatal_errors(endpoint: str) -> Iterator[None]:
    """Credential and connection failures stop the scan: nothing could be seen."""
    try:
        yield
    except ClientAuthenticationError as exc:
        if exc.response is not None:
            raise  # a 401 from ARM for one subscription: the caller decides
        raise ProviderError(
            f"Azure credentials not available: {one_line(exc)}",
            hint="run `az login`, set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, "
            "or run with a managed identity",
        ) from None
    except ServiceRequestError as exc:
        raise ProviderError(
            f"cannot reach Azure Resource Manager at {endpoint}: {one_line(exc)}",
            hint=f"check the network, or {ENDPOINT_ENV} for another cloud",
        ) from None
