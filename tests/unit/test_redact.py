"""Secrets: found in state attributes, kept out of every piece of text."""

from __future__ import annotations

from typing import Any

import pytest

from cloudrift.redact import REDACTED, Redactor, name_is_secret, path_is_sensitive, secret_values
from tests.unit.statefiles import read_state

REAL = {i.address: i for i in read_state("modules-count-foreach.tfstate").instances}


# --- secret_values ----------------------------------------------------------------------------


def test_value_terraform_marked_sensitive() -> None:
    param = REAL["aws_ssm_parameter.db"]
    assert secret_values(param.attributes, param.sensitive_paths) == {"hunter2-very-secret"}


def test_sensitive_variable_in_one_tag() -> None:
    vpc = REAL["aws_vpc.edge"]
    assert secret_values(vpc.attributes, vpc.sensitive_paths) == {"tok-3f9a1c5e7b"}


def test_sensitive_element_of_a_dynamically_typed_value() -> None:
    # terraform_data stores input as {"value": [...], "type": [...]}; the mark is "input.1"
    data = REAL["terraform_data.list_secret"]
    assert data.attributes["input"]["value"] == ["public", "tok-3f9a1c5e7b"]
    assert data.sensitive_paths == {"input.1"}
    assert secret_values(data.attributes, data.sensitive_paths) == {"tok-3f9a1c5e7b"}


def test_nothing_secret_in_a_plain_resource() -> None:
    vpc = REAL["aws_vpc.main"]
    assert secret_values(vpc.attributes, vpc.sensitive_paths) == set()


def test_every_secret_in_the_real_state() -> None:
    found: set[str] = set()
    for inst in REAL.values():
        found |= secret_values(inst.attributes, inst.sensitive_paths)
    assert found == {"hunter2-very-secret", "tok-3f9a1c5e7b"}


def test_secret_named_attributes_without_a_mark() -> None:
    attributes = {
        "username": "admin",
        "master_password": "correct-horse-battery",
        "auth_token": "tok-0123456789",
        "credentials": {"user": "bob", "key": "AKIAEXAMPLEKEY"},
        "private_key_pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
    }
    assert secret_values(attributes, ()) == {
        "correct-horse-battery",
        "tok-0123456789",
        "AKIAEXAMPLEKEY",
        attributes["private_key_pem"],
    }


def test_secret_numbers_collected_as_text() -> None:
    assert secret_values({"pin_password": 48151623}, ()) == {"48151623"}


def test_short_values_not_collected() -> None:
    # a three-letter secret would blank every "abc" in every report
    assert secret_values({"password": "abc", "value": "xyz"}, {"value"}) == set()


def test_booleans_and_nulls_not_collected() -> None:
    assert secret_values({"password": None, "secret": True, "token": False}, ()) == set()


@pytest.mark.parametrize(
    "attributes",
    [
        {"secret_id": "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf"},
        {"auth_type": "NONE"},
        {"password_length": 24},
        {"password_wo_version": 3},
        {"access_token_validity": 60},
        {"auth_token_update_strategy": "ROTATE"},
    ],
)
def test_names_that_describe_a_secret_do_not_hold_one(attributes: dict[str, Any]) -> None:
    assert secret_values(attributes, ()) == set()


def test_marked_parent_covers_everything_below() -> None:
    attributes = {"environment": [{"variables": {"DB_HOST": "db.internal", "DB_PASS": "pw-2024!"}}]}
    assert secret_values(attributes, {"environment"}) == {"db.internal", "pw-2024!"}
    assert secret_values(attributes, {"environment.0.variables.DB_PASS"}) == {"pw-2024!"}


# --- names and paths --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "password", "master_password", "master_password_wo", "auth_token", "secret_string",
        "client_secret", "private_key", "private_key_pem", "ses_smtp_password_v4",
        "primary_connection_string", "tags.password", "Password", "credentials.0.key",
    ],
)
def test_secret_names(path: str) -> None:
    assert name_is_secret(path)


