"""Azure fixtures: the real azure-mgmt-resource client against a local HTTPS ARM server.

One ``ArmServer`` per test session (per xdist worker), wiped between tests. Resource cases come
from the folders under ``fixtures/azure``: ``case.json`` (type, the change to make and the paths
it must show), ``state.json`` (state instances, the compared one first, as the azurerm provider
writes them) and ``arm.json`` (ARM payloads as a GET returns them, the compared one first).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("azure.mgmt.resource", reason="the azure extra is not installed")

from cloudrift.engine import Scan, ScanInput
from cloudrift.model import ScanReport, UnmanagedSearch
from cloudrift.plugin import ScanOptions
from cloudrift.sources.tfstate import parse_state
from cloudrift.testing import StateBuilder
from cloudrift_azure import AzureContext, AzurePlugin, AzureProvider
from cloudrift_azure import ids as arm_ids
from cloudrift_azure.testing import GRAPH_PATH, ArmServer, FakeCredential

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "azure"
AZURERM = "registry.terraform.io/hashicorp/azurerm"
SUB = "2f8a4c5e-7d1b-4e3a-9c6f-0a1b2c3d4e5f"
LOCATION = "westeurope"

Instance = dict[str, Any]


@dataclass(frozen=True)
class AzureCase:
    name: str
    type: str
    description: str
    state: tuple[Instance, ...]
    arm: tuple[dict[str, Any], ...]
    change: Mapping[str, Any]
    # declared fields this fixture's cloud side leaves unknown on purpose
    unknown: tuple[str, ...] = ()

    @property
    def target(self) -> Instance:
        return self.state[0]

    @property
    def target_id(self) -> str:
        """The id as the state spells it (what managed findings carry)."""
        return str(self.target["attributes"]["id"])

    @property
    def arm_id(self) -> str:
        """The id as ARM spells it (what an unmanaged finding carries)."""
        return str(self.arm[0]["id"])

    @property
    def address(self) -> str:
        return f"{self.type}.{self.target['name']}"

    @property
    def changed_paths(self) -> set[str]:
        return set(self.change.get("paths", ()))


def load_cases() -> list[AzureCase]:
    cases = []
    for folder in sorted(p for p in FIXTURES.iterdir() if (p / "case.json").is_file()):
        meta = json.loads((folder / "case.json").read_text(encoding="utf-8"))
        state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        arm = json.loads((folder / "arm.json").read_text(encoding="utf-8"))
        cases.append(AzureCase(folder.name, meta["type"], meta.get("description", ""),
                               tuple(state), tuple(arm), meta.get("change", {}),
                               tuple(meta.get("unknown", ()))))
    return cases


def load_case(name: str) -> AzureCase:
    return next(c for c in load_cases() if c.name == name)


# -- the server ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def arm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArmServer]:
    server = ArmServer(tmp_path_factory.mktemp("arm")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def arm(arm_server: ArmServer) -> ArmServer:
    """The shared server, empty at the start of the test, with the test subscription."""
    arm_server.reset()
    arm_server.add_subscription(SUB)
    return arm_server


def _group_ids(ids: Sequence[str]) -> list[str]:
    groups: list[str] = []
    for resource_id in ids:
        parsed = arm_ids.parse(resource_id)
        if parsed and parsed.resource_group:
            group = f"/subscriptions/{parsed.subscription}/resourceGroups/{parsed.resource_group}"
            if arm_ids.canonical(group) not in {arm_ids.canonical(g) for g in groups}:
                groups.append(group)
    return groups


def _lower_id(value: str) -> str:
    """An ARM id with every fixed segment, namespace and type in lower case (as ARM lists some
    of them), the names as they were."""
    parsed = arm_ids.parse(value)
    if parsed is None:
        return value
    head = (_lower_id(parsed.scope) if parsed.scope else f"/subscriptions/{parsed.subscription}"
            + (f"/resourcegroups/{parsed.resource_group}" if parsed.resource_group else ""))
    if parsed.namespace is None:
        return head
    pairs = [f"{t.lower()}/{n}" for t, n in zip(parsed.types, parsed.names, strict=True)]
    return "/".join([head, "providers", parsed.namespace.lower(), *pairs])


def lower_case_ids(payload: Any) -> Any:
    """A payload with every ARM id in it spelt in lower case (names kept)."""
    if isinstance(payload, str):
        return _lower_id(payload) if payload.lower().startswith("/subscriptions/") else payload
    if isinstance(payload, list):
        return [lower_case_ids(v) for v in payload]
    if isinstance(payload, Mapping):
        return {k: lower_case_ids(v) for k, v in payload.items()}
    return payload


def load_arm(server: ArmServer, payloads: Sequence[Mapping[str, Any]],
             state: Sequence[Instance] = ()) -> None:
    """Put payloads into the server: resource groups first (those only referenced get
    ``westeurope``), then parents before their children."""
    ordered = sorted(payloads, key=lambda p: len(arm_ids.canonical(str(p["id"])).split("/")))
    for payload in ordered:
        if len(arm_ids.canonical(str(payload["id"])).split("/")) == 5:
            server.put(payload)
    referenced = [str(p["id"]) for p in payloads] + [str(i["attributes"]["id"]) for i in state]
    for group in _group_ids(referenced):
        if server.get(group) is None:
            parts = [p for p in group.split("/") if p]
            server.put_group(parts[1], parts[3], LOCATION)
    for payload in ordered:
        if len(arm_ids.canonical(str(payload["id"])).split("/")) > 5:
            server.put(payload)


def state_of(instances: Sequence[Instance], server: ArmServer | None = None) -> StateBuilder:
    """A state holding ``instances``, plus (with ``server``) the resource groups they live in
    that the instances do not already declare, as the server has them."""
    builder = StateBuilder()
    declared = {arm_ids.canonical(str(i["attributes"]["id"])) for i in instances}
    for inst in instances:
        builder.add(inst["type"], inst["name"], inst["attributes"], provider=AZURERM,
                    sensitive=inst.get("sensitive"))
    if server is not None:
        ids = [str(i["attributes"]["id"]) for i in instances]
        for n, group in enumerate(_group_ids(ids)):
            if arm_ids.canonical(group) in declared:
                continue
            payload = server.get(group)
            if payload is None:
                continue
            builder.add("azurerm_resource_group", f"rg{n}", {
                "id": group, "name": payload["name"], "location": payload["location"],
                "managed_by": payload.get("managedBy", ""), "tags": payload.get("tags", {}),
                "timeouts": None,
            }, provider=AZURERM)
    return builder


def make_context(server: ArmServer, **kwargs: Any) -> AzureContext:
    settings: dict[str, Any] = {"parallelism": 4, "retry_backoff_factor": 0.05,
                                "ratelimit_pause": 0.05, "ratelimit_floor": 5}
    settings.update(kwargs)
    return AzureContext(FakeCredential(), endpoint=server.endpoint,
                        connection_verify=server.cert_path, **settings)


def make_provider(server: ArmServer, *, settings: Mapping[str, Any] | None = None,
                  context: AzureContext | None = None, strict: bool = False,
                  unmanaged: UnmanagedSearch = "listings") -> AzureProvider:
    options = ScanOptions(strict=strict, parallelism=4, settings=dict(settings or {}),
                          unmanaged=unmanaged)
    return AzureProvider(AzurePlugin().types(), options, context or make_context(server))


ScanFn = Callable[..., ScanReport]


def assert_read_only(server: ArmServer) -> None:
    """Every request the server received was a read: a GET, or Resource Graph's query (a POST
    that only reads)."""
    writes = sorted({f"{r.method} {r.path}" for r in server.requests
                     if r.method != "GET" and not (r.method == "POST"
                                                   and r.path.lower() == GRAPH_PATH)})
    assert not writes, f"a scan made non-read requests: {writes}"


@pytest.fixture
def scan(arm: ArmServer) -> ScanFn:
    """Scan a state (a StateBuilder or a document) against the server."""

    def run(state: StateBuilder | dict[str, Any], *, provider: AzureProvider | None = None,
            strict: bool = False, unmanaged: UnmanagedSearch = "listings") -> ScanReport:
        document = state.document() if isinstance(state, StateBuilder) else state
        parsed = parse_state(json.dumps(document).encode(), "test.tfstate")
        chosen = provider or make_provider(arm, strict=strict, unmanaged=unmanaged)
        try:
            report = Scan(ScanInput([parsed]), {"azure": chosen}, strict=strict,
                          unmanaged=chosen.options.unmanaged).run()
        finally:
            chosen.ctx.close()
        assert_read_only(arm)
        return report

    return run
