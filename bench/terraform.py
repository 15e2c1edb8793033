"""cloudrift against Terraform's own drift detection, side by side, one estate at a time.

``side_by_side`` is the whole benchmark for one ``Estate`` (the estates are in
``bench/estates.py``): real terraform applies the estate once to moto's server; boto3 then
changes, deletes and adds resources behind its back as the estate says; ``terraform plan
-refresh-only`` + ``show -json`` and ``cloudrift scan`` (the CLI, JSON output, once per
``Variant`` of the estate) each judge the same drifted estate ``runs`` times. The best wall time
of each is reported with the API calls each made as the emulator counted them (a WSGI middleware
in front of moto, ``bench/emulator.py``), the ratios against the estate's targets, and whether
both found the same drifted addresses. Every reason given for a missed target is computed from
what was measured.

Run alone with ``.venv/bin/python bench/terraform.py [ESTATE ...]``; ``bench/run.py`` calls
``bench_estate`` once per estate.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.emulator import RequestCounter, Tally, counting_emulator, reset  # noqa: E402
from cloudrift.testing.terraform import (  # noqa: E402
    DriftEntry,
    Terraform,
    TerraformError,
    emulator_environment,
    find_provider_mirror,
    find_terraform,
    resource_drift,
    unavailable_reason,
    write_cli_config,
)
from tests.e2e.behind_terraform import Clients, Mutation, Unmanaged  # noqa: E402

Row = dict[str, str]

REGION = "us-east-1"
# for the apply and the timed plans alike (on moto, plans at 10 and at 20 take the same time)
PARALLELISM = 20
RUNS = 3


@dataclass(frozen=True)
class Target:
    """What the issues ask of cloudrift against terraform on an estate: reported, never
    asserted. ``calls``: at most 1/N of terraform's calls, for each N; ``fewer_calls``: strictly
    fewer."""

    speed: float | None = None
    calls: tuple[float, ...] = ()
    fewer_calls: bool = False


@dataclass(frozen=True)
class Variant:
    """One way of running ``cloudrift scan`` on an estate. ``needs`` names a ``scan`` option
    the variant cannot run without; the variant is left out (and says so) where ``cloudrift
    scan --help`` does not list it."""

    label: str  # "" for the plain scan
    target: Target
    args: tuple[str, ...] = ()
    needs: str | None = None


@dataclass(frozen=True)
class Estate:
    """A Terraform configuration to apply once and judge: ``write`` fills an empty directory
    with the root module; ``unavailable`` says why it cannot be built here, or None."""

    name: str
    title: str
    write: Callable[[Path], None]
    variants: tuple[Variant, ...]
    mutations: tuple[Mutation, ...] = ()
    unmanaged: tuple[Unmanaged, ...] = ()
    runs: int = RUNS
    unavailable: Callable[[], str | None] = lambda: None


# -- the two judges -----------------------------------------------------------------------------

# The scan with cloudrift_aws's client-side pacing lifted: a diagnostic run that shows what the
# pacing costs on an emulator that never throttles. It patches the published-limits table the
# provider builds its token buckets from, before the CLI starts.
_UNPACED = """\
import cloudrift_aws.session as session
session.PUBLISHED_LIMITS.clear()
session.DEFAULT_LIMIT = (1e9, 1e9)
from cloudrift.cli import main
main()
"""


@dataclass
class Judged:
    """One judge's best run: wall time, what the emulator saw it do, and the drift it found
    as (address, kind) pairs."""

    seconds: float
    tally: Tally
    drift: set[tuple[str, str]]
    call_range: tuple[int, int]
    unmanaged: set[tuple[str, str]] = field(default_factory=set)
    report: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)

    @property
    def engine(self) -> float:
        """Seconds cloudrift's engine reports for itself (the rest is process start-up)."""
        return float(self.report.get("summary", {}).get("duration_s", 0.0))


def _best(runs: int, counter: RequestCounter,
          once: Callable[[], Any]) -> tuple[float, Tally, Any, tuple[int, int]]:
    best: tuple[float, Tally, Any] | None = None
    totals = []
    for _ in range(runs):
        before = counter.snapshot()
        started = time.perf_counter()
        outcome = once()
        seconds = time.perf_counter() - started
        tally = counter.snapshot().minus(before)
        totals.append(tally.total)
        if best is None or seconds < best[0]:
            best = (seconds, tally, outcome)
    assert best is not None
    return best[0], best[1], best[2], (min(totals), max(totals))


