"""--aws-organization: every account of an AWS Organization, through moto's Organizations and
STS over real HTTP (denials injected by the fault proxy in front of moto)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cloudrift.cli import cli
from cloudrift.testing import StateBuilder
from cloudrift.testing.faults import Fault, FaultKind, FaultProxy
from cloudrift_aws.organization import PAGE_SIZE, list_accounts
from cloudrift_aws.session import AwsContext
from cloudrift_aws.testing import MotoServer
from tests.providers.aws.orgs import MANAGEMENT, ROLE, Organization, new_organization


@pytest.fixture
def organization(moto: MotoServer, tmp_path: Path) -> Organization:
    return new_organization(moto, tmp_path)


def scan(org: Organization, *extra: str, endpoint: str | None = None) -> tuple[int, Any, str]:
    out = org.directory / "report.json"
    out.unlink(missing_ok=True)
    args = ["scan", "-q", "--region", "us-east-1", "--type", "aws_iam_role",
            "--type", "aws_iam_user", "--type", "aws_iam_role_policy_attachment",
            "--aws-organization", "--aws-role-name", ROLE, "-o", f"json://{out}"]
    for state in org.states:
        args += ["--from", state]
    result = CliRunner().invoke(cli, [*args, *extra],
                                env={"AWS_ENDPOINT_URL": endpoint or org.moto.endpoint})
    report = json.loads(out.read_text()) if out.exists() else None
    return result.exit_code, report, result.output


def findings(report: Any) -> list[tuple[str, str, str | None, str | None]]:
    return sorted((f["kind"], f["type"], f["scope"]["account"], f["address"])
                  for f in report["findings"])


def test_every_active_account_is_scanned_with_the_named_role(organization: Organization) -> None:
    dev, prod = organization.add("dev"), organization.add("prod")
    organization.roles("management", {"org-admin": "ops"})
    organization.roles("dev", {"app": "ops", "ci": "ops"}, drift={"ci": "changed by hand"},
                       attachment=True)
    organization.roles("prod", {"app": "ops"}, stray_user=True)

    code, report, output = scan(organization)
    assert code == 1, output
    assert report["providers"] == ["aws", *sorted([f"aws@{dev}", f"aws@{prod}"])]
    assert findings(report) == [
        ("changed", "aws_iam_role", dev, "aws_iam_role.ci"),
        ("unmanaged", "aws_iam_user", prod, None),
    ]
    # every state resource compared in its own account, the attachment (no ARN) in dev's
    assert (report["summary"]["managed"], report["summary"]["compared"]) == (5, 5)
    assert report["warnings"] == []
    # one listing of the organisation and one role assumed per account, each a counted call
    calls = report["api_calls"]
    assert calls["aws:organizations:ListAccounts"] == 1
    assert calls["aws:sts:AssumeRole"] == 3
    scanned = {s for c in report["coverage"] if c["type"] == "aws_iam_role"
               for s in c["scanned_scopes"]}
    assert scanned == {f"{a}/global" for a in (MANAGEMENT, dev, prod)}


def test_a_suspended_account_is_a_warning_and_its_resources_are_outside_scope(
    organization: Organization,
) -> None:
    organization.add("dev")
    closed = organization.add("old")
    organization.roles("dev", {"app": "ops"})
    organization.roles("old", {"legacy": "ops", "other": "ops"})
    organization.close("old")

    code, report, output = scan(organization)
    assert code == 0, output
    assert report["summary"]["not_compared"] == {"outside_scope": 2}
    [warning] = report["warnings"]
    assert warning["code"] == "account_not_active"
    assert warning["scope"]["account"] == closed
    assert f"AWS account {closed} (old) not scanned" in warning["message"]
    assert "SUSPENDED" in warning["message"]
    assert "2 resource(s) the states hold in it were not compared" in warning["message"]
    # nobody tried to reach it
    assert report["api_calls"]["aws:sts:AssumeRole"] == 2


def test_an_account_whose_role_cannot_be_assumed_is_a_warning_and_the_scan_goes_on(
    organization: Organization,
) -> None:
    dev, locked = organization.add("dev"), organization.add("locked")
    organization.roles("dev", {"app": "ops"}, drift={"app": "changed"})
    organization.roles("locked", {"app": "ops"})
    deny = Fault(FaultKind.DENY, service="sts", operation="AssumeRole",
                 parameter=f"RoleArn=arn:aws:iam::{locked}:role/*")
    with FaultProxy(organization.moto.endpoint, [deny]) as proxy:
        code, report, output = scan(organization, endpoint=proxy.endpoint)
        assert proxy.fired == [1]
    # drift elsewhere is still found
    assert code == 1, output
    assert findings(report) == [("changed", "aws_iam_role", dev, "aws_iam_role.app")]
    assert report["summary"]["not_compared"] == {"outside_scope": 1}
    [warning] = report["warnings"]
    assert warning["code"] == "account_unreachable"
    assert warning["message"].startswith(
        f"AWS account {locked} (locked) not scanned: cannot assume "
        f"arn:aws:iam::{locked}:role/{ROLE} (AccessDenied)")
    assert f"aws@{locked}" in report["providers"]


def test_without_drift_an_unreachable_account_leaves_the_scan_incomplete(
    organization: Organization,
) -> None:
    locked = organization.add("locked")
    organization.roles("locked", {"app": "ops"})
    deny = Fault(FaultKind.DENY, service="sts", operation="AssumeRole",
                 parameter=f"RoleArn=arn:aws:iam::{locked}:role/*")
    with FaultProxy(organization.moto.endpoint, [deny]) as proxy:
        code, _, output = scan(organization, endpoint=proxy.endpoint)
        assert code == 2, output
        code, report, _ = scan(organization, "--allow-incomplete", endpoint=proxy.endpoint)
    assert code == 0
    assert [w["code"] for w in report["warnings"]] == ["account_unreachable"]


def test_a_resource_of_an_account_outside_the_organization_is_not_compared(
    organization: Organization, tmp_path: Path,
) -> None:
    organization.roles("management", {"org-admin": "ops"})
    state = StateBuilder()
    state.add("aws_iam_role", "elsewhere", {
        "id": "x", "name": "x", "arn": "arn:aws:iam::222222222222:role/x"})
    organization.states.append(state.write(tmp_path / "elsewhere.tfstate"))
    code, report, output = scan(organization)
    assert code == 0, output
    assert report["summary"]["not_compared"] == {"outside_scope": 1}
    assert [(w["code"], w["message"]) for w in report["warnings"]] == [(
        "account_not_scanned", "1 resource(s) of AWS account 222222222222 not compared: it "
        "is not an account of the organization")]


def empty_state(directory: Path) -> str:
    return StateBuilder().write(directory / "empty.tfstate")


def test_the_role_name_is_required(organization: Organization) -> None:
    result = CliRunner().invoke(cli, ["scan", "--to", "aws", "--aws-organization",
                                      "--from", empty_state(organization.directory)],
                                env={"AWS_ENDPOINT_URL": organization.moto.endpoint})
    assert result.exit_code == 2
    assert "--aws-organization needs --aws-role-name" in result.output


def test_an_organization_that_cannot_be_listed_is_one_clear_error(
    organization: Organization,
) -> None:
    """A member account's credentials may not list the organisation: nothing to scan."""
    deny = Fault(FaultKind.DENY, service="organizations", operation="ListAccounts")
    with FaultProxy(organization.moto.endpoint, [deny]) as proxy:
        result = CliRunner().invoke(cli, [
            "scan", "--to", "aws", "--aws-organization", "--aws-role-name", ROLE,
            "--region", "us-east-1", "--from", empty_state(organization.directory)],
            env={"AWS_ENDPOINT_URL": proxy.endpoint})
    assert result.exit_code == 2
    assert "cannot list the organization's accounts (AccessDeniedException)" in result.output
    assert "delegated administrator" in result.output


def test_credentials_outside_an_organization_are_one_clear_error(
    moto: MotoServer, tmp_path: Path,
) -> None:
    result = CliRunner().invoke(cli, ["scan", "--to", "aws", "--aws-organization",
                                      "--aws-role-name", ROLE, "--region", "us-east-1",
                                      "--from", empty_state(tmp_path)],
                                env={"AWS_ENDPOINT_URL": moto.endpoint})
    assert result.exit_code == 2
    # AWS answers AWSOrganizationsNotInUseException, moto an empty list: either is said
    assert "--aws-organization: " in result.output


def test_the_accounts_are_listed_page_by_page(organization: Organization) -> None:
    for n in range(PAGE_SIZE + 3):
        organization.add(f"member-{n:02d}")
    ctx = AwsContext(endpoint_url=organization.moto.endpoint)
    accounts = list_accounts(ctx, "us-east-1")
    assert ctx.calls["organizations:ListAccounts"] == 2
    assert len(accounts) == PAGE_SIZE + 4
    assert {a.id for a in accounts} == set(organization.accounts.values()) | {MANAGEMENT}
    assert all(a.state == "ACTIVE" for a in accounts)
