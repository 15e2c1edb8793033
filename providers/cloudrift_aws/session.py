"""botocore session, clients per (service, region), call counting and error classification.

One ``AwsContext`` serves one scan. Sessions are not thread-safe but clients are: clients are
created under a lock and then shared by the worker threads.

The session is botocore's, not boto3's: a scan makes client calls only, and ``import boto3``
costs a fifth of a scan's start-up again (s3transfer, multiprocessing) for resources and
transfers it never uses. A boto3 session given by a caller (tests, scripts) works the same.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import botocore.session
import jmespath
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    IncompleteReadError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

from cloudrift.sdk import CallMeter, ProviderError, RateLimits, TokenBucket

if TYPE_CHECKING:
    from cloudrift.sdk import Resource

T = TypeVar("T")

# one INFO line per API call: `scan --verbose` shows them


def _pacer(bucket: TokenBucket) -> Callable[..., None]:
    # a before-send handler must return None, or botocore takes its value for the response
    def pace(**_: Any) -> None:
        bucket.acquire()

    return pace


def _short(headers: Any, body: Any) -> tuple[int, int] | None:
    """(received, announced) when a body is shorter than its Content-Length, else None."""
    if not isinstance(body, (bytes, bytearray)) or headers is None:
        return None
    declared = next((v for k, v in headers.items() if k.lower() == "content-length"), None)
    try:
        expected = int(declared) if declared is not None else -1
    except ValueError:
        return None
    return (len(body), expected) if len(body) < expected else None


def _blank_truncated(response_dict: Any = None, **_: Any) -> None:
    """A before-parse handler: a truncated body is not parsed (a cut XML document would raise
    from the parser, before any retry logic sees it) but read as an empty 502;
    ``_truncation_retry`` then retries the request, or fails it past the last attempt."""
    if isinstance(response_dict, dict) and _short(response_dict.get("headers"),
                                                    response_dict.get("body")):
        response_dict["status_code"] = 502
        response_dict["body"] = b""


def _truncation_retry(max_attempts: int) -> Callable[..., float | None]:
    """A needs-retry handler: a body shorter than its Content-Length is a failed request.

    botocore reads without enforcing the length, and a JSON body cut short parses as a
    harmless-looking document: a listing that lost its items would read as "nothing there" and
    every resource would be reported missing by a scan that believes itself complete. Such a
    response is retried with jittered back-off, and past the last attempt it is an error.
    """

    def check(response: Any = None, attempts: int = 1, **_: Any) -> float | None:
        if not isinstance(response, tuple) or len(response) != 2:
            return None
        http = response[0]
        short = _short(getattr(http, "headers", None), getattr(http, "content", None))
        if short is None:
            return None
        if attempts >= max_attempts:
            raise IncompleteReadError(actual_bytes=short[0], expected_bytes=short[1])
        return float(random.uniform(0, min(2.0, 0.1 * 2**attempts)))

    return check


def _throttle_watch(bucket: TokenBucket) -> Callable[..., None]:
    """A needs-retry handler: the first throttling answer engages the bucket's pacing."""

    def watch(response: Any = None, **_: Any) -> None:
        if not isinstance(response, tuple) or len(response) != 2:
            return
        http, parsed = response
        code = (parsed or {}).get("Error", {}).get("Code") if isinstance(parsed, dict) else None
        if code in THROTTLE_CODES or getattr(http, "status_code", None) == 429:
            bucket.engage()

    return watch

DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "OptInRequired",
        "SubscriptionRequiredException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
    }
)
EXPIRED_CODES = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId",
     "UnrecognizedClientException", "SignatureDoesNotMatch", "AuthFailure"}
)
THROTTLE_CODES = frozenset(
    {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
     "SlowDown", "RequestThrottled", "RequestThrottledException"}
)


