"""Every format rendered from the one sample report, compared with fixtures/reports/sample.*.

After an intended change of a format: ``pytest tests/report --update-goldens``, then read the
diff of fixtures/reports/ before committing it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cloudrift.model import ScanReport
from cloudrift.report import FORMATS, OutputTarget, render
from tests.report.goldens import assert_golden
from tests.report.samples import FIXTURES, STARTED_AT, TOOL_VERSION

GOLDEN_FILES = {
    "console": "sample.console.txt",
    "json": "sample.json",
    "sarif": "sample.sarif",
    "junit": "sample.junit.xml",
    "markdown": "sample.md",
    "html": "sample.html",
    "driftctl": "sample.driftctl.json",
    "codequality": "sample.codequality.json",
}

ROOT = Path(__file__).resolve().parents[2]


def rendered(report: ScanReport, fmt: str) -> str:
    # the path --output takes, minus the file: what `--output FMT://file` writes, uncoloured
    return render(report, OutputTarget(fmt, None), color=False)


def test_every_format_has_one_golden_and_every_golden_a_format() -> None:
    assert set(GOLDEN_FILES) == set(FORMATS)
    stored = {p.name for p in FIXTURES.glob("sample.*")}
    assert stored <= set(GOLDEN_FILES.values()), "a golden no format writes any more"


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt: str, report: ScanReport, golden: Callable[[str, str], None]) -> None:
    text = rendered(report, fmt)
    assert "\x1b[" not in text
    golden(GOLDEN_FILES[fmt], text)


def test_the_goldens_hold_the_pinned_run_values(report: ScanReport) -> None:
    """The values that change from run to run come from the fixture, not from the clock or the
    installed package, in every format that prints them."""
    date = STARTED_AT.removesuffix("+00:00")
    for fmt in ("sarif", "json", "html", "junit", "driftctl"):
        assert date in rendered(report, fmt), fmt
    for fmt in ("sarif", "json", "html"):
        assert TOOL_VERSION in rendered(report, fmt), fmt


def test_rendering_does_not_depend_on_hash_seed_time_zone_or_locale(report: ScanReport) -> None:
    """A golden that changed with PYTHONHASHSEED (set order) or TZ would fail at random."""
    here = {fmt: rendered(report, fmt) for fmt in FORMATS}
    program = (
        "import json, sys\n"
        "from cloudrift.report import FORMATS, OutputTarget, render\n"
        "from tests.report.samples import sample_report\n"
        "r = sample_report()\n"
        "json.dump({f: render(r, OutputTarget(f, None), color=False) for f in FORMATS},"
        " sys.stdout)\n"
    )
    for seed, tz, lang in (("1", "Pacific/Kiritimati", "C"), ("4242", "America/Adak", "C.UTF-8")):
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": tz, "LANG": lang, "LC_ALL": lang}
        result = subprocess.run(
            [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True,
            text=True, encoding="utf-8", timeout=120, check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        there = json.loads(result.stdout)
        for fmt in FORMATS:
            assert there[fmt] == here[fmt], f"{fmt} differs with PYTHONHASHSEED={seed} TZ={tz}"


class TestTheSwitch:
    def test_a_difference_fails_with_a_diff(self, tmp_path: Path) -> None:
        path = tmp_path / "g.txt"
        path.write_bytes(b"one\ntwo\n")
        with pytest.raises(pytest.fail.Exception, match=r"(?s)-two\n\+deux"):
            assert_golden(path, "one\ndeux\n", update=False)
        assert path.read_bytes() == b"one\ntwo\n"

    def test_line_endings_count(self, tmp_path: Path) -> None:
        path = tmp_path / "g.txt"
        path.write_bytes(b"one\r\n")
        with pytest.raises(pytest.fail.Exception):
            assert_golden(path, "one\n", update=False)

    def test_a_missing_golden_fails_and_says_how_to_write_it(self, tmp_path: Path) -> None:
        with pytest.raises(pytest.fail.Exception, match="--update-goldens"):
            assert_golden(tmp_path / "new.txt", "x\n", update=False)
        assert not (tmp_path / "new.txt").exists()

    def test_update_writes_then_matches(self, tmp_path: Path) -> None:
        path = tmp_path / "g.txt"
        path.write_bytes(b"old\n")
        assert_golden(path, "new \u2192 \u00e9\n", update=True)
        assert path.read_bytes() == "new \u2192 \u00e9\n".encode()
        assert_golden(tmp_path / "created.txt", "x\n", update=True)
        assert_golden(tmp_path / "created.txt", "x\n", update=False)
        assert_golden(path, "new \u2192 \u00e9\n", update=False)
