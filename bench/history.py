"""The history's write time: recording a scan of 10,000 findings into SQLite (target < 1 s).

Two figures: the first scan (every finding new: inserted) and the next one (every finding known:
updated, plus one event each), each into a fresh database, best of three. The time is
``History.record`` alone, opening the database (and making its schema) excluded.
"""

from __future__ import annotations

import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from cloudrift.model import FieldChange, Finding, FindingKind, ScanReport, Scope, TypeCoverage

Row = dict[str, str]
TARGET_S = 1.0


def _report(count: int, day: int) -> ScanReport:
    scope = Scope(account="123456789012", region="us-east-1")
    findings = [
        Finding(kind=FindingKind.CHANGED, type="aws_s3_bucket", id=f"bucket-{n}",
                address=f'module.m{n // 1000}.aws_s3_bucket.b["{n}"]', provider="aws",
                scope=scope, source="envs/prod/terraform.tfstate",
                changes=[FieldChange(path="tags.CostCenter", expected="ops", actual=None)],
                ).with_fingerprint()
        for n in range(count)
    ]
    return ScanReport(
        started_at=f"2026-12-{day:02d}T03:00:00+00:00", sources=["envs/prod/terraform.tfstate"],
        providers=["aws"], findings=findings,
        coverage=[TypeCoverage(provider="aws", type="aws_s3_bucket",
                               scanned_scopes=["123456789012/us-east-1"], managed=count)],
    )


def bench_history(count: int = 10_000, runs: int = 3) -> list[Row]:
    from cloudrift.history import History

    first, second = _report(count, 1), _report(count, 2)
    now = datetime(2026, 12, 3, tzinfo=timezone.utc)
    best_new = best_known = float("inf")
    for run in range(runs):
        with tempfile.TemporaryDirectory() as tmp, History(
                f"sqlite:///{Path(tmp) / f'h{run}.db'}") as store:
            start = time.perf_counter()
            done = store.record(first, now=now)
            best_new = min(best_new, time.perf_counter() - start)
            assert done.report.summary.new == count
            start = time.perf_counter()
            done = store.record(second, now=now)
            best_known = min(best_known, time.perf_counter() - start)
            assert done.report.summary.known == count
    verdict = "meets" if max(best_new, best_known) < TARGET_S else "misses"
    return [
        {"benchmark": f"history write, {count:,} findings, SQLite: first scan (all new)",
         "result": f"{best_new:.2f} s",
         "detail": f"{count / best_new:,.0f} findings/s; {verdict} the {TARGET_S:g} s target"},
        {"benchmark": f"history write, {count:,} findings, SQLite: next scan (all known)",
         "result": f"{best_known:.2f} s",
         "detail": f"{count / best_known:,.0f} findings/s; one transaction, WAL, an event "
         "per finding"},
    ]


if __name__ == "__main__":
    for row in bench_history():
        print(row)
