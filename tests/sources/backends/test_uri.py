"""--from URLs of remote backends, key globs, concurrent reads and label redaction."""

from __future__ import annotations

import threading
import time

import pytest

from cloudrift.errors import ConfigError, SourceError
from cloudrift.sources import open_source, parse_from
from cloudrift.sources.backends import backend_names
from cloudrift.sources.backends._common import (
    ObjectError,
    glob_regex,
    literal_prefix,
    matching_objects,
    narrowest_prefixes,
    read_states,
    redact_url,
    workspace_option,
    workspace_patterns,
)
from cloudrift.sources.backends.azurerm import AzureStateSource
from cloudrift.sources.backends.gcs import GcsStateSource
from cloudrift.sources.backends.http import HttpStateSource
from cloudrift.sources.backends.s3 import S3StateSource
from cloudrift.sources.backends.tfcloud import TfcStateSource
from cloudrift.sources.local import LocalStateSource
from cloudrift.sources.tfstate import SourceFailure, StateDocument
from cloudrift.sources.uri import FromSpec
from tests.sources.backends.conftest import CORRUPT, state


@pytest.mark.parametrize(("uri", "spec"), [
    ("tfstate+s3://b/k.tfstate", FromSpec("tfstate", "s3", "b/k.tfstate")),
    ("tfstate+s3://b/env:/prod/k?region=eu-west-1&workspace=*",
     FromSpec("tfstate", "s3", "b/env:/prod/k", (("region", "eu-west-1"), ("workspace", "*")))),
    # a "?" not followed by name= is the one-character wildcard
    ("tfstate+s3://b/app?.tfstate", FromSpec("tfstate", "s3", "b/app?.tfstate")),
    ("tfstate+s3://b/a?.tfstate?region=x",
     FromSpec("tfstate", "s3", "b/a?.tfstate", (("region", "x"),))),
    ("tfstate+GS://b/prefix", FromSpec("tfstate", "gs", "b/prefix")),
    ("tfstate+azurerm://acct/c/k?endpoint=http://127.0.0.1:1/acct",
     FromSpec("tfstate", "azurerm", "acct/c/k", (("endpoint", "http://127.0.0.1:1/acct"),))),
    ("tfstate+https://u:p@h/state?ref=main", FromSpec("tfstate", "https",
                                                      "https://u:p@h/state?ref=main")),
    ("tfstate+tfcloud://org/ws", FromSpec("tfstate", "tfcloud", "org/ws")),
])
def test_parse_from_backends(uri: str, spec: FromSpec) -> None:
    assert parse_from(uri) == spec


def test_local_urls_are_unchanged() -> None:
    assert parse_from("tfstate://a/b.tfstate") == FromSpec("tfstate", None, "a/b.tfstate")
    assert parse_from("a/b?.tfstate") == FromSpec("tfstate", None, "a/b?.tfstate")
    assert isinstance(open_source("tfstate://x/*.tfstate"), LocalStateSource)


@pytest.mark.parametrize(("uri", "kind"), [
    ("tfstate+s3://b/k", S3StateSource),
    ("tfstate+gs://b/p", GcsStateSource),
    ("tfstate+gcs://b/p", GcsStateSource),
    ("tfstate+azurerm://acct/c/k", AzureStateSource),
    ("tfstate+http://h/s", HttpStateSource),
    ("tfstate+https://h/s", HttpStateSource),
    ("tfstate+tfcloud://o/w", TfcStateSource),
])
def test_each_backend_opens_without_touching_the_network(uri: str, kind: type) -> None:
    source = open_source(uri)
    assert isinstance(source, kind)
    assert source.uri.startswith("tfstate+")


def test_unknown_backend_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="state backend 'ftp' is not supported") as caught:
        parse_from("tfstate+ftp://host/x")
    assert caught.value.hint is not None
    for name in backend_names():
        assert name in caught.value.hint


@pytest.mark.parametrize("uri", ["tfstate+s3://", "tfstate+s3:///", "tfstate+https://",
                                 "tfstate+s3://b/k?region=a&&x", "tfstate+s3://?region=x"])
def test_empty_or_malformed(uri: str) -> None:
    with pytest.raises(ConfigError):
        parse_from(uri)


def test_credentials_never_reach_an_error_message() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_from("ftp+x://user:hunter2@host/state")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        parse_from("tfstate+nope://user:hunter2@host/state")
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(("url", "shown"), [
    ("https://user:pw@host:8443/p/s", "https://host:8443/p/s"),
    ("https://host/p?token=abc&ref=main", "https://host/p?token=***&ref=***"),
    ("http://host/p", "http://host/p"),
])
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


