"""docs/providers/aws.md says what the specs and the measured call figures say.

Cheap: no scan runs here. The type table is generated from the specs, the calls table from
``providers/cloudrift_aws/calls.json`` (measured against moto by
``python -m tests.providers.aws.measure``); both must be what is committed, and the measured
figures must agree with what each spec declares about its calls.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudrift_aws import AwsPlugin
from cloudrift_aws.docs import (
    COMMAND,
    MEASURE_COMMAND,
    PAGE,
    api_calls,
    kind,
    load_calls,
    main,
    per_resource,
    render,
)
from tests.providers.aws.measure import KNOWN_PER_RESOURCE, UNMANAGED_CALLS

SPECS = AwsPlugin().types()
MEASURED = load_calls()
FIGURES = MEASURED.get("types", {})
COPIES = int(MEASURED.get("copies", 0))
MEASURED_TYPES = [t for t in SPECS if t in FIGURES and "problem" not in FIGURES[t]]


def test_the_page_is_what_the_specs_and_figures_generate() -> None:
    page = PAGE.read_text()
    assert render(page, SPECS, MEASURED) == page, (
        f"docs/providers/aws.md is out of date: run `{COMMAND}` and commit it")


def test_check_fails_on_a_stale_page_and_names_the_command(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "aws.md"
    stale.write_text(PAGE.read_text().replace("| `aws_vpc` |", "| `aws_vpc_old` |"))
    assert main(["--check", "--page", str(stale)]) == 1
    assert COMMAND in capsys.readouterr().err
    assert main(["--page", str(stale)]) == 0
    assert main(["--check", "--page", str(stale)]) == 0
    assert stale.read_text() == PAGE.read_text()


def test_a_page_without_the_markers_is_an_error() -> None:
    with pytest.raises(ValueError, match="BEGIN GENERATED types"):
        render("# AWS\n", SPECS, MEASURED)


def test_the_figures_are_of_types_that_exist() -> None:
    assert set(FIGURES) <= set(SPECS), f"re-run `{MEASURE_COMMAND}`"


@pytest.mark.parametrize("rtype", MEASURED_TYPES)
def test_every_measured_call_is_declared(rtype: str) -> None:
    """The type table lists a type's calls from its spec: the scan made no other."""
    listing, details = api_calls(SPECS[rtype])
    made = {op for counts in FIGURES[rtype].values() for op in counts}
    assert made <= set(listing) | set(details), (
        f"{rtype} made calls its spec does not declare (AwsSpec.calls): "
        f"{sorted(made - set(listing) - set(details))}")


@pytest.mark.parametrize("rtype", [
    pytest.param(t, marks=pytest.mark.xfail(reason=KNOWN_PER_RESOURCE[t], strict=True))
    if t in KNOWN_PER_RESOURCE else t for t in MEASURED_TYPES])
def test_what_a_managed_resource_costs_is_what_the_spec_says(rtype: str) -> None:
    spec = SPECS[rtype]
    each = per_resource(FIGURES[rtype], COPIES)
    listing, details = api_calls(spec)
    if kind(spec) == "bulk":
        assert each == {}, f"{rtype}: a bulk spec, yet each managed resource costs {each}"
    else:
        assert set(each) <= set(listing) | set(details), f"{rtype}: {each} undeclared"


@pytest.mark.parametrize("rtype", MEASURED_TYPES)
def test_an_unmanaged_resource_costs_nothing(rtype: str) -> None:
    figures = FIGURES[rtype]
    grown = {op for op in {*figures["unmanaged"], *figures["empty"]}
             if figures["unmanaged"].get(op) != figures["empty"].get(op)}
    assert grown <= set(UNMANAGED_CALLS), f"{rtype}: unmanaged resources cost {grown}"


@pytest.mark.parametrize("rtype", ["aws_ssm_parameter", "aws_secretsmanager_secret",
                                   "aws_iam_access_key"])
def test_secret_types_say_their_secret_is_never_read(rtype: str) -> None:
    row = next(line for line in PAGE.read_text().splitlines()
               if line.startswith(f"| `{rtype}` |") and "never read" in line)
    listing, details = api_calls(SPECS[rtype])
    assert not {"ssm:GetParameter", "ssm:GetParameters", "secretsmanager:GetSecretValue",
                "iam:CreateAccessKey"} & {*listing, *details}, row
