"""The parse cache (by Git blob id) and parsing in parallel processes."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import cloudrift.sources.hcl_cache as hcl_cache
from cloudrift.errors import ConfigError
from cloudrift.sources.files import LocalTree, blob_id
from cloudrift.sources.hcl import HclIndex, load_hcl
from cloudrift.sources.hcl_blocks import FileResult
from cloudrift.sources.hcl_cache import ParseCache, Parser, default_cache_dir, parse_file

ESTATE = Path(__file__).resolve().parents[2] / "fixtures" / "hcl" / "estate"
# the files Terraform reads for the estate: every .tf / .tf.json of the root and the three
# module directories it calls, without override.tf
ESTATE_FILES = 10


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    copy = tmp_path / "estate"
    shutil.copytree(ESTATE, copy)
    return copy


@pytest.fixture
def parse_spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths handed to the parser in this process (loads below use workers=1)."""
    calls: list[str] = []
    real: Callable[[str, bytes], FileResult] = hcl_cache.parse_file

    def spy(path: str, data: bytes) -> FileResult:
        calls.append(path)
        return real(path, data)

    monkeypatch.setattr(hcl_cache, "parse_file", spy)
    return calls


def summary(index: HclIndex) -> tuple[object, ...]:
    return (index.resources, index.errors, index.modules, index.moves)


def entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file())


def test_a_second_load_parses_nothing(estate: Path, tmp_path: Path,
                                      parse_spy: list[str]) -> None:
    cache = str(tmp_path / "cache")
    cold = load_hcl(LocalTree(str(estate)), cache_dir=cache, workers=1)
    assert (cold.parsed, cold.cached) == (ESTATE_FILES, 0)
    assert len(parse_spy) == ESTATE_FILES
    parse_spy.clear()
    warm = load_hcl(LocalTree(str(estate)), cache_dir=cache, workers=1)
    assert parse_spy == []
    assert (warm.parsed, warm.cached) == (0, ESTATE_FILES)
    assert summary(warm) == summary(cold)
    assert warm.errors
    assert warm.errors[0].file == "broken.tf"