@pytest.mark.parametrize(("pattern", "matches", "misses"), [
    ("**/*.tfstate", ["a.tfstate", "x/a.tfstate", "env:/p/x/y.tfstate"],
     ["a.tfstate.backup", "a.tfstatex"]),
    ("live/*/terraform.tfstate", ["live/a/terraform.tfstate"],
     ["live/terraform.tfstate", "live/a/b/terraform.tfstate"]),
    ("live/**", ["live/a", "live/a/b/c"], ["livex/a"]),
    ("a?c", ["abc"], ["a/c", "ac"]),
    ("env:/[pd]*/k", ["env:/prod/k", "env:/dev/k"], ["env:/qa/k"]),
    ("[!q]*", ["prod"], ["qa", "/x"]),
    ("a**b", ["ab", "axxb"], ["a/b"]),
    ("lit[eral", ["lit[eral"], ["lite"]),
    ("dots.+(x)", ["dots.+(x)"], ["dotsx+(x)"]),
])
def test_glob_semantics(pattern: str, matches: list[str], misses: list[str]) -> None:
    regex = glob_regex(pattern)
    for key in matches:
        assert regex.match(key), key
    for key in misses:
        assert not regex.match(key), key


def test_listing_prefixes() -> None:
    assert literal_prefix("live/**/*.tfstate") == "live/"
    assert literal_prefix("k.tfstate") == "k.tfstate"
    assert narrowest_prefixes(["env:/", "app/k", "env:/p", "app/"]) == ["app/", "env:/"]


def test_matching_objects_lists_each_narrowest_prefix_once() -> None:
    bucket = {"app/k", "app/k.backup", "app/dir/", "env:/p/app/k", "env:/q/app/k", "other/k"}
    listed: list[str] = []

    def list_prefix(prefix: str) -> list[tuple[str, int]]:
        listed.append(prefix)
        return [(key, len(key)) for key in sorted(bucket, reverse=True) if key.startswith(prefix)]

    found = matching_objects(["app/k", "env:/*/app/k", "env:/p/app/k", "app/*/"],
                             list_prefix, lambda item: item[0])
    # sorted by name, each once, the literal key exactly, never a folder placeholder
    assert found == [("app/k", 5), ("env:/p/app/k", 12), ("env:/q/app/k", 12)]
    assert listed == ["app/", "env:/"]


def test_a_listing_failure_reaches_the_caller_unchanged() -> None:
    def list_prefix(prefix: str) -> list[str]:
        raise SourceError(f"{prefix}: denied")

    with pytest.raises(SourceError, match=r"^live/: denied$"):
        matching_objects(["live/*.tfstate"], list_prefix, str)


@pytest.mark.parametrize(("workspace", "expected"), [
    (None, ["k"]),
    ("prod", ["ws/prod/k"]),
    ("default", ["k", "ws/default/k"]),
    ("*", ["k", "ws/*/k"]),
    ("[!d]*", ["ws/[!d]*/k"]),
])
def test_workspace_patterns(workspace: str | None, expected: list[str]) -> None:
    assert workspace_patterns("k", workspace, lambda ws: f"ws/{ws}/k") == expected


@pytest.mark.parametrize("workspace", ["", "a/b"])
def test_workspace_option_refuses_a_path(workspace: str) -> None:
    with pytest.raises(ConfigError, match="workspace must be a name or a glob without '/'"):
        workspace_option("tfstate+s3://b/k", {"workspace": workspace})
    assert workspace_option("tfstate+s3://b/k", {}) is None


def test_read_states_is_concurrent_ordered_and_bounded() -> None:
    in_flight = 0
    peak = 0
    lock = threading.Lock()

    def fetch(n: int) -> bytes | None:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.01)
        with lock:
            in_flight -= 1
        if n == 3:
            raise ObjectError("denied")
        if n == 4:
            return None
        return CORRUPT if n == 5 else state(f"s{n}")

    results = read_states(list(range(20)), fetch, lambda n: f"obj{n}", max_workers=4)
    assert [r.source for r in results] == [f"obj{n}" for n in range(20) if n != 4]
    assert results[3] == SourceFailure("obj3", "denied")
    assert isinstance(results[4], SourceFailure)
    assert results[4].message.startswith("not valid JSON")
    assert all(isinstance(r, StateDocument) for n, r in enumerate(results) if n not in (3, 4))
    assert 1 < peak <= 4


def test_read_states_stops_on_a_fatal_error() -> None:
    started: list[int] = []

    def fetch(n: int) -> bytes:
        started.append(n)
        if n == 0:
            raise SourceError("gone")
        time.sleep(0.02)
        return state(str(n))

    with pytest.raises(SourceError, match="gone"):
        read_states(list(range(200)), fetch, str, max_workers=2)
    assert len(started) < 200  # the rest was cancelled
