"""Helpers for driving real Terraform in tests, shipped like ``cloudrift.testing``.

Terraform is the reference drift oracle: after an ``apply`` against an emulator, a
``plan -refresh-only`` shows, in ``terraform show -json``'s ``resource_drift``, every resource
whose real object no longer matches its state. Nothing here is imported by the scanner itself,
and nothing reaches the network: providers come from a local filesystem mirror only, and the
version checkpoint is switched off.

The mirror is found through ``CLOUDRIFT_TF_PLUGIN_DIR`` or a few usual places. An unpacked mirror
(``registry.terraform.io/hashicorp/aws/<version>/<os_arch>/terraform-provider-aws_*``) makes
``terraform init`` symlink the provider instead of copying ~700 MB, so no plugin cache is needed.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cloudrift.testing import FAKE_CREDENTIALS

PLUGIN_DIR_ENV = "CLOUDRIFT_TF_PLUGIN_DIR"
TERRAFORM_ENV = "CLOUDRIFT_TERRAFORM"
AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"
DEFAULT_PLUGIN_DIRS = (
    "/opt/tf-plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
)

# What a child process may inherit from the test run; everything AWS- or Terraform-related is
# set explicitly, so a developer's profile, TF_VAR_* or TF_WORKSPACE cannot leak into the run.
# CLOUDRIFT_NO_HISTORY: a caller that keeps its scans out of a history keeps the CLI's out too
_INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TEMP", "TMP",
              "SYSTEMROOT", "VIRTUAL_ENV", "PYTHONPATH", "CLOUDRIFT_NO_HISTORY")


class TerraformError(RuntimeError):
    """A Terraform command failed; the message carries the tail of its output."""

    def __init__(self, args: Sequence[str], returncode: int, stdout: str, stderr: str) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        tail = "\n".join((stdout + "\n" + stderr).strip().splitlines()[-40:])
        super().__init__(f"terraform {' '.join(args)} exited {returncode}:\n{tail}")


def platform_dir() -> str:
    """Terraform's ``<os>_<arch>`` name for this machine (``linux_amd64``)."""
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64",
            "i386": "386", "i686": "386"}.get(machine, machine)
    return f"{platform.system().lower()}_{arch}"


