"""A small Azure estate on the local ARM server, scanned through the fault proxy (HTTPS: the
bearer-token policy refuses plain HTTP, so the proxy listens with a certificate of its own).

Subscription ``SUB``, two resource groups:

``rg-drift`` (declared in the state): a virtual network and a storage account drifted (the
account's fields need a GET per resource and its sub-resources), a public IP and a network
security group in sync (a GET each), an identity deleted (missing: read once more by id before
it is called so) and an identity nobody manages (unmanaged); and one of each other way Azure
resources are read: a role assignment (one list per subscription), a key vault secret that
drifted (a list below its vault), a diagnostic setting (a list below each resource it may
extend), a private endpoint whose network interface is its own (read to know which) beside a
managed network interface, a load
balancer rule (inside its load balancer) and a Linux web app (told from a function app by its
kind, its site config a sub-resource);
``rg-shared`` (not declared): a virtual network in sync, with a diagnostic setting.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from azure.core.pipeline.transport import RequestsTransport

from cloudrift.engine import Scan, ScanInput
from cloudrift.model import GLOBAL_REGION, ScanReport
from cloudrift.plugin import ScanOptions
from cloudrift.sources.tfstate import parse_state
from cloudrift_azure import AzureContext, AzurePlugin, AzureProvider
from cloudrift_azure.testing import ArmServer, FakeCredential
from tests.faults.estate import dumped
from tests.providers.azure.conftest import SUB, AzureCase, load_arm, load_case, state_of

GROUPS = ("rg-drift", "rg-shared")
# the per-request deadline and the retry budget: a stall costs TIMEOUT per attempt
TIMEOUT = 0.3
RETRIES = 2
BACKOFF_FACTOR = 0.5
BACKOFF_MAX = 4


def _moved(document: Any, name: str) -> Any:
    """A virtual network case, renamed and moved to rg-shared."""
    text = json.dumps(document).replace("rg-drift", "rg-shared").replace("vnet-core", name)
    return json.loads(text)


# the new kinds of Azure resources, in sync: read by list, inside a parent, by kind
SPREAD = ("role_assignment", "private_endpoint", "network_interface", "lb_rule", "service_plan",
          "linux_web_app")


def _on_shared_network(setting: AzureCase, network: str) -> tuple[dict[str, Any],
                                                                   dict[str, Any]]:
    """The diagnostic setting case's setting, on the shared network instead of its vault."""
    vault = setting.state[1]["attributes"]["id"]
    payload = json.loads(json.dumps(setting.arm[0]))
    payload["id"] = f"{network}/providers/Microsoft.Insights/diagnosticSettings/to-logs"
    instance = json.loads(json.dumps(setting.state[0]).replace(vault, network))
    instance["name"] = "shared"
    return payload, instance


def _stray(case: AzureCase) -> dict[str, Any]:
    text = json.dumps(case.arm[0]).replace("id-api", "id-stray")
    return dict(json.loads(text))


@dataclass(frozen=True)
class AzureEstate:
    path: Path
    scan_input: ScanInput


def build_azure_estate(server: ArmServer, directory: Path) -> AzureEstate:
    """Load both groups into an emptied server, drift them, and write the state."""
    server.reset()
    server.add_subscription(SUB)
    group, vnet = load_case("resource_group"), load_case("virtual_network")
    storage, pip = load_case("storage_account"), load_case("public_ip")
    nsg, identity = load_case("network_security_group"), load_case("user_assigned_identity")
    secret, setting = load_case("key_vault_secret"), load_case("monitor_diagnostic_setting")
    cases = (group, vnet, storage, pip, nsg, identity, secret, setting,
             *(load_case(name) for name in SPREAD))
    shared_arm = [_moved(p, "vnet-shared") for p in vnet.arm]
    shared_state = [_moved(i, "vnet-shared") for i in vnet.state]
    for instance in shared_state:
        instance["name"] = "shared"
    shared_setting = _on_shared_network(setting, shared_arm[0]["id"])

    instances = [i for case in cases for i in case.state] + shared_state
    instances.append(shared_setting[1])
    load_arm(server, [p for case in cases for p in case.arm] + shared_arm + [shared_setting[0]],
             instances)
    server.put(_stray(identity))
    state = state_of(instances, server)
    for case in (vnet, storage, secret):
        server.patch(case.arm_id, case.change["patch"])
    server.delete(identity.arm_id)

    path = Path(state.write(directory / "azure.tfstate"))
    return AzureEstate(path, ScanInput([parse_state(path.read_bytes(), str(path))]))


def azure_context(endpoint: str, cert_path: str, **settings: Any) -> AzureContext:
    """The production context with a short deadline and a small retry budget; its waits
    are the transport's (see ``fake_transport_sleep``)."""
    options: dict[str, Any] = {
        "parallelism": 4, "retry_total": RETRIES, "retry_backoff_factor": BACKOFF_FACTOR,
        "retry_backoff_max": BACKOFF_MAX, "ratelimit_pause": 0.05, "ratelimit_floor": 5,
        "timeout": TIMEOUT,
    }
    options.update(settings)
    return AzureContext(FakeCredential(), endpoint=endpoint, connection_verify=cert_path,
                        **options)


