"""A small GCP estate on the local Cloud Asset server, scanned through the fault proxy.

Two projects, each one listing (``ListAssets`` over REST, in pages of ``PAGE_SIZE`` so that a
fault on the Nth call can land on a later page):

``acme-prod``: a bucket and a topic drifted, a network and a key ring in sync, a service
account deleted (missing) and a topic nobody manages (unmanaged);
``acme-shared``: a topic, a service account and a disk in sync. Its topic and service account
share the ``global`` location with ``acme-prod``'s: losing one project must not blur the other
(the deleted service account is still missing when ``acme-shared`` cannot be listed).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.auth.credentials import AnonymousCredentials

from cloudrift.engine import Scan, ScanInput
from cloudrift.model import ScanReport
from cloudrift.sources.tfstate import parse_state
from cloudrift_gcp import Backoff, GcpPlugin, GcpProvider, GcpSession
from cloudrift_gcp.spec import RESOURCE
from cloudrift_gcp.testing import CloudAssetServer
from tests.faults.estate import dumped
from tests.providers.gcp.conftest import (
    FakeSleep,
    GcpCase,
    all_cases,
    make_provider,
    patched,
    project_asset,
    state_document,
)

PROD, PROD_NUMBER = "acme-prod", "314159265358"
SHARED, SHARED_NUMBER = "acme-shared", "577215664901"
SCOPES = (f"projects/{PROD}", f"projects/{SHARED}")
PAGE_SIZE = 3
# every type one RESOURCE listing covers: a failed listing leaves all of them unseen there
LISTED_TYPES = frozenset(s.type for s in GcpPlugin().types().values() if s.content == RESOURCE)

# the client's deadline per request, and the retry budget: a stall costs TIMEOUT per attempt
TIMEOUT = 0.3
BACKOFF = Backoff(initial=0.5, multiplier=2.0, maximum=4.0, attempts=3)


def _case(rtype: str) -> GcpCase:
    return next(c for c in all_cases() if c.type == rtype)


def _moved(document: Any, project: str, number: str) -> Any:
    """The same asset or state, in another project (ids, names, ancestors)."""
    text = json.dumps(document).replace(PROD, project).replace(PROD_NUMBER, number)
    return json.loads(text)


def _changed(case: GcpCase) -> dict[str, Any]:
    change = case.change
    assert change is not None, f"{case.type} has no change to make"
    return patched(case.asset, change["set"])


def _stray_topic() -> dict[str, Any]:
    text = json.dumps(_case("google_pubsub_topic").asset).replace("topics/orders", "topics/stray")
    return dict(json.loads(text))


@dataclass(frozen=True)
class GcpEstate:
    path: Path
    scan_input: ScanInput
    # (type, id) -> project of every managed resource
    projects: Mapping[tuple[str, str], str]


def build_gcp_estate(server: CloudAssetServer, directory: Path) -> GcpEstate:
    """Publish both projects' assets on an emptied server and write the state."""
    server.reset()
    server.max_page_size = 1000
    bucket, topic = _case("google_storage_bucket"), _case("google_pubsub_topic")
    network, ring = _case("google_compute_network"), _case("google_kms_key_ring")
    account, disk = _case("google_service_account"), _case("google_compute_disk")

    server.set_assets(SCOPES[0], [
        project_asset(), _changed(bucket), _changed(topic), network.asset, ring.asset,
        _stray_topic(),
    ])
    server.set_assets(SCOPES[1], [
        _moved(project_asset(), SHARED, SHARED_NUMBER),
        _moved(topic.asset, SHARED, SHARED_NUMBER),
        _moved(account.asset, SHARED, SHARED_NUMBER),
        _moved(disk.asset, SHARED, SHARED_NUMBER),
    ])
    instances = [
        bucket.instance(), topic.instance(), network.instance(), ring.instance(),
        account.instance(),
        topic.instance("shared", _moved(topic.state["attributes"], SHARED, SHARED_NUMBER)),
        account.instance("shared", _moved(account.state["attributes"], SHARED, SHARED_NUMBER)),
        disk.instance("shared", _moved(disk.state["attributes"], SHARED, SHARED_NUMBER)),
    ]
    document = state_document(instances)
    path = directory / "gcp.tfstate"
    path.write_text(json.dumps(document), encoding="utf-8")
    parsed = parse_state(path.read_bytes(), str(path))
    projects = {(i["type"], _state_id(i)): str(i["attributes"]["project"]) for i in instances}
    return GcpEstate(path, ScanInput([parsed]), projects)


