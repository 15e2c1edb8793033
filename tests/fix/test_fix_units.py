"""Planner, tidy, patch and the plan guard on fixed inputs; expected files under fixtures/fix/
(``pytest tests/fix --update-goldens`` rewrites them: read the diff before committing)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import hcl2
import pytest

from cloudrift.fix.imports import from_observed
from cloudrift.fix.patch import CodeEditor, render_removed
from cloudrift.fix.planner import (
    ActionKind,
    ChangedStrategy,
    MissingStrategy,
    plan_fixes,
    suggest_address,
    suggest_name,
)
from cloudrift.fix.runner import CREATE, UPDATE, check_plan, planned_actions
from cloudrift.fix.tidy import refused_arguments, tidy
from cloudrift.model import FieldChange, Finding, FindingKind, ScanReport, Scope
from tests.report.goldens import assert_golden

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "fix"


def finding(kind: FindingKind, address: str | None, rid: str, rtype: str = "aws_sqs_queue",
            location: str | None = None, changes: list[FieldChange] | None = None,
            observed: dict[str, object] | None = None) -> Finding:
    return Finding(kind=kind, type=rtype, id=rid, address=address, provider="aws",
                   scope=Scope(account="123456789012", region="us-east-1"), location=location,
                   changes=changes or [], observed=observed).with_fingerprint()


# -- planner -------------------------------------------------------------------------------------

def test_each_kind_gets_its_strategy_and_unapplied_is_left_to_a_person() -> None:
    report = ScanReport(findings=[
        finding(FindingKind.CHANGED, "aws_sqs_queue.a", "u1"),
        finding(FindingKind.MISSING, "aws_sqs_queue.b", "u2"),
        finding(FindingKind.UNMANAGED, None, "https://sqs/1/stray"),
        finding(FindingKind.UNAPPLIED, "aws_sqs_queue.c", "aws_sqs_queue.c"),
    ])
    plan = plan_fixes(report)
    assert [a.kind for a in plan.actions] == [ActionKind.REVERT, ActionKind.RECREATE,
                                              ActionKind.IMPORT]
    assert [f.address for f, _ in plan.skipped] == ["aws_sqs_queue.c"]
    other = plan_fixes(report, changed=ChangedStrategy.ACCEPT, missing=MissingStrategy.FORGET)
    assert [a.kind for a in other.actions][:2] == [ActionKind.ACCEPT, ActionKind.FORGET]


def test_only_fingerprint_picks_findings_and_names_the_unknown_ones() -> None:
    wanted = finding(FindingKind.CHANGED, "aws_sqs_queue.a", "u1")
    report = ScanReport(findings=[wanted, finding(FindingKind.CHANGED, "aws_sqs_queue.b", "u2")])
    plan = plan_fixes(report, only={wanted.fingerprint, "0000"})
    assert [a.address for a in plan.actions] == ["aws_sqs_queue.a"]
    assert plan.unknown == ["0000"]


@pytest.mark.parametrize(("rid", "name"), [
    ("http://127.0.0.1:4566/123456789012/stray-q", "stray_q"),
    ("arn:aws:iam::123456789012:policy/team/stray-policy", "stray_policy"),
    ("arn:aws:sns:us-east-1:123456789012:alerts", "alerts"),
    ("/aws/lambda/Handler", "aws_lambda_handler"),
    ("sg-0123", "sg_0123"),
    ("2024-logs", "r_2024_logs"),
])
def test_suggested_names_are_terraform_identifiers(rid: str, name: str) -> None:
    assert suggest_name(rid) == name


def test_suggested_addresses_avoid_the_code_and_each_other() -> None:
    assert suggest_address("aws_sqs_queue", "q", {"aws_sqs_queue.q"}) == "aws_sqs_queue.q_2"
    report = ScanReport(findings=[finding(FindingKind.UNMANAGED, None, "http://a/1/q"),
                                  finding(FindingKind.UNMANAGED, None, "http://b/1/q")])
    plan = plan_fixes(report, taken=["aws_sqs_queue.q"])
    assert [a.address for a in plan.actions] == ["aws_sqs_queue.q_2", "aws_sqs_queue.q_3"]


# -- tidy ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tidied_fixture() -> tuple[str, dict[tuple[str, int], str]]:
    generated = (FIXTURES / "generated.tf").read_text()
    diagnostics = json.loads((FIXTURES / "generated.validate.json").read_text())["diagnostics"]
    return generated, refused_arguments(diagnostics, "generated.tf")


def test_tidy_matches_the_golden(tidied_fixture: tuple[str, dict[tuple[str, int], str]],
                                 update_goldens: bool) -> None:
    generated, refused = tidied_fixture
    text = tidy(generated, refused).render()
    hcl2.loads(text)
    assert_golden(FIXTURES / "generated.tidied.tf", text, update=update_goldens)


def test_tidy_drops_nulls_tags_all_empty_and_zero_values(
    tidied_fixture: tuple[str, dict[tuple[str, int], str]],
) -> None:
    result = tidy(tidied_fixture[0], tidied_fixture[1])
    why = {(a, n): w for a, n, w in result.dropped()}
    assert why[("aws_sqs_queue.stray_q", "name_prefix")] == "not set"
    assert why[("aws_sqs_queue.stray_q", "tags_all")].startswith("computed")
    assert why[("aws_s3_bucket.stray_bucket", "tags")] == "empty"
    assert why[("aws_sqs_queue.stray_q", "fifo_queue")] == "the zero value"
    queue = result.block("aws_sqs_queue.stray_q")
    assert queue is not None
    assert "name" in queue.kept()
    assert "visibility_timeout_seconds" in queue.kept()


def test_tidy_comments_out_what_the_provider_refuses_and_never_restores_it(
    tidied_fixture: tuple[str, dict[tuple[str, int], str]],
) -> None:
    generated, refused = tidied_fixture
    assert {a for a, _ in refused} == {"aws_sqs_queue.stray_q", "aws_sns_topic.stray_topic"}
    result = tidy(generated, refused)
    text = result.render()
    assert "  # max_message_size" in text
    assert "  # signature_version" in text
    assert result.restore("aws_sqs_queue.stray_q", ["max_message_size"]) == []


def test_restore_brings_back_a_dropped_argument(
    tidied_fixture: tuple[str, dict[tuple[str, int], str]],
) -> None:
    result = tidy(*tidied_fixture)
    assert result.restore("aws_sqs_queue.stray_q", ["delay_seconds", "name"]) == ["delay_seconds"]
    assert "delay_seconds" in result.render()


# -- patch ---------------------------------------------------------------------------------------

def _editor(tmp_path: Path) -> CodeEditor:
    shutil.copy(FIXTURES / "code" / "main.tf", tmp_path / "main.tf")
    return CodeEditor([tmp_path], tmp_path)


def _line(header: str) -> int:
    lines = (FIXTURES / "code" / "main.tf").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(header))


def _at(header: str) -> str:
    return f"main.tf:{_line(header)}"


def _accept_findings() -> list[Finding]:
    return [
        finding(FindingKind.CHANGED, "aws_sqs_queue.orders", "u",
                location=_at('resource "aws_sqs_queue" "orders"'),
                changes=[FieldChange(path="visibility_timeout_seconds", expected=30, actual=90),
                         FieldChange(path="delay_seconds", expected=5, actual=None),
                         FieldChange(path="tags.env", expected="prod", actual="staging"),
                         FieldChange(path="tags.team", expected="core", actual=None),
                         FieldChange(path="tags.cost-center", expected=None, actual="42"),
                         FieldChange(path="message_retention_seconds", expected=None,
                                     actual=600)]),
        finding(FindingKind.CHANGED, "aws_cloudwatch_log_group.app", "/app",
                rtype="aws_cloudwatch_log_group",
                location=_at('resource "aws_cloudwatch_log_group"'),
                changes=[FieldChange(path="retention_in_days", expected=14, actual=30)]),
        finding(FindingKind.CHANGED, "aws_sqs_queue.many[0]", "m0",
                location=_at('resource "aws_sqs_queue" "many"'),
                changes=[FieldChange(path="delay_seconds", expected=0, actual=3)]),
        finding(FindingKind.CHANGED, "aws_s3_bucket_versioning.v", "b",
                rtype="aws_s3_bucket_versioning",
                location=_at('resource "aws_s3_bucket_versioning"'),
                changes=[FieldChange(path="versioning_configuration.0.status",
                                     expected="Enabled", actual="Suspended")]),
    ]


def test_accept_and_forget_make_one_git_applicable_patch(tmp_path: Path,
                                                          update_goldens: bool) -> None:
    editor = _editor(tmp_path)
    done = [editor.accept(f) for f in _accept_findings()]
    assert done == [True, False, False, True]
    gone = finding(FindingKind.MISSING, "aws_sns_topic.gone", "arn",
                   location=_at('resource "aws_sns_topic"'))
    assert editor.forget(gone)
    patch = editor.changes.diff()
    assert_golden(FIXTURES / "accept-forget.patch", patch, update=update_goldens)
    manual = {(m.address, m.what): m.reason for m in editor.changes.manual}
    assert "var.retention" in manual[("aws_cloudwatch_log_group.app", "retention_in_days")]
    assert "every instance" in manual[("aws_sqs_queue.many[0]", "delay_seconds")]
    if shutil.which("git") is None:
        pytest.skip("git is not installed: `git apply` not checked")
    (tmp_path / "fix.patch").write_text(patch)
    subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, check=True, timeout=60)
    applied = (tmp_path / "main.tf").read_text()
    assert applied == editor.changes.new_text(editor.changes.files[tmp_path / "main.tf"])
    parsed = hcl2.loads(applied)
    types = [next(iter(r)).strip('"') for r in parsed["resource"]]
    assert "aws_sns_topic" not in types
    queue = parsed["resource"][0]['"aws_sqs_queue"']['"orders"']
    assert queue["visibility_timeout_seconds"] == 90
    assert "delay_seconds" not in queue


def test_secrets_are_never_written(tmp_path: Path) -> None:
    editor = _editor(tmp_path)
    secret = finding(FindingKind.CHANGED, "aws_sqs_queue.orders", "u",
                     location=_at('resource "aws_sqs_queue" "orders"'),
                     changes=[FieldChange(path="tags.env", expected="(sensitive)",
                                          actual="(sensitive)")])
    assert not editor.accept(secret)
    assert editor.changes.diff() == ""


def test_removed_blocks_keep_the_cloud_object() -> None:
    text = render_removed(["aws_sns_topic.gone", 'aws_sqs_queue.q["a"]'])
    assert "from = aws_sqs_queue.q\n" in text
    assert text.count("destroy = false") == 2
    hcl2.loads(text)


# -- imports without terraform -------------------------------------------------------------------

def test_configuration_from_observed_fields_is_valid_hcl(update_goldens: bool) -> None:
    report = ScanReport(findings=[
        finding(FindingKind.UNMANAGED, None, "http://h/1/q", observed={
            "visibility_timeout_seconds": 45, "fifo_queue": False, "policy": None,
            "tags": {"team": "x", "a.b": "${not-interpolated}"},
            "redrive_policy": {"deadLetterTargetArn": "arn:q", "maxReceiveCount": 3}}),
        finding(FindingKind.UNMANAGED, None, "b", rtype="aws_s3_bucket_versioning",
                observed={"versioning_configuration.0.status": "Enabled"}),
    ])
    config = from_observed(plan_fixes(report).actions)
    parsed = hcl2.loads(config.text)
    assert len(parsed["import"]) == 2
    assert_golden(FIXTURES / "observed.tf", config.text, update=update_goldens)


# -- the plan guard ------------------------------------------------------------------------------

def _plan(*changes: tuple[str, list[str], bool]) -> dict[str, object]:
    return {"resource_changes": [
        {"address": a, "mode": "managed", "change": {"actions": acts,
                                                     **({"importing": {"id": "x"}} if imp
                                                        else {})}}
        for a, acts, imp in changes]}


def test_the_guard_passes_exactly_the_expected_actions() -> None:
    planned = planned_actions(_plan(("aws_sqs_queue.a", ["update"], False),
                                    ("aws_sqs_queue.b", ["no-op"], False),
                                    ("aws_s3_bucket.c", ["create"], False)))
    assert [p.address for p in planned] == ["aws_sqs_queue.a", "aws_s3_bucket.c"]
    assert check_plan(planned, {"aws_sqs_queue.a": UPDATE, "aws_s3_bucket.c": CREATE}) == []


@pytest.mark.parametrize(("actions", "words"), [
    (["delete", "create"], "replace"),
    (["create", "delete"], "replace"),
    (["delete"], "destroy"),
])
def test_the_guard_refuses_destroy_and_replace(actions: list[str], words: str) -> None:
    planned = planned_actions(_plan(("aws_db_instance.main", actions, False)))
    problems = check_plan(planned, {"aws_db_instance.main": UPDATE})
    assert len(problems) == 1
    assert words in problems[0]


def test_the_guard_refuses_other_addresses_and_imports_that_change() -> None:
    planned = planned_actions(_plan(("aws_sqs_queue.other", ["update"], False),
                                    ("aws_sqs_queue.new", ["update"], True)))
    problems = check_plan(planned, {"aws_sqs_queue.new": frozenset({("no-op",)})})
    assert any("aws_sqs_queue.other" in p and "not one of" in p for p in problems)
    assert any("aws_sqs_queue.new" in p for p in problems)
