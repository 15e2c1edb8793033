"""GCP integration fixtures: the real google-cloud-asset client (REST transport) against a local
Cloud Asset Inventory server, and scans through the real engine."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials

from cloudrift.engine import Scan, ScanInput
from cloudrift.model import ScanReport, UnmanagedSearch
from cloudrift.plugin import ScanOptions
from cloudrift.sources.tfstate import parse_state
from cloudrift_gcp import Backoff, GcpPlugin, GcpProvider, GcpSession
from cloudrift_gcp.testing import CloudAssetServer, read_only

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "gcp"
PROJECT = "acme-prod"
PROJECT_NUMBER = "314159265358"
SCOPE = f"projects/{PROJECT}"
GOOGLE = "registry.terraform.io/hashicorp/google"


def load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def project_asset() -> dict[str, Any]:
    return dict(load_json(FIXTURES / "project.json"))


def set_path(document: Any, dotted: str, value: Any) -> None:
    """Set ``a.b.0.c`` in a JSON document; an index one past the end appends."""
    steps = dotted.split(".")
    current = document
    for step in steps[:-1]:
        current = current[int(step)] if isinstance(current, list) else current.setdefault(step, {})
    last = steps[-1]
    if isinstance(current, list):
        index = int(last)
        if index == len(current):
            current.append(value)
        else:
            current[index] = value
    else:
        current[last] = value


def patched(asset: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(dict(asset))
    for path, value in changes.items():
        set_path(result, path, value)
    return result


@dataclass(frozen=True)
class GcpCase:
    """One fixture folder: a state instance, the asset that matches it, and its drift."""

    type: str
    state: Mapping[str, Any]
    asset: Mapping[str, Any]
    spec: Mapping[str, Any]

    @property
    def id(self) -> str:
        return str(self.spec["id"])

    @property
    def change(self) -> Mapping[str, Any] | None:
        change = self.spec.get("change")
        return change if isinstance(change, Mapping) else None

    @property
    def unknown_fields(self) -> int:
        return len(self.spec.get("unknown_fields", []))

    def instance(self, name: str = "this", attributes: Mapping[str, Any] | None = None
                 ) -> dict[str, Any]:
        return {
            "type": self.type,
            "name": name,
            "provider": self.state.get("provider", GOOGLE),
            "schema_version": self.state.get("schema_version", 0),
            "sensitive_attributes": self.state.get("sensitive_attributes", []),
            "attributes": dict(attributes if attributes is not None
                               else self.state["attributes"]),
        }


def all_cases() -> list[GcpCase]:
    cases = []
    for folder in sorted((FIXTURES / "types").iterdir()):
        if folder.is_dir():
            cases.append(GcpCase(
                type=folder.name,
                state=load_json(folder / "state.json"),
                asset=load_json(folder / "asset.json"),
                spec=load_json(folder / "case.json"),
            ))
    return cases


def state_document(instances: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A Terraform state (format 4) holding ``instances`` (see ``GcpCase.instance``)."""
    resources = []
    for inst in instances:
        resources.append({
            "mode": "managed",
            "type": inst["type"],
            "name": inst["name"],
            "provider": f'provider["{inst.get("provider", GOOGLE)}"]',
            "instances": [{
                "schema_version": inst.get("schema_version", 0),
                "attributes": inst["attributes"],
                "sensitive_attributes": inst.get("sensitive_attributes", []),
            }],
        })
    return {"version": 4, "terraform_version": "1.11.4", "serial": 3,
            "lineage": str(uuid.uuid4()), "outputs": {}, "resources": resources,
            "check_results": None}