@pytest.mark.parametrize(
    "path",
    [
        "name", "tags.env", "kms_key_id", "passwords_are_fun_x", "secretive", "authority",
        "secret_id", "secret_arn", "auth_type", "tokenizer", "0.1",
    ],
)
def test_not_secret_names(path: str) -> None:
    assert not name_is_secret(path)


@pytest.mark.parametrize(
    ("path", "marked", "sensitive"),
    [
        ("value", {"value"}, True),
        ("tags.token", {"tags.token"}, True),
        ("tags.token", {"tags"}, True),
        ("tags", {"tags.token"}, True),
        ("tags.env", {"tags.token"}, False),
        ("value_wo_version", {"value"}, False),
        ("values", {"value"}, False),
        ("description", set(), False),
        ("master_password", set(), True),
    ],
)
def test_path_is_sensitive(path: str, marked: set[str], sensitive: bool) -> None:
    assert path_is_sensitive(path, marked) is sensitive


# --- Redactor ---------------------------------------------------------------------------------


def test_scrub_blanks_every_occurrence() -> None:
    redactor = Redactor({"hunter2-very-secret"})
    text = "AccessDenied for hunter2-very-secret (retry hunter2-very-secret)"
    assert redactor.scrub(text) == f"AccessDenied for {REDACTED} (retry {REDACTED})"


def test_scrub_prefers_the_longer_secret() -> None:
    redactor = Redactor(["abcd", "abcdefgh"])
    assert redactor.scrub("x abcdefgh y abcd") == f"x {REDACTED} y {REDACTED}"


def test_scrub_treats_secrets_as_text_not_patterns() -> None:
    redactor = Redactor(["p@ss.w*rd+"])
    assert redactor.scrub("p@ssXw*rd+ and p@ss.w*rd+") == f"p@ssXw*rd+ and {REDACTED}"


def test_short_secrets_not_scrubbed() -> None:
    redactor = Redactor(["abc", "", "a"])
    assert len(redactor) == 0
    assert redactor.scrub("abc abc") == "abc abc"


def test_redactor_grows() -> None:
    redactor = Redactor()
    assert redactor.scrub("tok-3f9a1c5e7b") == "tok-3f9a1c5e7b"
    redactor.add(["tok-3f9a1c5e7b"])
    redactor.add(["tok-3f9a1c5e7b", "hunter2-very-secret"])
    assert len(redactor) == 2
    assert redactor.scrub("tok-3f9a1c5e7b/hunter2-very-secret") == f"{REDACTED}/{REDACTED}"


def test_scrub_value_walks_structures() -> None:
    redactor = Redactor(["s3cr3t-value"])
    value = {"a": ["x s3cr3t-value", 5, None], "b": {"c": "s3cr3t-value"}}
    assert redactor.scrub_value(value) == {"a": [f"x {REDACTED}", 5, None], "b": {"c": REDACTED}}


def test_state_secrets_scrubbed_from_a_message() -> None:
    redactor = Redactor()
    for inst in REAL.values():
        redactor.add(secret_values(inst.attributes, inst.sensitive_paths))
    message = 'tag token="tok-3f9a1c5e7b" on vpc-1 and /app/db/password=hunter2-very-secret'
    scrubbed = redactor.scrub(message)
    assert "tok-3f9a1c5e7b" not in scrubbed
    assert "hunter2-very-secret" not in scrubbed
    assert "/app/db/password" in scrubbed
    assert "vpc-1" in scrubbed


def test_a_multiline_secret_is_found_after_its_whitespace_was_reflowed() -> None:
    from cloudrift.redact import REDACTED, Redactor

    key = "-----BEGIN KEY-----\nMIIEvQIBADANBg\nkqhkiG9w0BAQEF\n-----END KEY-----"
    redactor = Redactor([key])
    assert redactor.scrub(f"error: {' '.join(key.split())} rejected") == (
        f"error: {REDACTED} rejected")
    assert redactor.scrub(key) == REDACTED
