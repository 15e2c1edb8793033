"""Ignore rules, table-tested against driftctl's documented behaviour and its known bugs."""

from __future__ import annotations

from datetime import date

import pytest

from cloudrift.errors import ConfigError
from cloudrift.ignore import (
    IgnoreRule,
    IgnoreSet,
    escape_id,
    parse_ignore_file,
    parse_rule,
    rules_for,
    split_rule,
)
from cloudrift.model import FieldChange, Finding, FindingKind, Scope

SCOPE = Scope(account="1", region="us-east-1")


def finding(kind: str, rtype: str, rid: str, *paths: str) -> Finding:
    return Finding(
        kind=FindingKind(kind), type=rtype, id=rid, provider="aws", scope=SCOPE,
        address=None if kind == "unmanaged" else f"{rtype}.x",
        changes=[FieldChange(path=p, expected=1, actual=2) for p in paths],
    ).with_fingerprint()


BUCKET = finding("unmanaged", "aws_s3_bucket", "logs")
PROD_BUCKET = finding("unmanaged", "aws_s3_bucket", "prod")
DOTTED = finding("missing", "aws_iam_policy", "arn:aws:iam::1:policy/my.policy")
INSTANCE = finding("changed", "aws_instance", "i-1", "tags.env", "tags.owner", "instance_type")
QUEUE = finding("changed", "aws_sqs_queue", "q", "visibility_timeout_seconds")
ALL = [BUCKET, PROD_BUCKET, DOTTED, INSTANCE, QUEUE]


def kept(lines: str) -> list[tuple[str, str, tuple[str, ...]]]:
    outcome = IgnoreSet(parse_ignore_file(lines, ".cloudriftignore")).apply(ALL)
    return [(f.type, f.id, tuple(c.path for c in f.changes)) for f in outcome.findings]


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ("", [("aws_s3_bucket", "logs"), ("aws_s3_bucket", "prod"),
              ("aws_iam_policy", "arn:aws:iam::1:policy/my.policy"),
              ("aws_instance", "i-1"), ("aws_sqs_queue", "q")]),
        ("# only a comment\n\n", None),
        ("aws_s3_bucket.logs", [("aws_s3_bucket", "prod"),
                                ("aws_iam_policy", "arn:aws:iam::1:policy/my.policy"),
                                ("aws_instance", "i-1"), ("aws_sqs_queue", "q")]),
        ("aws_s3_bucket.*", [("aws_iam_policy", "arn:aws:iam::1:policy/my.policy"),
                             ("aws_instance", "i-1"), ("aws_sqs_queue", "q")]),
        ("*", []),
        # driftctl bug: `*` then `!type.*` ignored the whole type anyway
        ("*\n!aws_s3_bucket.*", [("aws_s3_bucket", "logs"), ("aws_s3_bucket", "prod")]),
        ("aws_s3_bucket.*\n!aws_s3_bucket.prod", [
            ("aws_s3_bucket", "prod"), ("aws_iam_policy", "arn:aws:iam::1:policy/my.policy"),
            ("aws_instance", "i-1"), ("aws_sqs_queue", "q")]),
        # later lines win: the negation above undone again
        ("aws_s3_bucket.*\n!aws_s3_bucket.prod\naws_s3_bucket.prod", [
            ("aws_iam_policy", "arn:aws:iam::1:policy/my.policy"),
            ("aws_instance", "i-1"), ("aws_sqs_queue", "q")]),
        ("aws_iam_policy.arn:aws:iam::1:policy/my\\.policy", [
            ("aws_s3_bucket", "logs"), ("aws_s3_bucket", "prod"),
            ("aws_instance", "i-1"), ("aws_sqs_queue", "q")]),
        ("aws_s3_bucket.l?gs\naws_*.q", [
            ("aws_s3_bucket", "prod"), ("aws_iam_policy", "arn:aws:iam::1:policy/my.policy"),
            ("aws_instance", "i-1")]),
    ],
)
def test_resource_rules(rules: str, expected: list[tuple[str, str]] | None) -> None:
    if expected is None:
        expected = [(f.type, f.id) for f in ALL]
    assert [(t, i) for t, i, _ in kept(rules)] == expected


@pytest.mark.parametrize(
    ("rules", "instance_paths"),
    [
        # driftctl bug: field ignores were not applied
        ("aws_instance.i-1.tags.env", ("tags.owner", "instance_type")),
        ("aws_instance.*.tags", ("instance_type",)),
        ("aws_instance.*.tags.*", ("instance_type",)),
        ("aws_instance.*.instance_type\naws_instance.*.tags", None),
        ("aws_instance.*\n!aws_instance.*.tags", ("tags.env", "tags.owner")),
        ("aws_instance.*.tags\n!aws_instance.*.tags.owner", ("tags.owner", "instance_type")),
        ("aws_instance.i-2.tags", ("tags.env", "tags.owner", "instance_type")),
    ],
)
def test_field_rules(rules: str, instance_paths: tuple[str, ...] | None) -> None:
    result = {(t, i): paths for t, i, paths in kept(rules)}
    assert result.get(("aws_instance", "i-1")) == instance_paths
    assert ("aws_sqs_queue", "q") in result


def test_field_rule_does_not_hide_a_missing_resource() -> None:
    outcome = IgnoreSet(parse_ignore_file("aws_iam_policy.*.policy", "f")).apply([DOTTED])
    assert outcome.findings == [DOTTED]


def test_partly_ignored_changes_get_a_new_fingerprint() -> None:
    rule = parse_rule("aws_instance.*.tags")
    assert rule is not None
    outcome = IgnoreSet([rule]).apply([INSTANCE])
    assert outcome.findings[0].fingerprint != INSTANCE.fingerprint
    assert outcome.suppressed == {"aws_instance.*.tags": 2}


def test_counts_name_the_rule_that_suppressed() -> None:
    rules = parse_ignore_file("aws_s3_bucket.*\n\naws_instance.*.tags\n", ".driftignore")
    outcome = IgnoreSet(rules).apply(ALL)
    assert outcome.suppressed == {".driftignore:1": 2, ".driftignore:3": 2}


def test_expired_rules_stop_applying_and_are_reported() -> None:
    rule = IgnoreRule(text="aws_s3_bucket.*", segments=("aws_s3_bucket", "*"),
                      owner="ops", reason="migration", expires=date(2026, 6, 30))
    before = IgnoreSet([rule], today=date(2026, 6, 30)).apply([BUCKET])
    after = IgnoreSet([rule], today=date(2026, 7, 1)).apply([BUCKET])
    assert (before.findings, before.expired) == ([], [])
    assert (after.findings, after.expired) == ([BUCKET], [rule])


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("a.b", ("a", "b")),
        ("a.b\\.c.d", ("a", "b.c", "d")),
        ("a.b\\\\.c", ("a", "b\\", "c")),
        ("*", ("*",)),
    ],
)
def test_split_rule(text: str, segments: tuple[str, ...]) -> None:
    assert split_rule(text) == segments


@pytest.mark.parametrize("line", ["a..b", "!", ".a", "a."])
def test_malformed_rules_name_the_place(line: str) -> None:
    with pytest.raises(ConfigError, match="x:1: invalid ignore rule"):
        parse_ignore_file(line, "x")


def test_gen_round_trips_through_the_parser() -> None:
    lines = rules_for(ALL)
    assert lines[2] == "aws_iam_policy.arn:aws:iam::1:policy/my\\.policy"
    outcome = IgnoreSet(parse_ignore_file("\n".join(lines), "gen")).apply(ALL)
    assert outcome.findings == []
    assert escape_id("a.b") == "a\\.b"
