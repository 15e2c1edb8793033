"""Real Terraform as the oracle for the HCL index: its state addresses and its plans.

fixtures/hcl/applied uses only Terraform's built-in provider (``terraform_data``,
``terraform_remote_state``), so ``terraform apply`` runs offline in about a second, with no
emulator. The addresses the index sees are the ones Terraform wrote; "unapplied" is checked
against what ``terraform plan`` would create.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cloudrift.sources.files import LocalTree
from cloudrift.sources.hcl import HclIndex, load_hcl, strip_keys
from cloudrift.sources.tfstate import parse_state
from cloudrift.testing.terraform import find_terraform

APPLIED = Path(__file__).resolve().parents[2] / "fixtures" / "hcl" / "applied"

TERRAFORM = find_terraform()
pytestmark = pytest.mark.skipif(TERRAFORM is None, reason="terraform not found on PATH")


class Workdir:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        config = directory.parent / "terraformrc"
        # no `direct` installation method: anything but the built-in provider fails, offline
        config.write_text(
            "disable_checkpoint = true\n"
            "provider_installation {\n"
            f"  filesystem_mirror {{\n    path    = {json.dumps(str(directory.parent))}\n"
            '    include = ["example.invalid/none/none"]\n  }\n}\n'
        )
        self.env = {
            "PATH": os.environ.get("PATH", ""), "HOME": str(directory.parent),
            "TF_CLI_CONFIG_FILE": str(config), "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1",
        }

    def run(self, *args: str) -> str:
        assert TERRAFORM is not None
        done = subprocess.run([TERRAFORM, *args], cwd=self.directory, env=self.env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def state_addresses(self) -> list[str]:
        document = parse_state((self.directory / "terraform.tfstate").read_bytes(), "state")
        return [instance.address for instance in document.instances]

    def planned_creations(self) -> set[str]:
        """Resources (no instance keys) the next plan creates an instance of."""
        self.run("plan", "-input=false", "-no-color", "-out=next.tfplan")
        plan = json.loads(self.run("show", "-json", "next.tfplan"))
        created = set()
        for change in plan.get("resource_changes", []):
            if change["change"]["actions"] == ["create"] and change["mode"] == "managed":
                created.add(strip_keys(change["address"]))
        return {address for address in created if address is not None}


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Workdir:
    directory = tmp_path_factory.mktemp("terraform") / "applied"
    shutil.copytree(APPLIED, directory)
    workdir = Workdir(directory)
    workdir.run("init", "-input=false", "-no-color")
    workdir.run("apply", "-auto-approve", "-input=false", "-no-color")
    return workdir


@pytest.fixture
def index(applied: Workdir, tmp_path: Path) -> HclIndex:
    return load_hcl(LocalTree(str(applied.directory)), cache_dir=str(tmp_path / "cache"),
                    workers=1)


def test_every_address_terraform_wrote_is_located(applied: Workdir, index: HclIndex) -> None:
    addresses = applied.state_addresses()
    assert {address: index.locate(address) for address in addresses} == {
        "data.terraform_remote_state.empty": "main.tf:34",
        "terraform_data.counted[0]": "main.tf:15",
        "terraform_data.counted[1]": "main.tf:15",
        'terraform_data.keyed["a.b"]': "main.tf:20",
        'terraform_data.keyed["c[d]"]': "main.tf:20",
        'terraform_data.keyed["q\\"uote"]': "main.tf:20",
        "terraform_data.renamed": "moves.tf.json:4",
        'module.app["blue"].terraform_data.this': "modules/app/main.tf:5",
        'module.app["green"].terraform_data.this': "modules/app/main.tf:5",
        'module.app["blue"].module.inner.terraform_data.leaf': "modules/inner/main.tf:1",
        'module.app["green"].module.inner.terraform_data.leaf': "modules/inner/main.tf:1",
    }
    assert index.errors == []


def unapplied_addresses(index: HclIndex, state: list[str]) -> set[str]:
    return {resource.address for resource in index.unapplied(state)}


def test_unapplied_agrees_with_what_terraform_would_create(applied: Workdir,
                                                          index: HclIndex) -> None:
    # right after apply Terraform creates nothing, and nothing is unapplied (count = 0 and the
    # module called with count = 0 included)
    applied.run("apply", "-auto-approve", "-input=false", "-no-color")
    state = applied.state_addresses()
    assert applied.planned_creations() == set()
    assert unapplied_addresses(index, state) == set()

    for address in ("terraform_data.counted[0]", "terraform_data.counted[1]",
                    'module.app["blue"].module.inner.terraform_data.leaf',
                    'module.app["green"].module.inner.terraform_data.leaf'):
        applied.run("state", "rm", "-no-color", address)
    state = applied.state_addresses()
    still_held = {strip_keys(address) for address in state}
    expected = applied.planned_creations() - still_held
    assert expected == {"terraform_data.counted", "module.app.module.inner.terraform_data.leaf"}
    assert unapplied_addresses(index, state) == expected


def test_a_pending_move_is_not_unapplied(applied: Workdir, index: HclIndex) -> None:
    applied.run("apply", "-auto-approve", "-input=false", "-no-color")
    applied.run("state", "mv", "-no-color", "terraform_data.renamed", "terraform_data.original")
    state = applied.state_addresses()
    assert "terraform_data.renamed" not in state
    # the moved block in moves.tf.json makes Terraform move it back, not create it
    assert applied.planned_creations() == set()
    assert unapplied_addresses(index, state) == set()
    assert [r.address for r in index.unapplied([a for a in state if "original" not in a])] == [
        "terraform_data.renamed"]