def scan_azure(estate: AzureEstate, endpoint: str, cert_path: str,
               **settings: Any) -> tuple[ScanReport, AzureContext]:
    ctx = azure_context(endpoint, cert_path, **settings)
    provider = AzureProvider(AzurePlugin().types(), ScanOptions(parallelism=4), ctx)
    return Scan(estate.scan_input, {"azure": provider}).run(), ctx


@contextmanager
def fake_transport_sleep() -> Iterator[list[float]]:
    """azure-core's retry policy waits through ``transport.sleep`` (its backoff and a 429's
    Retry-After alike): record those waits instead of spending them."""
    waits: list[float] = []

    def sleep(_: RequestsTransport, seconds: float) -> None:
        waits.append(float(seconds))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RequestsTransport, "sleep", sleep)
        yield waits


# warning codes that mean something was not enumerated at all
FAILURE_CODES = frozenset({"access_denied", "throttled", "api_error"})
# resources were seen, but some of their properties could not be read
DEGRADED_CODES = frozenset({"detail_unavailable"})
GROUP_TYPE = "azurerm_resource_group"

Unit = tuple[str, str]  # (type, resource group)


def _group(label: str) -> str:
    """``<subscription>/<group>`` (a coverage scope) -> the group."""
    return label.rsplit("/", 1)[1]


def failed_units(report: ScanReport) -> set[Unit]:
    return {(cov.type, _group(label)) for cov in report.coverage for label in cov.failed_scopes}


def all_units(report: ScanReport) -> set[Unit]:
    return {(cov.type, _group(label)) for cov in report.coverage
            for label in (*cov.scanned_scopes, *cov.failed_scopes)}


def is_fallback_note(warning: Any) -> bool:
    """The note that the subscription could not be listed whole and its groups were listed
    one by one instead: what those listings missed has warnings of its own."""
    return warning.type is None and "not listed subscription-wide" in warning.message


def named_units(report: ScanReport, universe: set[Unit]) -> set[Unit]:
    """The units of ``universe`` the failure warnings name: a type in a group; a type in every
    group (the resource group list); every type in a group or in every group (a group's
    listing, the subscription's: neither carries the groups' own records, which come from the
    resource group list)."""
    named: set[Unit] = set()
    for warning in report.warnings:
        if warning.code not in FAILURE_CODES or is_fallback_note(warning):
            continue
        group = warning.scope.region if warning.scope else GLOBAL_REGION
        named |= {
            (rtype, g) for rtype, g in universe
            if (warning.type == rtype or (warning.type is None and rtype != GROUP_TYPE))
            and group in (GLOBAL_REGION, g)
        }
    return named


def _key(finding: Any) -> tuple[str, str, str]:
    return (finding.kind.value, finding.type, finding.id)


def judge_azure(report: ScanReport, baseline: ScanReport) -> str:
    """Check the promise every faulted Azure scan keeps, and say which way it kept it.

    Either ("same") the findings are exactly the fault-free ones and so are the warnings (but
    for the note that groups were listed one by one, which loses nothing when every group is
    known), or ("partial") the failure warnings name exactly the (type, group) units coverage
    shows failed, nothing is reported missing in them, every finding is one of the fault-free
    scan's (one in a group whose properties could not all be read may show fewer changed
    fields, or none), every fault-free finding outside those units and groups is there
    unchanged, and the scan is incomplete.
    """
    failed = failed_units(report)
    assert named_units(report, all_units(report)) == failed, (
        "the warnings do not name exactly the types and groups coverage shows failed"
    )
    degraded = {w.scope.region for w in report.warnings
                if w.code in DEGRADED_CODES and w.scope is not None}
    if not failed and not degraded:
        assert dumped(report.findings) == dumped(baseline.findings)
        assert [(w.code, w.message) for w in report.warnings if not is_fallback_note(w)] == [
            (w.code, w.message) for w in baseline.warnings
        ]
        assert report.complete == baseline.complete
        return "same"

    expected = {_key(f): f for f in baseline.findings}
    for finding in report.findings:
        unit = (finding.type, finding.scope.region)
        assert not (finding.kind.value == "missing" and unit in failed), (
            f"{finding.id} reported missing in a unit that was not seen"
        )
        before = expected.get(_key(finding))
        assert before is not None, f"a finding the fault-free scan does not have: {finding}"
        if finding.scope.region in degraded:
            assert {c.path for c in finding.changes} <= {c.path for c in before.changes}
        else:
            assert finding.model_dump() == before.model_dump()
    for key, before in expected.items():
        if (before.type, before.scope.region) in failed or before.scope.region in degraded:
            continue
        assert any(_key(f) == key for f in report.findings), f"lost a finding: {before}"
    assert not report.complete, "part of the cloud was not seen, yet the scan calls itself complete"
    return "partial"