# (requests a second, burst) per service, from AWS's published throttling figures: EC2's
# Describe* bucket refills 20/s with a burst of 100; IAM's control plane allows roughly 20/s;
# the rest are conservative figures well below their documented ceilings
PUBLISHED_LIMITS: dict[str, tuple[float, float]] = {
    "ec2": (20.0, 100.0),
    "iam": (15.0, 30.0),
    "sts": (50.0, 100.0),
    "s3": (100.0, 200.0),
    "sqs": (100.0, 200.0),
    "sns": (25.0, 50.0),
    "kms": (50.0, 100.0),
    "dynamodb": (50.0, 100.0),
    "lambda": (15.0, 30.0),
    "rds": (20.0, 40.0),
    "logs": (20.0, 40.0),
    "ecr": (20.0, 40.0),
    # LookupEvents (--attribute): two a second per account and region, no burst
    "cloudtrail": (2.0, 1.0),
}
DEFAULT_LIMIT = (10.0, 20.0)


def error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "ClientError")
    return type(exc).__name__


class AwsContext:
    """What spec enumerators and the runner use to talk to AWS."""

    def __init__(
        self,
        session: Any = None,
        *,
        endpoint_url: str | None = None,
        parallelism: int = 16,
        max_attempts: int = 8,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        meter: CallMeter | None = None,
        label: str = "aws",
    ) -> None:
        # a botocore session, or a boto3 one (``client`` for ``create_client``, ``region_name``)
        self.session: Any = session if session is not None else botocore.session.Session()
        self.endpoint_url = endpoint_url
        # the provider hands its scan's meter over before its first call
        self.meter = meter or CallMeter()
        self.label = label
        self._max_attempts = max_attempts
        self._config = Config(
            retries={"max_attempts": max_attempts, "mode": "adaptive"},
            max_pool_connections=max(10, parallelism * 2),
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            user_agent_extra="cloudrift",
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._memo: dict[str, Any] = {}
        # paced only once a service throttles: botocore's adaptive mode then slows too
        self.limits = RateLimits(PUBLISHED_LIMITS, DEFAULT_LIMIT, engaged=False)
        self._memo_locks: dict[str, threading.Lock] = {}
        # the managed resources of every type by (type, region), set by the provider before it
        # enumerates: types that share one listing must not both claim the same item, and a
        # part's enumerator asks only about the parts of managed parents
        self.managed: Mapping[tuple[str, str], Sequence[Resource]] = {}
        # --unmanaged none: an enumerator that can read its managed items by id does, instead
        # of listing the region (``ec2_common.by_ids``)
        self.managed_only = False

    @property
    def region_name(self) -> str | None:
        """The session's region (AWS_DEFAULT_REGION, the profile's), if it has one."""
        if hasattr(self.session, "region_name"):  # boto3's
            return cast("str | None", self.session.region_name)
        return cast("str | None", self.session.get_config_variable("region"))

    def partition_for(self, region: str) -> str:
        return cast(str, self.session.get_partition_for_region(region))

    def managed_of(self, rtype: str, region: str | None = None) -> Sequence[Resource]:
        """The managed resources of another type in ``region``, or in every region (an
        enumerator is handed its own type's only)."""
        if region is not None:
            return self.managed.get((rtype, region), ())
        return [r for (t, _), found in self.managed.items() if t == rtype for r in found]

    # -- clients ---------------------------------------------------------------------------

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                kwargs: dict[str, Any] = {"region_name": region, "config": self._config}
                if self.endpoint_url:
                    kwargs["endpoint_url"] = self.endpoint_url
                create = getattr(self.session, "create_client", None) or self.session.client
                client = create(service, **kwargs)
                client.meta.events.register("before-parameter-build", self._count)
                # every HTTP attempt, retries included, takes a token of its (region, service)
                bucket = self.limits.bucket("", region, service)
                client.meta.events.register("before-send", _pacer(bucket))
                client.meta.events.register("needs-retry", _throttle_watch(bucket))
                client.meta.events.register("before-parse", _blank_truncated)
                client.meta.events.register(
                    "needs-retry", _truncation_retry(self._max_attempts)
                )
                self._clients[key] = client
            return client

    @property
    def calls(self) -> Counter[str]:
        """This session's calls by ``service:Operation``."""
        return self.meter.counts(self.label)

    @property
    def operations(self) -> list[str]:
        return self.meter.operations(self.label)

    def _count(self, model: Any = None, region_name: str | None = None, **_: Any) -> None:
        if model is None:
            return
        self.meter.record(self.label, f"{model.service_model.service_name}:{model.name}")

    # -- calls -----------------------------------------------------------------------------

    def call(self, service: str, region: str, operation: str, **params: Any) -> dict[str, Any]:
        response: dict[str, Any] = getattr(self.client(service, region), operation)(**params)
        response.pop("ResponseMetadata", None)
        return response

    def shared_call(self, service: str, region: str, operation: str,
                    **params: Any) -> dict[str, Any]:
        """``call``, made once per scan for the same request: a type's detail read and its
        parts' (a topic's attributes, read for the topic and for its policy) share one answer.
        A failure is shared too, rather than asked again."""
        key = f"call:{service}:{region}:{operation}:{sorted(params.items())!r}"
        return self.memo_outcome(key, lambda: self.call(service, region, operation, **params))

    def paginate(
        self, service: str, region: str, operation: str, result: str, **params: Any
    ) -> list[Any]:
        """All items at JMESPath ``result`` across every page of ``operation``."""
        client = self.client(service, region)
        expression = jmespath.compile(result)
        items: list[Any] = []
        if client.can_paginate(operation):
            for page in client.get_paginator(operation).paginate(**params):
                items.extend(expression.search(page) or [])
        else:
            items.extend(expression.search(getattr(client, operation)(**params)) or [])
        return items

    def pages(self, service: str, region: str, operation: str, **params: Any) -> Iterator[Any]:
        client = self.client(service, region)
        yield from client.get_paginator(operation).paginate(**params)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Compute once per scan, even when several threads ask at the same time."""
        with self._lock:
            if key in self._memo:
                return self._memo[key]  # type: ignore[no-any-return]
            lock = self._memo_locks.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                if key in self._memo:
                    return self._memo[key]  # type: ignore[no-any-return]
            value = compute()
            with self._lock:
                self._memo[key] = value
            return value

    def memo_outcome(self, key: str, compute: Callable[[], T]) -> T:
        """Like ``memo``, but a failure is remembered too: each type (and region) that needs
        the same listing would otherwise repeat a denied or throttled call."""

        def attempt() -> tuple[T | None, BaseException | None]:
            try:
                return compute(), None
            except (ClientError, BotoCoreError) as exc:
                return None, exc

        value, error = self.memo(key, attempt)
        if error is not None:
            raise error
        return cast(T, value)

    # -- identity --------------------------------------------------------------------------

    def know_account(self, account: str) -> None:
        """The account these credentials are in, when the caller knows it already (it assumed a
        role named by account): no GetCallerIdentity is spent on it."""
        with self._lock:
            self._memo["sts:account"] = account

    def account_id(self, region: str) -> str:
        def lookup() -> str:
            try:
                identity = self.call("sts", region, "get_caller_identity")
            except (NoCredentialsError, PartialCredentialsError):
                raise ProviderError(
                    "AWS credentials not found",
                    hint="set AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                    "or run inside a role",
                ) from None
            except NoRegionError:
                raise ProviderError("no AWS region configured", hint="pass --region") from None
            except EndpointConnectionError as exc:
                raise ProviderError(f"cannot reach AWS: {exc}") from None
            except ClientError as exc:
                code = error_code(exc)
                if code in EXPIRED_CODES or code in DENIED_CODES:
                    raise ProviderError(
                        f"AWS rejected the credentials ({code})",
                        hint="refresh them (aws sso login, new session token)",
                    ) from None
                raise ProviderError(f"AWS STS GetCallerIdentity failed: {code}") from None
            except BotoCoreError as exc:
                raise ProviderError(f"AWS session error: {exc}") from None
            return str(identity["Account"])

        return self.memo("sts:account", lookup)
