"""A lint over every AWS spec: its calls, its fields and its import id, checked against the
botocore service models and against the hashicorp/aws provider's own schema.

The schema comes from ``terraform providers schema -json`` run on the provider in the local
mirror: it says which arguments each resource has, which of them the user sets (optional or
required, not computed-only) and which Terraform marks sensitive. A field path with a typo
would otherwise be silently unknown, a computed attribute would be compared (the false positives
that killed driftctl's deep mode), and a secret could be compared in the clear.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3
import jmespath
import pytest

from cloudrift.testing.terraform import provider_schema, unavailable_reason
from cloudrift_aws import AwsPlugin, AwsSpec
from tests.providers.aws.cases import all_cases

SPECS = AwsPlugin().types()
IDS = list(SPECS)
READ_PREFIXES = ("Describe", "List", "Get", "Head")
_SESSION = boto3.session.Session(region_name="us-east-1")


@pytest.fixture(scope="session")
def resource_schemas(tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, Any]:
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"the provider schema needs terraform and its mirror: {reason}")
    schema = provider_schema(Path(tmp_path_factory.mktemp("aws-schema")))
    resources: Mapping[str, Any] = schema["resource_schemas"]
    return resources


def _operation(service: str, method: str) -> str:
    client = _SESSION.client(service, endpoint_url="http://127.0.0.1:9")
    mapping: dict[str, str] = client.meta.method_to_api_mapping
    assert method in mapping, f"{service} has no method {method}"
    return mapping[method]


def _argument(block: Mapping[str, Any], path: str) -> Mapping[str, Any] | None:
    """The schema entry a dotted state path (``a.0.b``, ``tags.env``) starts at: an attribute
    (returned as is) or a nested block (its ``block`` with a ``nesting_mode`` key)."""
    steps = [step for step in path.split(".") if not step.isdigit()]
    current = block
    for position, step in enumerate(steps):
        attributes = current.get("attributes") or {}
        if step in attributes:
            return dict(attributes[step])
        nested = (current.get("block_types") or {}).get(step)
        if nested is None:
            return None
        if position == len(steps) - 1:
            return {"nesting_mode": nested["nesting_mode"], **nested["block"]}
        current = nested["block"]
    return None


def test_every_spec_has_a_case() -> None:
    assert set(SPECS) <= {case.type for case in all_cases()}


@pytest.mark.parametrize("spec", list(SPECS.values()), ids=IDS)
def test_calls_are_reads_the_service_has(spec: AwsSpec) -> None:
    assert spec.type.startswith("aws_")
    assert spec.service in _SESSION.get_available_services(), spec.service
    jmespath.compile(spec.id_query)
    if spec.list is not None:
        assert _operation(spec.service, spec.list.operation).startswith(READ_PREFIXES)
        jmespath.compile(spec.list.result)
    for detail in spec.details:
        operation = _operation(detail.service or spec.service, detail.operation)
        assert operation.startswith(READ_PREFIXES), f"{spec.type}: {operation} is not a read"
        if detail.result:
            jmespath.compile(detail.result)


@pytest.mark.parametrize("spec", list(SPECS.values()), ids=IDS)
def test_fields_are_arguments_the_user_sets(spec: AwsSpec,
                                            resource_schemas: Mapping[str, Any]) -> None:
    assert spec.type in resource_schemas, f"{spec.type} is not a resource of hashicorp/aws"
    block = resource_schemas[spec.type]["block"]
    paths = [f.path for f in spec.fields]
    assert len(paths) == len(set(paths)), f"{spec.type}: a field is declared twice"
    for field in spec.fields:
        argument = _argument(block, field.path)
        assert argument is not None, f"{spec.type}.{field.path} is not in the provider schema"
        settable = argument.get("optional") or argument.get("required") or (
            "nesting_mode" in argument)
        assert settable, f"{spec.type}.{field.path} is computed-only: never drift of the code"
        if argument.get("sensitive"):
            assert field.sensitive, f"{spec.type}.{field.path} is sensitive: mark it so"


@pytest.mark.parametrize("spec", list(SPECS.values()), ids=IDS)
def test_the_import_id_comes_from_state(spec: AwsSpec, resource_schemas: Mapping[str, Any]
                                        ) -> None:
    if callable(spec.import_id):
        return
    attributes = resource_schemas[spec.type]["block"]["attributes"]
    assert spec.import_id in attributes, f"{spec.type}: no attribute {spec.import_id!r}"
