"""Reports for history tests: findings in known units, scans a day apart."""

from __future__ import annotations

from collections.abc import Iterable

from cloudrift.model import (
    CodeCoverage,
    FieldChange,
    Finding,
    FindingKind,
    ScanReport,
    Scope,
    TypeCoverage,
)

ACCOUNT = "123456789012"
STATE = "envs/prod/terraform.tfstate"


def changed(name: str, *, rtype: str = "aws_sqs_queue", region: str = "eu-west-1",
            path: str = "tags.env", expected: object = "prod", actual: object = "dev",
            source: str = STATE) -> Finding:
    return Finding(
        kind=FindingKind.CHANGED, type=rtype, id=name, address=f"{rtype}.{name}",
        provider="aws", scope=Scope(account=ACCOUNT, region=region), source=source,
        changes=[FieldChange(path=path, expected=expected, actual=actual)],
    ).with_fingerprint()


def unmanaged(name: str, *, rtype: str = "aws_sqs_queue", region: str = "eu-west-1") -> Finding:
    return Finding(kind=FindingKind.UNMANAGED, type=rtype, id=name, provider="aws",
                   scope=Scope(account=ACCOUNT, region=region)).with_fingerprint()


def unapplied(address: str, root: str = "envs/prod") -> Finding:
    rtype = address.split(".")[0]
    return Finding(kind=FindingKind.UNAPPLIED, type=rtype, id=address, address=address,
                   provider="aws", scope=Scope(), source=root,
                   location=f"{root}/main.tf:1").with_fingerprint()


def coverage(types: Iterable[str] = ("aws_sqs_queue",), regions: Iterable[str] = ("eu-west-1",),
             failed: Iterable[str] = ()) -> list[TypeCoverage]:
    return [TypeCoverage(provider="aws", type=t,
                         scanned_scopes=[f"{ACCOUNT}/{r}" for r in regions if r not in failed],
                         failed_scopes=[f"{ACCOUNT}/{r}" for r in failed])
            for t in types]


def report(findings: Iterable[Finding], day: int = 1, *, cov: list[TypeCoverage] | None = None,
           roots: Iterable[str] = (), sources: Iterable[str] = (STATE,)) -> ScanReport:
    return ScanReport(
        tool_version="test", started_at=f"2026-11-{day:02d}T03:00:00+00:00",
        sources=list(sources), providers=["aws"], findings=list(findings),
        coverage=coverage() if cov is None else cov,
        code_coverage=[CodeCoverage(root=r) for r in roots],
    )
