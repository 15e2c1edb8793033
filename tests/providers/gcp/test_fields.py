"""The normalisers both sides of a GCP comparison go through."""

from __future__ import annotations

import pytest

from cloudrift.spec import UNKNOWN
from cloudrift_gcp.fields import (
    duration,
    labels,
    reference,
    short_name,
    state_at,
    state_get,
    state_labels,
    strip_projects,
)
from cloudrift_gcp.spec import location_in_id
from cloudrift_gcp.types._ids import relative_name, template
from cloudrift_gcp.types.iam import google_managed_account, member_key

SELF_LINK = "https://www.googleapis.com/compute/v1/projects/acme-prod/global/networks/prod-vpc"


@pytest.mark.parametrize(("value", "expected"), [
    ("https://www.googleapis.com/compute/v1/projects/p/zones/z/machineTypes/e2-medium",
     "e2-medium"),
    ("zones/europe-west1-b/machineTypes/e2-medium", "e2-medium"),
    ("e2-medium", "e2-medium"),
    ("projects/p/global/networks/n/", "n"),
    (None, None),
])
def test_short_name(value: str | None, expected: str | None) -> None:
    assert short_name(value) == expected


@pytest.mark.parametrize(("value", "own", "expected"), [
    (SELF_LINK, "acme-prod", "prod-vpc"),
    ("projects/acme-prod/global/networks/prod-vpc", "acme-prod", "prod-vpc"),
    ("prod-vpc", "acme-prod", "prod-vpc"),
    # a Shared VPC network of the host project stays distinct from a local one of that name
    ("projects/acme-host/global/networks/prod-vpc", "acme-prod", "acme-host/prod-vpc"),
    (SELF_LINK.replace("acme-prod", "acme-host"), "acme-prod", "acme-host/prod-vpc"),
    ("", "acme-prod", ""),
])
def test_reference(value: str, own: str, expected: str) -> None:
    assert reference(value, own) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("600s", "600s"), ("600.000s", "600s"), ("600.5s", "600.5s"), (600, "600s"),
    (600.0, "600s"), ("", None), (None, None), ("forever", "forever"),
])
def test_duration(value: object, expected: object) -> None:
    assert duration(value) == expected


def test_labels_are_string_maps() -> None:
    assert labels({"b": 1.0, "a": None}) == {"a": "", "b": "1.0"}
    assert labels(None) is None


def test_state_labels_prefer_what_the_provider_saw_on_the_resource() -> None:
    read = state_labels("effective_labels", "terraform_labels", "labels")
    assert read({"labels": {"a": "1"}, "terraform_labels": {"a": "1", "d": "2"},
                 "effective_labels": {"a": "1", "d": "2", "x": "3"}}) == {
        "a": "1", "d": "2", "x": "3"}
    assert read({"labels": {"a": "1"}}) == {"a": "1"}
    assert read({"labels": None}) is None
    assert read({"name": "x"}) is UNKNOWN


def test_state_get_fills_defaults_but_keeps_unrecorded_attributes_unknown() -> None:
    read = state_get("dnssec_config.0.state", "off")
    assert read({"dnssec_config": []}) == "off"
    assert read({"dnssec_config": [{"state": "on"}]}) == "on"
    assert read({"name": "zone"}) is UNKNOWN


def test_a_nested_attribute_an_older_schema_lacked_is_unknown_not_unset() -> None:
    attributes = {"settings": [{"tier": "db-f1-micro", "backup_configuration": []}]}
    assert state_at(attributes, "settings.0.tier") == "db-f1-micro"
    assert state_at(attributes, "settings.0.edition") is UNKNOWN
    # an empty block is an unset argument, which the API may fill with its default
    assert state_at(attributes, "settings.0.backup_configuration.0.enabled") is None
    assert state_at({"settings": []}, "settings.0.edition") is None


def test_import_ids_from_state_attributes() -> None:
    build = template("projects/{project}/zones/{zone}/instances/{name}")
    assert build({"project": "projects/acme", "zone": "https://x/zones/europe-west1-b",
                  "name": "vm"}) == "projects/acme/zones/europe-west1-b/instances/vm"
    assert build({"project": "acme", "zone": "", "name": "vm"}) is None
    assert strip_projects("projects/acme") == "acme"


def test_relative_names_and_locations() -> None:
    assert relative_name(SELF_LINK) == "projects/acme-prod/global/networks/prod-vpc"
    assert relative_name("https://compute.googleapis.com/compute/beta/projects/p/zones/z/"
                         "disks/d") == "projects/p/zones/z/disks/d"
    assert location_in_id("projects/p/zones/europe-west1-b/instances/vm") == "europe-west1-b"
    assert location_in_id("projects/p/locations/global/keyRings/r") == "global"
    assert location_in_id("projects/p/topics/t") is None


@pytest.mark.parametrize(("email", "google"), [
    ("web-runtime@acme-prod.iam.gserviceaccount.com", False),
    ("314159265358-compute@developer.gserviceaccount.com", True),
    ("acme-prod@appspot.gserviceaccount.com", True),
    ("314159265358@cloudservices.gserviceaccount.com", True),
    ("service-314159265358@gcp-sa-pubsub.iam.gserviceaccount.com", True),
    ("service-314159265358@compute-system.iam.gserviceaccount.com", True),
])
def test_google_managed_service_accounts(email: str, google: bool) -> None:
    assert google_managed_account(email) is google


def test_member_ids_ignore_the_case_of_e_mail_addresses() -> None:
    assert member_key("user:Dana@ACME.example") == "user:dana@acme.example"
    assert member_key("principal://iam.googleapis.com/X") == "principal://iam.googleapis.com/X"
