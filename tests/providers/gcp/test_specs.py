"""A lint over every GCP spec and its fixture folder (like the AWS spec meta-test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudrift.spec import has_path
from cloudrift_gcp import GcpPlugin
from cloudrift_gcp.spec import ASSET_TYPE_PATTERN, GcpSpec
from tests.providers.gcp.conftest import GcpCase, all_cases

SPECS = GcpPlugin().types()
CASES = {case.type: case for case in all_cases()}
PAGE = (Path(__file__).resolve().parents[3] / "docs" / "providers" / "gcp.md").read_text()
# arguments only Terraform acts on: the API has no such field, so comparing them is noise
TERRAFORM_ONLY = {
    "google_compute_instance": {"allow_stopping_for_update", "desired_status"},
    "google_compute_network": {"delete_default_routes_on_create"},
    "google_storage_bucket": {"force_destroy"},
    "google_sql_database_instance": {"deletion_protection"},
    "google_bigquery_dataset": {"delete_contents_on_destroy"},
    "google_container_cluster": {"deletion_protection", "remove_default_node_pool",
                                 "initial_node_count"},
    "google_dns_managed_zone": {"force_destroy"},
    "google_service_account": {"create_ignore_already_exists"},
    "google_cloud_run_v2_service": {"deletion_protection"},
    "google_redis_instance": {"deletion_protection"},
    "google_bigquery_table": {"deletion_protection"},
    "google_secret_manager_secret": {"deletion_protection"},
    "google_compute_instance_group_manager": {"wait_for_instances"},
    "google_project_service": {"disable_on_destroy", "disable_dependent_services",
                               "check_if_service_has_usage_on_destroy"},
}


@pytest.mark.parametrize("spec", list(SPECS.values()), ids=list(SPECS))
def test_spec_is_well_formed(spec: GcpSpec) -> None:
    assert spec.type.startswith("google_")
    assert ASSET_TYPE_PATTERN.match(spec.asset_type)
    assert spec.cloud_id is not None
    paths = [f.path for f in spec.fields]
    assert len(paths) == len(set(paths))
    roots = {field.path.split(".")[0] for field in spec.fields}
    for argument in TERRAFORM_ONLY.get(spec.type, set()):
        assert argument not in roots, f"{spec.type}.{argument} is compared"
        # and the spec says why it is not
        assert argument in spec.not_compared, f"{spec.type}.{argument}"
    for argument in spec.not_compared:
        assert argument not in {f.path for f in spec.fields}, f"{spec.type}.{argument}"


@pytest.mark.parametrize("spec", list(SPECS.values()), ids=list(SPECS))
def test_every_field_is_an_attribute_the_provider_records(spec: GcpSpec) -> None:
    """Field paths are checked against a state the provider writes: a typo in a path would
    otherwise make the field silently unknown."""
    case: GcpCase = CASES[spec.type]
    attributes = case.state["attributes"]
    for field in spec.fields:
        assert has_path(attributes, field.path.split(".")[0]), f"{spec.type}.{field.path}"


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_changed_paths_are_declared_fields(case: GcpCase) -> None:
    if case.change is None:
        return
    declared = {f.path for f in SPECS[case.type].fields}
    for path in case.change["paths"]:
        assert any(path == d or path.startswith(f"{d}.") for d in declared), path


def test_import_ids_of_the_fixtures_match_both_sides() -> None:
    for rtype, case in CASES.items():
        spec = SPECS[rtype]
        assert spec.state_import_id(case.state["attributes"]) == case.id, rtype


def _row(rtype: str) -> str:
    rows = [line for line in PAGE.splitlines() if line.startswith(f"| `{rtype}` |")]
    assert len(rows) == 1, f"{rtype}: {len(rows)} rows in the type table"
    return rows[0]


@pytest.mark.parametrize("spec", list(SPECS.values()), ids=list(SPECS))
def test_the_provider_page_documents_every_type(spec: GcpSpec) -> None:
    """One row per type, naming its asset type and every argument it does not compare."""
    row = _row(spec.type)
    assert f"`{spec.asset_type}`" in row
    for argument in spec.not_compared:
        assert f"`{argument}`" in row, f"{spec.type}: {argument} is not on its row"