def judge_terraform(terraform: Terraform, counter: RequestCounter, runs: int) -> Judged:
    def once() -> tuple[list[DriftEntry], dict[str, float]]:
        entries = resource_drift(terraform.plan_refresh_only())
        return entries, dict(terraform.timings[-2:])

    seconds, tally, (entries, steps), spread = _best(runs, counter, once)
    drift = {(e.address, e.kind) for e in entries}
    return Judged(seconds, tally, drift, spread, steps=steps)


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("cloudrift")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from cloudrift.cli import main; main()"]


@cache
def scan_help() -> str:
    completed = subprocess.run([*_cli(), "scan", "--help"], capture_output=True, text=True,
                               check=False, timeout=120)
    return completed.stdout


def missing_option(variant: Variant) -> str | None:
    """Why the variant cannot run with this cloudrift, or None."""
    if variant.needs is None or f"{variant.needs} " in scan_help() or (
            f"{variant.needs}=" in scan_help()):
        return None
    return f"`cloudrift scan --help` lists no {variant.needs} option in this build"


def scan_environment(base: Mapping[str, str], workdir: Path) -> dict[str, str]:
    """``base`` with the scan's history kept in ``workdir``: a scan writes its history as a
    user's would (that is part of its time), but never into the checkout the bench runs from,
    where ``make demo`` would list the bench's resources as resolved."""
    return {**base, "CLOUDRIFT_HISTORY": f"sqlite:///{workdir / 'history.db'}"}


def judge_cloudrift(terraform: Terraform, counter: RequestCounter, runs: int,
                    args: Sequence[str] = (), *, unpaced: bool = False) -> Judged:
    command = [sys.executable, "-c", _UNPACED] if unpaced else _cli()
    report_path = terraform.workdir / "cloudrift.json"

    def once() -> dict[str, Any]:
        report_path.unlink(missing_ok=True)
        completed = subprocess.run(
            [*command, "scan", "--from", f"tfstate://{terraform.state_path}", "--to", "aws",
             "--region", REGION, "--output", f"json://{report_path}", *args],
            env=scan_environment(terraform.env, terraform.workdir), capture_output=True,
            text=True, timeout=900, check=False,
        )
        if not report_path.exists():
            raise RuntimeError(f"cloudrift scan wrote no report (exit {completed.returncode}):"
                               f"\n{completed.stderr[-4000:]}")
        report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
        return report

    seconds, tally, report, spread = _best(runs, counter, once)
    findings = report["findings"]
    drift = {(str(f["address"]), str(f["kind"])) for f in findings
             if f["kind"] in ("changed", "missing")}
    unmanaged = {(str(f["type"]), str(f["id"])) for f in findings if f["kind"] == "unmanaged"}
    return Judged(seconds, tally, drift, spread, unmanaged, report)


def pacing_limits() -> dict[str, tuple[float, float]] | None:
    """cloudrift_aws's (rate, burst) per service, or None where the provider has no such
    table (then there is no pacing to lift)."""
    try:
        from cloudrift_aws import session
    except ImportError:
        return None
    limits = getattr(session, "PUBLISHED_LIMITS", None)
    return dict(limits) if isinstance(limits, dict) else None


def pacing_floor(tally: Tally, limits: Mapping[str, tuple[float, float]]) -> tuple[str, float]:
    """The service whose token bucket makes the scan wait longest, and that wait: a bucket of
    ``rate`` a second that starts with ``burst`` tokens needs (calls - burst) / rate seconds."""
    floors = {service: max(0.0, (count - limits[service][1]) / limits[service][0])
              for service, count in tally.by_service().items() if service in limits}
    if not floors:
        return "", 0.0
    service = max(floors, key=lambda name: floors[name])
    return service, floors[service]


# -- one estate, side by side -----------------------------------------------------------------


@dataclass
class Outcome:
    estate: Estate
    resources: int
    apply: tuple[float, Tally, list[str]]  # the last attempt's seconds, all calls, failures
    terraform: Judged
    scans: list[tuple[Variant, Judged]]
    left_out: list[tuple[Variant, str]]
    unpaced: Judged | None
    limits: dict[str, tuple[float, float]] | None
    expected: set[tuple[str, str]]
    created: set[tuple[str, str]]
    load: tuple[float, float]  # 1-minute load average at the start and at the end


