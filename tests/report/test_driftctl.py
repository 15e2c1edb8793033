"""``driftctl://``: driftctl's JSON layout, so scripts written against driftctl keep working."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cloudrift.model import FindingKind, ScanReport, ScanWarning
from cloudrift.report.driftctl import DriftctlReporter, change_path, split_address

# the top-level keys and summary keys driftctl's json output had in its deep-mode releases
DRIFTCTL_KEYS = {
    "options", "summary", "managed", "unmanaged", "missing", "differences", "coverage",
    "alerts", "provider_name", "provider_version", "scan_duration", "date",
}
SUMMARY_KEYS = {
    "total_resources", "total_changed", "total_unmanaged", "total_missing", "total_managed",
    "total_iac_source_count",
}


def render(report: ScanReport) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DriftctlReporter().render(report, color=False))
    return document


def test_layout(report: ScanReport, clean_report: ScanReport) -> None:
    for document in (render(report), render(clean_report)):
        assert set(document) == DRIFTCTL_KEYS
        assert set(document["summary"]) == SUMMARY_KEYS
        assert all(isinstance(v, int) for v in document["summary"].values())
        assert isinstance(document["coverage"], int)
        assert isinstance(document["scan_duration"], int)


def test_summary_counts_what_driftctl_counted(report: ScanReport) -> None:
    s = report.summary
    summary = render(report)["summary"]
    # driftctl's "managed": in a state and found in the cloud
    assert summary["total_managed"] == s.in_sync + s.changed == 13
    assert summary["total_changed"] == s.changed
    assert summary["total_missing"] == s.missing
    assert summary["total_unmanaged"] == s.unmanaged
    assert summary["total_resources"] == 13 + 1 + 2
    assert summary["total_iac_source_count"] == len(report.sources)
    assert render(report)["coverage"] == 81  # 13 of 16, truncated as driftctl did


def test_lists(report: ScanReport) -> None:
    document = render(report)
    ids = {
        kind: [(r["type"], r["id"]) for r in document[key]]
        for kind, key in (
            (FindingKind.CHANGED, "managed"),
            (FindingKind.MISSING, "missing"),
            (FindingKind.UNMANAGED, "unmanaged"),
        )
    }
    for kind, listed in ids.items():
        assert listed == [(f.type, f.id) for f in report.findings if f.kind is kind]
    # unapplied findings have no place in driftctl's layout
    assert "resize" not in json.dumps(document)


def test_differences_changelog(report: ScanReport) -> None:
    differences = render(report)["differences"]
    assert [d["res"]["id"] for d in differences] == [
        f.id for f in report.findings if f.kind is FindingKind.CHANGED
    ]
    group = differences[0]["changelog"]
    assert group[0] == {
        "type": "update", "path": ["description"], "from": "web tier",
        "to": report.findings[0].changes[0].actual, "computed": False,
    }
    # a set that changed is one update of the whole value, as driftctl's deep mode had it
    assert group[1]["path"] == ["ingress"]
    assert group[1]["type"] == "update"
    assert len(group[1]["to"]) == len(group[1]["from"]) + 1
    # a tag key with dots stays one step; a tag gone from the cloud is a delete
    assert group[2]["path"] == ["tags", "kubernetes.io/role"]
    assert group[2]["type"] == "delete"
    queue = differences[1]["changelog"]
    assert queue[0]["from"]["Statement"][0]["Action"] == ["sqs:SendMessage"]
    assert queue[2] == {
        "type": "update", "path": ["visibility_timeout_seconds"], "from": 30, "to": 60,
        "computed": False,
    }


def test_source_of_managed_resources(report: ScanReport) -> None:
    document = render(report)
    assert document["differences"][0]["res"]["source"] == {
        "source": "tfstate://envs/prod/terraform.tfstate",
        "namespace": "module.net",
        "internal_name": 'web["a.b"]',
    }
    assert "source" not in document["unmanaged"][0]


def test_alerts_date_and_provider(report: ScanReport, clean_report: ScanReport) -> None:
    document = render(report)
    assert document["alerts"] == {
        "aws_s3_bucket": [{"message": "s3:ListAllMyBuckets in us-west-2: AccessDenied"}],
        "": [{"message": "2 resource(s) of provider 'google' were not compared"}],
    }
    assert document["date"] == "2025-01-02T03:04:05Z"
    assert document["scan_duration"] == 2
    assert document["provider_name"] == "AWS"
    clean = render(clean_report)
    assert clean["alerts"] is None
    assert clean["differences"] == []
    assert clean["coverage"] == 100


def test_alerts_group_by_type(report: ScanReport) -> None:
    report.warnings.append(
        ScanWarning(code="throttled", type="aws_s3_bucket", message="slow down")
    )
    assert len(render(report)["alerts"]["aws_s3_bucket"]) == 2


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("aws_s3_bucket.logs", ("", "logs")),
        ("aws_s3_bucket.logs[0]", ("", "logs[0]")),
        ('module.a["x.y"].module.b[1].aws_vpc.main["k.v"]',
         ('module.a["x.y"].module.b[1]', 'main["k.v"]')),
        ('aws_sqs_queue.q["say \\"hi\\". ok"]', ("", 'q["say \\"hi\\". ok"]')),
    ],
)
def test_split_address(address: str, expected: tuple[str, str]) -> None:
    assert split_address(address) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("visibility_timeout_seconds", ["visibility_timeout_seconds"]),
        ("root_block_device.0.volume_size", ["root_block_device", "0", "volume_size"]),
        ("tags.app.kubernetes.io/name", ["tags", "app.kubernetes.io/name"]),
        ("environment.0.variables.LOG.LEVEL", ["environment", "0", "variables", "LOG.LEVEL"]),
    ],
)
def test_change_path(path: str, expected: list[str]) -> None:
    assert change_path(path) == expected
