"""AWS and GCP resources in one state, scanned in one run, make one report."""

from __future__ import annotations

import json

from cloudrift.engine import Scan, ScanInput
from cloudrift.model import FindingKind
from cloudrift.sources.tfstate import parse_state
from cloudrift_aws.testing import MotoServer
from tests.providers.aws.cases.sqs import CASES as SQS_CASES
from tests.providers.aws.conftest import Clients, assert_read_only
from tests.providers.aws.conftest import make_provider as make_aws_provider
from tests.providers.gcp import conftest as gcp_conftest
from tests.providers.gcp.conftest import (
    GcpWorld,
    all_cases,
    make_provider,
    make_session,
    state_document,
)

GCP = {case.type: case for case in all_cases()}


def test_one_scan_one_report_for_both_clouds(moto: MotoServer, gcp: GcpWorld) -> None:
    # AWS half: a queue whose visibility timeout was changed behind Terraform's back
    sqs = SQS_CASES[0]
    clients = Clients(moto.endpoint)
    queue = sqs.create(clients)
    sqs.change(clients, queue)
    # GCP half: a topic in sync, a disk deleted by hand
    topic, disk = GCP["google_pubsub_topic"], GCP["google_compute_disk"]
    gcp.publish([topic.asset])

    document = state_document([topic.instance("events"), disk.instance("data")])
    document["resources"].append({
        "mode": "managed", "type": sqs.type, "name": "orders",
        "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
        "instances": [{"schema_version": 0, "attributes": queue, "sensitive_attributes": []}],
    })
    parsed = parse_state(json.dumps(document).encode(), "mixed.tfstate")
    aws = make_aws_provider(moto.endpoint)
    google = make_provider(make_session(gcp.server.endpoint))
    report = Scan(ScanInput([parsed]), {"aws": aws, "gcp": google}).run()

    assert report.providers == ["aws", "gcp"]
    assert sorted((f.kind, f.provider, f.type, f.address) for f in report.findings) == [
        (FindingKind.CHANGED, "aws", "aws_sqs_queue", "aws_sqs_queue.orders"),
        (FindingKind.MISSING, "gcp", "google_compute_disk", "google_compute_disk.data"),
    ]
    assert report.summary.managed == 3
    assert report.summary.in_sync == 1
    assert report.api_calls["gcp:ListAssets"] == 1
    assert any(name.startswith("aws:") for name in report.api_calls)
    assert {c.provider for c in report.coverage} == {"aws", "gcp"}
    # neither provider was handed the other's resources
    assert not [w for w in report.warnings if w.code in ("unsupported_type",
                                                          "provider_not_scanned")]
    assert_read_only(aws.ctx.operations)
    gcp_conftest.assert_read_only(gcp.server)
