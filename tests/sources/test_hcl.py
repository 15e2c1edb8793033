"""The HCL index: address -> file:line, unapplied resources, module following, parse errors.

The fixture estate under fixtures/hcl/estate is valid Terraform (checked with `terraform
validate` once its two remote module calls and broken.tf are left out), with a deliberate syntax
error in broken.tf.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path

import pytest

import cloudrift.sources.hcl as hcl
from cloudrift.errors import SourceError
from cloudrift.sources.files import LocalTree
from cloudrift.sources.hcl import (
    DeclaredResource,
    HclError,
    HclIndex,
    load_hcl,
    split_address,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hcl"
ESTATE = FIXTURES / "estate"

# every block of the estate, by hand from the fixture files
ESTATE_LOCATIONS = {
    "aws_sns_topic.events": "extra.tf.json:5",
    "aws_sqs_queue.dlq": "extra.tf.json:10",
    "data.aws_caller_identity.current": "extra.tf.json:20",
    "aws_s3_bucket.b": "main.tf:29",
    "aws_sqs_queue.q": "main.tf:34",
    "aws_iam_role.app": "main.tf:39",
    "data.aws_ami.x": "main.tf:49",
    "aws_sqs_queue.orders": "main.tf:59",
    "aws_s3_bucket.imported": "main.tf:68",
    "data.aws_ami.latest": "main.tf:73",
    "aws_instance.web": "main.tf:84",
    "aws_sns_topic.alerts": "main.tf:90",
    "aws_ssm_parameter.names": "templates.tf:6",
    "aws_sqs_queue.none": "variables.tf:6",
    "module.net.aws_vpc.this": "modules/network/main.tf:10",
    "module.net.aws_subnet.s": "modules/network/main.tf:14",
    "module.net.aws_security_group.web": "modules/network/main.tf:21",
    "module.net.module.flowlogs.aws_cloudwatch_log_group.flow":
        "modules/network/modules/flowlogs/main.tf:5",
    "module.net.module.flowlogs.aws_flow_log.this": "modules/network/modules/flowlogs/main.tf:10",
    "module.net.module.tags.terraform_data.marker": "shared/tags/main.tf:5",
}


def write_tree(root: Path, files: dict[str, str | bytes]) -> LocalTree:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return LocalTree(str(root))


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> HclIndex:
    cache = tmp_path_factory.mktemp("hcl-cache")
    return load_hcl(LocalTree(str(ESTATE)), cache_dir=str(cache), workers=1)


def load(tree: LocalTree, tmp_path: Path, root: str = "") -> HclIndex:
    return load_hcl(tree, root, cache_dir=str(tmp_path / "cache"), workers=1)


# --- the public API ------------------------------------------------------------------------------


def test_public_api_is_pinned() -> None:
    assert set(hcl.__all__) >= {"DeclaredResource", "HclError", "HclIndex", "load_hcl"}
    fields = [(f.name, f.type) for f in dataclasses.fields(DeclaredResource)]
    assert fields[:6] == [
        ("module_path", "tuple[str, ...]"), ("mode", "str"), ("type", "str"), ("name", "str"),
        ("file", "str"), ("line", "int"),
    ]
    assert DeclaredResource.__dataclass_params__.frozen  # type: ignore[attr-defined]
    resource = DeclaredResource(("net", "sub"), "managed", "aws_subnet", "s", "m/main.tf", 3)
    assert resource.address == "module.net.module.sub.aws_subnet.s"
    assert DeclaredResource((), "data", "aws_ami", "x", "main.tf", 1).address == "data.aws_ami.x"
    assert [f.name for f in dataclasses.fields(HclError)] == ["file", "line", "message"]
    index_fields = {f.name for f in dataclasses.fields(HclIndex)}
    assert {"resources", "errors"} <= index_fields
    assert callable(HclIndex.locate)
    assert callable(HclIndex.unapplied)
    assert isinstance(HclIndex().remote_modules, list)
    parameters = inspect.signature(load_hcl).parameters
    assert list(parameters) == ["tree", "root", "cache_dir", "workers"]
    assert parameters["root"].default == ""
    assert parameters["cache_dir"].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["workers"].kind is inspect.Parameter.KEYWORD_ONLY


# --- address -> file:line ------------------------------------------------------------------------


def test_every_declared_block_maps_to_its_file_and_line(estate: HclIndex) -> None:
    assert {r.address: r.location for r in estate.resources} == ESTATE_LOCATIONS
    assert len(estate.resources) == len(ESTATE_LOCATIONS)  # nothing declared twice


def test_each_location_is_the_line_that_opens_the_block(estate: HclIndex) -> None:
    # a check that does not trust the table above: read the line the index points at
    for resource in estate.resources:
        line = (ESTATE / resource.file).read_text().splitlines()[resource.line - 1]
        if resource.file.endswith(".tf.json"):
            assert line.strip().startswith(f'"{resource.name}"'), (resource, line)
        else:
            keyword = "resource" if resource.mode == "managed" else "data"
            assert re.match(rf'\s*{keyword} "{resource.type}" "{resource.name}" {{$', line), (
                resource, line)


@pytest.mark.parametrize(("address", "location"), [
    ("module.net.aws_subnet.s[1]", "modules/network/main.tf:14"),
    ("module.net[0].aws_subnet.s[1]", "modules/network/main.tf:14"),
    ("module.net[0].aws_subnet.s", "modules/network/main.tf:14"),
    ('aws_s3_bucket.b["logs"]', "main.tf:29"),
    ('aws_s3_bucket.b["a.b[c]\\"d"]', "main.tf:29"),
    ("module.net[0].module.flowlogs.aws_flow_log.this",
     "modules/network/modules/flowlogs/main.tf:10"),
    ("module.net[0].module.tags.terraform_data.marker", "shared/tags/main.tf:5"),
    ("data.aws_ami.x", "main.tf:49"),
    ("data.aws_ami.latest", "main.tf:73"),
    ("data.aws_caller_identity.current", "extra.tf.json:20"),
    ("aws_sqs_queue.dlq[0]", "extra.tf.json:10"),
    # the override file amends main.tf's block; it is not where the topic is declared
    ("aws_sns_topic.alerts", "main.tf:90"),
    # resources of a module we cannot follow are attributed to that module call
    ("module.vpc_remote.aws_vpc.this[0]", "main.tf:20"),
    ('module.from_git["x"].module.inner.aws_sqs_queue.q', "main.tf:25"),
])
def test_locate_ignores_instance_keys(estate: HclIndex, address: str, location: str) -> None:
    assert estate.locate(address) == location


@pytest.mark.parametrize("address", [
    "aws_sqs_queue.broken",  # declared in the file that does not parse
    "aws_sns_topic.nowhere",
    "module.net.aws_vpc.other",
    "module.elsewhere.aws_vpc.this",
    "data.aws_ami.app",
    "aws_ami.x",  # a data source is not a managed resource
    "module.net",
    "",
    "garbage",
    'aws_s3_bucket.b["unterminated',
    "aws_s3_bucket.b[0",
    "aws_s3_bucket..b",
])
def test_locate_says_none_for_what_the_code_does_not_declare(estate: HclIndex,
                                                              address: str) -> None:
    assert estate.locate(address) is None


@pytest.mark.parametrize(("address", "parts"), [
    ("aws_vpc.v", ((), "managed", "aws_vpc", "v")),
    ('module.a["k.x"].module.b[2].data.aws_ami.y[0]', (("a", "b"), "data", "aws_ami", "y")),
    ('aws_s3_bucket.b["]["]', ((), "managed", "aws_s3_bucket", "b")),
    ("module.data.data.t.n", (("data",), "data", "t", "n")),
    ("module.a", None),
    ("data.t", None),
    ("a.b.c", None),
    ("a.b[1]x", None),
    ("1a.b", None),
])
def test_split_address(address: str, parts: object) -> None:
    assert split_address(address) == parts


# --- modules -------------------------------------------------------------------------------------


def test_module_calls_are_listed_and_remote_ones_counted(estate: HclIndex) -> None:
    assert [(m.address, m.file, m.line, m.local) for m in estate.modules] == [
        ("module.net", "main.tf", 14, True),
        ("module.vpc_remote", "main.tf", 20, False),
        ("module.from_git", "main.tf", 25, False),
        ("module.net.module.flowlogs", "modules/network/main.tf", 36, True),
        ("module.net.module.tags", "modules/network/main.tf", 41, True),
    ]
    assert estate.remote_modules == ["module.vpc_remote", "module.from_git"]


def test_a_root_inside_the_tree_gives_paths_from_the_tree_root(tmp_path: Path) -> None:
    index = load(LocalTree(str(FIXTURES)), tmp_path, root="estate/")
    assert index.locate("module.net.module.tags.terraform_data.marker") == (
        "estate/shared/tags/main.tf:5")
    assert index.locate("aws_s3_bucket.b") == "estate/main.tf:29"
    assert [(e.file, e.line) for e in index.errors] == [("estate/broken.tf", 3)]


def test_a_module_cycle_is_an_error_not_a_hang(tmp_path: Path) -> None:
    index = load(LocalTree(str(FIXTURES / "cycle")), tmp_path)
    assert {r.address: r.location for r in index.resources} == {
        "aws_sqs_queue.root": "main.tf:5",
        "module.a.aws_sqs_queue.a": "a/main.tf:5",
    }
    assert [(e.file, e.line) for e in index.errors] == [("a/main.tf", 1)]
    assert "cycle" in index.errors[0].message


def test_the_same_module_called_twice_gives_two_addresses(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "repo", {
        "main.tf": 'module "a" {\n  source = "./m"\n}\nmodule "b" {\n  source = "./m/"\n}\n',
        "m/main.tf": 'resource "aws_vpc" "v" {\n}\n',
    })
    index = load(tree, tmp_path)
    assert {r.address: r.location for r in index.resources} == {
        "module.a.aws_vpc.v": "m/main.tf:1", "module.b.aws_vpc.v": "m/main.tf:1"}


def test_bad_module_sources_are_errors_at_the_call(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "repo", {
        "main.tf": (
            'module "gone" {\n  source = "./missing"\n}\n'
            'module "out" {\n  source = "../../elsewhere"\n}\n'
            'module "computed" {\n  source = "./${var.x}"\n}\n'
            'resource "aws_vpc" "v" {\n}\n'
        ),
    })
    index = load(tree, tmp_path)
    assert [(e.file, e.line) for e in index.errors] == [
        ("main.tf", 7), ("main.tf", 1), ("main.tf", 4)]
    messages = [e.message for e in index.errors]
    assert "not a plain string" in messages[0]
    assert "not a directory" in messages[1]
    assert "outside" in messages[2]
    assert index.locate("aws_vpc.v") == "main.tf:10"


def test_only_files_terraform_reads_are_indexed(tmp_path: Path) -> None:
    resource = 'resource "aws_vpc" "{}" {{\n}}\n'
    tree = write_tree(tmp_path / "repo", {
        "main.tf": resource.format("kept"),
        "b.tf.json": '{"resource": {"aws_vpc": {"json": {}}}}',
        ".hidden.tf": resource.format("hidden"),
        "main.tf~": resource.format("backup"),
        "#main.tf#": resource.format("emacs"),
        "x_override.tf": resource.format("override"),
        "override.tf.json": '{"resource": {"aws_vpc": {"override_json": {}}}}',
        "notes.tf.bak": resource.format("bak"),
        "test.tftest.hcl": resource.format("test"),
        "sub/main.tf": resource.format("not_called"),
    })
    index = load(tree, tmp_path)
    assert sorted(r.name for r in index.resources) == ["json", "kept"]
    assert index.errors == []


# --- parse errors --------------------------------------------------------------------------------


def test_a_syntax_error_names_file_and_line_and_the_rest_loads(estate: HclIndex) -> None:
    assert len(estate.errors) == 1
    error = estate.errors[0]
    assert (error.file, error.line) == ("broken.tf", 3)  # where terraform validate points too
    assert error.message.startswith("syntax error")
    assert str(error).startswith("broken.tf:3: syntax error")
    assert len(estate.resources) == len(ESTATE_LOCATIONS)


def test_strip_markers_do_not_stop_a_file_from_loading(estate: HclIndex) -> None:
    # python-hcl2 8 cannot parse ${~ ~}; templates.tf uses them
    assert estate.locate("aws_ssm_parameter.names") == "templates.tf:6"
    assert not [e for e in estate.errors if e.file == "templates.tf"]


def test_a_real_error_in_a_file_with_strip_markers_is_still_reported(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "repo", {
        "main.tf": 'locals {\n  a = "${~ x ~}"\n}\n\nresource "a" "b" {\n  c = = 1\n}\n'})
    index = load(tree, tmp_path)
    assert [(e.file, e.line) for e in index.errors] == [("main.tf", 6)]


@pytest.mark.parametrize(("content", "line"), [
    ('resource "a" "b" {\n  x = 1\n', 3),
    ('resource "a" "b" {\n  x = "unterminated\n}\n', 2),
    ('ok = 1\nresource "a" "b" {\n  x = @\n}\n', 3),
    (b'resource "a" "b" {\n  x = "\xff"\n}\n', 2),
])
def test_errors_carry_the_line(tmp_path: Path, content: str | bytes, line: int) -> None:
    index = load(write_tree(tmp_path / "repo", {"main.tf": content}), tmp_path)
    assert [(e.file, e.line) for e in index.errors] == [("main.tf", line)]
    assert index.resources == []


@pytest.mark.parametrize(("content", "line"), [
    ('{\n  "resource": {\n    "a": {"b": {},}\n  }\n}\n', 3),
    ('{\n  "resource": [\n', 3),
    ("[1, 2]", 1),
    ('{"a": 1}\n{"b": 2}', 2),
    ('{"a": "\n"}', 1),
])
def test_json_errors_carry_the_line(tmp_path: Path, content: str, line: int) -> None:
    index = load(write_tree(tmp_path / "repo", {"main.tf.json": content}), tmp_path)
    assert [(e.file, e.line) for e in index.errors] == [("main.tf.json", line)]


def test_malformed_resource_blocks_are_reported(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "repo", {"main.tf": (
        'resource "only_type" {\n}\n\nresource "a" "${x}" {\n}\n\nresource "t" "ok" {\n}\n')})
    index = load(tree, tmp_path)
    assert [(e.file, e.line) for e in index.errors] == [("main.tf", 1), ("main.tf", 4)]
    assert [r.address for r in index.resources] == ["t.ok"]


def test_json_syntax_in_all_its_shapes(tmp_path: Path) -> None:
    content = """{
  "resource": [
    {"aws_vpc": {"a": {"count": 2}}},
    {"aws_vpc": [{"b": [{"for_each": {}}]}]}
  ],
  "module": {"m": {"source": "./m", "count": "${var.n}"}},
  "moved": [{"from": "aws_vpc.old", "to": "aws_vpc.a"}],
  "check": {"c": {"data": {"http": {"h": {"url": "x"}}}}}
}
"""
    tree = write_tree(tmp_path / "repo", {
        "main.tf.json": content, "m/main.tf": 'resource "aws_sqs_queue" "q" {\n}\n'})
    index = load(tree, tmp_path)
    assert [(r.address, r.location, r.may_be_empty) for r in index.resources] == [
        ("aws_vpc.a", "main.tf.json:3", False),
        ("aws_vpc.b", "main.tf.json:4", True),
        ("data.http.h", "main.tf.json:8", False),
        ("module.m.aws_sqs_queue.q", "m/main.tf:1", True),
    ]
    assert index.moves == [("aws_vpc.old", "aws_vpc.a")]
    assert index.errors == []


# --- unapplied -----------------------------------------------------------------------------------


def state_of(estate: HclIndex, leave_out: set[str]) -> list[str]:
    """Instance addresses as a state of the estate would hold them, minus some resources."""
    addresses = []
    for resource in estate.resources:
        if resource.address in leave_out or resource.may_be_empty:
            continue
        address = resource.address.replace("module.net.", "module.net[0].", 1)
        addresses.append(f'{address}["logs"]' if resource.name == "b" else address)
    return addresses


def test_a_fully_applied_estate_has_nothing_unapplied(estate: HclIndex) -> None:
    state = state_of(estate, set())
    assert "module.net[0].aws_vpc.this" in state
    assert 'aws_s3_bucket.b["logs"]' in state
    assert estate.unapplied(state) == []


def test_resources_missing_from_the_state_are_unapplied(estate: HclIndex) -> None:
    state = state_of(estate, {"aws_sns_topic.alerts",
                              "module.net.module.flowlogs.aws_flow_log.this"})
    assert [(r.address, r.location) for r in estate.unapplied(state)] == [
        ("aws_sns_topic.alerts", "main.tf:90"),
        ("module.net.module.flowlogs.aws_flow_log.this",
         "modules/network/modules/flowlogs/main.tf:10"),
    ]


def test_an_empty_state_reports_only_what_surely_has_instances(estate: HclIndex) -> None:
    assert [r.address for r in estate.unapplied([])] == [
        "aws_sns_topic.events",
        "aws_s3_bucket.b",  # for_each = toset(["logs", "assets"])
        "aws_iam_role.app",
        "aws_sqs_queue.orders",
        "aws_s3_bucket.imported",
        "aws_sns_topic.alerts",
        "aws_ssm_parameter.names",
        "module.net.aws_vpc.this",  # module.net has count = 1
        "module.net.aws_security_group.web",  # the dynamic block's for_each is not the resource's
        "module.net.module.flowlogs.aws_cloudwatch_log_group.flow",
        "module.net.module.flowlogs.aws_flow_log.this",
        "module.net.module.tags.terraform_data.marker",
    ]
    # left out, each for its reason: count = 0 (q, dlq), for_each = {} (none), for_each =
    # var.instances (web), count = length(var.azs) (s)
    may_be_empty = {r.address for r in estate.resources if r.may_be_empty}
    assert may_be_empty == {"aws_sqs_queue.q", "aws_sqs_queue.dlq", "aws_sqs_queue.none",
                            "aws_instance.web", "module.net.aws_subnet.s"}


def test_moved_resources_still_under_their_old_address_are_not_unapplied(
    estate: HclIndex,
) -> None:
    state = state_of(estate, {"aws_sqs_queue.orders", "module.net.aws_vpc.this"})
    assert {r.address for r in estate.unapplied(state)} == {
        "aws_sqs_queue.orders", "module.net.aws_vpc.this"}
    # moved { from = aws_sqs_queue.old ... } and moved { from = module.network ... }
    state += ["aws_sqs_queue.old", "module.network.aws_vpc.this"]
    assert estate.unapplied(state) == []


def test_moves_chain_and_apply_inside_modules(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "repo", {
        "main.tf": 'module "m" {\n  source = "./m"\n}\n',
        "m/main.tf": (
            'moved {\n  from = aws_vpc.a\n  to   = aws_vpc.b\n}\n'
            'moved {\n  from = aws_vpc.b\n  to   = aws_vpc.c\n}\n'
            'resource "aws_vpc" "c" {\n}\n'
        ),
    })
    index = load(tree, tmp_path)
    assert index.moves == [("module.m.aws_vpc.a", "module.m.aws_vpc.b"),
                           ("module.m.aws_vpc.b", "module.m.aws_vpc.c")]
    assert index.unapplied(["module.m.aws_vpc.a"]) == []
    assert [r.address for r in index.unapplied(["aws_vpc.a"])] == ["module.m.aws_vpc.c"]


def test_data_sources_are_never_unapplied(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "repo", {"main.tf": 'data "aws_ami" "x" {\n}\n'})
    assert load(tree, tmp_path).unapplied([]) == []


@pytest.mark.parametrize(("meta", "may_be_empty"), [
    ("", False),
    ("count = 3", False),
    ("count = 0", True),
    ("count = (0)", True),
    ("count = var.n", True),
    ('count = var.enabled ? 1 : 0', True),
    ("count = -1", True),
    ("for_each = {}", True),
    ("for_each = {\n  a = 1\n}", False),
    ("for_each = []", True),
    ("for_each = toset([])", True),
    ('for_each = toset(["a"])', False),
    ("for_each = tomap({})", True),
    ("for_each = { for k, v in var.m : k => v }", True),
    ("for_each = local.things", True),
    ("count = 1\n  for_each = {}", True),
])
def test_count_and_for_each_literals(tmp_path: Path, meta: str, may_be_empty: bool) -> None:
    tree = write_tree(tmp_path / "repo", {"main.tf": f'resource "t" "n" {{\n  {meta}\n}}\n'})
    [resource] = load(tree, tmp_path).resources
    assert resource.may_be_empty is may_be_empty
    assert load(tree, tmp_path).unapplied([]) == ([] if may_be_empty else [resource])


@pytest.mark.parametrize(("module_meta", "may_be_empty"), [
    ("", False), ("count = 2", False), ("count = 0", True), ("for_each = var.x", True),
])
def test_a_module_count_applies_to_everything_below_it(tmp_path: Path, module_meta: str,
                                                       may_be_empty: bool) -> None:
    tree = write_tree(tmp_path / "repo", {
        "main.tf": f'module "a" {{\n  source = "./a"\n  {module_meta}\n}}\n',
        "a/main.tf": 'module "b" {\n  source = "../b"\n}\nresource "t" "in_a" {\n}\n',
        "b/main.tf": 'resource "t" "in_b" {\n}\n',
    })
    index = load(tree, tmp_path)
    assert [(r.address, r.may_be_empty) for r in index.resources] == [
        ("module.a.t.in_a", may_be_empty), ("module.a.module.b.t.in_b", may_be_empty)]


# --- fatal errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("root", ["missing", "../outside", "main.tf"])
def test_an_unusable_root_is_a_source_error(tmp_path: Path, root: str) -> None:
    tree = write_tree(tmp_path / "repo", {"main.tf": ""})
    with pytest.raises(SourceError, match="not a directory"):
        load_hcl(tree, root, cache_dir=str(tmp_path / "cache"))


def test_a_root_without_terraform_files_is_a_source_error(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "repo", {"README.md": "", "modules/x/main.tf": ""})
    with pytest.raises(SourceError, match="no Terraform files") as raised:
        load_hcl(tree, cache_dir=str(tmp_path / "cache"))
    assert raised.value.hint
