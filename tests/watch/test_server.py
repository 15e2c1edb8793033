"""The watch server over real HTTP: ``/`` with its headers, ``/metrics`` as Prometheus and
OpenMetrics parse it, ``/healthz`` by the loop's state, and what it refuses."""

from __future__ import annotations

import http.client
import json
import socket
from collections import Counter
from collections.abc import Iterator

import pytest
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families

from cloudrift.errors import ConfigError
from cloudrift.model import FindingStatus, ScanReport
from cloudrift.redact import REDACTED, Redactor
from cloudrift.report.html import CONTENT_SECURITY_POLICY
from cloudrift.watch.loop import Finished
from cloudrift.watch.server import WatchServer, parse_listen
from cloudrift.watch.state import Snapshot, WatchState
from tests.report.samples import sample_report

NOW = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(clock: Clock) -> WatchState:
    return WatchState("every 1h", started_at=NOW, clock=clock)


@pytest.fixture
def server(state: WatchState) -> Iterator[WatchServer]:
    served = WatchServer(state, "127.0.0.1", 0).start()
    try:
        yield served
    finally:
        served.stop()


def get(server: WatchServer, path: str, method: str = "GET",
        headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=30)
    try:
        connection.request(method, path, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


def report_with_statuses() -> ScanReport:
    report = sample_report()
    statuses = [FindingStatus.NEW, FindingStatus.KNOWN, FindingStatus.REOPENED]
    findings = [f.model_copy(update={"status": statuses[n % 3]})
                for n, f in enumerate(report.findings)]
    return report.model_copy(update={
        "findings": findings, "scan_id": "42", "resolved": report.findings[:1],
        "api_calls": {"aws:sqs:ListQueues": 2, "aws:sqs:GetQueueAttributes": 5,
                      "aws:ec2:DescribeVpcs": 1},
    })


def finish(state: WatchState, report: ScanReport, clock: Clock, took: float = 2.5,
           code: int = 1) -> Snapshot:
    state.began(clock.now)
    clock.now += took
    snapshot = Snapshot.of(Finished(report, Redactor(), code), clock.now - took, clock.now)
    state.finished(snapshot)
    state.planned(clock.now + 3600 - took, 3600.0)
    return snapshot


def samples(text: str) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    found: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = \
                sample.value
    return found


def test_metrics_before_the_first_scan_say_only_what_is_known(server: WatchServer) -> None:
    status, headers, body = get(server, "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    found = samples(body.decode())
    assert found["cloudrift_scans_total"] == {(("result", r),): 0.0
                                              for r in ("ok", "drift", "error")}
    assert found["cloudrift_scan_in_progress"] == {(): 0.0}
    assert found["cloudrift_info"] == {(("schedule", "every 1h"), ("version", "0.1.0")): 1.0}
    assert "cloudrift_drift_findings" not in found
    assert "cloudrift_last_scan_timestamp_seconds" not in found


def test_metrics_count_the_last_report(server: WatchServer, state: WatchState,
                                       clock: Clock) -> None:
    report = report_with_statuses()
    finish(state, report, clock)
    found = samples(get(server, "/metrics")[2].decode())
    expected = Counter(
        ((("kind", f.kind.value), ("provider", f.provider), ("root_module", f.source or ""),
          ("type", f.type)))
        for f in report.findings
    )
    assert found["cloudrift_drift_findings"] == {k: float(v) for k, v in expected.items()}
    # a finding with no state is unmanaged, and its root module is empty
    assert any(dict(k)["root_module"] == "" and dict(k)["kind"] == "unmanaged"
               for k in found["cloudrift_drift_findings"])
    statuses = Counter(f.status.value for f in report.findings if f.status is not None)
    assert found["cloudrift_drift_status_findings"] == {
        (("status", s),): float(statuses[s]) for s in ("new", "known", "reopened")}
    assert found["cloudrift_drift_resolved"] == {(): 1.0}
    assert found["cloudrift_last_scan_timestamp_seconds"] == {(): NOW + 2.5}
    assert found["cloudrift_last_scan_duration_seconds"] == {(): 2.5}
    assert found["cloudrift_last_scan_exit_code"] == {(): 1.0}
    assert found["cloudrift_coverage_ratio"] == {(): report.summary.coverage}
    assert found["cloudrift_managed_resources"] == {(): float(report.summary.managed)}
    assert found["cloudrift_scans_total"][(("result", "drift"),)] == 1.0
    assert found["cloudrift_last_scan_api_calls"] == {
        (("provider", "aws"), ("service", "ec2")): 1.0,
        (("provider", "aws"), ("service", "sqs")): 7.0,
    }
    assert found["cloudrift_next_scan_timestamp_seconds"] == {(): NOW + 3600.0}


def test_counters_add_up_over_scans_and_fixed_drift_leaves_no_series(
        server: WatchServer, state: WatchState, clock: Clock) -> None:
    finish(state, report_with_statuses(), clock)
    clean = ScanReport(scan_id="43", api_calls={"aws:sqs:ListQueues": 2})
    finish(state, clean, clock, code=0)
    found = samples(get(server, "/metrics")[2].decode())
    assert found.get("cloudrift_drift_findings", {}) == {}
    assert found["cloudrift_scans_total"][(("result", "drift"),)] == 1.0
    assert found["cloudrift_scans_total"][(("result", "ok"),)] == 1.0
    assert found["cloudrift_api_calls_total"] == {
        (("provider", "aws"), ("service", "ec2")): 1.0,
        (("provider", "aws"), ("service", "sqs")): 9.0,
    }


def test_openmetrics_when_asked(server: WatchServer, state: WatchState, clock: Clock) -> None:
    finish(state, report_with_statuses(), clock)
    status, headers, body = get(server, "/metrics",
                                headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert status == 200
    assert headers["Content-Type"].startswith("application/openmetrics-text")
    names = {family.name for family in openmetrics_families(body.decode())}
    # OpenMetrics names a counter family without _total and an info family without _info
    assert {"cloudrift_drift_findings", "cloudrift_scans", "cloudrift"} <= names


def test_metric_labels_are_redacted(server: WatchServer, state: WatchState, clock: Clock) -> None:
    secret = "s3cr3t-t0ken-value"
    report = report_with_statuses()
    findings = [f.model_copy(update={"source": f"tfstate+https://state.example/?token={secret}"})
                if f.source else f for f in report.findings]
    state.began(clock.now)
    state.finished(Snapshot.of(Finished(report.model_copy(update={"findings": findings}),
                                        Redactor([secret]), 1), clock.now, clock.now + 1))
    body = get(server, "/metrics")[2].decode()
    assert secret not in body
    assert "token=" in body


def test_healthz_follows_the_loop(server: WatchServer, state: WatchState, clock: Clock) -> None:
    state.planned(NOW, 3600.0)
    status, headers, body = get(server, "/healthz")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["status"] == "ok"
    finish(state, report_with_statuses(), clock)
    health = json.loads(get(server, "/healthz")[2])
    assert health["last_result"] == "drift"
    assert health["scans"] == {"ok": 0, "drift": 1, "error": 0}
    # the next scan is two periods late: the loop is stuck
    clock.now = state.next_start + 2 * 3600.0 + 1  # type: ignore[operator]
    status, _, body = get(server, "/healthz")
    assert (status, json.loads(body)["status"]) == (503, "stale")
    # a scan that runs for more than two periods is stuck too
    state.began(clock.now)
    clock.now += 2 * 3600.0 - 1
    assert get(server, "/healthz")[0] == 200
    clock.now += 2
    assert get(server, "/healthz")[0] == 503
    state.failed(clock.now, "s3://b/k: access denied")
    state.planned(clock.now + 10, 3600.0)
    status, _, body = get(server, "/healthz")
    assert status == 200
    assert json.loads(body)["last_error"] == "s3://b/k: access denied"
    state.stop()
    status, _, body = get(server, "/healthz")
    assert (status, json.loads(body)["status"]) == (503, "stopping")


def test_short_intervals_allow_a_minute(state: WatchState, clock: Clock) -> None:
    state.planned(NOW, 1.0)
    clock.now = NOW + 59
    assert state.health()[0]
    clock.now = NOW + 61
    assert not state.health()[0]


def test_the_page_before_and_after_the_first_scan(server: WatchServer, state: WatchState,
                                                  clock: Clock) -> None:
    state.began(clock.now)
    status, headers, body = get(server, "/")
    assert status == 503
    assert b"first scan has not finished" in body
    assert int(headers["Refresh"]) >= 1
    snapshot = finish(state, report_with_statuses(), clock)
    status, headers, body = get(server, "/")
    assert status == 200
    assert body == snapshot.html
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Security-Policy"] == \
        f"{CONTENT_SECURITY_POLICY}; frame-ancestors 'none'"
    assert CONTENT_SECURITY_POLICY.encode() in body  # the page's own <meta> says the same
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    # the next scan starts in an hour less the last one's 2.5 s, and takes about as long
    assert int(headers["Refresh"]) == 3600 + 1
    status, headers, body = get(server, "/", method="HEAD")
    assert (status, body) == (200, b"")
    assert int(headers["Content-Length"]) == len(snapshot.html)


def test_the_page_of_a_report_redacts_its_secrets(server: WatchServer, state: WatchState,
                                                  clock: Clock) -> None:
    secret = "hunter2-but-longer"
    report = report_with_statuses()
    findings = [f.model_copy(update={"id": f"{f.id}-{secret}"}) for f in report.findings]
    state.began(clock.now)
    state.finished(Snapshot.of(Finished(report.model_copy(update={"findings": findings}),
                                        Redactor([secret]), 1), clock.now, clock.now + 1))
    body = get(server, "/")[2]
    assert secret.encode() not in body
    # escaped or not, each id shows the marker where the secret was
    assert body.count(REDACTED.encode().replace(b"(", b"").replace(b")", b"")) >= len(findings)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8785", "10.0.0.1"])
def test_a_loopback_server_answers_loopback_names_only(server: WatchServer, host: str) -> None:
    status, _, body = get(server, "/metrics", headers={"Host": host})
    assert status == 421
    assert b"cloudrift" not in body


@pytest.mark.parametrize("host", ["localhost", "localhost:1234", "127.0.0.1:9", "[::1]:80"])
def test_loopback_names_are_answered(server: WatchServer, host: str) -> None:
    assert get(server, "/healthz", headers={"Host": host})[0] == 200


def test_other_methods_and_paths(server: WatchServer) -> None:
    status, headers, _ = get(server, "/metrics", method="POST")
    assert (status, headers["Allow"]) == (405, "GET, HEAD")
    assert get(server, "/favicon.ico")[0] == 404
    assert get(server, "/healthz?verbose=1")[0] == 200


def test_a_port_in_use_is_a_config_error(state: WatchState) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=f"--listen 127.0.0.1:{port}: cannot listen"):
            WatchServer(state, "127.0.0.1", port)
    finally:
        taken.close()


def test_ipv6_loopback(state: WatchState) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        served = WatchServer(state, "::1", 0).start()
    except ConfigError as exc:
        print(f"skipping: {exc}")
        pytest.skip(f"cannot listen on ::1 here: {exc}")
    try:
        assert served.url.startswith("http://[::1]:")
        assert get(served, "/healthz")[0] == 200
    finally:
        served.stop()


@pytest.mark.parametrize(
    ("text", "address"),
    [("127.0.0.1:8785", ("127.0.0.1", 8785)), (":0", ("127.0.0.1", 0)),
     ("[::1]:9000", ("::1", 9000)), ("0.0.0.0:80", ("0.0.0.0", 80))],
)
def test_listen_addresses(text: str, address: tuple[str, int]) -> None:
    assert parse_listen(text) == address


@pytest.mark.parametrize("text", ["8785", "localhost", "host:port", "h:99999"])
def test_bad_listen_addresses(text: str) -> None:
    with pytest.raises(ConfigError, match="is not HOST:PORT"):
        parse_listen(text)
