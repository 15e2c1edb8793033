"""The types that guard secrets (SSM parameters, Secrets Manager secrets, IAM access keys) are
compared on metadata only: no call of the scan returns secret material, and no secret value,
from the state or from AWS, reaches any rendering of the report."""

from __future__ import annotations

import html
import re
from pathlib import Path

from cloudrift.engine import Scan, read_sources
from cloudrift.model import FindingKind, ScanReport
from cloudrift.redact import REDACTED, Redactor
from cloudrift.report import FORMATS, OutputTarget, render
from cloudrift.sources.uri import open_source
from cloudrift.testing import StateBuilder
from cloudrift_aws.testing import MotoServer
from tests.providers.aws.cases import Attrs, iam_identity, secrets
from tests.providers.aws.conftest import Clients, ScanFn, make_provider

# every read that hands back a secret value (ciphertext included) or makes a new one
_SECRET_CALLS = re.compile(
    r"^(secretsmanager:(Batch)?GetSecretValue|ssm:GetParameter(s|sByPath|History)?|"
    r"iam:CreateAccessKey|kms:(Decrypt|GenerateDataKey.*))$"
)
CASES = (iam_identity.ACCESS_KEY, secrets.SECRET, secrets.PARAMETER)


def _renderings(report: ScanReport, redactor: Redactor | None) -> dict[str, str]:
    return {
        f"{fmt} color={color}": html.unescape(
            render(report, OutputTarget(fmt, None), color=color, redactor=redactor))
        for fmt in FORMATS
        for color in (False, True)
    }


def _drifted_scan(clients: Clients, moto: MotoServer, tmp_path: Path
                  ) -> tuple[ScanReport, Redactor, dict[str, Attrs], list[str]]:
    state = StateBuilder()
    created: dict[str, Attrs] = {}
    for case in CASES:
        attrs = case.create(clients)
        case.change(clients, attrs)
        created[case.type] = attrs
        state.add(case.type, "this", attrs, sensitive=[list(p) for p in case.sensitive])
    path = tmp_path / "secrets.tfstate"
    state.write(path)
    scan_input = read_sources([open_source(str(path))])
    provider = make_provider(moto.endpoint)
    report = Scan(scan_input, {"aws": provider}).run()
    return report, scan_input.redactor, created, provider.ctx.operations


def _secret_values(created: dict[str, Attrs]) -> list[str]:
    key = created["aws_iam_access_key"]
    return [secrets.SECRET_VALUE, secrets.PARAMETER_VALUE, secrets.NEW_PARAMETER_VALUE,
            key["secret"], key["ses_smtp_password_v4"]]


def test_no_secret_value_in_any_rendering(moto: MotoServer, clients: Clients,
                                          tmp_path: Path) -> None:
    report, redactor, created, _ = _drifted_scan(clients, moto, tmp_path)
    changed = {f.type: f for f in report.findings if f.kind is FindingKind.CHANGED}
    assert set(changed) == {case.type for case in CASES}
    # the parameter was put again by hand: reported, its value shown as (sensitive) only
    [value] = [c for c in changed["aws_ssm_parameter"].changes if c.path == "value"]
    assert (value.expected, value.actual) == (REDACTED, REDACTED)
    # the findings carry no secret even before any scrubbing of state values: the values
    # were never read, and what stands in for them (the version) is not one
    for redacting in (None, redactor):
        for name, text in _renderings(report, redacting).items():
            for secret in _secret_values(created):
                assert secret not in text, name
            assert "changed by hand" in text, f"{name} does not show the drift"


def test_no_call_returns_secret_material(moto: MotoServer, clients: Clients,
                                         tmp_path: Path) -> None:
    _, _, _, operations = _drifted_scan(clients, moto, tmp_path)
    assert [op for op in operations if _SECRET_CALLS.match(op)] == []
    # it did look: the metadata of each came from these
    assert {"ssm:DescribeParameters", "secretsmanager:ListSecrets",
            "secretsmanager:DescribeSecret", "iam:ListAccessKeys"} <= set(operations)


def test_a_parameter_put_again_with_its_own_value_still_shows(clients: Clients,
                                                              scan: ScanFn) -> None:
    """The version stands in for the value: a put behind Terraform's back is drift even when
    it wrote the same value, since AWS cannot say so without handing the value over."""
    case = secrets.PARAMETER
    attrs = case.create(clients)
    clients("ssm").put_parameter(Name=attrs["name"], Type="SecureString",
                                 Value=secrets.PARAMETER_VALUE, Overwrite=True)
    report = scan(StateBuilder().add(case.type, "this", attrs, sensitive=[["value"]]))
    [finding] = [f for f in report.findings if f.type == case.type]
    assert [(c.path, c.expected, c.actual) for c in finding.changes] == [
        ("value", REDACTED, REDACTED)]
