"""Secrets held by drifted resources never reach a rendered report, in any format."""

from __future__ import annotations

import html
import json
from pathlib import Path

from cloudrift.engine import Scan, ScanInput, read_sources
from cloudrift.model import FindingKind, ScanReport
from cloudrift.redact import REDACTED, Redactor
from cloudrift.report import FORMATS, OutputTarget, render
from cloudrift.sources.tfstate import parse_state
from cloudrift.sources.uri import open_source
from cloudrift.spec import UNKNOWN
from cloudrift.testing import StateBuilder
from cloudrift_aws.testing import MotoServer
from tests.providers.aws.cases import Attrs, lambda_, rds
from tests.providers.aws.conftest import Clients, make_provider


def _read(path: Path, attrs: Attrs, sensitive: tuple[tuple[str, ...], ...],
          rtype: str) -> ScanInput:
    """The state as the CLI reads it: from a file, with the redactor built from its secrets."""
    StateBuilder().add(rtype, "this", attrs, sensitive=[list(p) for p in sensitive]).write(path)
    return read_sources([open_source(str(path))])


def _scan(scan_input: ScanInput, provider: object) -> ScanReport:
    return Scan(scan_input, {"aws": provider}).run()


def _renderings(report: ScanReport, redactor: Redactor | None) -> dict[str, str]:
    """Every format, with character references undone: Markdown writes '.' as '&#46;', and a
    secret must not hide from the check (nor the drift from the reader) behind escaping."""
    return {
        f"{fmt} color={color}": html.unescape(
            render(report, OutputTarget(fmt, None), color=color, redactor=redactor)
        )
        for fmt in FORMATS
        for color in (False, True)
    }


def test_db_password_absent_from_every_rendering(
    moto: MotoServer, clients: Clients, tmp_path: Path
) -> None:
    attrs = rds.CASE.create(clients)
    # instance class and backups drift, and the master password is rotated behind Terraform
    rds.CASE.change(clients, attrs)
    scan_input = _read(tmp_path / "db.tfstate", attrs, rds.CASE.sensitive, rds.CASE.type)
    report = _scan(scan_input, make_provider(moto.endpoint))

    [finding] = [f for f in report.findings if f.type == "aws_db_instance"]
    assert finding.kind is FindingKind.CHANGED
    assert {c.path for c in finding.changes} == rds.CASE.changed_paths
    # the findings themselves are clean: no renderer-side scrubbing is needed for that
    for name, text in _renderings(report, redactor=None).items():
        assert rds.PASSWORD not in text, name
        assert "db.t3.small" in text, f"{name} does not show the drift it is meant to"


def test_db_password_is_never_compared(moto: MotoServer, clients: Clients) -> None:
    attrs = rds.CASE.create(clients)
    document = StateBuilder().add(
        rds.CASE.type, "this", attrs, sensitive=[list(p) for p in rds.CASE.sensitive]
    ).document()
    parsed = parse_state(json.dumps(document).encode(), "db.tfstate")
    provider = make_provider(moto.endpoint)
    [desired], _ = provider.desired(parsed.managed)
    assert desired.attributes["password"] is UNKNOWN
    assert "password" in desired.sensitive
    assert rds.PASSWORD not in repr(desired)

    report = _scan(ScanInput([parsed]), provider)
    [coverage] = [c for c in report.coverage if c.type == "aws_db_instance"]
    assert report.summary.in_sync == 1
    assert coverage.unknown_fields >= 1


def test_password_copied_into_a_tag_is_scrubbed(
    moto: MotoServer, clients: Clients, tmp_path: Path
) -> None:
    attrs = rds.CASE.create(clients)
    clients("rds").add_tags_to_resource(
        ResourceName=attrs["arn"], Tags=[{"Key": "note", "Value": f"pw={rds.PASSWORD}"}]
    )
    scan_input = _read(tmp_path / "db.tfstate", attrs, rds.CASE.sensitive, rds.CASE.type)
    report = _scan(scan_input, make_provider(moto.endpoint))

    [finding] = [f for f in report.findings if f.type == "aws_db_instance"]
    assert [c.path for c in finding.changes] == ["tags.note"]
    for name, text in _renderings(report, scan_input.redactor).items():
        assert rds.PASSWORD not in text, name
        # driftctl's layout spells the path as a list: ["tags", "note"]
        assert "tags.note" in text or '"note"' in text, name
        assert REDACTED in text, name


def test_lambda_secret_variable_redacted_on_both_sides(
    moto: MotoServer, clients: Clients, tmp_path: Path
) -> None:
    new_secret = "rotated-by-hand-0917"
    attrs = lambda_.CASES[0].create(clients)
    old_secret = attrs["environment"][0]["variables"]["DB_PASSWORD"]
    # Terraform does not mark environment variables sensitive: only the name gives them away,
    # and the new value was never in any state, so no scrubbing of known secrets can catch it
    clients("lambda").update_function_configuration(
        FunctionName=attrs["id"],
        Environment={"Variables": {**attrs["environment"][0]["variables"],
                                   "DB_PASSWORD": new_secret}},
    )
    scan_input = _read(tmp_path / "fn.tfstate", attrs, (), "aws_lambda_function")
    report = _scan(scan_input, make_provider(moto.endpoint))

    [finding] = [f for f in report.findings if f.type == "aws_lambda_function"]
    [change] = finding.changes
    assert change.path == "environment.0.variables.DB_PASSWORD"
    assert (change.expected, change.actual) == (REDACTED, REDACTED)
    for name, text in _renderings(report, redactor=None).items():
        assert old_secret not in text, name
        assert new_secret not in text, name
