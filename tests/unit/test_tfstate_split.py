"""Reading a state resource by resource gives what parsing it whole gives: the same document,
or the same error, for every fixture and for states cut, corrupted or laid out otherwise."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cloudrift.cli import cli
from cloudrift.errors import StateFormatError
from cloudrift.sources import _split
from cloudrift.sources.tfstate import (
    StateDocument,
    _parse_split,
    _parse_whole,
    parse_state,
    read_state,
)
from cloudrift.testing import StateBuilder
from tests.unit.statefiles import STATES

FIXTURES = sorted(p for p in STATES.rglob("*.tfstate"))
# written by Terraform or OpenTofu (or laid out like them): these take the split path
TERRAFORM_LAYOUT = ["modules-count-foreach.tfstate", "for-each-keys.tfstate", "deposed.tfstate",
                    "utf8-bom.tfstate", "legacy-0.12.tfstate", "opentofu/tofu-1.6.tfstate",
                    "workspaces/prod/terraform.tfstate"]


def outcome(read: Any) -> StateDocument | tuple[str, str, str | None]:
    """The document, or the refusal (its type, message and hint)."""
    try:
        return read()  # type: ignore[no-any-return]
    except StateFormatError as exc:
        return (type(exc).__name__, exc.message, exc.hint)


def whole(data: bytes, source: str) -> StateDocument | tuple[str, str, str | None]:
    return outcome(lambda: _parse_whole(data, source, None))


def streamed(data: bytes, source: str) -> StateDocument | tuple[str, str, str | None]:
    return outcome(lambda: read_state(io.BytesIO(data), source))


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # chunks a few bytes long: every marker and element is cut somewhere across two reads
    monkeypatch.setattr(_split, "CHUNK", 7)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(STATES)))
@pytest.mark.parametrize("chunk", [7, 1 << 20])
def test_every_fixture_reads_as_it_does_whole(path: Path, chunk: int,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_split, "CHUNK", chunk)
    data = path.read_bytes()
    expected = whole(data, str(path))
    assert outcome(lambda: parse_state(data, str(path))) == expected
    assert streamed(data, str(path)) == expected


@pytest.mark.parametrize("name", TERRAFORM_LAYOUT)
def test_terraform_written_states_take_the_split_path(name: str, small_chunks: None) -> None:
    path = STATES / name
    data = path.read_bytes()
    stream = io.BytesIO(data)
    split = _parse_split(stream.read(_split.CHUNK), stream.read, str(path), None)
    assert split is not None
    assert split == _parse_whole(data, str(path), None)
    assert split.instances


def big_state(resources: int = 30, per_resource: int = 4) -> dict[str, Any]:
    builder = StateBuilder()
    for r in range(resources):
        for n in range(per_resource):
            builder.add("aws_sqs_queue", f"q{r}", {
                "id": f"https://sqs/q{r}-{n}", "name": f"q{r}-{n}",
                "policy": '{\n    }"]\\',  # the markers' bytes inside a string, escaped
                "tags": {"n": str(n), "weird \"key\"": "}\n    }"}, "ratio": 0.1 * n,
            }, module=f"module.m{r % 3}" if r % 2 else None, index_key=n)
    document = builder.document()
    document["outputs"] = {"o": {"value": {"resources": "not these"}, "type": "string"}}
    document["check_results"] = None
    return document


def test_a_generated_state_reads_the_same_in_small_chunks(small_chunks: None) -> None:
    data = json.dumps(big_state(), indent=2).encode()
    expected = whole(data, "big")
    assert isinstance(expected, StateDocument)
    assert len(expected.instances) == 120
    assert streamed(data, "big") == expected


def test_without_outputs_the_split_path_is_taken(small_chunks: None) -> None:
    document = big_state()
    del document["outputs"]
    data = json.dumps(document, indent=2).encode()
    stream = io.BytesIO(data)
    split = _parse_split(stream.read(_split.CHUNK), stream.read, "big", None)
    assert split is not None
    assert split == _parse_whole(data, "big", None)


@pytest.mark.parametrize("layout", [
    {"indent": None}, {"indent": 4}, {"indent": "\t"}, {"indent": 2, "separators": (",", ":")},
])
def test_other_layouts_read_the_same(layout: dict[str, Any], small_chunks: None) -> None:
    data = json.dumps(big_state(), **layout).encode()
    expected = whole(data, "s")
    assert isinstance(expected, StateDocument)
    assert streamed(data, "s") == expected


@pytest.mark.parametrize("text", [
    # an empty resource object on one line: its "\n    }" is the next one's
    '{\n  "version": 4,\n  "resources": [\n    {},\n    {\n      "mode": "managed"\n    }\n  ]\n}',
    # a second "resources" key after the list: the last one wins, as in a whole parse
    '{\n  "version": 4,\n  "resources": [\n    {\n      "x": 1\n    }\n  ],\n  "resources": []\n}',
    # the key of a nested object indented as if it were the top one's
    '{\n  "version": 4,\n"o": {\n  "resources": [\n    {\n      "x": 1\n    }\n  ]}\n}',
    '{\n  "version": 4,\n  "resources": [\n    {\n      "x": 1\n    }\n  ]\n}\n}',
    '{\n  "version": 4,\n  "resources": [\n    {\n      "x": 1\n    }\n  ]\n',
    '{\n  "version": 4,\n  "resources": [\n    {\n      "x": 1\n    }\n    {\n    }\n  ]\n}',
    '{\n  "version": 3,\n  "resources": [\n    {\n      "x": 1\n    }\n  ]\n}',
])
def test_odd_texts_read_as_they_do_whole(text: str, small_chunks: None) -> None:
    data = text.encode()
    assert streamed(data, "odd") == whole(data, "odd")
    assert outcome(lambda: parse_state(data, "odd")) == whole(data, "odd")


def _cuts(size: int) -> list[int]:
    return sorted({*range(0, 40), *range(size - 40, size), *range(0, size, max(1, size // 97))})


def test_a_state_cut_anywhere_is_refused_as_it_is_whole(small_chunks: None) -> None:
    data = json.dumps(big_state(6, 2), indent=2).encode()
    for cut in _cuts(len(data)):
        part = data[:cut]
        expected = whole(part, "cut.tfstate")
        got = streamed(part, "cut.tfstate")
        assert got == expected, cut
        if not isinstance(got, StateDocument):
            assert "\n" not in got[1]
            assert got[1].startswith("cut.tfstate: ")


def test_a_corrupted_byte_is_refused_as_it_is_whole(small_chunks: None) -> None:
    data = json.dumps(big_state(6, 2), indent=2).encode()
    for at in _cuts(len(data)):
        for byte in (b"}", b",", b'"', b"\x00"):
            broken = data[:at] + byte + data[at + 1:]
            assert streamed(broken, "bad") == whole(broken, "bad"), (at, byte)


def test_a_state_growing_past_the_limit_is_refused(small_chunks: None) -> None:
    data = json.dumps(big_state(), indent=2).encode()
    with pytest.raises(Exception, match="over the limit"):
        read_state(io.BytesIO(data), "big", limit=len(data) - 1)


def test_a_big_truncated_state_is_one_line_and_exit_2(tmp_path: Path,
                                                      small_chunks: None) -> None:
    data = json.dumps(big_state(), indent=2).encode()
    state = tmp_path / "cut.tfstate"
    state.write_bytes(data[: len(data) * 2 // 3])
    expected = whole(state.read_bytes(), str(state))
    assert not isinstance(expected, StateDocument)
    result = CliRunner().invoke(cli, ["scan", "--from", f"tfstate://{state}", "--to", "aws"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0] == f"cloudrift: error: {expected[1]}"
    assert "not valid JSON" in lines[0]
    assert re.search(r"line \d+ column \d+", lines[0])
