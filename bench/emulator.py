"""moto's server on 127.0.0.1 with every AWS request counted by service and action.

A WSGI middleware (``RequestCounter``) in front of moto's own application tallies what each
client asked, whatever its protocol, so the calls a benchmark reports are the emulator's count,
never a tool's own. ``counting_emulator`` serves it; moto's backends are process-wide, so it
wipes the emulator on entry and on exit.

Behind the counter, moto answers two things as AWS does where it does not on its own
(``cloudrift_aws.testing_emulator.aws_faithful``): ListBuckets gives each bucket's region, and
the tagging index lists ECR repositories. Both judges, terraform and cloudrift, see the same
answers; neither is counted for a call made only because moto leaves something out.
"""

from __future__ import annotations

import io
import re
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# -- counting requests at the emulator --------------------------------------------------------

_SERVICE = re.compile(r"Credential=[^/]*/\d{8}/[^/]*/([^/]+)/")
_READ_ACTIONS = ("Describe", "List", "Get", "Head", "BatchGet")


def _first(values: Mapping[str, list[str]], key: str) -> str | None:
    found = values.get(key)
    return found[0] if found else None


def _form_action(environ: WSGIEnvironment) -> str | None:
    """``Action`` of a query-protocol call (EC2, IAM, SNS, STS) sent as a form body; the body
    is read and put back so that moto still sees it."""
    if not str(environ.get("CONTENT_TYPE", "")).startswith("application/x-www-form-urlencoded"):
        return None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length <= 0:
        return None
    body: bytes = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return _first(parse_qs(body.decode("utf-8", "replace")), "Action")


def call_name(environ: WSGIEnvironment) -> str:
    """``service:Action`` of one AWS request, whatever its protocol: the X-Amz-Target header
    (JSON protocols), an ``Action`` parameter (query protocol), else the method and the
    sub-resource keys of a REST call (``s3:GET /{bucket}?tagging``)."""
    found = _SERVICE.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    service = found.group(1) if found else "unsigned"
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return f"{service}:{str(target).rsplit('.', 1)[-1]}"
    query = parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
    action = _first(query, "Action") or _form_action(environ)
    if action:
        return f"{service}:{action}"
    method = str(environ.get("REQUEST_METHOD", "GET"))
    where = str(environ.get("PATH_INFO", "/"))
    if service == "s3" and where != "/":
        # path-style addressing: the first segment is the bucket, the rest the key
        where = "/{bucket}/{key}" if "/" in where.strip("/") else "/{bucket}"
    keys = "&".join(sorted(query))
    return f"{service}:{method} {where}{'?' + keys if keys else ''}"


def is_read_only(name: str) -> bool:
    action = name.split(":", 1)[-1]
    return action.startswith(("GET ", "HEAD ")) or action.startswith(_READ_ACTIONS)


@dataclass
class Tally:
    """Requests the emulator answered, by ``service:Action``, and the time it spent on them."""

    calls: Counter[str] = field(default_factory=Counter)
    # time with at least one request in moto: with parallel requests, summing each one's
    # duration would count the time they spend waiting for moto's GIL once per request
    busy: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def by_service(self) -> Counter[str]:
        services: Counter[str] = Counter()
        for name, count in self.calls.items():
            services[name.split(":", 1)[0]] += count
        return services

    def writes(self) -> list[str]:
        return sorted(name for name in self.calls if not is_read_only(name))

    def minus(self, earlier: Tally) -> Tally:
        return Tally(self.calls - earlier.calls, self.busy - earlier.busy)


class RequestCounter:
    """WSGI middleware that counts every AWS request passing to moto (not its /moto-api/)."""

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._tally = Tally()
        self._in_flight = 0
        self._busy_since = 0.0

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if str(environ.get("PATH_INFO", "")).startswith("/moto-api/"):
            return self._app(environ, start_response)
        name = call_name(environ)
        with self._lock:
            if not self._in_flight:
                self._busy_since = time.perf_counter()
            self._in_flight += 1
        try:
            return self._app(environ, start_response)
        finally:
            with self._lock:
                self._tally.calls[name] += 1
                self._in_flight -= 1
                if not self._in_flight:
                    self._tally.busy += time.perf_counter() - self._busy_since

    def snapshot(self) -> Tally:
        with self._lock:
            return Tally(Counter(self._tally.calls), self._tally.busy)


@contextmanager
def counting_emulator() -> Iterator[tuple[str, RequestCounter]]:
    """moto's server on 127.0.0.1 behind a ``RequestCounter``; yields (endpoint, counter).

    Built from moto's own WSGI application, as ``ThreadedMotoServer`` builds it, because that
    class offers no hook for a middleware. moto's backends are process-wide, so the emulator is
    wiped on entry and on exit: ``bench_scan`` in the same process must neither leave resources
    in this estate nor find this estate's.
    """
    from cloudrift_aws.testing_emulator import aws_faithful, moto_application, serve

    counter = RequestCounter(aws_faithful(moto_application()))
    with serve(counter) as endpoint:
        reset(endpoint)
        try:
            yield endpoint, counter
        finally:
            reset(endpoint)


def reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", data=b"{}", method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
