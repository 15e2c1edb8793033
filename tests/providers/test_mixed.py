"""AWS, GCP and Azure resources in one state, scanned in one run, make one report."""

from __future__ import annotations

import json
from pathlib import Path

from cloudrift.engine import Scan, read_sources
from cloudrift.model import FindingKind
from cloudrift.sources.uri import open_source
from cloudrift_aws.testing import MotoServer
from cloudrift_azure.testing import ArmServer
from tests.providers.aws.cases.sqs import CASES as SQS_CASES
from tests.providers.aws.conftest import Clients
from tests.providers.aws.conftest import assert_read_only as aws_read_only
from tests.providers.aws.conftest import make_provider as make_aws_provider
from tests.providers.azure import conftest as azure
from tests.providers.azure.conftest import arm, arm_server  # noqa: F401  (fixtures)
from tests.providers.gcp import conftest as gcp_conftest
from tests.providers.gcp.conftest import (  # noqa: F401  (fixtures)
    GcpWorld,
    _no_real_google,
    cloud_asset_server,
    gcp,
)


def test_three_clouds_one_report(moto: MotoServer, gcp: GcpWorld,  # noqa: F811
                                 arm: ArmServer, tmp_path: Path) -> None:  # noqa: F811
    # AWS: a queue whose visibility timeout changed behind Terraform's back
    queue_case = SQS_CASES[0]
    clients = Clients(moto.endpoint)
    queue = queue_case.create(clients)
    queue_case.change(clients, queue)
    # GCP: a topic in sync, a disk deleted by hand
    cases = {c.type: c for c in gcp_conftest.all_cases()}
    topic, disk = cases["google_pubsub_topic"], cases["google_compute_disk"]
    gcp.publish([topic.asset])
    # Azure: a key vault whose access policy changed
    vault = azure.load_case("key_vault")
    azure.load_arm(arm, vault.arm, vault.state)
    arm.patch(vault.arm_id, vault.change["patch"])

    document = gcp_conftest.state_document([topic.instance("events"), disk.instance("data")])
    document["resources"].append({
        "mode": "managed", "type": queue_case.type, "name": "orders",
        "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
        "instances": [{"schema_version": 0, "attributes": queue, "sensitive_attributes": []}],
    })
    azure_state = azure.state_of(vault.state, arm).document()
    document["resources"].extend(azure_state["resources"])
    path = tmp_path / "three.tfstate"
    path.write_text(json.dumps(document))

    aws = make_aws_provider(moto.endpoint)
    google = gcp_conftest.make_provider(gcp_conftest.make_session(gcp.server.endpoint))
    azure_provider = azure.make_provider(arm)
    report = Scan(read_sources([open_source(str(path))]),
                  {"aws": aws, "gcp": google, "azure": azure_provider}).run()

    assert report.providers == ["aws", "azure", "gcp"]
    assert sorted((f.kind.value, f.provider, f.type) for f in report.findings) == sorted([
        (FindingKind.CHANGED.value, "aws", "aws_sqs_queue"),
        (FindingKind.CHANGED.value, "azure", "azurerm_key_vault"),
        (FindingKind.MISSING.value, "gcp", "google_compute_disk"),
    ])
    assert {c.provider for c in report.coverage} == {"aws", "azure", "gcp"}
    assert {name.split(":")[0] for name in report.api_calls} == {"aws", "azure", "gcp"}
    assert not [w for w in report.warnings
                if w.code in ("unsupported_type", "provider_not_scanned")]
    aws_read_only(aws.ctx.operations)
    gcp_conftest.assert_read_only(gcp.server)
    azure.assert_read_only(arm)
