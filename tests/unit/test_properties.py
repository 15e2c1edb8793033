"""Property-based tests: the state reader fails only in its own way, keys print as Terraform
prints them, normalisers and the differ keep their promises on any input."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudrift import normalise as n
from cloudrift.diff import compare
from cloudrift.errors import StateFormatError
from cloudrift.sources.tfstate import StateDocument, format_index, parse_state
from tests.unit.statefiles import STATES

PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the right shape, sometimes any JSON value at all."""
    return st.one_of(strategy, strategy, strategy, json_values)


steps = st.one_of(
    st.fixed_dictionaries({"type": st.just("get_attr"), "value": st.text(max_size=6)}),
    st.fixed_dictionaries({
        "type": st.just("index"),
        "value": st.fixed_dictionaries({"value": st.integers(0, 3) | st.text(max_size=4)}),
    }),
    json_values,
)
instances = st.fixed_dictionaries(
    {},
    optional={
        "index_key": maybe(st.integers(0, 5) | st.text(max_size=6)),
        "deposed": maybe(st.sampled_from(["", "00000001", "6c1e0a47"])),
        "status": maybe(st.just("tainted")),
        "schema_version": maybe(st.integers(0, 3)),
        "attributes": maybe(st.dictionaries(st.text(max_size=8), json_values, max_size=4)),
        "attributes_flat": json_values,
        "sensitive_attributes": maybe(st.lists(maybe(st.lists(steps, max_size=3)), max_size=3)),
        "private": maybe(st.just("bnVsbA==")),
        "dependencies": maybe(st.lists(st.text(max_size=8), max_size=2)),
    },
)
resources = st.fixed_dictionaries(
    {},
    optional={
        "module": maybe(st.sampled_from(["module.a", "module.a.module.b"])),
        "mode": maybe(st.sampled_from(["managed", "data"])),
        "type": maybe(st.sampled_from(["aws_vpc", "aws_sqs_queue"])),
        "name": maybe(st.text(max_size=6)),
        "each": maybe(st.sampled_from(["list", "map"])),
        "provider": maybe(st.sampled_from([
            'provider["registry.terraform.io/hashicorp/aws"]',
            'provider["registry.terraform.io/hashicorp/aws"].west',
            'module.a.provider["registry.terraform.io/hashicorp/aws"]',
            "provider.aws",
            "module.a.provider.aws.west",
            "",
        ])),
        "instances": maybe(st.lists(maybe(instances), max_size=3)),
    },
)
documents = st.fixed_dictionaries(
    {"version": maybe(st.just(4))},
    optional={
        "terraform_version": maybe(st.just("1.11.4")),
        "serial": maybe(st.integers(0, 10**6)),
        "lineage": maybe(st.uuids().map(str)),
        "outputs": json_values,
        "resources": maybe(st.lists(maybe(resources), max_size=4)),
        "check_results": json_values,
        "backend": json_values,
        "encryption_version": st.just("v0"),
    },
)


def parses_or_refuses(data: bytes) -> StateDocument | None:
    """Parse; any exception but StateFormatError fails the test."""
    refusal: StateFormatError | None
    try:
        document = parse_state(data, "prop.tfstate")
    except StateFormatError as exc:
        refusal = exc
    else:
        refusal = None
    if refusal is not None:
        assert refusal.message.startswith("prop.tfstate: ")
        return None
    assert isinstance(document, StateDocument)
    for inst in document.instances:
        assert isinstance(inst.address, str)
        assert inst.provider
        assert all(isinstance(p, str) for p in inst.sensitive_paths)
    return document


@PROPERTY
@given(st.binary(max_size=512))
def test_parse_state_on_any_bytes(data: bytes) -> None:
    parses_or_refuses(data)


@PROPERTY
@given(json_values)
def test_parse_state_on_any_json(value: Any) -> None:
    parses_or_refuses(json.dumps(value).encode())


@PROPERTY
@given(documents)
def test_parse_state_on_state_shaped_documents(document: dict[str, Any]) -> None:
    parses_or_refuses(json.dumps(document).encode())


REAL_STATE = (STATES / "modules-count-foreach.tfstate").read_bytes()


@PROPERTY
@given(st.integers(0, len(REAL_STATE)), st.binary(max_size=8))
def test_parse_state_on_damaged_real_state(cut: int, garbage: bytes) -> None:
    parses_or_refuses(REAL_STATE[:cut] + garbage + REAL_STATE[cut + len(garbage):])


# --- Terraform's quoting of for_each keys ------------------------------------------------------

_UNESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def hcl_unquote(quoted: str) -> str:
    """Read back an HCL quoted string as Terraform writes instance keys."""
    assert quoted[0] == quoted[-1] == '"'
    body, out, i = quoted[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            escape = body[i + 1]
            if escape in _UNESCAPES:
                out.append(_UNESCAPES[escape])
                i += 2
            elif escape in "uU":
                width = 4 if escape == "u" else 8
                out.append(chr(int(body[i + 2:i + 2 + width], 16)))
                i += 2 + width
            else:
                raise AssertionError(f"unknown escape \\{escape}")
        elif char in "$%" and body.startswith(char * 2 + "{", i):
            out.append(char)
            i += 2
        else:
            assert char != '"', "an unescaped quote ends the string early"
            out.append(char)
            i += 1
    return "".join(out)


@PROPERTY
@given(st.text())
def test_format_index_round_trips_string_keys(key: str) -> None:
    printed = format_index(key)
    assert printed.startswith("[")
    assert printed.endswith("]")
    inner = printed[1:-1]
    assert hcl_unquote(inner) == key
    # one printable line, whatever the key holds
    assert inner.isprintable()
    templated = "${" in key or "%{" in key
    astral_unprintable = any(ord(c) > 0xFFFF and not c.isprintable() for c in key)
    if not templated and not astral_unprintable:
        # then Terraform's quoting is also plain JSON
        assert json.loads(inner) == key


@PROPERTY
@given(st.integers())
def test_format_index_round_trips_count_indexes(index: int) -> None:
    printed = format_index(index)
    assert printed == f"[{index}]"
    assert json.loads(printed[1:-1]) == index


# --- normalisers and the differ ----------------------------------------------------------------

tag_maps = st.dictionaries(
    st.text(min_size=1, max_size=10).filter(lambda k: not k.startswith("aws:")),
    st.text(max_size=10),
    max_size=6,
)


@PROPERTY
@given(tag_maps, st.randoms())
def test_tags_map_and_aws_list_agree(tags: dict[str, str], rnd: random.Random) -> None:
    as_list = [{"Key": k, "Value": v} for k, v in tags.items()]
    rnd.shuffle(as_list)
    assert n.tags(tags) == n.tags(as_list) == tags


actions = st.sampled_from(["s3:GetObject", "s3:PutObject", "sqs:SendMessage", "kms:Decrypt"])
statements = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Deny"]),
        "Action": st.lists(actions, min_size=1, max_size=3, unique=True),
        "Resource": st.lists(st.sampled_from(["*", "arn:aws:s3:::b", "arn:aws:s3:::b/*"]),
                             min_size=1, max_size=2, unique=True),
    },
    optional={
        "Sid": st.text(alphabet="abcXYZ", min_size=1, max_size=4),
        "Principal": st.fixed_dictionaries({
            "AWS": st.lists(st.sampled_from(["111122223333", "arn:aws:iam::444455556666:root"]),
                            min_size=1, max_size=2, unique=True),
        }),
    },
)
policies = st.fixed_dictionaries(
    {"Version": st.just("2012-10-17"),
     "Statement": st.lists(statements, min_size=1, max_size=4, unique_by=json.dumps)},
)


def reshaped(document: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """The same policy as AWS might hand it back: reordered, one-element lists as strings,
    account ids as root ARNs."""
    copy: dict[str, Any] = json.loads(json.dumps(document))
    rnd.shuffle(copy["Statement"])
    for statement in copy["Statement"]:
        for key in ("Action", "Resource"):
            rnd.shuffle(statement[key])
            if len(statement[key]) == 1 and rnd.random() < 0.5:
                statement[key] = statement[key][0]
        principal = statement.get("Principal")
        if principal:
            principal["AWS"] = [
                f"arn:aws:iam::{p}:root" if p.isdigit() else p for p in principal["AWS"]
            ]
    return copy


@PROPERTY
@given(policies, st.randoms())
def test_policy_equal_however_aws_reshapes_it(document: dict[str, Any],
                                              rnd: random.Random) -> None:
    assert n.policy(json.dumps(document)) == n.policy(reshaped(document, rnd))


@PROPERTY
@given(policies)
def test_policy_is_idempotent(document: dict[str, Any]) -> None:
    once = n.policy(document)
    assert n.policy(once) == once
    assert n.policy(json.dumps(once)) == once


@PROPERTY
@given(json_values)
def test_a_value_never_differs_from_itself(value: Any) -> None:
    assert compare("p", value, value) == []
    assert compare("p", value, json.loads(json.dumps(value))) == []


@PROPERTY
@given(json_values, json_values)
def test_compare_is_symmetric(left: Any, right: Any) -> None:
    forward = compare("p", left, right)
    backward = compare("p", right, left)
    assert [c.path for c in forward] == [c.path for c in backward]
    assert [(c.expected, c.actual) for c in forward] == [(c.actual, c.expected) for c in backward]


@PROPERTY
@given(scalars | st.lists(scalars, max_size=3))
def test_to_int_accepts_anything(value: Any) -> None:
    result = n.to_int(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and result is not None:
        assert result == value