def test_entries_are_keyed_by_blob_id_and_syntax(estate: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_hcl(LocalTree(str(estate)), cache_dir=str(cache), workers=1)
    names = {p.name for p in entries(cache)}
    digest = blob_id((estate / "main.tf").read_bytes())
    assert any(n.startswith(f"{digest}.tf.") for n in names)
    json_digest = blob_id((estate / "extra.tf.json").read_bytes())
    assert any(n.startswith(f"{json_digest}.tfjson.") for n in names)
    assert (cache / digest[:2]).is_dir()


def test_changed_content_is_a_new_key(estate: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    load_hcl(LocalTree(str(estate)), cache_dir=cache, workers=1)
    module = estate / "modules" / "network" / "main.tf"
    module.write_text("# a comment\n\n" + module.read_text())
    index = load_hcl(LocalTree(str(estate)), cache_dir=cache, workers=1)
    assert (index.parsed, index.cached) == (1, ESTATE_FILES - 1)
    assert index.locate("module.net.aws_subnet.s[1]") == "modules/network/main.tf:16"
    # and back: the old content's entry is still there
    module.write_text(module.read_text().split("\n", 2)[2])
    again = load_hcl(LocalTree(str(estate)), cache_dir=cache, workers=1)
    assert again.parsed == 0
    assert again.locate("module.net.aws_subnet.s[1]") == "modules/network/main.tf:14"


def test_the_same_bytes_in_two_syntaxes_are_two_entries(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    # valid JSON syntax, a syntax error as native syntax
    content = '{"resource": {"aws_vpc": {"v": {}}}}'
    (repo / "a.tf").write_text(content)
    (repo / "b.tf.json").write_text(content)
    cache = str(tmp_path / "cache")
    for _ in range(2):
        index = load_hcl(LocalTree(str(repo)), cache_dir=cache, workers=1)
        assert [r.location for r in index.resources] == ["b.tf.json:1"]
        assert [e.file for e in index.errors] == ["a.tf"]


def test_identical_files_are_parsed_once(tmp_path: Path, parse_spy: list[str]) -> None:
    repo = tmp_path / "repo"
    module = 'resource "aws_vpc" "v" {\n}\n'
    for name in ("a", "b"):
        (repo / name).mkdir(parents=True)
        (repo / name / "main.tf").write_text(module)
    (repo / "main.tf").write_text(
        'module "a" {\n  source = "./a"\n}\nmodule "b" {\n  source = "./b"\n}\n')
    index = load_hcl(LocalTree(str(repo)), cache_dir=str(tmp_path / "cache"), workers=1)
    assert sorted(parse_spy) == ["a/main.tf", "main.tf"]
    assert [r.location for r in index.resources] == ["a/main.tf:1", "b/main.tf:1"]


@pytest.mark.parametrize("damage", [
    b"", b"{not json", b"[]", b'{"digest": "x"}', b'{"result": {"blocks": 1, "problems": []}}',
])
def test_a_damaged_entry_is_ignored_and_rewritten(estate: Path, tmp_path: Path,
                                                  damage: bytes) -> None:
    cache = tmp_path / "cache"
    cold = load_hcl(LocalTree(str(estate)), cache_dir=str(cache), workers=1)
    for entry in entries(cache):
        entry.write_bytes(damage)
    rebuilt = load_hcl(LocalTree(str(estate)), cache_dir=str(cache), workers=1)
    assert (rebuilt.parsed, rebuilt.cached) == (ESTATE_FILES, 0)
    assert summary(rebuilt) == summary(cold)
    warm = load_hcl(LocalTree(str(estate)), cache_dir=str(cache), workers=1)
    assert warm.parsed == 0


@pytest.mark.parametrize(("field", "value"), [
    ("kind", "nonsense"), ("line", "29"), ("line", True), ("expansion", "many"), ("name", 3),
    ("source", ["./x"]), ("surprise", 1),
])
def test_an_entry_with_a_bad_block_inside_is_a_miss(estate: Path, tmp_path: Path, field: str,
                                                   value: object) -> None:
    cache = tmp_path / "cache"
    load_hcl(LocalTree(str(estate)), cache_dir=str(cache), workers=1)
    digest = blob_id((estate / "main.tf").read_bytes())
    parse_cache = ParseCache(str(cache))
    assert parse_cache.get(digest, "tf") is not None
    path = Path(parse_cache.path(digest, "tf") or "")
    entry = json.loads(path.read_text())
    entry["result"]["blocks"][0][field] = value
    path.write_text(json.dumps(entry))
    assert parse_cache.get(digest, "tf") is None


def test_names_that_are_not_digests_never_reach_the_filesystem(tmp_path: Path) -> None:
    parse_cache = ParseCache(str(tmp_path / "cache"))
    assert parse_cache.path("../../etc/passwd", "tf") is None
    parse_cache.put("../../x", "tf", FileResult())
    assert parse_cache.get("../../x", "tf") is None
    assert not (tmp_path / "cache").exists()


def test_writes_are_atomic_and_leave_no_temporary_files(estate: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    load_hcl(LocalTree(str(estate)), cache_dir=str(cache), workers=1)
    assert len(entries(cache)) == ESTATE_FILES
    assert not [p for p in entries(cache) if p.name.startswith(".tmp-")]

    # a rename that fails leaves neither a half-written entry nor the temporary file
    def failing_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(hcl_cache.os, "replace", failing_replace)
    other = tmp_path / "other"
    index = load_hcl(LocalTree(str(estate)), cache_dir=str(other), workers=1)
    assert index.parsed == ESTATE_FILES
    assert entries(other) == []


def test_an_unusable_cache_directory_only_costs_time(estate: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for _ in range(2):
        index = load_hcl(LocalTree(str(estate)), cache_dir=str(blocker / "cache"), workers=1)
        assert index.parsed == ESTATE_FILES


def test_the_parser_format_is_part_of_the_key(estate: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    cache = str(tmp_path / "cache")
    load_hcl(LocalTree(str(estate)), cache_dir=cache, workers=1)
    monkeypatch.setattr(hcl_cache, "PARSE_FORMAT", hcl_cache.PARSE_FORMAT + 1)
    assert load_hcl(LocalTree(str(estate)), cache_dir=cache, workers=1).parsed == ESTATE_FILES


def test_default_cache_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CLOUDRIFT_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert default_cache_dir() == str(tmp_path / "home" / ".cache" / "cloudrift" / "hcl")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert default_cache_dir() == str(tmp_path / "home" / ".cache" / "cloudrift" / "hcl")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == str(tmp_path / "xdg" / "cloudrift" / "hcl")
    monkeypatch.setenv("CLOUDRIFT_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == str(tmp_path / "mine" / "hcl")


def test_load_uses_the_default_cache_directory(estate: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDRIFT_CACHE_DIR", str(tmp_path / "mine"))
    load_hcl(LocalTree(str(estate)), workers=1)
    assert len(entries(tmp_path / "mine" / "hcl")) == ESTATE_FILES
    assert load_hcl(LocalTree(str(estate)), workers=1).parsed == 0


# --- parallel parsing ----------------------------------------------------------------------------


def estate_tasks() -> list[tuple[str, bytes]]:
    tree = LocalTree(str(ESTATE))
    return [(p, tree.read(p)) for p in tree.walk() if p.endswith((".tf", ".tf.json"))]


needs_two_cores = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one CPU")


def test_parallel_load_gives_the_same_index_as_serial(tmp_path: Path) -> None:
    serial = load_hcl(LocalTree(str(ESTATE)), cache_dir=str(tmp_path / "a"), workers=1)
    parallel = load_hcl(LocalTree(str(ESTATE)), cache_dir=str(tmp_path / "b"), workers=2)
    assert parallel.parsed == serial.parsed == ESTATE_FILES
    assert summary(parallel) == summary(serial)
    assert entries(tmp_path / "a")
    assert [p.name for p in entries(tmp_path / "a")] == [
        p.name for p in entries(tmp_path / "b")]


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_worker_processes_return_what_the_serial_parser_does(method: str) -> None:
    tasks = estate_tasks()
    parser = Parser(workers=2)
    parser.method = method
    try:
        results = parser.parse(tasks)
    finally:
        parser.close()
    assert parser.parallel_batches == 1
    assert results == [parse_file(path, data) for path, data in tasks]


def test_a_handful_of_small_files_is_parsed_in_process() -> None:
    parser = Parser()
    results = parser.parse(estate_tasks())
    assert parser.parallel_batches == 0
    assert parser._pool is None
    assert len(results) == len(estate_tasks())


@needs_two_cores
def test_enough_code_is_parsed_in_parallel_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hcl_cache, "PARALLEL_MIN_BYTES_FORK", 1)
    monkeypatch.setattr(hcl_cache, "PARALLEL_MIN_BYTES_SPAWN", 1)
    parser = Parser()
    try:
        parser.parse(estate_tasks())
        parser.parse(estate_tasks())  # the pool is kept for the next module level
        assert parser.parallel_batches == 2
    finally:
        parser.close()


def test_without_worker_processes_parsing_falls_back_to_in_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_processes(*args: object, **kwargs: object) -> None:
        raise OSError("no semaphores in this sandbox")

    monkeypatch.setattr(hcl_cache, "ProcessPoolExecutor", no_processes)
    parser = Parser(workers=2)
    tasks = estate_tasks()
    assert parser.parse(tasks) == [parse_file(path, data) for path, data in tasks]
    assert parser.parallel_batches == 0
    assert parser.workers == 1


def test_workers_must_be_positive() -> None:
    with pytest.raises(ConfigError, match="at least 1"):
        Parser(workers=0)
