"""AWS and Azure in one scan: one state file, two clouds, one report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from cloudrift.engine import Scan, read_sources
from cloudrift.model import FindingKind
from cloudrift.plugin import Provider
from cloudrift.report import OutputTarget, render
from cloudrift.sources.uri import open_source
from cloudrift.testing import StateBuilder
from cloudrift_aws.testing import MotoServer
from cloudrift_azure.testing import ArmServer
from tests.providers.aws.cases.sqs import CASES as SQS_CASES
from tests.providers.aws.conftest import Clients
from tests.providers.aws.conftest import make_provider as make_aws_provider
from tests.providers.azure.conftest import AZURERM, load_arm, load_case, make_provider

QUEUE = next(c for c in SQS_CASES if c.type == "aws_sqs_queue")


def test_aws_and_azure_drift_land_in_one_report(
    moto: MotoServer, arm: ArmServer, tmp_path: Path
) -> None:
    clients = Clients(moto.endpoint)
    queue = QUEUE.create(clients)
    QUEUE.change(clients, queue)  # visibility timeout drifts on AWS
    vault = load_case("key_vault")
    load_arm(arm, vault.arm, vault.state)
    arm.patch(vault.arm_id, vault.change["patch"])  # access policy and ACLs drift on Azure
    group = arm.get(f"/subscriptions/{vault.target_id.split('/')[2]}/resourceGroups/rg-drift")
    assert group is not None

    state = StateBuilder().add(QUEUE.type, "orders", queue)
    state.add("azurerm_resource_group", "main", {
        "id": group["id"], "name": group["name"], "location": group["location"],
        "tags": {}, "managed_by": ""}, provider=AZURERM)
    for inst in vault.state:
        state.add(inst["type"], inst["name"], inst["attributes"], provider=AZURERM)
    path = state.write(tmp_path / "mixed.tfstate")

    aws = make_aws_provider(moto.endpoint)
    azure = make_provider(arm)
    providers = {"aws": cast(Provider, aws), "azure": cast(Provider, azure)}
    report = Scan(read_sources([open_source(path)]), providers).run()

    assert report.providers == ["aws", "azure"]
    assert [(f.kind, f.provider, f.type) for f in report.findings] == [
        (FindingKind.CHANGED, "aws", "aws_sqs_queue"),
        (FindingKind.CHANGED, "azure", "azurerm_key_vault"),
    ]
    assert report.summary.managed == 3
    assert report.summary.changed == 2
    assert {c.provider for c in report.coverage} == {"aws", "azure"}
    assert any(k.startswith("aws:") for k in report.api_calls)
    assert any(k.startswith("azure:") for k in report.api_calls)
    assert report.warnings == []
    # one document for both clouds
    rendered = json.loads(render(report, OutputTarget("json", None), color=False))
    assert {f["provider"] for f in rendered["findings"]} == {"aws", "azure"}
