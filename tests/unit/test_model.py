"""Finding fingerprints: one drift keeps one fingerprint, whatever its values and whenever."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cloudrift.model import FieldChange, Finding, FindingKind, Scope


def finding(**overrides: Any) -> Finding:
    fields: dict[str, Any] = {
        "kind": FindingKind.CHANGED,
        "type": "aws_sqs_queue",
        "id": "https://sqs.us-east-1.amazonaws.com/111122223333/jobs",
        "address": "module.queues.aws_sqs_queue.jobs",
        "provider": "aws",
        "scope": Scope(account="111122223333", region="us-east-1"),
        "changes": [
            FieldChange(path="visibility_timeout_seconds", expected=30, actual=60),
            FieldChange(path="tags.env", expected="prod", actual="dev"),
        ],
    }
    fields.update(overrides)
    return Finding(**fields)


def test_fingerprint_is_short_hex_and_set_on_a_copy() -> None:
    original = finding()
    stamped = original.with_fingerprint()
    assert original.fingerprint == ""
    assert len(stamped.fingerprint) == 16
    int(stamped.fingerprint, 16)
    assert stamped.model_copy(update={"fingerprint": ""}) == original


def test_fingerprint_same_for_same_drift() -> None:
    assert finding().with_fingerprint().fingerprint == finding().with_fingerprint().fingerprint


def test_fingerprint_stable_across_processes() -> None:
    # a fingerprint built on hash() would change with PYTHONHASHSEED from one run to the next
    script = (
        "from tests.unit.test_model import finding; "
        "print(finding().with_fingerprint().fingerprint)"
    )
    seen = set()
    for seed in ("1", "2", "3"):
        output = subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        seen.add(output)
    assert seen == {finding().with_fingerprint().fingerprint}


def test_fingerprint_independent_of_values() -> None:
    other_values = finding(changes=[
        FieldChange(path="visibility_timeout_seconds", expected=30, actual=90),
        FieldChange(path="tags.env", expected="prod", actual="(sensitive)"),
    ])
    assert other_values.with_fingerprint().fingerprint == finding().with_fingerprint().fingerprint


def test_fingerprint_independent_of_change_order() -> None:
    reordered = finding(changes=list(reversed(finding().changes)))
    assert reordered.with_fingerprint().fingerprint == finding().with_fingerprint().fingerprint


@pytest.mark.parametrize(
    "overrides",
    [
        {"changes": [FieldChange(path="visibility_timeout_seconds", expected=30, actual=60)]},
        {"changes": [
            FieldChange(path="delay_seconds", expected=0, actual=5),
            FieldChange(path="tags.env", expected="prod", actual="dev"),
        ]},
        {"kind": FindingKind.MISSING, "changes": []},
        {"id": "https://sqs.us-east-1.amazonaws.com/111122223333/other"},
        {"address": "aws_sqs_queue.jobs"},
        {"scope": Scope(account="111122223333", region="eu-west-1")},
        {"scope": Scope(account="444455556666", region="us-east-1")},
        {"type": "aws_sns_topic"},
        {"provider": "gcp"},
    ],
)
def test_fingerprint_differs_for_different_drift(overrides: dict[str, Any]) -> None:
    assert (
        finding(**overrides).with_fingerprint().fingerprint
        != finding().with_fingerprint().fingerprint
    )


def test_fingerprints_of_missing_and_unmanaged_differ() -> None:
    missing = finding(kind=FindingKind.MISSING, changes=[]).with_fingerprint()
    unmanaged = finding(kind=FindingKind.UNMANAGED, changes=[], address=None).with_fingerprint()
    assert missing.fingerprint != unmanaged.fingerprint