def _apply(terraform: Terraform, endpoint: str, attempts: int = 3) -> list[str]:
    """Apply the estate on an empty emulator; returns why each failed attempt failed (the last
    ``Error:`` line terraform printed), so an empty list means the first apply succeeded.

    On this loaded machine a create can succeed in moto and still be retried by the SDK (its
    first answer lost or late); the retry fails with EntityAlreadyExists and so does the apply.
    Starting again from nothing is simpler than untangling it.
    """
    failures: list[str] = []
    for attempt in range(1, attempts + 1):
        try:
            terraform.apply()
            return failures
        except TerraformError as exc:
            if attempt == attempts:
                raise
            errors = [line.strip() for line in (exc.stdout + exc.stderr).splitlines()
                      if line.strip().startswith("Error:")]
            failures.append(errors[-1][:200] if errors else f"exit {exc.returncode}")
            reset(endpoint)
            for leftover in terraform.workdir.glob("terraform.tfstate*"):
                leftover.unlink()
    raise AssertionError("unreachable")


def side_by_side(estate: Estate, workdir: Path) -> Outcome:
    """Apply ``estate`` once, drift it, and judge it with terraform and every variant of
    ``cloudrift scan`` it names, best of ``estate.runs`` each."""
    mirror = find_provider_mirror()
    binary = find_terraform()
    assert mirror is not None
    assert binary is not None
    limits = pacing_limits()
    runnable = [v for v in estate.variants if missing_option(v) is None]
    left_out = [(v, reason) for v in estate.variants if (reason := missing_option(v))]
    load_before = os.getloadavg()[0]
    with counting_emulator() as (endpoint, counter):
        directory = workdir / estate.name
        directory.mkdir(parents=True)
        estate.write(directory)
        env = emulator_environment(endpoint, region=REGION,
                                   cli_config_file=write_cli_config(workdir / "tf.rc", mirror))
        terraform = Terraform(directory, env, binary=binary, parallelism=PARALLELISM,
                              timeout=1800)
        terraform.init()
        before = counter.snapshot()
        failures = _apply(terraform, endpoint)
        applied = (terraform.timings[-1][1], counter.snapshot().minus(before), failures)
        terraform.apply_refresh_only()
        values = {address: r["values"] for address, r in terraform.resources().items()}

        clients = Clients(endpoint, REGION)
        for mutation in estate.mutations:
            mutation.run(clients, values)
        created = {(u.type, u.create(clients)) for u in estate.unmanaged}

        tf = judge_terraform(terraform, counter, estate.runs)
        scans = [(v, judge_cloudrift(terraform, counter, estate.runs, v.args))
                 for v in runnable]
        unpaced = None
        if limits and scans:
            # buckets pace only once a service's calls exceed its burst: the diagnostic run is
            # worth its time only where they could have made the scan wait
            first = scans[0][1]
            if pacing_floor(first.tally, limits)[1] > 0.5 * first.seconds:
                unpaced = judge_cloudrift(terraform, counter, estate.runs, scans[0][0].args,
                                          unpaced=True)
    return Outcome(estate, len(values), applied, tf, scans, left_out, unpaced, limits,
                   {(m.address, m.expect) for m in estate.mutations}, created,
                   (load_before, os.getloadavg()[0]))


# -- rows ---------------------------------------------------------------------------------------


def _services(tally: Tally) -> str:
    return ", ".join(f"{name} {count}" for name, count in tally.by_service().most_common())


def _calls(judged: Judged) -> str:
    low, high = judged.call_range
    spread = "" if low == high else f" (runs: {low}-{high})"
    return f"{judged.tally.total} API calls{spread}"


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _faster(ratio: float) -> str:
    return f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"


def _agreement(outcome: Outcome, cr: Judged) -> tuple[bool, str]:
    tf = outcome.terraform.drift
    expected = outcome.expected
    kinds = Counter(kind for _, kind in tf)
    agree = tf == cr.drift == expected
    if agree and expected:
        verdict = (f"the same {kinds['changed']} changed and {kinds['missing']} missing "
                   f"addresses, exactly those changed with boto3")
    elif agree:
        verdict = "no drift made, none found by either"
    else:
        parts = []
        for label, extra in (("terraform only", tf - cr.drift), ("cloudrift only", cr.drift - tf),
                             ("made but seen by neither", expected - tf - cr.drift)):
            if extra:
                shown = sorted(extra)
                parts.append(f"{label} ({len(shown)}): "
                             + ", ".join(f"{a} ({k})" for a, k in shown[:8])
                             + (", ..." if len(shown) > 8 else ""))
        verdict = "; ".join(parts)
    found = outcome.created & cr.unmanaged
    others = cr.unmanaged - outcome.created
    if outcome.created:
        verdict += (f"; unmanaged, which terraform cannot see: cloudrift found {len(found)} of "
                    f"the {len(outcome.created)} made by hand")
    if others:
        verdict += (f"; {len(others)} {'other ' if outcome.created else ''}unmanaged: "
                    + ", ".join(f"{t} {i}" for t, i in sorted(others)[:5])
                    + (", ..." if len(others) > 5 else ""))
    return agree, verdict