class FakeSleep:
    """Records waits instead of sleeping; time moves on only when asked to wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def make_session(endpoint: str, sleep: FakeSleep | None = None, *,
                 backoff: Backoff | None = None, page_size: int = 1000,
                 project: str | None = None) -> GcpSession:
    fake = sleep or FakeSleep()
    return GcpSession(endpoint=endpoint, transport="rest",
                      credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
                      backoff=backoff or Backoff(), page_size=page_size, timeout=10.0,
                      project=project, clock=fake.clock, sleep=fake)


def make_provider(session: GcpSession, *, scopes: Sequence[str] = (), strict: bool = False,
                  parallelism: int = 4, unmanaged: UnmanagedSearch = "listings") -> GcpProvider:
    options = ScanOptions(strict=strict, parallelism=parallelism,
                          settings={"gcp_scope": tuple(scopes)}, unmanaged=unmanaged)
    return GcpProvider(GcpPlugin().types(), options, session)


def assert_read_only(server: CloudAssetServer) -> None:
    """A scan only lists: every request it made was a GET of ListAssets."""
    assert server.requests, "the scan made no request at all"
    writes = [(r.method, r.path) for r in server.requests if not read_only(r)]
    assert not writes, f"a scan made non-read requests: {writes}"
    others = [r.path for r in server.requests if r not in server.list_calls]
    assert not others, f"a scan called something other than ListAssets: {others}"


@dataclass
class GcpWorld:
    """The local Cloud Asset server, emptied for one test, and a way to scan against it."""

    server: CloudAssetServer
    sleep: FakeSleep = field(default_factory=FakeSleep)
    last_provider: GcpProvider | None = None

    def publish(self, assets: Sequence[Mapping[str, Any]], scope: str = SCOPE,
                with_project: bool = True) -> None:
        self.server.set_assets(scope, [project_asset(), *assets] if with_project else assets)

    def provider(self, *, scopes: Sequence[str] = (), strict: bool = False,
                 backoff: Backoff | None = None, page_size: int = 1000,
                 project: str | None = None, unmanaged: UnmanagedSearch = "listings"
                 ) -> GcpProvider:
        session = make_session(self.server.endpoint, self.sleep, backoff=backoff,
                               page_size=page_size, project=project)
        self.last_provider = make_provider(session, scopes=scopes, strict=strict,
                                           unmanaged=unmanaged)
        return self.last_provider

    def scan(self, instances: Sequence[Mapping[str, Any]], *, scopes: Sequence[str] = (),
             strict: bool = False, backoff: Backoff | None = None, page_size: int = 1000,
             project: str | None = None, unmanaged: UnmanagedSearch = "listings") -> ScanReport:
        document = state_document(instances)
        parsed = parse_state(json.dumps(document).encode(), "gcp.tfstate")
        provider = self.provider(scopes=scopes, strict=strict, backoff=backoff,
                                 page_size=page_size, project=project, unmanaged=unmanaged)
        report = Scan(ScanInput([parsed]), {"gcp": provider}, strict=strict,
                      unmanaged=unmanaged).run()
        assert_read_only(self.server)
        return report


@pytest.fixture(scope="session")
def cloud_asset_server() -> Iterator[CloudAssetServer]:
    with CloudAssetServer() as server:
        yield server


@pytest.fixture
def gcp(cloud_asset_server: CloudAssetServer) -> GcpWorld:
    cloud_asset_server.reset()
    cloud_asset_server.max_page_size = 1000
    return GcpWorld(cloud_asset_server)


@pytest.fixture(autouse=True)
def _no_real_google(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may find real Google credentials or reach a real endpoint."""
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT",
                 "CLOUDSDK_CONFIG", "CLOUDRIFT_GCP_ENDPOINT", "CLOUDRIFT_GCP_TRANSPORT",
                 "CLOUDRIFT_GCP_ANONYMOUS"):
        monkeypatch.delenv(name, raising=False)
    # gcloud's ADC file lives under CLOUDSDK_CONFIG; an empty directory holds none
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    # the metadata server is where ADC looks last: nothing answers on this address, and the
    # probe (NO_GCE_CHECK, read by google-auth at import) is skipped rather than retried
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")
    monkeypatch.setenv("GCE_METADATA_IP", "127.0.0.1:9")
    from google.auth.compute_engine import _metadata

    monkeypatch.setattr(_metadata, "_NO_GCE_CHECK", True)