def _state_id(instance: Mapping[str, Any]) -> str:
    spec = GcpPlugin().types()[instance["type"]]
    found = spec.state_import_id(instance["attributes"])
    assert found is not None
    return found


def gcp_session(endpoint: str, sleep: FakeSleep | None = None) -> GcpSession:
    """The production session with a short deadline and a small retry budget; waits go to a
    fake clock (the pacing and the backoff are real, the time they take is not)."""
    fake = sleep or FakeSleep()
    return GcpSession(endpoint=endpoint, transport="rest",
                      credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
                      backoff=BACKOFF, page_size=PAGE_SIZE, timeout=TIMEOUT,
                      clock=fake.clock, sleep=fake)


def scan_gcp(estate: GcpEstate, endpoint: str,
             sleep: FakeSleep | None = None) -> tuple[ScanReport, GcpProvider]:
    provider = make_provider(gcp_session(endpoint, sleep), parallelism=2)
    return Scan(estate.scan_input, {"gcp": provider}).run(), provider


# warning codes that mean a scope was not listed at all
FAILURE_CODES = frozenset({"access_denied", "throttled", "api_error", "api_disabled",
                           "scope_not_found"})


def failed_projects(report: ScanReport) -> set[str]:
    """The project scopes coverage shows not listed (``<account>/projects/P`` labels)."""
    return {
        label.rsplit("/projects/", 1)[1]
        for cov in report.coverage for label in cov.failed_scopes if "/projects/" in label
    }


def types_failed_in(report: ScanReport, project: str) -> set[str]:
    return {cov.type for cov in report.coverage
            if any(label.endswith(f"/projects/{project}") for label in cov.failed_scopes)}


def warned_projects(report: ScanReport) -> set[str]:
    return {w.scope.account or "" for w in report.warnings
            if w.code in FAILURE_CODES and w.scope is not None}


def judge_gcp(report: ScanReport, baseline: ScanReport, estate: GcpEstate) -> str:
    """Check the promise every faulted GCP scan keeps, and say which way it kept it.

    One listing per project covers every type, and it is all or nothing: either the report is
    the fault-free one ("same"), or ("partial") the warnings name exactly the projects coverage
    shows not listed, coverage shows every type of theirs failed and each of their managed
    resources not seen, nothing of theirs is reported, every finding of the other projects is
    the baseline's, and the scan is incomplete.
    """
    failed = failed_projects(report)
    assert warned_projects(report) == failed, (
        "the warnings do not name exactly the projects coverage shows not listed"
    )
    if not failed:
        assert dumped(report.findings) == dumped(baseline.findings)
        assert [(w.code, w.message) for w in report.warnings] == [
            (w.code, w.message) for w in baseline.warnings
        ]
        assert report.complete == baseline.complete
        return "same"

    for project in failed:
        assert types_failed_in(report, project) == LISTED_TYPES, project
    unseen: dict[str, int] = {}
    for (rtype, _), project in estate.projects.items():
        if project in failed:
            unseen[rtype] = unseen.get(rtype, 0) + 1
    coverage = {c.type: c for c in report.coverage}
    for rtype, count in unseen.items():
        assert coverage[rtype].not_seen == count, rtype
        assert any(label.startswith(tuple(f"{p}/" for p in failed))
                   for label in coverage[rtype].failed_scopes), rtype
    # every location unit that failed belongs to a project that was not listed
    for cov in report.coverage:
        for label in cov.failed_scopes:
            if "/projects/" not in label:
                assert label.split("/", 1)[0] in failed, (cov.type, label)
    assert dumped(report.findings) == dumped(
        f for f in baseline.findings if f.scope.account not in failed
    ), "the projects that were listed do not show exactly their fault-free findings"
    assert not report.complete, "a project was not listed, yet the scan calls itself complete"
    return "partial"