def _speed_note(outcome: Outcome, cr: Judged, goal_ratio: float) -> str:
    tf = outcome.terraform
    # the unpaced diagnostic is a run of the first variant only
    up = outcome.unpaced if outcome.scans and cr is outcome.scans[0][1] else None
    notes = []
    service, floor = pacing_floor(cr.tally, outcome.limits or {})
    # buckets pace only once a service throttles: say so only when pacing really cost time
    # (and could have: a floor above the run's own time is not what happened)
    if (up is not None and 0.5 * cr.seconds < floor <= cr.seconds
            and up.seconds < 0.8 * cr.seconds):
        rate, burst = (outcome.limits or {})[service]
        notes.append(
            f"cloudrift paces itself at AWS's published rates (cloudrift_aws.session."
            f"PUBLISHED_LIMITS; {service} {rate:g}/s, burst {burst:g}), so its "
            f"{cr.tally.by_service()[service]} {service} calls alone wait >= {floor:.1f} s of "
            f"its {cr.seconds:.1f} s, while terraform does not pace and moto never throttles; "
            f"with the pacing lifted the scan takes {up.seconds:.2f} s "
            f"({_faster(tf.seconds / up.seconds)})"
        )
    best = up if up is not None and up.seconds < cr.seconds else cr
    if tf.seconds / best.seconds < goal_ratio:
        goal = tf.seconds / goal_ratio
        startup = best.seconds - best.engine
        per_call = best.engine / max(best.tally.total, 1)
        head = f"{'unpaced' if best is up else 'missed'}: {best.seconds:.2f} s"
        if startup >= goal:
            notes.append(f"{head}; {goal_ratio:g}x means {goal:.2f} s, and process start-up "
                         f"and report writing alone take {startup:.2f} s")
        else:
            notes.append(
                f"{head}; {goal_ratio:g}x means {goal:.2f} s; after {startup:.2f} s of process "
                f"start-up and report writing that leaves {goal - startup:.2f} s, about "
                f"{(goal - startup) / per_call:.0f} calls at the {per_call * 1000:.1f} ms the "
                f"engine spent per call (client and moto are both Python on this "
                f"{os.cpu_count()}-core machine; moto was busy {best.tally.busy:.1f} s of it), "
                f"against its {best.tally.total}"
            )
    return "; ".join(notes)


def _calls_note(cr: Judged, allowed: float) -> str:
    """Why cloudrift made more calls than ``allowed``: the actions it made most of."""
    top = ", ".join(f"{name} {count}" for name, count in cr.tally.calls.most_common(4))
    return (f"missed: the target allows {allowed:.0f} calls, it made {cr.tally.total}; the "
            f"most made: {top}")


def _versus(outcome: Outcome, variant: Variant, cr: Judged) -> Row:
    tf = outcome.terraform
    target = variant.target
    speed = tf.seconds / cr.seconds
    calls = tf.tally.total / max(cr.tally.total, 1)
    verdicts = []
    if target.speed is not None:
        ok = speed >= target.speed
        verdicts.append(f"target >= {target.speed:g}x faster: {_met(ok)}"
                        + ("" if ok else f" ({_speed_note(outcome, cr, target.speed)})"))
    for share in target.calls:
        ok = cr.tally.total * share <= tf.tally.total
        verdicts.append(f"target <= 1/{share:g} of terraform's calls: {_met(ok)}"
                        + ("" if ok else f" ({_calls_note(cr, tf.tally.total / share)})"))
    if target.fewer_calls:
        ok = cr.tally.total < tf.tally.total
        verdicts.append(f"target fewer calls than terraform: {_met(ok)}"
                        + ("" if ok else f" ({_calls_note(cr, tf.tally.total - 1)})"))
    if not verdicts:
        verdicts.append("no target set")
    unpaced = ""
    if outcome.unpaced is not None and cr is outcome.scans[0][1]:
        unpaced = f" ({_faster(tf.seconds / outcome.unpaced.seconds)} with its pacing lifted)"
    return {
        "benchmark": f"{_title(outcome)}: scan{_suffix(variant)} vs terraform, best of "
                     f"{outcome.estate.runs} each",
        "result": f"{tf.seconds:.2f} s vs {cr.seconds:.2f} s, {_faster(speed)}{unpaced}; "
                  f"{tf.tally.total} vs {cr.tally.total} calls, 1/{calls:.1f}",
        "detail": "; ".join(verdicts)
                  + f"; load average {outcome.load[0]:.1f} at the start, "
                    f"{outcome.load[1]:.1f} at the end, on {os.cpu_count()} cores",
    }


