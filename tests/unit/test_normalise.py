"""Normalisers: the state's and the cloud's form of one value must come out equal."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest

from cloudrift import normalise as n

# --- tags -------------------------------------------------------------------------------------


def test_tags_from_a_map_and_from_an_aws_list_are_equal() -> None:
    state = {"env": "prod", "team": "core"}
    cloud = [{"Key": "team", "Value": "core"}, {"Key": "env", "Value": "prod"}]
    assert n.tags(state) == n.tags(cloud) == {"env": "prod", "team": "core"}


@pytest.mark.parametrize(
    "cloud",
    [
        [{"key": "env", "value": "prod"}],
        [{"TagKey": "env", "TagValue": "prod"}],
        {"env": "prod"},
    ],
)
def test_tags_other_spellings(cloud: Any) -> None:
    assert n.tags(cloud) == {"env": "prod"}


def test_tags_drop_aws_reserved_keys() -> None:
    cloud = [
        {"Key": "env", "Value": "prod"},
        {"Key": "aws:cloudformation:stack-name", "Value": "s"},
        {"Key": "aws:autoscaling:groupName", "Value": "g"},
    ]
    assert n.tags(cloud) == {"env": "prod"}
    assert n.tags({"aws:createdBy": "x"}) == {}


def test_tags_values_are_strings() -> None:
    assert n.tags({"n": 3, "empty": None, "b": True}) == {"n": "3", "empty": "", "b": "True"}


def test_tags_different_values_stay_different() -> None:
    assert n.tags({"env": "prod"}) != n.tags([{"Key": "env", "Value": "dev"}])


def test_tags_none_passes_through() -> None:
    assert n.tags(None) is None


def test_tags_ignores_malformed_list_entries() -> None:
    assert n.tags([{"Value": "orphan"}, "junk", {"Key": "k", "Value": "v"}]) == {"k": "v"}


# --- policy documents -------------------------------------------------------------------------

STATE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:role/reader"},
            "Action": "s3:GetObject",
            "Resource": ["arn:aws:s3:::b/*"],
        },
        {
            "Sid": "List",
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::111122223333:role/reader"]},
            "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
            "Resource": "arn:aws:s3:::b",
            "Condition": {"StringLike": {"s3:prefix": ["home/", "logs/"]}},
        },
    ],
}

CLOUD_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Condition": {"StringLike": {"s3:prefix": ["logs/", "home/"]}},
            "Resource": "arn:aws:s3:::b",
            "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
            "Principal": {"AWS": "arn:aws:iam::111122223333:role/reader"},
            "Effect": "Allow",
            "Sid": "List",
        },
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::111122223333:role/reader"]},
            "Action": ["s3:GetObject"],
            "Resource": "arn:aws:s3:::b/*",
        },
    ],
}


def test_policy_equal_by_meaning() -> None:
    # statement order, key order, one-element lists vs strings, string vs parsed form
    assert n.policy(json.dumps(STATE_POLICY)) == n.policy(CLOUD_POLICY)


def test_policy_url_encoded_as_iam_returns_it() -> None:
    encoded = quote(json.dumps(CLOUD_POLICY), safe="")
    assert encoded.startswith("%7B")
    assert n.policy(encoded) == n.policy(json.dumps(STATE_POLICY))
    assert n.policy(encoded.replace("%7B", "%7b", 1)) == n.policy(STATE_POLICY)


def test_policy_single_statement_object_equals_list_of_one() -> None:
    statement = {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}
    assert n.policy({"Statement": statement}) == n.policy({"Statement": [statement]})


def test_policy_account_id_principal_equals_root_arn() -> None:
    as_written = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"},
                                 "Action": "sts:AssumeRole"}]}
    as_returned = {"Statement": [{"Effect": "Allow",
                                  "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                                  "Action": "sts:AssumeRole"}]}
    gov = json.loads(json.dumps(as_returned).replace("arn:aws:", "arn:aws-us-gov:"))
    assert n.policy(as_written) == n.policy(as_returned) == n.policy(gov)
    other_account = json.loads(json.dumps(as_returned).replace("111122223333", "444455556666"))
    assert n.policy(as_written) != n.policy(other_account)
    # a role in that account is not the account
    role = json.loads(json.dumps(as_returned).replace(":root", ":role/admin"))
    assert n.policy(as_written) != n.policy(role)


def test_policy_star_principal_forms_are_not_merged() -> None:
    # the AWS provider does not treat "*" and {"AWS": "*"} as equivalent, so neither do we
    star = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:*"}]}
    aws_star = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sqs:*"}]}
    assert n.policy(star) != n.policy(aws_star)


def test_policy_empty_principal_entries_ignored() -> None:
    a = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*", "Service": []}}]}
    b = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}}]}
    assert n.policy(a) == n.policy(b)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("Statement", 0, "Action"), "s3:PutObject"),
        (("Statement", 0, "Effect"), "Deny"),
        (("Statement", 1, "Resource"), "arn:aws:s3:::other"),
        (("Statement", 1, "Condition"), {"StringLike": {"s3:prefix": ["home/"]}}),
        (("Statement", 0, "Principal"), {"AWS": "arn:aws:iam::111122223333:role/writer"}),
        (("Version",), "2008-10-17"),
    ],
)
def test_policy_real_changes_are_seen(path: tuple[Any, ...], value: Any) -> None:
    changed = json.loads(json.dumps(STATE_POLICY))
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    assert n.policy(changed) != n.policy(STATE_POLICY)


def test_policy_invalid_text_compared_as_text() -> None:
    assert n.policy("{not json") == "{not json"
    assert n.policy(None) is None
    assert n.policy("") is None


# --- JSON documents ---------------------------------------------------------------------------


def test_json_document_text_and_parsed_equal() -> None:
    text = '{"b": [1, 2], "a": {"y": 1, "x": 2}}'
    assert n.json_document(text) == n.json_document({"a": {"x": 2, "y": 1}, "b": [1, 2]})
    assert n.json_document(text.encode()) == n.json_document(text)


def test_json_document_list_order_matters() -> None:
    assert n.json_document('{"b": [1, 2]}') != n.json_document('{"b": [2, 1]}')


def test_json_document_keys_come_out_sorted() -> None:
    assert list(n.json_document('{"b": 1, "a": 2}')) == ["a", "b"]


@pytest.mark.parametrize("value", ["", "   ", None])
def test_json_document_empty(value: Any) -> None:
    assert n.json_document(value) is None


def test_json_document_invalid_kept_as_text() -> None:
    assert n.json_document("not json") == "not json"
    assert n.json_document(b"\xff\xfe") == b"\xff\xfe"


# --- sets -------------------------------------------------------------------------------------


def test_as_set_ignores_order_and_duplicates() -> None:
    assert n.as_set(["b", "a", "b"]) == n.as_set(("a", "b")) == ["a", "b"]
    assert n.as_set(["a"]) != n.as_set(["a", "b"])


def test_as_set_wraps_a_single_value() -> None:
    assert n.as_set("sg-1") == ["sg-1"]
    assert n.as_set(5) == [5]
    assert n.as_set(None) is None


def test_as_set_of_objects() -> None:
    a = [{"port": 80, "cidr": "0.0.0.0/0"}, {"port": 443, "cidr": "0.0.0.0/0"}]
    b = [{"cidr": "0.0.0.0/0", "port": 443}, {"cidr": "0.0.0.0/0", "port": 80}]
    assert n.as_set(a) == n.as_set(b)
    assert n.as_set(a) != n.as_set(b[:1])


# --- scalars ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", 30),
        (" 30 ", 30),
        (30, 30),
        (30.0, 30),
        ("30.0", 30),
        ("1e3", 1000),
        (True, 1),
        (False, 0),
        ("-5", -5),
        (Decimal("5"), 5),
        # an id-sized number must not go through a float
        ("12345678901234567891", 12345678901234567891),
        ("", None),
        (None, None),
    ],
)
def test_to_int(value: Any, expected: Any) -> None:
    result = n.to_int(value)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize("value", ["1.5", 1.5])
def test_to_int_never_truncates(value: Any) -> None:
    assert n.to_int(value) == 1.5
    assert n.to_int(value) != n.to_int(1)


@pytest.mark.parametrize("value", ["abc", "inf", "nan", float("inf"), [1], Decimal("1.5")])
def test_to_int_leaves_what_is_not_a_whole_number(value: Any) -> None:
    result = n.to_int(value)
    assert not isinstance(result, int)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True), ("True", True), (" TRUE ", True), ("enabled", True), ("Enabled", True),
        ("yes", True), ("1", True), (1, True), (True, True),
        ("false", False), ("disabled", False), ("no", False), ("0", False), (0, False),
        (False, False),
        ("", None), (None, None),
        ("maybe", "maybe"),
    ],
)
def test_to_bool(value: Any, expected: Any) -> None:
    assert n.to_bool(value) == expected
    assert type(n.to_bool(value)) is type(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"), (False, "false"), (30, "30"), (30.0, "30"), (1.5, "1.5"), ("x", "x"),
        ("", ""), (None, None),
    ],
)
def test_to_str(value: Any, expected: Any) -> None:
    assert n.to_str(value) == expected


def test_lower_strip_suffix_chain() -> None:
    assert n.lower("GP3") == "gp3"
    assert n.lower(3) == 3
    strip_dot = n.strip_suffix(".")
    assert strip_dot("example.com.") == "example.com"
    assert strip_dot("example.com") == "example.com"
    assert strip_dot(None) is None
    both = n.chain(strip_dot, n.lower)
    assert both("Example.COM.") == "example.com"


@pytest.mark.parametrize("value", [None, "", [], {}])
def test_is_empty(value: Any) -> None:
    assert n.is_empty(value)


@pytest.mark.parametrize("value", [0, False, " ", [None], {"a": None}, "0"])
def test_is_not_empty(value: Any) -> None:
    assert not n.is_empty(value)


@pytest.mark.parametrize(
    "normaliser",
    [n.as_set, n.to_int, n.to_bool, n.to_str, n.lower, n.tags, n.json_document, n.policy],
)
def test_none_passes_through(normaliser: n.Normaliser) -> None:
    assert normaliser(None) is None
