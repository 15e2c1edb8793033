"""A local CloudTrail that serves ``LookupEvents``, which moto does not: the test kit for
``--attribute`` on AWS.

It speaks CloudTrail's wire protocol (JSON 1.1: ``POST /`` with ``X-Amz-Target:
com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents``), so real boto3 talks to
it unchanged: point ``AWS_ENDPOINT_URL_CLOUDTRAIL`` (or a client's ``endpoint_url``) at
``server.endpoint`` while everything else goes to moto. As the service does, it

- keeps events per region (the region is read from the request's SigV4 credential scope) and
  answers newest first, within ``StartTime``/``EndTime``, filtered by at most one lookup
  attribute;
- pages with an opaque ``NextToken`` valid only for the query that produced it, at most
  ``MaxResults`` (1-50, default 50) events a page, or fewer with ``max_page_size``;
- throttles past two requests a second per region (a token bucket, as the published limit),
  with ``ThrottlingException`` in JSON 1.1 form, and on demand (``throttle``, ``deny``);
- records every request, so a test can check what was asked, how fast, and that it only read.

Nothing here is imported by the scanner itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from cloudrift.testing.servers import LocalServer, Request, Response

TARGET_PREFIX = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
CONTENT_TYPE = "application/x-amz-json-1.1"
ACCOUNT = "123456789012"
# LookupEvents: two requests a second per account and region
RATE = 2.0
BURST = 2.0

# lookup attribute -> how it reads an event
_ATTRIBUTES = {
    "EventId": lambda e: [e["EventId"]],
    "EventName": lambda e: [e["EventName"]],
    "ReadOnly": lambda e: [e["ReadOnly"]],
    "Username": lambda e: [e.get("Username", "")],
    "ResourceType": lambda e: [r.get("ResourceType", "") for r in e.get("Resources", [])],
    "ResourceName": lambda e: [r.get("ResourceName", "") for r in e.get("Resources", [])],
    "EventSource": lambda e: [e["EventSource"]],
    "AccessKeyId": lambda e: [e.get("AccessKeyId", "")],
}
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/cloudtrail/aws4_request")


def trail_event(
    name: str,
    resource: str,
    *,
    at: datetime,
    principal: str = f"arn:aws:iam::{ACCOUNT}:user/alice",
    source_ip: str = "203.0.113.7",
    region: str = "us-east-1",
    service: str = "ec2.amazonaws.com",
    resource_type: str = "AWS::EC2::Instance",
    read_only: bool = False,
    error_code: str | None = None,
    request_parameters: Mapping[str, Any] | None = None,
    identity: Mapping[str, Any] | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """One event as LookupEvents returns it (``EventTime`` kept as a datetime here), with its
    full record as the ``CloudTrailEvent`` JSON string, request parameters included."""
    event_id = event_id or str(uuid.uuid4())
    user = principal.rsplit("/", 1)[-1]
    who = dict(identity) if identity is not None else {
        "type": "IAMUser", "principalId": "AIDAEXAMPLEALICE", "arn": principal,
        "accountId": ACCOUNT, "accessKeyId": "AKIAEXAMPLEALICE", "userName": user,
    }
    record: dict[str, Any] = {
        "eventVersion": "1.11",
        "userIdentity": who,
        "eventTime": at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": service,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": source_ip,
        "userAgent": "aws-cli/2.22.0 md/Botocore#1.36.0",
        "requestParameters": dict(request_parameters or {}),
        "responseElements": None,
        "requestID": str(uuid.uuid4()),
        "eventID": event_id,
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }
    if error_code is not None:
        record["errorCode"] = error_code
        record["errorMessage"] = "You are not authorized to perform this operation."
    event: dict[str, Any] = {
        "EventId": event_id,
        "EventName": name,
        "ReadOnly": "true" if read_only else "false",
        "EventTime": at,
        "EventSource": service,
        "Resources": [{"ResourceType": resource_type, "ResourceName": resource}],
        "CloudTrailEvent": json.dumps(record),
    }
    if "userName" in who:
        event["Username"] = who["userName"]
    if "accessKeyId" in who:
        event["AccessKeyId"] = who["accessKeyId"]
    return event


@dataclass
class _Fault:
    code: str
    message: str
    region: str | None
    remaining: int | None


class _Bucket:
    def __init__(self) -> None:
        self.tokens = BURST
        self.updated = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(BURST, self.tokens + (now - self.updated) * RATE)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class CloudTrailServer(LocalServer):
    """CloudTrail's LookupEvents on 127.0.0.1, on a free port, in a thread."""

    def __init__(self, *, max_page_size: int = 50, enforce_rate: bool = True) -> None:
        super().__init__()
        self.max_page_size = max_page_size
        self.enforce_rate = enforce_rate
        self.throttled = 0
        self._events: dict[str, list[dict[str, Any]]] = {}
        self._faults: deque[_Fault] = deque()
        self._buckets: dict[str, _Bucket] = {}
        self._state = threading.Lock()

    # -- content ---------------------------------------------------------------------------

    def reset(self) -> None:
        with self._state:
            self._events.clear()
            self._faults.clear()
            self._buckets.clear()
            self.throttled = 0
        self.reset_counters()

    def add(self, region: str, events: Iterable[Mapping[str, Any]]) -> None:
        with self._state:
            self._events.setdefault(region, []).extend(dict(e) for e in events)

    def throttle(self, *, times: int = 1, region: str | None = None) -> None:
        """The next ``times`` lookups (in ``region``, or any) are throttled."""
        with self._state:
            self._faults.append(_Fault("ThrottlingException", "Rate exceeded", region, times))

    def deny(self, *, times: int | None = None, region: str | None = None) -> None:
        """Lookups (in ``region``, or any) are denied, ``times`` times or always."""
        with self._state:
            self._faults.append(_Fault(
                "AccessDeniedException",
                f"User: arn:aws:iam::{ACCOUNT}:user/scanner is not authorized to perform: "
                "cloudtrail:LookupEvents because no identity-based policy allows the "
                "cloudtrail:LookupEvents action", region, times))

    # -- recorded traffic ------------------------------------------------------------------

    @staticmethod
    def operation(request: Request) -> str:
        target = request.headers.get("x-amz-target", "")
        return target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else target

    @staticmethod
    def region(request: Request) -> str:
        found = _SCOPE.search(request.headers.get("authorization", ""))
        return found.group(1) if found else "us-east-1"

    def lookups(self, region: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if self.operation(r) == "LookupEvents"
                    and (region is None or self.region(r) == region)]

    # -- the protocol ----------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        operation = self.operation(request)
        region = self.region(request)
        if request.method == "POST" and operation == "DescribeTrails":
            # the scan's own listing of aws_cloudtrail: this account has no trail of its own
            # (LookupEvents reads the 90 days of management events every account has)
            return Response.json(200, {"trailList": []},
                                 {"x-amzn-RequestId": str(uuid.uuid4())}, CONTENT_TYPE)
        if request.method != "POST" or operation != "LookupEvents":
            return _error("UnknownOperationException", f"unknown operation {operation!r}")
        fault = self._take_fault(region)
        if fault is not None:
            return _error(fault.code, fault.message)
        if self.enforce_rate and not self._bucket(region).take():
            with self._state:
                self.throttled += 1
            return _error("ThrottlingException", "Rate exceeded")
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return _error("SerializationException", "the request body is not JSON")
        return self._lookup(region, body)

    def _take_fault(self, region: str) -> _Fault | None:
        with self._state:
            for fault in self._faults:
                if fault.region in (None, region):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def _bucket(self, region: str) -> _Bucket:
        with self._state:
            return self._buckets.setdefault(region, _Bucket())

    def _lookup(self, region: str, body: Mapping[str, Any]) -> Response:
        attributes = body.get("LookupAttributes") or []
        if len(attributes) > 1:
            return _error("InvalidLookupAttributesException",
                          "You cannot specify more than one lookup attribute.")
        for attribute in attributes:
            if attribute.get("AttributeKey") not in _ATTRIBUTES:
                return _error("InvalidLookupAttributesException",
                              f"Invalid attribute key: {attribute.get('AttributeKey')}")
        size = body.get("MaxResults", 50)
        if not isinstance(size, int) or not 1 <= size <= 50:
            return _error("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
        start = float(body.get("StartTime", 0))
        end = float(body.get("EndTime", time.time()))
        if start > end:
            return _error("InvalidTimeRangeException",
                          "Start time must be earlier than end time.")
        fingerprint = _fingerprint(region, body)
        offset = 0
        if body.get("NextToken"):
            decoded = _decode(str(body["NextToken"]))
            if decoded is None or decoded[1] != fingerprint:
                return _error("InvalidNextTokenException", "Invalid NextToken.")
            offset = decoded[0]
        with self._state:
            stored = list(self._events.get(region, []))
        selected = [e for e in stored if start <= e["EventTime"].timestamp() <= end
                    and all(str(a.get("AttributeValue")) in _ATTRIBUTES[a["AttributeKey"]](e)
                            for a in attributes)]
        selected.sort(key=lambda e: e["EventTime"], reverse=True)
        size = min(size, self.max_page_size)
        page = selected[offset:offset + size]
        answer: dict[str, Any] = {"Events": [
            {**e, "EventTime": e["EventTime"].timestamp()} for e in page]}
        if offset + size < len(selected):
            answer["NextToken"] = _encode(offset + size, fingerprint)
        return Response.json(200, answer, {"x-amzn-RequestId": str(uuid.uuid4())},
                             CONTENT_TYPE)


def _error(code: str, message: str) -> Response:
    # JSON 1.1 services answer every client error, throttling included, with a 400
    return Response.json(400, {"__type": code, "message": message},
                         {"x-amzn-RequestId": str(uuid.uuid4())}, CONTENT_TYPE)


def _fingerprint(region: str, body: Mapping[str, Any]) -> str:
    kept = {k: v for k, v in body.items() if k not in ("NextToken", "MaxResults")}
    text = json.dumps([region, kept], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _encode(offset: int, fingerprint: str) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{fingerprint}".encode()).decode()


def _decode(token: str) -> tuple[int, str] | None:
    try:
        offset, fingerprint = base64.urlsafe_b64decode(token).decode().split(":", 1)
        return int(offset), fingerprint
    except (ValueError, UnicodeDecodeError):
        return None