def _scan_detail(judged: Judged) -> str:
    writes = judged.tally.writes()
    return (f"{_calls(judged)}: {_services(judged.tally)} (its report counts "
            f"{judged.report['summary']['api_calls']}); "
            + ("all read-only" if not writes else "WRITES: " + ", ".join(writes))
            + f"; engine {judged.engine:.2f} s; moto busy {judged.tally.busy:.1f} s")


def _title(outcome: Outcome) -> str:
    return f"{outcome.estate.title}, {outcome.resources} resources"


def _suffix(variant: Variant) -> str:
    return f" {variant.label}" if variant.label else ""


def rows_of(outcome: Outcome) -> list[Row]:
    tf = outcome.terraform
    title = _title(outcome)
    runs = outcome.estate.runs
    apply_seconds, apply_tally, failures = outcome.apply
    retried = (f" (attempt {len(failures) + 1}, the calls counting every attempt; failed before: "
               + "; ".join(failures) + ")") if failures else ""
    rows = [{
        "benchmark": f"{title}: terraform plan -refresh-only + show -json "
                     f"(-parallelism={PARALLELISM}), best of {runs}",
        "result": f"{tf.seconds:.2f} s",
        "detail": f"{_calls(tf)}: {_services(tf.tally)}; "
                  + ", ".join(f"{step} {s:.2f} s" for step, s in tf.steps.items())
                  + f"; moto busy {tf.tally.busy:.1f} s; the apply (once) took "
                    f"{apply_seconds:.0f} s{retried} and {apply_tally.total} calls",
    }]
    first = outcome.scans[0][1] if outcome.scans else None
    for variant, cr in outcome.scans:
        detail = _scan_detail(cr)
        if first is not None and cr is not first:
            same = "the same" if cr.drift == first.drift else "DIFFERENT"
            detail += (f"; {same} changed and missing findings as the plain scan, "
                       f"{len(cr.unmanaged)} unmanaged (plain scan: {len(first.unmanaged)})")
        rows.append({"benchmark": f"{title}: cloudrift scan{_suffix(variant)} (CLI, json "
                                  f"output), best of {runs}",
                     "result": f"{cr.seconds:.2f} s", "detail": detail})
    if outcome.unpaced is not None and first is not None:
        up = outcome.unpaced
        same = "same findings" if (up.drift, up.unmanaged) == (first.drift, first.unmanaged) \
            else "DIFFERENT findings"
        rows.append({"benchmark": f"{title}: cloudrift scan with its client-side pacing lifted "
                                  "(diagnostic)",
                     "result": f"{up.seconds:.2f} s", "detail": f"{_scan_detail(up)}; {same}"})
    rows += [_versus(outcome, variant, cr) for variant, cr in outcome.scans]
    rows += [{"benchmark": f"{title}: scan{_suffix(variant)} vs terraform", "result": "skipped",
              "detail": reason} for variant, reason in outcome.left_out]
    if first is not None:
        agree, verdict = _agreement(outcome, first)
        rows.append({"benchmark": f"{title}: findings, scan vs terraform",
                     "result": "same drift" if agree else "DIFFERENT drift", "detail": verdict})
    return rows


def bench_estate(estate: Estate) -> list[Row]:
    """The rows of one estate for ``bench/run.py``; one row saying why when it cannot run."""
    reason = unavailable_reason() or estate.unavailable()
    if reason is not None:
        return [{"benchmark": f"{estate.title}: scan vs terraform plan -refresh-only",
                 "result": "skipped", "detail": reason}]
    with tempfile.TemporaryDirectory(prefix="cloudrift-bench-") as tmp:
        return rows_of(side_by_side(estate, Path(tmp)))


def main() -> None:
    from bench.estates import ESTATES

    chosen = sys.argv[1:] or list(ESTATES)
    for name in chosen:
        for row in bench_estate(ESTATES[name]):
            print(f"{row['benchmark']}: {row['result']}\n    {row['detail']}", flush=True)


if __name__ == "__main__":
    main()
