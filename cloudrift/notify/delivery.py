"""Getting a payload there: timeouts, retries with backoff, ``Retry-After`` honoured.

One attempt is a channel's ``deliver``; it raises ``DeliveryError`` saying whether trying again
can help (429, 5xx, a network error: yes; any other 4xx: no) and how long the service asked to
wait. ``attempt_all`` retries with exponential backoff and full jitter, waits what
``Retry-After`` says (seconds or an HTTP date) unless that is longer than the policy allows, and
never raises: a failure is an ``Outcome`` the caller reports as a warning.
"""

from __future__ import annotations

import random
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from cloudrift._version import __version__

USER_AGENT = f"cloudrift/{__version__}"
_BODY_EXCERPT = 200


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # in all, the first included
    timeout: float = 10.0  # seconds, per attempt (connect and each read)
    backoff: float = 1.0  # the first wait's ceiling; doubled after each failure
    max_backoff: float = 30.0
    max_retry_after: float = 120.0  # a longer Retry-After gives up rather than stall a scan


class DeliveryError(Exception):
    def __init__(self, reason: str, *, retryable: bool, retry_after: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status


# refusals that say the target itself is wrong (its key, its URL), not this one payload
_TARGET_REFUSALS = frozenset({401, 403, 404, 410})


@dataclass(frozen=True)
class Outcome:
    target: str  # the masked form
    label: str  # which payload (a Slack message, a PagerDuty event for fingerprint …)
    ok: bool
    attempts: int
    error: str | None = None
    # the target itself failed (unreachable, refusing us, throttling past the retries):
    # its remaining payloads are not attempted
    target_down: bool = False


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def attempt_all(send: Callable[[], None], policy: RetryPolicy, *, target: str, label: str,
                sleep: Callable[[float], None] = time.sleep,
                jitter: Callable[[], float] = random.random) -> Outcome:
    """Call ``send`` until it succeeds, fails for good, or the attempts run out."""
    last = "not attempted"
    for attempt in range(1, policy.attempts + 1):
        try:
            send()
            return Outcome(target, label, ok=True, attempts=attempt)
        except DeliveryError as exc:
            last = exc.reason
            down = exc.retryable or exc.status in _TARGET_REFUSALS
            if not exc.retryable or attempt == policy.attempts:
                tries = f" after {attempt} attempts" if attempt > 1 else ""
                return Outcome(target, label, ok=False, attempts=attempt,
                               error=f"{last}{tries}", target_down=down)
            if exc.retry_after is not None:
                if exc.retry_after > policy.max_retry_after:
                    return Outcome(target, label, ok=False, attempts=attempt,
                                   error=f"{last}; asked to retry after {exc.retry_after:.0f} s, "
                                   f"more than the {policy.max_retry_after:.0f} s allowed",
                                   target_down=True)
                wait = exc.retry_after
            else:
                ceiling = min(policy.max_backoff, policy.backoff * 2 ** (attempt - 1))
                wait = jitter() * ceiling
            sleep(wait)
        except Exception as exc:  # a failed delivery must never cost the scan its exit code
            return Outcome(target, label, ok=False, attempts=attempt,
                           error=f"unexpected {type(exc).__name__}: {exc}")
    return Outcome(target, label, ok=False, attempts=policy.attempts, error=last)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    text: str


def _excerpt(raw: bytes) -> str:
    text = raw[:_BODY_EXCERPT * 2].decode("utf-8", "replace").strip()
    text = " ".join(text.split())
    return text[:_BODY_EXCERPT]


def post(url: str, body: bytes, headers: Mapping[str, str], timeout: float,
         context: ssl.SSLContext | None = None) -> Answer:
    """POST ``body``; any 2xx is an ``Answer``, anything else a ``DeliveryError``. Messages
    never hold the URL (it is the secret): only the status and the start of the answer."""
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "User-Agent": USER_AGENT, **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            raw = response.read()
            return Answer(response.status, dict(response.headers.items()),
                          raw.decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        raw = exc.read() if exc.fp is not None else b""
        status = exc.code
        said = _excerpt(raw)
        reason = f"HTTP {status}" + (f": {said}" if said else "")
        retryable = status == 429 or status >= 500
        retry_after = parse_retry_after(exc.headers.get("Retry-After")) if exc.headers else None
        raise DeliveryError(reason, retryable=retryable, retry_after=retry_after,
                            status=status) from None
    except urllib.error.URLError as exc:
        raise DeliveryError(f"cannot connect ({_reason(exc.reason)})", retryable=True) from None
    except (TimeoutError, ConnectionError, OSError) as exc:
        raise DeliveryError(f"no answer ({_reason(exc)})", retryable=True) from None


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    if isinstance(reason, TimeoutError) or str(reason) == "timed out":
        return "timed out"
    return str(reason) or type(reason).__name__
