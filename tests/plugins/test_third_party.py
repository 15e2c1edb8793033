"""A provider plugin the core has never heard of: installed through entry-point metadata only,
it gets its flag, its environment variable and its config key, and its provider gets the value.

The plugin is a small package written into a temporary directory with a ``.dist-info`` folder
beside it, which is all ``importlib.metadata`` needs to find an installed distribution. Each run
is a fresh interpreter with that directory on ``PYTHONPATH``, as a user's would be.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PLUGIN = '''
from cloudrift.model import Resource, ScanWarning
from cloudrift.plugin import Observation
from cloudrift.settings import Setting


class FakeProvider:
    name = "fakecloud"
    state_providers = ("fakecloud",)
    specs = {}

    def __init__(self, options):
        self.options = options

    def desired(self, instances):
        return [], []

    def observe(self, desired):
        zones = self.options.settings["fakecloud_zone"]
        strict = self.options.settings["fakecloud_strict_mode"]
        return Observation(warnings=[ScanWarning(
            code="fakecloud_settings", provider="fakecloud",
            message=f"zones={','.join(zones)} strict_mode={strict}")])


class FakePlugin:
    name = "fakecloud"
    terraform_sources = ("example/fakecloud",)
    state_providers = ("fakecloud",)
    settings = (
        Setting("fakecloud_zone", "list", "FakeCloud zone(s) to scan.", metavar="ZONE"),
        Setting("fakecloud_strict_mode", "bool", "FakeCloud's own strictness."),
    )

    def types(self):
        return {}

    def create(self, options):
        return FakeProvider(options)
'''


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A directory holding the plugin module and its distribution's metadata."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "fakecloud_plugin.py").write_text(textwrap.dedent(PLUGIN))
    dist = root / "fakecloud_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fakecloud-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[cloudrift.providers]\nfakecloud = fakecloud_plugin:FakePlugin\n")
    return root


def cloudrift(site: Path, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDRIFT_")}
    environment.update(env, PYTHONPATH=str(site), CLOUDRIFT_NO_HISTORY="1")
    return subprocess.run(
        [sys.executable, "-c", "from cloudrift.cli import main; main()", *args],
        cwd=cwd, env=environment, capture_output=True, text=True, timeout=120, check=False)


def test_the_plugin_s_flags_are_in_scan_help(site: Path, tmp_path: Path) -> None:
    shown = cloudrift(site, tmp_path, "scan", "--help")
    assert shown.returncode == 0, shown.stderr
    assert "--fakecloud-zone ZONE" in shown.stdout
    assert "--fakecloud-strict-mode" in shown.stdout


def test_flag_env_and_config_key_reach_the_provider(site: Path, tmp_path: Path) -> None:
    (tmp_path / "cloudrift.toml").write_text('fakecloud-zone = ["z1"]\n')
    listed = cloudrift(site, tmp_path, "config", CLOUDRIFT_FAKECLOUD_STRICT_MODE="1")
    assert listed.returncode == 0, listed.stderr
    lines = {line.split("=")[0].strip(): line for line in listed.stdout.splitlines()
             if " = " in line}
    assert lines["fakecloud-zone"].endswith('= ["z1"]  (file cloudrift.toml, fakecloud plugin)')
    assert lines["fakecloud-strict-mode"].endswith(
        "= true  (env CLOUDRIFT_FAKECLOUD_STRICT_MODE, fakecloud plugin)")

    state = tmp_path / "terraform.tfstate"
    state.write_text(json.dumps({"version": 4, "terraform_version": "1.11.4", "serial": 1,
                                 "lineage": "x", "outputs": {}, "resources": []}))
    report = tmp_path / "report.json"
    ran = cloudrift(site, tmp_path, "scan", "--from", f"tfstate://{state}", "--to", "fakecloud",
                    "--fakecloud-zone", "z2,z3", "-o", f"json://{report}",
                    CLOUDRIFT_FAKECLOUD_STRICT_MODE="1")
    assert ran.returncode == 0, ran.stderr
    [warning] = [w for w in json.loads(report.read_text())["warnings"]
                 if w["code"] == "fakecloud_settings"]
    # the flag wins over the file, comma-separated values are split, the env var is read
    assert warning["message"] == "zones=z2,z3 strict_mode=True"


def test_a_key_no_plugin_declares_is_still_refused(site: Path, tmp_path: Path) -> None:
    (tmp_path / "cloudrift.toml").write_text('fakecloud-region = ["z1"]\n')
    listed = cloudrift(site, tmp_path, "config")
    assert listed.returncode == 2
    assert "unknown key 'fakecloud-region'" in listed.stderr
