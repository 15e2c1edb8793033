"""The Terraform state reader: addresses, providers, sensitive paths and refused files."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cloudrift.errors import SourceError, StateFormatError
from cloudrift.sources.tfstate import (
    StateDocument,
    format_index,
    parse_state,
    provider_short_name,
    sensitive_paths,
)
from cloudrift.testing import StateBuilder
from tests.unit.statefiles import STATES, read_state, terraform_addresses


def by_address(document: StateDocument) -> dict[str, Any]:
    return {inst.address: inst for inst in document.instances}


def parse_json(document: Any, source: str = "mem.tfstate") -> StateDocument:
    return parse_state(json.dumps(document).encode(), source)


def refusal(name: str) -> StateFormatError:
    path = STATES / name
    with pytest.raises(StateFormatError) as caught:
        parse_state(path.read_bytes(), str(path))
    return caught.value


# --- a real Terraform 1.11 state --------------------------------------------------------------


class TestRealState:
    document = read_state("modules-count-foreach.tfstate")

    def test_addresses_are_exactly_what_terraform_prints(self) -> None:
        expected = terraform_addresses("modules-count-foreach.addresses.txt")
        assert sorted(i.address for i in self.document.instances) == sorted(expected)

    def test_document_header(self) -> None:
        raw = json.loads((STATES / "modules-count-foreach.tfstate").read_text())
        assert self.document.terraform_version == raw["terraform_version"] == "1.11.4"
        assert self.document.serial == raw["serial"]
        assert self.document.lineage == raw["lineage"]
        assert self.document.source.endswith("modules-count-foreach.tfstate")
        assert all(i.source == self.document.source for i in self.document.instances)

    def test_nested_module_count_and_data_source(self) -> None:
        found = by_address(self.document)
        inner = found["module.a.module.b.aws_sqs_queue.inner[0]"]
        assert (inner.type, inner.name, inner.mode) == ("aws_sqs_queue", "inner", "managed")
        assert inner.attributes["name"] == "nested-inner"
        data = found["module.a.module.b.data.aws_caller_identity.me"]
        assert data.mode == "data"
        assert not data.managed

    def test_count_indexes(self) -> None:
        found = by_address(self.document)
        cidrs = {found[f"aws_subnet.private[{n}]"].attributes["cidr_block"] for n in (0, 1)}
        assert cidrs == {"10.0.0.0/24", "10.0.1.0/24"}
        assert found["aws_subnet.private[0]"].schema_version == 1

    def test_for_each_keys_escaped_as_terraform_prints_them(self) -> None:
        found = by_address(self.document)
        assert 'aws_sqs_queue.q["logs"]' in found
        assert 'aws_sqs_queue.q["say \\"hi\\""]' in found
        assert 'aws_sqs_queue.q["a\\\\b"]' in found
        assert 'aws_sqs_queue.q["café"]' in found

    def test_managed_leaves_data_sources_out(self) -> None:
        managed = {i.address for i in self.document.managed}
        data = {i.address for i in self.document.instances if i.mode == "data"}
        assert data == {"data.aws_region.current", "module.a.module.b.data.aws_caller_identity.me"}
        assert not managed & data
        assert managed | data == {i.address for i in self.document.instances}

    def test_providers_reduced_to_short_names(self) -> None:
        found = by_address(self.document)
        # aliased (.west), configured inside a module, and the builtin provider
        assert found["aws_sqs_queue.west"].provider == "aws"
        assert found["module.c.aws_sqs_queue.own"].provider == "aws"
        assert found["module.c.aws_sqs_queue.own"].provider_source == "hashicorp/aws"
        assert found["terraform_data.list_secret"].provider == "terraform"
        assert found["terraform_data.list_secret"].provider_source == "builtin/terraform"

    def test_sensitive_attributes_become_dotted_paths(self) -> None:
        found = by_address(self.document)
        assert found["aws_ssm_parameter.db"].sensitive_paths == {"value", "value_wo"}
        assert found["aws_vpc.edge"].sensitive_paths == {"tags.token"}
        assert found["terraform_data.list_secret"].sensitive_paths == {"input.1"}
        assert found["aws_vpc.main"].sensitive_paths == frozenset()


def test_every_for_each_key_terraform_escapes() -> None:
    document = read_state("for-each-keys.tfstate")
    expected = terraform_addresses("for-each-keys.addresses.txt")
    assert len(expected) == 20
    assert sorted(i.address for i in document.instances) == sorted(expected)


# --- older and odd but valid states -----------------------------------------------------------


def test_terraform_012_state_with_legacy_provider_strings() -> None:
    found = by_address(read_state("legacy-0.12.tfstate"))
    assert sorted(found) == sorted([
        "data.aws_availability_zones.available",
        "aws_vpc.main",
        "aws_sqs_queue.replica",
        "module.network.aws_subnet.public[0]",
        "module.network.aws_subnet.public[1]",
        'module.network.aws_sqs_queue.events["audit"]',
    ])
    for inst in found.values():
        assert (inst.provider, inst.provider_source) == ("aws", "hashicorp/aws")
        assert inst.sensitive_paths == frozenset()


def test_deposed_objects_are_ignored_and_tainted_ones_kept() -> None:
    document = read_state("deposed.tfstate")
    found = by_address(document)
    # worker[1] only has a deposed object left: nothing of it is current
    assert sorted(found) == ["aws_instance.web", "aws_instance.worker[0]"]
    assert found["aws_instance.web"].attributes["id"] == "i-0b2c3d4e5f6a7b8c9"
    assert found["aws_instance.worker[0]"].attributes["id"] == "i-01a2b3c4d5e6f7081"


@pytest.mark.parametrize("name", ["powershell-utf16.tfstate", "utf8-bom.tfstate"])
def test_windows_encodings_read_like_plain_utf8(name: str) -> None:
    plain = read_state("workspaces/staging/terraform.tfstate")
    document = read_state(name)
    assert [i.address for i in document.instances] == [i.address for i in plain.instances]
    assert [dict(i.attributes) for i in document.instances] == [
        dict(i.attributes) for i in plain.instances
    ]
    assert (document.serial, document.lineage) == (plain.serial, plain.lineage)


def test_empty_workspace_has_no_instances() -> None:
    document = read_state("workspaces/dev/terraform.tfstate")
    assert document.instances == ()
    assert document.serial == 9


@pytest.mark.parametrize("resources", [None, []])
def test_missing_or_null_resources_mean_none(resources: Any) -> None:
    document = StateBuilder().document()
    if resources is None:
        del document["resources"]
    else:
        document["resources"] = resources
    assert parse_json(document).instances == ()


def test_instance_without_attributes_reads_as_empty() -> None:
    document = StateBuilder().add("aws_vpc", "v", {}).document()
    del document["resources"][0]["instances"][0]["attributes"]
    assert parse_json(document).instances[0].attributes == {}


# --- refused files: every message names the file --------------------------------------------


def test_version_3_refused_with_upgrade_hint() -> None:
    error = refusal("v3-terraform-0.11.tfstate")
    assert "v3-terraform-0.11.tfstate" in error.message
    assert "version 3" in error.message
    assert error.hint is not None
    assert "upgrade" in error.hint
    assert "terraform" in error.hint


def test_unknown_version_refused() -> None:
    error = refusal("invalid/version-5.tfstate")
    assert "invalid/version-5.tfstate" in error.message
    assert "unsupported state format version 5" in error.message


def test_opentofu_encrypted_state_refused_without_keys() -> None:
    error = refusal("opentofu/encrypted-pbkdf2.tfstate")
    assert "opentofu/encrypted-pbkdf2.tfstate" in error.message
    assert "encrypted" in error.message
    assert error.hint is not None
    assert "TF_ENCRYPTION" in error.hint
    assert "tofu state pull" in error.hint


# --- states OpenTofu writes, in clear ------------------------------------------------------


def test_opentofu_1_6_state_routes_like_terraforms() -> None:
    document = read_state("opentofu/tofu-1.6.tfstate")
    assert document.terraform_version == "1.6.2"
    found = {(i.address, i.provider, i.provider_source) for i in document.instances}
    assert found == {
        ("aws_sqs_queue.jobs", "aws", "hashicorp/aws"),
        # carried over from Terraform: the same provider for OpenTofu, and for cloudrift
        ("aws_sqs_queue.legacy", "aws", "hashicorp/aws"),
        ("module.names.random_pet.suffix", "random", "hashicorp/random"),
    }


def test_opentofu_1_9_provider_for_each_names_the_provider_on_each_instance() -> None:
    document = read_state("opentofu/tofu-1.9-provider-for-each.tfstate")
    found = {i.address: i for i in document.instances}
    assert sorted(found) == ['aws_sqs_queue.regional["eu-west-1"]',
                             'aws_sqs_queue.regional["us-east-1"]', "aws_sqs_queue.single"]
    assert {(i.provider, i.provider_source) for i in found.values()} == {("aws", "hashicorp/aws")}
    assert found['aws_sqs_queue.regional["us-east-1"]'].attributes["arn"].startswith(
        "arn:aws:sqs:us-east-1:")


def test_a_resource_with_no_provider_anywhere_is_still_refused() -> None:
    document = json.loads((STATES / "opentofu/tofu-1.9-provider-for-each.tfstate").read_text())
    del document["resources"][0]["instances"][1]["provider"]
    with pytest.raises(StateFormatError, match=r"\(aws_sqs_queue.regional\) has no provider"):
        parse_json(document)


def test_empty_file_refused() -> None:
    error = refusal("invalid/empty.tfstate")
    assert "invalid/empty.tfstate: state file is empty" in error.message


def test_whitespace_only_file_counts_as_empty() -> None:
    with pytest.raises(StateFormatError, match=r"ws\.tfstate: state file is empty"):
        parse_state(b"  \n\t\n", "ws.tfstate")


def test_binary_file_refused() -> None:
    error = refusal("invalid/gzipped.tfstate")
    assert "invalid/gzipped.tfstate" in error.message
    assert "binary" in error.message


def test_truncated_json_names_file_line_and_column() -> None:
    data = (STATES / "invalid/truncated.tfstate").read_bytes()
    lines = data.split(b"\n")
    error = refusal("invalid/truncated.tfstate")
    assert "invalid/truncated.tfstate" in error.message
    assert "not valid JSON" in error.message
    assert f"line {len(lines)} column {len(lines[-1]) + 1}" in error.message


def test_json_error_position_is_where_the_error_is() -> None:
    with pytest.raises(StateFormatError, match=r"line 3 column 15"):
        parse_state(b'{\n  "version": 4,\n  "serial": 1,,\n}', "s.tfstate")


def test_top_level_not_an_object_refused() -> None:
    error = refusal("invalid/top-level-list.tfstate")
    assert "top level is not an object" in error.message


def test_resources_not_a_list_refused() -> None:
    error = refusal("invalid/resources-map.tfstate")
    assert "invalid/resources-map.tfstate" in error.message
    assert '"resources" is not a list' in error.message


@pytest.mark.parametrize("resources", [{}, "", 0, False])
def test_empty_but_wrong_resources_refused(resources: Any) -> None:
    document = StateBuilder().document()
    document["resources"] = resources
    with pytest.raises(StateFormatError, match="is not a list"):
        parse_json(document)


def test_terraform_show_json_refused_with_hint() -> None:
    error = refusal("show-json-output.tfstate")
    assert 'no "version" field' in error.message
    assert error.hint is not None
    assert "terraform show -json" in error.hint


def test_backend_settings_file_refused_as_not_a_state() -> None:
    error = refusal("dot-terraform-backend.tfstate")
    assert "backend settings" in error.message
    assert "before 0.12" not in error.message


def test_refusals_are_source_errors() -> None:
    # cli.py maps the SourceError family to exit code 2
    assert issubclass(StateFormatError, SourceError)
    assert refusal("invalid/empty.tfstate").exit_code == 2


def _one_instance(**changes: Any) -> dict[str, Any]:
    document = StateBuilder().add("aws_vpc", "v", {"id": "vpc-1"}).document()
    document["resources"][0]["instances"][0].update(changes)
    return document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"index_key": True}, "aws_vpc.v: invalid instance key (a bool)"),
        ({"index_key": 1.5}, "aws_vpc.v: invalid instance key (a float)"),
        ({"index_key": ["a"]}, "invalid instance key"),
        ({"attributes": ["not", "a", "map"]}, "attributes of aws_vpc.v are not an object"),
        ({"schema_version": "one"}, "schema_version is not a whole number"),
        ({"attributes": None, "attributes_flat": {"id": "vpc-1"}}, "flat attributes"),
    ],
)
def test_malformed_instance_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(StateFormatError) as caught:
        parse_json(_one_instance(**change), "odd.tfstate")
    assert caught.value.message.startswith("odd.tfstate: ")
    assert message in caught.value.message


@pytest.mark.parametrize("field", ["mode", "type", "name"])
def test_resource_without_identity_refused(field: str) -> None:
    document = StateBuilder().add("aws_vpc", "v", {"id": "vpc-1"}).document()
    del document["resources"][0][field]
    with pytest.raises(StateFormatError, match=rf"resources\[0\] has no '{field}'"):
        parse_json(document)


@pytest.mark.parametrize(
    ("resource_change", "message"),
    [
        ({"instances": {"a": 1}}, "aws_vpc.v instances is not a list"),
        ({"instances": [7]}, "an instance of aws_vpc.v is not an object"),
        ({"module": ["module.a"]}, "module is not a string"),
    ],
)
def test_malformed_resource_refused(resource_change: dict[str, Any], message: str) -> None:
    document = StateBuilder().add("aws_vpc", "v", {"id": "vpc-1"}).document()
    document["resources"][0].update(resource_change)
    with pytest.raises(StateFormatError, match=message):
        parse_json(document)


@pytest.mark.parametrize("serial", ["7", [7], 1.5])
def test_serial_must_be_a_whole_number(serial: Any) -> None:
    document = StateBuilder().document()
    document["serial"] = serial
    with pytest.raises(StateFormatError, match='"serial" is not a whole number'):
        parse_json(document)


# --- the pieces -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "printed"),
    [
        (None, ""),
        (0, "[0]"),
        (12, "[12]"),
        ("logs", '["logs"]'),
        ("", '[""]'),
        ('say "hi"', '["say \\"hi\\""]'),
        ("a\\b", '["a\\\\b"]'),
        ("tab\there", '["tab\\there"]'),
        ("café", '["café"]'),
        ("emoji😀", '["emoji😀"]'),
        # HCL template introducers are doubled, a lone "$" or "%" is not
        ("${tmpl}", '["$${tmpl}"]'),
        ("%{dir}", '["%%{dir}"]'),
        ("100%", '["100%"]'),
        ("$$x", '["$$x"]'),
        # what Go's unicode.IsPrint rejects is escaped, in lower-case hex
        ("nb\u00a0sp", '["nb\\u00a0sp"]'),
        ("del\x7fx", '["del\\u007fx"]'),
        ("pua\U000f0000x", '["pua\\U000f0000x"]'),
    ],
)
def test_format_index(key: Any, printed: str) -> None:
    assert format_index(key) == printed


@pytest.mark.parametrize(
    ("provider", "short", "source"),
    [
        ('provider["registry.terraform.io/hashicorp/aws"]', "aws", "hashicorp/aws"),
        ('provider["registry.terraform.io/hashicorp/aws"].west', "aws", "hashicorp/aws"),
        ('module.a.provider["registry.terraform.io/hashicorp/aws"]', "aws", "hashicorp/aws"),
        ('module.a.module.b.provider["registry.terraform.io/hashicorp/google"].eu',
         "google", "hashicorp/google"),
        ('provider["registry.opentofu.org/hashicorp/azurerm"]', "azurerm", "hashicorp/azurerm"),
        ('provider["terraform.io/builtin/terraform"]', "terraform", "builtin/terraform"),
        # a 0.12 state upgraded by 0.13 keeps the legacy namespace
        ('provider["registry.terraform.io/-/aws"]', "aws", "-/aws"),
        ('provider["app.terraform.io/acme/internal"]', "internal", "acme/internal"),
        ("provider.aws", "aws", "hashicorp/aws"),
        ("provider.aws.west", "aws", "hashicorp/aws"),
        ("module.network.provider.aws", "aws", "hashicorp/aws"),
        ("module.a.module.b.provider.google.eu", "google", "hashicorp/google"),
    ],
)
def test_provider_short_name(provider: str, short: str, source: str) -> None:
    assert provider_short_name(provider) == (short, source)


def test_sensitive_paths_from_terraform_steps() -> None:
    raw = [
        [{"type": "get_attr", "value": "password"}],
        [
            {"type": "get_attr", "value": "environment"},
            {"type": "index", "value": {"value": 0, "type": "number"}},
            {"type": "get_attr", "value": "variables"},
            {"type": "index", "value": {"value": "DB_PASS", "type": "string"}},
        ],
        # cty numbers may come back as floats
        [{"type": "get_attr", "value": "ports"}, {"type": "index", "value": {"value": 2.0}}],
        [],
        "not-a-path",
        [{"type": "get_attr"}],
    ]
    assert sensitive_paths(raw) == {
        "password",
        "environment.0.variables.DB_PASS",
        "ports.2",
    }


@pytest.mark.parametrize("raw", [None, {}, "password", 3])
def test_sensitive_paths_tolerate_garbage(raw: Any) -> None:
    assert sensitive_paths(raw) == frozenset()
