"""The public API is what docs/api.md says it is: changing it is a decision, seen in this test.

``cloudrift`` (scan, load_report), ``cloudrift.sdk`` (what plugins import) and
``cloudrift.settings.Setting``; and the layer rules, checked by import-linter (the contracts in
pyproject.toml) over the real import graph.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cloudrift
import cloudrift.sdk

ROOT = Path(__file__).resolve().parents[2]

SDK = {
    "GLOBAL_REGION", "MAX_EVENTS", "UNKNOWN", "WINDOW", "Attribution", "AttributionResult",
    "Attributor", "CallMeter", "ChangeEvent", "CloudriftError", "ConfigError", "Extractor",
    "FieldSpec", "Finding", "Normaliser", "Observation", "PartOf", "Provider", "ProviderError",
    "ProviderPlugin", "RateLimits", "Resource", "ResourceKey", "ResourceSpec", "ScanOptions",
    "ScanWarning", "Scope", "Setting", "StateInstance", "TokenBucket", "Unit", "__version__",
    "api_failure", "collect_specs", "compare", "dedupe_warnings", "failed", "found",
    "get_path", "has_path", "iso_utc", "no_id_warning", "no_id_warnings", "normalise",
    "one_line", "share", "unknown", "unsupported_warnings", "window_start", "worker_pool",
}


def test_the_package_exports_scan_and_load_report() -> None:
    assert set(cloudrift.__all__) == {"__version__", "load_report", "scan"}
    assert callable(cloudrift.scan)
    assert callable(cloudrift.load_report)


def test_the_sdk_exports_exactly_what_docs_api_md_lists() -> None:
    assert set(cloudrift.sdk.__all__) == SDK
    for name in SDK:
        assert hasattr(cloudrift.sdk, name), name
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    missing = sorted(name for name in SDK if f"`{name}`" not in page)
    assert not missing, f"docs/api.md does not mention {missing}"


def test_importing_cloudrift_loads_no_pipeline() -> None:
    code = ("import sys, cloudrift; print(sorted(m for m in sys.modules "
            "if m.startswith(('cloudrift.', 'pydantic', 'boto', 'click'))))")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, timeout=60)
    assert shown.stdout.strip() == "['cloudrift._version']"


def test_the_import_contracts_hold() -> None:
    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if tool is None:
        pytest.skip("import-linter is not installed (pip install import-linter)")
    ran = subprocess.run([tool], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         check=False)
    assert ran.returncode == 0, ran.stdout[-4000:]
    assert "BROKEN" not in ran.stdout


def test_the_sdk_contract_forbids_every_other_cloudrift_module() -> None:
    """A module added to cloudrift is off limits to the providers until the SDK exports it."""
    from cloudrift.config import tomllib  # tomli before Python 3.11

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["importlinter"]["contracts"]
    sdk_only = next(c for c in contracts if "cloudrift.sdk" in c["name"])
    package = ROOT / "cloudrift"
    modules = {p.stem for p in package.glob("*.py")} | {
        p.parent.name for p in package.glob("*/__init__.py")}
    allowed = {"__init__", "sdk", "testing", "_version"}
    assert set(sdk_only["forbidden_modules"]) == {f"cloudrift.{m}" for m in modules - allowed}
