"""The Terraform test helpers on their own: no terraform binary or emulator needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudrift.testing.terraform import (
    AWS_PROVIDER,
    PLUGIN_DIR_ENV,
    TERRAFORM_ENV,
    cli_config,
    emulator_environment,
    find_provider_mirror,
    platform_dir,
    resource_drift,
    unavailable_reason,
)


def _mirror(root: Path, platform: str, *, packed: bool = False) -> Path:
    provider = root / AWS_PROVIDER
    if packed:
        provider.mkdir(parents=True)
        (provider / f"terraform-provider-aws_5.100.0_{platform}.zip").write_bytes(b"")
    else:
        binary_dir = provider / "5.100.0" / platform
        binary_dir.mkdir(parents=True)
        (binary_dir / "terraform-provider-aws_v5.100.0_x5").write_bytes(b"")
    return root


@pytest.mark.parametrize("packed", [False, True], ids=["unpacked", "packed"])
def test_mirror_for_this_platform_is_found(tmp_path: Path, packed: bool) -> None:
    mirror = _mirror(tmp_path, platform_dir(), packed=packed)
    assert find_provider_mirror({PLUGIN_DIR_ENV: str(mirror)}) == mirror


def test_mirror_for_another_platform_is_not_enough(tmp_path: Path) -> None:
    mirror = _mirror(tmp_path, "plan9_mips")
    assert find_provider_mirror({PLUGIN_DIR_ENV: str(mirror)}) is None
    reason = unavailable_reason({PLUGIN_DIR_ENV: str(mirror), TERRAFORM_ENV: "/bin/sh"})
    assert reason is not None
    assert PLUGIN_DIR_ENV in reason
    assert platform_dir() in reason


def test_missing_terraform_is_the_reason_given(tmp_path: Path) -> None:
    mirror = _mirror(tmp_path, platform_dir())
    env = {PLUGIN_DIR_ENV: str(mirror), "PATH": str(tmp_path / "empty")}
    reason = unavailable_reason(env)
    assert reason is not None
    assert reason.startswith("terraform not found")
    assert unavailable_reason({**env, TERRAFORM_ENV: "/bin/sh"}) is None


def test_cli_config_installs_from_the_mirror_only(tmp_path: Path) -> None:
    text = cli_config(tmp_path / 'odd "dir"')
    assert 'path    = "' + str(tmp_path) + '/odd \\"dir\\""' in text
    assert f'include = ["{AWS_PROVIDER}"]' in text
    assert "direct" not in text
    assert "disable_checkpoint = true" in text


def test_emulator_environment_keeps_nothing_from_a_real_account() -> None:
    base = {
        "PATH": "/usr/bin",
        "HOME": "/home/dev",
        "AWS_PROFILE": "production",
        "AWS_SECRET_ACCESS_KEY": "real",
        "TF_VAR_region": "eu-west-1",
        "TF_WORKSPACE": "prod",
    }
    env = emulator_environment("http://127.0.0.1:5000", base=base,
                               cli_config_file=Path("/tmp/rc"))
    assert env["PATH"] == "/usr/bin"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5000"
    assert env["AWS_SECRET_ACCESS_KEY"] != "real"
    assert env["TF_CLI_CONFIG_FILE"] == "/tmp/rc"
    assert not {"AWS_PROFILE", "TF_VAR_region", "TF_WORKSPACE"} & set(env)


def test_resource_drift_kinds_and_moved_attributes() -> None:
    plan = {
        "resource_drift": [
            {"address": 'aws_sqs_queue.q["orders"]', "mode": "managed", "type": "aws_sqs_queue",
             "change": {"actions": ["update"],
                        "before": {"visibility_timeout_seconds": 30, "name": "orders",
                                   "tags": {"a": "1"}},
                        "after": {"visibility_timeout_seconds": 99, "name": "orders",
                                  "tags": {"a": "1"}}}},
            {"address": "module.net.aws_subnet.s[2]", "mode": "managed", "type": "aws_subnet",
             "change": {"actions": ["delete"], "before": {"id": "subnet-1"}, "after": None}},
            {"address": "data.aws_region.here", "mode": "data", "type": "aws_region",
             "change": {"actions": ["update"], "before": {}, "after": {"name": "x"}}},
        ]
    }
    entries = resource_drift(plan)
    assert [(e.address, e.kind) for e in entries] == [
        ('aws_sqs_queue.q["orders"]', "changed"),
        ("module.net.aws_subnet.s[2]", "missing"),
    ]
    assert entries[0].changed_attributes == {"visibility_timeout_seconds"}
    assert entries[1].changed_attributes == {"id"}
    assert resource_drift({"format_version": "1.2"}) == []