def find_terraform(env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    explicit = env.get(TERRAFORM_ENV)
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    return shutil.which("terraform", path=env.get("PATH"))


def mirror_has_aws(directory: Path) -> bool:
    """True when ``directory`` is a filesystem mirror holding the AWS provider for this
    platform, unpacked (``<version>/<os_arch>/terraform-provider-aws_*``) or packed (zip)."""
    provider = directory / AWS_PROVIDER
    unpacked = provider.glob(f"*/{platform_dir()}/terraform-provider-aws_*")
    packed = provider.glob(f"terraform-provider-aws_*_{platform_dir()}.zip")
    return any(True for _ in unpacked) or any(True for _ in packed)


def find_provider_mirror(env: Mapping[str, str] | None = None) -> Path | None:
    """The provider mirror named by ``CLOUDRIFT_TF_PLUGIN_DIR``, else the first usual place that
    holds the AWS provider. An explicit setting that does not hold it is not second-guessed."""
    env = os.environ if env is None else env
    explicit = env.get(PLUGIN_DIR_ENV)
    candidates = [explicit] if explicit else list(DEFAULT_PLUGIN_DIRS)
    for candidate in candidates:
        directory = Path(candidate).expanduser()
        if directory.is_dir() and mirror_has_aws(directory):
            return directory
    return None


def unavailable_reason(env: Mapping[str, str] | None = None) -> str | None:
    """Why the Terraform tier cannot run here, or ``None`` when it can."""
    env = os.environ if env is None else env
    if find_terraform(env) is None:
        where = env.get(TERRAFORM_ENV) or "PATH"
        return f"terraform not found (looked in {where}; set {TERRAFORM_ENV} to its path)"
    if find_provider_mirror(env) is None:
        looked = env.get(PLUGIN_DIR_ENV) or ", ".join(DEFAULT_PLUGIN_DIRS)
        return (
            f"no {AWS_PROVIDER} provider mirror for {platform_dir()} in {looked} "
            f"(set {PLUGIN_DIR_ENV} to a directory holding "
            f"{AWS_PROVIDER}/<version>/{platform_dir()}/terraform-provider-aws_*)"
        )
    return None


def cli_config(mirror: Path, plugin_cache: Path | None = None) -> str:
    """A CLI configuration that installs the AWS provider from ``mirror`` and nothing from the
    network (no ``direct`` block: any other provider fails to install instead of downloading)."""
    lines = [
        "disable_checkpoint = true",
        "provider_installation {",
        "  filesystem_mirror {",
        f"    path    = {json.dumps(str(mirror))}",
        f"    include = [{json.dumps(AWS_PROVIDER)}]",
        "  }",
        "}",
    ]
    if plugin_cache is not None:
        lines.append(f"plugin_cache_dir = {json.dumps(str(plugin_cache))}")
    return "\n".join(lines) + "\n"


def write_cli_config(path: Path, mirror: Path, plugin_cache: Path | None = None) -> Path:
    path.write_text(cli_config(mirror, plugin_cache), encoding="utf-8")
    return path


def mirror_versions(mirror: Path) -> list[str]:
    """The AWS provider versions the mirror holds for this platform, oldest first."""
    provider = mirror / AWS_PROVIDER
    found = {path.parent.parent.name
             for path in provider.glob(f"*/{platform_dir()}/terraform-provider-aws_*")}
    found |= {path.name.split("_")[1]
              for path in provider.glob(f"terraform-provider-aws_*_{platform_dir()}.zip")}
    return sorted(found, key=lambda v: tuple(int(p) if p.isdigit() else 0 for p in v.split(".")))


def provider_schema(workdir: Path, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The AWS provider's schema (``terraform providers schema -json``) from the newest version in
    the mirror: ``{"resource_schemas": {type: {"block": ...}}, ...}``. It says which arguments a
    resource has, which the user sets and which Terraform marks sensitive."""
    env = os.environ if env is None else env
    mirror = find_provider_mirror(env)
    binary = find_terraform(env)
    if mirror is None or binary is None:
        raise RuntimeError(unavailable_reason(env) or "terraform is unavailable")
    version = mirror_versions(mirror)[-1]
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "main.tf").write_text(
        'terraform {\n  required_providers {\n'
        f'    aws = {{ source = "hashicorp/aws", version = "{version}" }}\n  }}\n}}\n',
        encoding="utf-8")
    config = write_cli_config(workdir / "cli.tfrc", mirror)
    terraform = Terraform(workdir, {**{k: env[k] for k in _INHERITED if k in env},
                                    "TF_CLI_CONFIG_FILE": str(config), "CHECKPOINT_DISABLE": "1",
                                    "TF_IN_AUTOMATION": "1"}, binary=binary)
    terraform.init()
    shown = terraform.run("providers", "schema", "-json")
    schema: dict[str, Any] = json.loads(shown.stdout)["provider_schemas"][AWS_PROVIDER]
    return schema


def emulator_environment(
    endpoint: str,
    *,
    region: str = "us-east-1",
    cli_config_file: Path | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Environment for Terraform *and* the cloudrift CLI talking to an AWS emulator: fake
    credentials, ``AWS_ENDPOINT_URL`` (honoured by the provider and by botocore alike), no shared
    config files, no interactive prompts."""
    base = os.environ if base is None else base
    env = {name: base[name] for name in _INHERITED if name in base}
    env.update(FAKE_CREDENTIALS)
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
        }
    )
    if cli_config_file is not None:
        env["TF_CLI_CONFIG_FILE"] = str(cli_config_file)
    return env


