"""Property-based tests of the parsers that take user input: any input parses, or raises the
project's own typed error (a ``CloudriftError``), never another exception.

The state reader's own properties are in ``tests/unit/test_properties.py`` and the HCL
locator's in ``tests/sources/test_hcl_fuzz.py``; here: the ignore-file parser (and applying what
it parsed), the ``--from`` URL parser and ``open_source``, reading local sources by pattern, and
the state-size limit.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudrift.errors import CloudriftError, ConfigError, SourceError
from cloudrift.ignore import IgnoreSet, parse_ignore_file
from cloudrift.model import FieldChange, Finding, FindingKind, Scope
from cloudrift.sources.tfstate import MAX_STATE_BYTES_VAR, max_state_bytes, parse_state
from cloudrift.sources.uri import FromSpec, open_source, parse_from
from cloudrift.testing import StateBuilder, environment

T = TypeVar("T")

EXAMPLES = 1000
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

# the characters the parsers give a meaning to, mixed into ordinary text
SPECIAL = st.sampled_from([*".\\!#*?[]{}:/+@%&=~ \t\"'$", "://", "\\.", "**", "\n"])
words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8)
tricky = st.lists(st.one_of(words, SPECIAL), max_size=10).map("".join)
anything = st.one_of(st.text(max_size=60), tricky)


def attempt(call: Callable[[], T]) -> T | CloudriftError:
    """The call's result, or the project's own error it raised; any other exception fails the
    test as it is."""
    try:
        return call()
    except CloudriftError as error:
        return error


def refused(outcome: object, *kinds: type[CloudriftError]) -> bool:
    """True when ``outcome`` is an error of one of ``kinds`` that says something."""
    if not isinstance(outcome, CloudriftError):
        return False
    assert isinstance(outcome, kinds), f"{type(outcome).__name__}: {outcome}"
    assert str(outcome).strip(), "an error with no message"
    return True


# -- ignore files ---------------------------------------------------------------------------

rule_lines = st.one_of(
    anything,
    st.builds(lambda neg, parts: ("!" if neg else "") + ".".join(parts),
              st.booleans(), st.lists(tricky, min_size=1, max_size=4)),
)
FINDINGS = [
    Finding(kind=FindingKind.CHANGED, type="aws_s3_bucket", id="logs.example.com",
            address="aws_s3_bucket.logs", provider="aws", scope=Scope(region="eu-west-1"),
            changes=[FieldChange(path="tags.env", expected="a", actual="b"),
                     FieldChange(path="versioning.0.status", expected="x", actual="y")]),
    Finding(kind=FindingKind.UNMANAGED, type="aws_sqs_queue", id="https://q/[a]*?",
            provider="aws", scope=Scope(region="us-east-1")),
]


@FUZZ
@given(st.lists(rule_lines, max_size=6).map("\n".join))
def test_ignore_file_parses_or_refuses_and_its_rules_apply(text: str) -> None:
    rules = attempt(lambda: parse_ignore_file(text, ".cloudriftignore"))
    if refused(rules, ConfigError):
        assert str(rules).startswith(".cloudriftignore:"), "the error names no file:line"
        return
    assert isinstance(rules, list)
    for rule in rules:
        assert rule.origin.startswith(".cloudriftignore:")
        assert rule.segments
        assert all(isinstance(s, str) for s in rule.segments)
    outcome = IgnoreSet(rules).apply(FINDINGS)
    assert len(outcome.findings) <= len(FINDINGS)


# -- --from URLs ----------------------------------------------------------------------------

schemes = st.sampled_from([
    "tfstate", "tfstate+s3", "tfstate+gs", "tfstate+gcs", "tfstate+azurerm", "tfstate+http",
    "tfstate+https", "tfstate+tfcloud", "tfstate+", "TFSTATE", "s3", "git", "file", "",
])
queries = st.lists(st.tuples(tricky, tricky), max_size=3).map(
    lambda pairs: "?" + "&".join(f"{k}={v}" for k, v in pairs) if pairs else ""
)
urls = st.one_of(
    anything,
    st.builds(lambda scheme, rest, query: f"{scheme}://{rest}{query}", schemes, tricky, queries),
)




def _http_backend(uri: str) -> bool:
    return uri.lower().startswith(("tfstate+http://", "tfstate+https://"))


@pytest.mark.parametrize("uri", ["tfstate+http://[", "tfstate+https://user@[::1/state"])
def test_http_backend_url_with_a_bad_host(uri: str) -> None:
    with pytest.raises(ConfigError):
        open_source(uri)


def test_http_backend_url_with_a_bad_port() -> None:
    with pytest.raises((ConfigError, SourceError)):
        open_source("tfstate+http://127.0.0.1:abc/state").read()


@FUZZ
@given(urls)
def test_from_urls_parse_or_refuse(uri: str) -> None:
    spec = attempt(lambda: parse_from(uri))
    if refused(spec, ConfigError):
        return
    assert isinstance(spec, FromSpec)
    assert spec.scheme == "tfstate"
    assert isinstance(spec.location, str)
    # opening builds a source, and only reading reaches the network or the disk
    source = attempt(lambda: open_source(uri))
    if refused(source, ConfigError, SourceError):
        return
    assert not isinstance(source, CloudriftError)
    assert source.uri


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sandbox")
    StateBuilder().add("aws_sqs_queue", "q", {"id": "https://q"}).write(root / "a.tfstate")
    (root / "envs" / "prod").mkdir(parents=True)
    StateBuilder().write(root / "envs" / "prod" / "terraform.tfstate")
    (root / "envs" / "[x].tfstate").write_bytes(b"\x00\x01binary")
    (root / "empty.tfstate").write_text("")
    return root


@contextmanager
def inside(directory: Path) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(previous)


local = st.lists(st.one_of(st.sampled_from(
    ["a.tfstate", "envs", "prod", "*", "**", "?", "[x]", "[", "]", "/", ".tfstate", "empty",
     "terraform.tfstate", "~", " "]), words), min_size=1, max_size=6).map("".join)


@FUZZ
@given(st.builds(lambda prefix, path: prefix + path, st.sampled_from(["", "tfstate://"]), local))
def test_local_sources_read_or_refuse(sandbox: Path, uri: str) -> None:
    if uri.removeprefix("tfstate://").startswith(("/", "~")) or ".." in uri:
        return  # stay inside the sandbox
    with inside(sandbox):
        documents = attempt(lambda: open_source(uri).read())
    if refused(documents, ConfigError, SourceError):
        return
    assert isinstance(documents, Sequence)
    assert documents
    for document in documents:
        assert getattr(document, "source", "")


# -- the state-size limit -------------------------------------------------------------------


@FUZZ
@given(st.one_of(anything, st.from_regex(r"\s*\d{1,20}\s*[kKmMgGtT]?(i?[bB])?\s*",
                                         fullmatch=True)))
def test_state_size_limit_parses_or_refuses(value: str) -> None:
    if "\x00" in value:
        return  # an environment variable cannot hold one
    with environment({MAX_STATE_BYTES_VAR: value}):
        limit = attempt(max_state_bytes)
    if refused(limit, ConfigError):
        assert MAX_STATE_BYTES_VAR in str(limit)
        return
    assert isinstance(limit, int)
    assert limit > 0


@FUZZ
@given(st.binary(max_size=300), st.integers(min_value=1, max_value=300))
def test_a_state_over_the_limit_is_refused_before_it_is_parsed(data: bytes, limit: int) -> None:
    with environment({MAX_STATE_BYTES_VAR: str(limit)}):
        outcome = attempt(lambda: parse_state(data, "fuzz.tfstate"))
    over = len(data) > limit
    if refused(outcome, SourceError):
        assert str(outcome).startswith("fuzz.tfstate: ")
        assert (f"over the limit of {limit} bytes" in str(outcome)) == over
        return
    assert not over, "a state over the limit was parsed"
