"""Property-based tests: whatever the code says, loading it gives an index or our typed error.

Each example writes one file into a fresh directory and loads it in-process (workers=1), with a
cache directory of its own so that every example really parses.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudrift.errors import CloudriftError
from cloudrift.sources.files import LocalTree
from cloudrift.sources.hcl import HclError, HclIndex, load_hcl, split_address, strip_keys
from cloudrift.sources.tfstate import format_index

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def load_one(name: str, content: bytes) -> HclIndex | CloudriftError:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        (root / name).write_bytes(content)
        try:
            index = load_hcl(LocalTree(str(root)), cache_dir=str(Path(tmp) / "cache"),
                             workers=1)
        except CloudriftError as exc:
            return exc
    lines = content.count(b"\n") + 2  # lark counts the newline python-hcl2 appends
    for error in index.errors:
        assert isinstance(error, HclError)
        assert error.file == name
        assert 0 <= error.line <= lines
        assert error.message
    for resource in index.resources:
        assert resource.file == name
        assert 1 <= resource.line <= lines
    return index


# pieces of HCL, so that examples get past the first token more often than random text does
HCL_PIECES = [
    "resource", "data", "module", "moved", "check", "dynamic", "content", '"aws_vpc"', '"v"',
    "{", "}", "[", "]", "(", ")", "=", ",", ".", ":", "?", "=>", "...", "\n", " ", "count",
    "for_each", "source", '"./m"', "0", "1", "-1", "1.5e3", "var.x", "toset", "for", "in", "if",
    '"${', "${~", "~}", "%{", "%{ if x ~}", "%{ endif }", '"', "\\", "<<EOT\n", "<<-EOT\n",
    "EOT\n", "# c\n", "// c\n", "/* c */", "\r\n", "\t", "null", "true", "~", "#", "é", "\x00",
]
JSON_PIECES = [
    "{", "}", "[", "]", ":", ",", '"resource"', '"data"', '"module"', '"moved"', '"check"',
    '"aws_vpc"', '"v"', '"count"', '"for_each"', '"source"', '"./m"', '"from"', '"to"', "0",
    "1", "-0.5e2", "true", "null", '"//"', "\n", " ", '"\\u00e9"', '"\\', '"', "NaN",
]


@FUZZ
@given(st.text())
def test_any_text_loads_or_raises_our_error(text: str) -> None:
    load_one("main.tf", text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.binary())
def test_any_bytes_load_or_raise_our_error(data: bytes) -> None:
    load_one("main.tf", data)


@FUZZ
@given(st.lists(st.sampled_from(HCL_PIECES), max_size=60).map("".join))
def test_hcl_shaped_text_loads_or_raises_our_error(text: str) -> None:
    load_one("main.tf", text.encode())


@FUZZ
@given(st.lists(st.sampled_from(JSON_PIECES), max_size=60).map("".join))
def test_json_shaped_text_loads_or_raises_our_error(text: str) -> None:
    load_one("main.tf.json", text.encode())


def json_errors(index: HclIndex) -> list[HclError]:
    """Errors about the file's JSON, not about what it declares (a module without a source)."""
    return [e for e in index.errors if e.message.startswith(("invalid JSON", "a .tf.json"))]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["resource", "data", "module", "aws_vpc", "v", "count", "source", "//"])
        | st.text(max_size=4), inner, max_size=4),
    max_leaves=25,
)


@FUZZ
@given(JSON_VALUES, st.sampled_from([None, 0, 2, 1]))
def test_our_json_reader_agrees_with_the_standard_library(value: object,
                                                          indent: int | None) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    result = load_one("main.tf.json", text.encode())
    assert isinstance(result, HclIndex)
    # a document json.loads reads is an error only when it is not an object at the top
    assert bool(json_errors(result)) is (not isinstance(value, dict))


@FUZZ
@given(st.lists(st.sampled_from(JSON_PIECES[:-1]), max_size=40).map("".join))
def test_our_json_reader_rejects_what_the_standard_library_rejects(text: str) -> None:
    try:
        document = json.loads(text)
    except ValueError:
        document = None
        valid = False
    else:
        valid = True
    result = load_one("main.tf.json", text.encode())
    assert isinstance(result, HclIndex)
    assert bool(json_errors(result)) is (not valid or not isinstance(document, dict))


NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,8}", fullmatch=True)
KEYS = st.none() | st.integers(min_value=0, max_value=10**6) | st.text(max_size=12)


@FUZZ
@given(st.lists(st.tuples(NAMES, KEYS), max_size=3), st.booleans(), NAMES, NAMES, KEYS)
def test_addresses_as_terraform_prints_them_split_back(modules: list[tuple[str, object]],
                                                       data: bool, rtype: str, name: str,
                                                       key: object) -> None:
    # format_index quotes keys exactly as Terraform does in state addresses
    prefix = "".join(f"module.{m}{format_index(k)}." for m, k in modules)
    address = f"{prefix}{'data.' if data else ''}{rtype}.{name}{format_index(key)}"
    expected = (tuple(m for m, _ in modules), "data" if data else "managed", rtype, name)
    if not data and rtype in ("module", "data"):
        return  # not a resource address
    assert split_address(address) == expected
    stripped = ".".join(f"module.{m}" for m, _ in modules) + ("." if modules else "")
    assert strip_keys(address) == f"{stripped}{'data.' if data else ''}{rtype}.{name}"


@FUZZ
@given(st.text())
def test_address_parsing_never_raises(text: str) -> None:
    parts = split_address(text)
    assert parts is None or len(parts) == 4
    assert strip_keys(text) is None or isinstance(strip_keys(text), str)
