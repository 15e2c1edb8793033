"""The differ: what counts as a change, how maps are split, what is unknown or secret."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from cloudrift.diff import compare, diff_attributes, map_values
from cloudrift.model import FieldChange
from cloudrift.normalise import as_set, policy
from cloudrift.redact import REDACTED
from cloudrift.spec import UNKNOWN

EMPTIES: list[Any] = [None, "", [], {}]


def paths(changes: list[FieldChange]) -> list[str]:
    return [c.path for c in changes]


@pytest.mark.parametrize(("expected", "actual"), list(itertools.product(EMPTIES, EMPTIES)))
def test_every_empty_form_equals_every_other(expected: Any, actual: Any) -> None:
    assert compare("description", expected, actual) == []


@pytest.mark.parametrize("empty", EMPTIES)
def test_empty_against_a_value_is_a_change(empty: Any) -> None:
    (change,) = compare("description", empty, "managed by terraform")
    assert change == FieldChange(path="description", expected=empty, actual="managed by terraform")
    (back,) = compare("description", "managed by terraform", empty)
    assert (back.expected, back.actual) == ("managed by terraform", empty)


@pytest.mark.parametrize(
    ("expected", "actual"),
    [(0, None), (False, None), (0, ""), ("0", "")],
)
def test_zero_and_false_are_values_not_empties(expected: Any, actual: Any) -> None:
    assert paths(compare("x", expected, actual)) == ["x"]


def test_scalars() -> None:
    assert compare("cidr_block", "10.0.0.0/16", "10.0.0.0/16") == []
    (change,) = compare("cidr_block", "10.0.0.0/16", "10.1.0.0/16")
    assert (change.path, change.expected, change.actual) == (
        "cidr_block", "10.0.0.0/16", "10.1.0.0/16",
    )


def test_flat_map_compared_key_by_key() -> None:
    changes = compare(
        "tags",
        {"env": "prod", "team": "core", "gone": "x"},
        {"env": "dev", "team": "core", "added": "y"},
    )
    assert [(c.path, c.expected, c.actual) for c in changes] == [
        ("tags.added", None, "y"),
        ("tags.env", "prod", "dev"),
        ("tags.gone", "x", None),
    ]


@pytest.mark.parametrize("empty", EMPTIES)
def test_map_against_empty_is_split_per_key(empty: Any) -> None:
    assert paths(compare("tags", empty, {"a": "1", "b": "2"})) == ["tags.a", "tags.b"]
    assert paths(compare("tags", {"a": "1"}, empty)) == ["tags.a"]


def test_map_entry_with_empty_value_exists() -> None:
    # a tag whose value is "" is a real tag: removing it in the console is drift
    (change,) = compare("tags", {"env": "prod", "flag": ""}, {"env": "prod"})
    assert (change.path, change.expected, change.actual) == ("tags.flag", "", None)
    (added,) = compare("tags", {"env": "prod"}, {"env": "prod", "flag": ""})
    assert (added.path, added.expected, added.actual) == ("tags.flag", None, "")


def test_map_entry_null_on_one_side_equals_empty_on_the_other() -> None:
    # a JMESPath multi-select gives null for a member the API left out
    assert compare("cfg", {"mode": ""}, {"mode": None}) == []


def test_map_value_change_inside_entry() -> None:
    (change,) = compare("tags", {"n": "1"}, {"n": "2"})
    assert change.path == "tags.n"


def test_an_ordered_list_is_compared_position_by_position() -> None:
    want = [{"from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"]}]
    have = [{"from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}, {"days": 1}]
    (change,) = compare("rules", want, have)
    # the whole values stay, for tools; what changed inside is said besides
    assert (change.path, change.expected, change.actual) == ("rules", want, have)
    assert change.added == [{"days": 1}]
    assert change.removed is None
    assert change.changes is not None
    assert [(c.path, c.expected, c.actual) for c in change.changes[0].changes or ()] == [
        ("rules.0.from_port", 80, 443), ("rules.0.to_port", 80, 443)]


def test_a_set_shows_the_elements_added_and_removed() -> None:
    rule = {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr": "10.0.0.0/8"}
    ssh = {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}
    smtp = {"protocol": "tcp", "from_port": 25, "to_port": 25, "cidr": "10.1.0.0/16"}
    (change,) = compare("ingress", as_set([rule, smtp]), as_set([ssh, rule]))
    assert change.added == [ssh]
    assert change.removed == [smtp]
    assert change.changes is None
    # order means nothing in a set
    assert compare("ingress", as_set([rule, ssh]), as_set([ssh, rule])) == []


def test_a_set_element_changed_in_one_attribute_is_the_same_element() -> None:
    rule = {"protocol": "tcp", "from_port": 22, "to_port": 22, "description": "ssh"}
    (change,) = compare("ingress", as_set([rule]), as_set([{**rule, "description": "vpn"}]))
    assert (change.added, change.removed) == (None, None)
    assert [(c.path, c.expected, c.actual) for c in change.changes or ()] == [
        ("ingress[from_port=22,protocol=tcp,to_port=22].description", "ssh", "vpn")]


def test_a_list_against_nothing_is_every_element_added() -> None:
    (change,) = compare("ingress", None, as_set(["a", "b"]))
    assert change.added == ["a", "b"]
    assert change.removed is None


def test_a_structure_says_where_inside_it_changed() -> None:
    want = {"rules": [{"days": 30}], "enabled": True}
    have = {"rules": [{"days": 60}], "enabled": True}
    (change,) = compare("lifecycle", want, have)
    assert change.path == "lifecycle"
    inner = change.changes or []
    assert [c.path for c in inner] == ["lifecycle.rules"]
    assert [(c.path, c.expected, c.actual) for c in inner[0].changes or ()] == [
        ("lifecycle.rules.0", {"days": 30}, {"days": 60})]


def test_policy_statements_added_are_elements() -> None:
    allow = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    put = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}
    (change,) = compare("policy", policy({"Statement": [allow]}),
                        policy({"Statement": [allow, put]}))
    [statements] = change.changes or []
    assert statements.path == "policy.Statement"
    assert statements.added == [{"Action": ["s3:PutObject"], "Effect": "Allow",
                                 "Resource": ["arn:aws:s3:::b/*"]}]


def test_values_inside_a_change_are_scrubbed_too() -> None:
    (change,) = compare("env", as_set(["a", "secret-1"]), as_set(["a", "secret-2"]))
    scrubbed = map_values(change, lambda v: "***" if isinstance(v, str) and "secret" in v
                          else v)
    assert (scrubbed.added, scrubbed.removed) == (["***"], ["***"])


def test_nested_values_equal_regardless_of_key_order() -> None:
    assert compare("cfg", {"a": {"x": 1, "y": [1, 2]}}, {"a": {"y": [1, 2], "x": 1}}) == []
    assert paths(compare("cfg", {"a": {"y": [1, 2]}}, {"a": {"y": [2, 1]}})) == ["cfg"]


# --- diff_attributes --------------------------------------------------------------------------


def test_unknown_fields_counted_not_reported() -> None:
    expected = {
        "name": "q",
        "policy": UNKNOWN,
        "delay_seconds": 0,
        "visibility_timeout_seconds": 30,
        "kms_master_key_id": "alias/aws/sqs",
    }
    actual = {"name": "q", "delay_seconds": 5, "kms_master_key_id": UNKNOWN}
    result = diff_attributes(expected, actual)
    # policy: unknown in state; visibility_timeout_seconds: absent from the cloud payload;
    # kms_master_key_id: the cloud said it cannot tell
    assert result.unknown == 3
    assert paths(result.changes) == ["delay_seconds"]


def test_in_sync_resource_has_no_changes() -> None:
    attrs = {"name": "q", "tags": {"env": "prod"}, "delay_seconds": 0}
    result = diff_attributes(attrs, dict(attrs))
    assert result.changes == []
    assert result.unknown == 0


def test_sensitive_paths_redacted() -> None:
    result = diff_attributes(
        {"user_data": "#!/bin/sh\nexport KEY=abc", "instance_type": "t3.micro"},
        {"user_data": "#!/bin/sh\nexport KEY=xyz", "instance_type": "t3.large"},
        sensitive=frozenset({"user_data"}),
    )
    by_path = {c.path: c for c in result.changes}
    assert by_path["user_data"].expected == by_path["user_data"].actual == REDACTED
    assert (by_path["instance_type"].expected, by_path["instance_type"].actual) == (
        "t3.micro", "t3.large",
    )


def test_sensitive_map_entry_redacted_others_shown() -> None:
    # Terraform marks tags.token when a sensitive variable feeds one tag
    result = diff_attributes(
        {"tags": {"env": "prod", "token": "tok-old-value"}},
        {"tags": {"env": "dev", "token": "tok-new-value"}},
        sensitive=frozenset({"tags.token"}),
    )
    assert [(c.path, c.expected, c.actual) for c in result.changes] == [
        ("tags.env", "prod", "dev"),
        ("tags.token", REDACTED, REDACTED),
    ]


def test_sensitive_parent_redacts_its_entries() -> None:
    result = diff_attributes(
        {"variables": {"DB_HOST": "a", "DB_PASS": "p1"}},
        {"variables": {"DB_HOST": "b", "DB_PASS": "p2"}},
        sensitive=frozenset({"variables"}),
    )
    assert {(c.expected, c.actual) for c in result.changes} == {(REDACTED, REDACTED)}
    assert paths(result.changes) == ["variables.DB_HOST", "variables.DB_PASS"]


def test_sensitive_child_redacts_a_whole_value_holding_it() -> None:
    result = diff_attributes(
        {"environment": [{"variables": {"DB_PASS": "p1"}}]},
        {"environment": [{"variables": {"DB_PASS": "p2"}}]},
        sensitive=frozenset({"environment.0.variables.DB_PASS"}),
    )
    (change,) = result.changes
    assert (change.path, change.expected, change.actual) == ("environment", REDACTED, REDACTED)


@pytest.mark.parametrize("path", ["master_password", "auth_token", "secret_string", "password"])
def test_secret_named_paths_redacted_without_a_mark(path: str) -> None:
    (change,) = diff_attributes({path: "old-secret"}, {path: "new-secret"}).changes
    assert (change.path, change.expected, change.actual) == (path, REDACTED, REDACTED)


def test_secret_named_map_entry_redacted() -> None:
    changes = diff_attributes(
        {"tags": {"password": "hunter22", "env": "a"}},
        {"tags": {"password": "hunter23", "env": "b"}},
    ).changes
    assert [(c.path, c.expected) for c in changes] == [
        ("tags.env", "a"), ("tags.password", REDACTED),
    ]


def test_unchanged_sensitive_value_not_reported_at_all() -> None:
    result = diff_attributes({"password": "same"}, {"password": "same"})
    assert result.changes == []
