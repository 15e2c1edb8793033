"""A small GCP estate on the local Cloud Asset server, scanned through the fault proxy.

Two projects, each one listing (``ListAssets`` over REST, in pages of ``PAGE_SIZE`` so that a
fault on the Nth call can land on a later page):

``acme-prod``: a bucket and a topic drifted, a network and a key ring in sync, a service
account deleted (missing) and a topic nobody manages (unmanaged);
``acme-shared``: a topic, a service account and a disk in sync, and one in-sync resource of
every other supported type (their fixtures, moved to the project), parts with their parents
(a router's NAT, a zone's record set) and IAM members with the resources whose policy holds them.
Its topic and service account share the ``global`` location with ``acme-prod``'s: losing one
project must not blur the other (the deleted service account is still missing when
``acme-shared`` cannot be listed).

The states manage IAM members, so each project has a second listing, of IAM policies: it can
fail on its own (its members are then not seen, and nothing else), and it fails with the
project's resource listing (the members are named after, and judged against, those resources).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.auth.credentials import AnonymousCredentials

from cloudrift.engine import Scan, ScanInput
from cloudrift.model import ScanReport
from cloudrift.plugin import ScanOptions
from cloudrift.sources.tfstate import StateInstance, parse_state
from cloudrift_gcp import Backoff, GcpPlugin, GcpProvider, GcpSession
from cloudrift_gcp.spec import IAM_POLICY, RESOURCE
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
PAGE_SIZE = 8
# every type one RESOURCE listing covers, and the IAM members the estate manages (read from
# the IAM listing, judged against the resource listing): a failed resource listing leaves all
# of them unseen there, a failed IAM listing the members only
RESOURCE_TYPES = frozenset(s.type for s in GcpPlugin().types().values() if s.content == RESOURCE)
IAM_TYPES = frozenset(s.type for s in GcpPlugin().types().values() if s.content == IAM_POLICY)
LISTED_TYPES = RESOURCE_TYPES | IAM_TYPES
# the types acme-shared holds in the estate of old; every other one joins it from its fixture
SHARED_OF_OLD = frozenset({"google_pubsub_topic", "google_service_account",
                           "google_compute_disk"})

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
    shared = [case for case in all_cases() if case.type not in SHARED_OF_OLD]
    shared_assets: dict[str, dict[str, Any]] = {}
    for asset in [project_asset(), topic.asset, account.asset, disk.asset,
                  *(case.asset for case in shared)]:
        moved = _moved(asset, SHARED, SHARED_NUMBER)
        # a part and its parent may be one asset (a router and its NATs, a bucket and its
        # IAM policy): the asset holds both
        shared_assets[moved["name"]] = {**shared_assets.get(moved["name"], {}), **moved}
    server.set_assets(SCOPES[1], list(shared_assets.values()))
    instances = [
        bucket.instance(), topic.instance(), network.instance(), ring.instance(),
        account.instance(),
        topic.instance("shared", _moved(topic.state["attributes"], SHARED, SHARED_NUMBER)),
        account.instance("shared", _moved(account.state["attributes"], SHARED, SHARED_NUMBER)),
        disk.instance("shared", _moved(disk.state["attributes"], SHARED, SHARED_NUMBER)),
        *(case.instance("shared", _moved(case.state["attributes"], SHARED, SHARED_NUMBER))
          for case in shared),
    ]
    document = state_document(instances)
    path = directory / "gcp.tfstate"
    path.write_text(json.dumps(document), encoding="utf-8")
    parsed = parse_state(path.read_bytes(), str(path))
    return GcpEstate(path, ScanInput([parsed]), _projects(parsed.instances))


def _projects(instances: Sequence[StateInstance]) -> dict[tuple[str, str], str]:
    """The project of every managed resource, as the provider reads it from the states."""
    provider = GcpProvider(GcpPlugin().types(), ScanOptions(),
                           session=GcpSession(credentials=AnonymousCredentials()))  # type: ignore[no-untyped-call]
    desired, _ = provider.desired(instances)
    found = {(r.type, r.id): str(r.scope.account) for r in desired}
    assert "None" not in found.values(), "a resource of the estate has no project"
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
    """The projects coverage shows not listed (failed scopes are labelled ``P/region``)."""
    return {label.split("/", 1)[0] for cov in report.coverage for label in cov.failed_scopes}


def types_failed_in(report: ScanReport, project: str) -> set[str]:
    return {cov.type for cov in report.coverage
            if any(label.split("/", 1)[0] == project for label in cov.failed_scopes)}


def warned_projects(report: ScanReport) -> set[str]:
    return {w.scope.account or "" for w in report.warnings
            if w.code in FAILURE_CODES and w.scope is not None}


def judge_gcp(report: ScanReport, baseline: ScanReport, estate: GcpEstate) -> str:
    """Check the promise every faulted GCP scan keeps, and say which way it kept it.

    Each listing is all or nothing: either the report is the fault-free one ("same"), or
    ("partial") the warnings name exactly the projects coverage shows not listed; in each of
    them either every type failed (its resources were not listed) or the IAM members only (its
    IAM policies were not), and each managed resource of a failed type is not seen; nothing of a
    failed (project, type) is reported, every other finding is the baseline's, and the scan is
    incomplete.
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

    failed_types = {project: types_failed_in(report, project) for project in failed}
    for project, types in failed_types.items():
        assert types in (LISTED_TYPES, IAM_TYPES), (project, sorted(types))
    unseen: dict[str, int] = {}
    for (rtype, _), project in estate.projects.items():
        if rtype in failed_types.get(project, ()):
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
        f for f in baseline.findings
        if f.type not in failed_types.get(f.scope.account or "", ())
    ), "what was listed does not show exactly its fault-free findings"
    assert not report.complete, "a project was not listed, yet the scan calls itself complete"
    return "partial"