@dataclass(frozen=True)
class DriftEntry:
    """One ``resource_drift`` element of a plan: a resource Terraform found changed outside it."""

    address: str
    type: str
    actions: tuple[str, ...]
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None

    @property
    def kind(self) -> str:
        """``changed`` for an update, ``missing`` for a delete (the object is gone), else the
        actions joined, so an unexpected action shows up in a failing assertion."""
        if self.actions == ("update",):
            return "changed"
        if self.actions == ("delete",):
            return "missing"
        return "+".join(self.actions)

    @property
    def changed_attributes(self) -> frozenset[str]:
        """Top-level attributes whose value differs between state and the refreshed object."""
        before = self.before or {}
        after = self.after or {}
        return frozenset(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def resource_drift(plan: Mapping[str, Any]) -> list[DriftEntry]:
    """The managed-resource drift of a ``terraform show -json`` plan document."""
    entries = []
    for raw in plan.get("resource_drift") or []:
        if raw.get("mode", "managed") != "managed":
            continue
        change = raw.get("change") or {}
        entries.append(
            DriftEntry(
                address=str(raw["address"]),
                type=str(raw["type"]),
                actions=tuple(change.get("actions") or ()),
                before=change.get("before"),
                after=change.get("after"),
            )
        )
    return entries


@dataclass
class Terraform:
    """One working directory driven through the real CLI; every command is timed."""

    workdir: Path
    env: Mapping[str, str]
    binary: str = "terraform"
    parallelism: int = 32
    timeout: float = 900.0
    timings: list[tuple[str, float]] = field(default_factory=list)

    def run(self, *args: str, label: str | None = None) -> subprocess.CompletedProcess[str]:
        started = time.perf_counter()
        completed = subprocess.run(
            [self.binary, *args],
            cwd=self.workdir,
            env=dict(self.env),
            capture_output=True,
            text=True,
            timeout=self.timeout,
            check=False,
        )
        self.timings.append((label or args[0], time.perf_counter() - started))
        if completed.returncode != 0:
            raise TerraformError(args, completed.returncode, completed.stdout, completed.stderr)
        return completed

    def _parallel(self) -> str:
        return f"-parallelism={self.parallelism}"

    def init(self) -> None:
        self.run("init", "-input=false", "-no-color")

    def apply(self, *extra: str) -> None:
        self.run("apply", "-auto-approve", "-input=false", "-no-color", self._parallel(), *extra)

    def apply_refresh_only(self) -> None:
        """Accept what a refresh finds into state (absorbs first-refresh noise)."""
        self.run("apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color",
                 self._parallel(), label="apply -refresh-only")

    def plan_refresh_only(self, plan_file: str = "refresh.tfplan") -> dict[str, Any]:
        """``plan -refresh-only`` then ``show -json``; the exit code is not the verdict (it can
        be non-zero with no drift), the document is."""
        self.run("plan", "-refresh-only", "-input=false", "-no-color", "-lock=false",
                 self._parallel(), f"-out={plan_file}", label="plan -refresh-only")
        shown = self.run("show", "-json", "-no-color", plan_file, label="show -json")
        document: dict[str, Any] = json.loads(shown.stdout)
        return document

    def drift(self) -> list[DriftEntry]:
        return resource_drift(self.plan_refresh_only())

    @property
    def state_path(self) -> Path:
        return self.workdir / "terraform.tfstate"

    def state(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.state_path.read_text(encoding="utf-8"))
        return document

    def resources(self) -> dict[str, dict[str, Any]]:
        """Every managed instance in state, keyed by its address as Terraform itself writes it,
        each the ``terraform show -json`` entry (``type``, ``values``, ``sensitive_values`` ...)."""
        shown = self.run("show", "-json", "-no-color", label="show -json")
        document = json.loads(shown.stdout)
        found: dict[str, dict[str, Any]] = {}
        pending = [(document.get("values") or {}).get("root_module") or {}]
        while pending:
            module = pending.pop()
            for resource in module.get("resources") or []:
                if resource.get("mode") == "managed":
                    found[str(resource["address"])] = resource
            pending.extend(module.get("child_modules") or [])
        return found

    def total(self, label: str) -> float:
        return sum(seconds for name, seconds in self.timings if name == label)
