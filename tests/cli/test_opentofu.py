"""OpenTofu states end to end: encrypted states scanned through the command line against moto's
server (real boto3 over HTTP), drift found in them; pbkdf2 and aws_kms key providers, a key
rotation (fallback), an S3 backend, zero-config discovery of a root module's encryption block.

The encrypted states are test vectors written from OpenTofu's specification of the format by
``cloudrift.testing.tofu`` (no ``tofu`` binary on this machine). Every scan runs through a
recording proxy: the only call that is not a List/Describe/Get is KMS Decrypt.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result

from cloudrift.cli import cli
from cloudrift.testing import StateBuilder
from cloudrift.testing.faults import READ_PREFIXES, FaultProxy, RequestInfo
from cloudrift.testing.tofu import Pbkdf2Provider, kms_encrypted, pbkdf2_encrypted
from cloudrift_aws.testing import MotoServer

pytest.importorskip("cryptography", reason="the tofu extra (cryptography) is not installed")

REGION = "us-east-1"
PASSPHRASE = "correct-horse-battery-staple"
FAST = 200_000  # OpenTofu's minimum iteration count: quick tests, valid configurations
TOFU_AWS = "registry.opentofu.org/hashicorp/aws"

PBKDF2_CONFIG = """
key_provider "pbkdf2" "main" {
  passphrase = var.state_passphrase
}
method "aes_gcm" "main" {
  keys = key_provider.pbkdf2.main
}
state {
  method   = method.aes_gcm.main
  enforced = true
}
"""


@pytest.fixture
def proxy(moto: MotoServer) -> Iterator[FaultProxy]:
    with FaultProxy(moto.endpoint, ()) as recording:
        yield recording
    assert recording.non_reads() == [], "a scan sent a non-read request"


def drifted_queue(moto: MotoServer, name: str) -> dict[str, Any]:
    """A queue whose visibility timeout was changed by hand: 30 in state, 60 in the cloud."""
    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=moto.endpoint)
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    builder = StateBuilder(terraform_version="1.10.3")
    builder.add("aws_sqs_queue", name, {
        "id": url, "name": name, "arn": f"arn:aws:sqs:{REGION}:123456789012:{name}",
        "visibility_timeout_seconds": 30, "tags": {}, "tags_all": {},
    }, provider=TOFU_AWS)
    return builder.document()


def scan(proxy: FaultProxy, *args: str, env: Mapping[str, str] | None = None,
         out: Path | None = None) -> tuple[Result, dict[str, Any] | None]:
    outputs = ["--output", f"json://{out}"] if out else []
    result = CliRunner().invoke(
        cli, ["scan", "--to", "aws", "--region", REGION, *args, *outputs],
        env={"AWS_ENDPOINT_URL": proxy.endpoint, **(env or {})}, catch_exceptions=False)
    report = json.loads(out.read_text()) if out and out.exists() else None
    return result, report


def changed(report: dict[str, Any] | None) -> set[tuple[str, str]]:
    assert report is not None
    return {(f["address"], c["path"]) for f in report["findings"] if f["kind"] == "changed"
            for c in f["changes"]}


def test_pbkdf2_encrypted_state_is_scanned_and_its_drift_found(
        moto: MotoServer, proxy: FaultProxy, tmp_path: Path) -> None:
    state = tmp_path / "terraform.tfstate"
    state.write_bytes(pbkdf2_encrypted(drifted_queue(moto, "orders"),
                                       Pbkdf2Provider(PASSPHRASE, iterations=FAST)))
    result, report = scan(proxy, "--from", f"tfstate://{state}", out=tmp_path / "r.json",
                          env={"TF_ENCRYPTION": PBKDF2_CONFIG,
                               "TF_VAR_state_passphrase": PASSPHRASE})
    assert result.exit_code == 1, result.output
    assert changed(report) == {("aws_sqs_queue.orders", "visibility_timeout_seconds")}
    assert report is not None
    assert report["summary"]["managed"] == 1
    assert PASSPHRASE not in result.output


def test_a_wrong_passphrase_is_one_line_and_exit_2_with_nothing_of_the_ciphertext(
        moto: MotoServer, proxy: FaultProxy, tmp_path: Path) -> None:
    state = tmp_path / "terraform.tfstate"
    sealed = pbkdf2_encrypted(drifted_queue(moto, "orders"),
                              Pbkdf2Provider(PASSPHRASE, iterations=FAST))
    state.write_bytes(sealed)
    wrong = "this-is-not-the-passphrase"
    result, report = scan(proxy, "--from", f"tfstate://{state}", out=tmp_path / "r.json",
                          env={"TF_ENCRYPTION": PBKDF2_CONFIG, "TF_VAR_state_passphrase": wrong})
    assert result.exit_code == 2
    assert report is None
    [line] = result.output.splitlines()
    assert line.startswith(f"cloudrift: error: {state}: cannot decrypt the OpenTofu state")
    assert "key_provider.pbkdf2.main" in line
    envelope = json.loads(sealed)
    for leaked in (wrong, PASSPHRASE, envelope["encrypted_data"][:12],
                   envelope["meta"]["key_provider.pbkdf2.main"][:12]):
        assert leaked not in result.output
    assert proxy.log == [], "no cloud call before the states are read"


@pytest.fixture
def kms_key(moto: MotoServer) -> tuple[Any, str]:
    """A KMS key in moto, and a client to wrap data keys with (the test's setup, not the
    scan's: OpenTofu called GenerateDataKey when it wrote the state)."""
    kms = boto3.client("kms", region_name=REGION, endpoint_url=moto.endpoint)
    return kms, kms.create_key(Description="tofu state")["KeyMetadata"]["KeyId"]


def kms_config(key_id: str, name: str = "main") -> str:
    return f"""
key_provider "aws_kms" "{name}" {{
  kms_key_id = "{key_id}"
  region     = "{REGION}"
  key_spec   = "AES_256"
  encryption_context = {{
    Environment = "production"
  }}
}}
method "aes_gcm" "main" {{
  keys = key_provider.aws_kms.{name}
}}
state {{
  method = method.aes_gcm.main
}}
"""


def test_aws_kms_encrypted_state_is_scanned_with_one_kms_decrypt(
        moto: MotoServer, proxy: FaultProxy, kms_key: tuple[Any, str], tmp_path: Path) -> None:
    kms, key_id = kms_key
    state = tmp_path / "terraform.tfstate"
    state.write_bytes(kms_encrypted(drifted_queue(moto, "payments"), kms, key_id,
                                    encryption_context={"Environment": "production"}))
    result, report = scan(proxy, "--from", f"tfstate://{state}", out=tmp_path / "r.json",
                          env={"TF_ENCRYPTION": kms_config(key_id)})
    assert result.exit_code == 1, result.output
    assert changed(report) == {("aws_sqs_queue.payments", "visibility_timeout_seconds")}
    calls = [f"{e.request.service}:{e.request.operation_label}" for e in proxy.log]
    assert calls.count("kms:Decrypt") == 1
    # the AWS provider lists and describes KMS keys as it does every type; besides those reads,
    # Decrypt is the one KMS call
    assert {c for c in calls if c.startswith("kms:")
            and not c.split(":", 1)[1].startswith(READ_PREFIXES)} == {"kms:Decrypt"}


def test_aws_kms_with_another_key_is_one_line_naming_kms(
        moto: MotoServer, proxy: FaultProxy, kms_key: tuple[Any, str], tmp_path: Path) -> None:
    kms, key_id = kms_key
    other = kms.create_key(Description="another")["KeyMetadata"]["KeyId"]
    state = tmp_path / "terraform.tfstate"
    state.write_bytes(kms_encrypted(drifted_queue(moto, "payments"), kms, key_id,
                                    encryption_context={"Environment": "production"}))
    result, _ = scan(proxy, "--from", f"tfstate://{state}",
                     env={"TF_ENCRYPTION": kms_config(other)})
    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert f"{state}: cannot decrypt" in line
    assert "state method.aes_gcm.main: AWS KMS refused to decrypt the data key" in line


def test_key_rotation_reads_old_and_new_states_in_one_glob(
        moto: MotoServer, proxy: FaultProxy, tmp_path: Path) -> None:
    """States written before the rotation open with the fallback, the others with the new
    key: the configuration OpenTofu's documentation gives for rolling a passphrase over."""
    (tmp_path / "envs").mkdir()
    old = Pbkdf2Provider("the-passphrase-of-2024", name="old", iterations=FAST)
    new = Pbkdf2Provider("the-passphrase-of-2026", name="new", iterations=FAST)
    (tmp_path / "envs" / "a.tfstate").write_bytes(
        pbkdf2_encrypted(drifted_queue(moto, "alpha"), old))
    (tmp_path / "envs" / "b.tfstate").write_bytes(
        pbkdf2_encrypted(drifted_queue(moto, "beta"), new))
    config = {
        "key_provider": {"pbkdf2": {"old": {"passphrase": "the-passphrase-of-2024"},
                                    "new": {"passphrase": "the-passphrase-of-2026"}}},
        "method": {"aes_gcm": {"old": {"keys": "key_provider.pbkdf2.old"},
                               "new": {"keys": "key_provider.pbkdf2.new"}}},
        "state": {"method": "method.aes_gcm.new", "fallback": {"method": "method.aes_gcm.old"}},
    }
    result, report = scan(proxy, "--from", f"tfstate://{tmp_path}/envs/*.tfstate",
                          out=tmp_path / "r.json", env={"TF_ENCRYPTION": json.dumps(config)})
    assert result.exit_code == 1, result.output
    assert changed(report) == {("aws_sqs_queue.alpha", "visibility_timeout_seconds"),
                               ("aws_sqs_queue.beta", "visibility_timeout_seconds")}


def test_encrypted_state_in_an_s3_backend(moto: MotoServer, proxy: FaultProxy,
                                          tmp_path: Path) -> None:
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=moto.endpoint)
    s3.create_bucket(Bucket="tofu-states")
    s3.put_object(Bucket="tofu-states", Key="app/terraform.tfstate",
                  Body=pbkdf2_encrypted(drifted_queue(moto, "orders"),
                                        Pbkdf2Provider(PASSPHRASE, iterations=FAST)))
    url = f"tfstate+s3://tofu-states/app/*.tfstate?region={REGION}"
    result, report = scan(proxy, "--from", url, out=tmp_path / "r.json", env={
                              "TF_ENCRYPTION": PBKDF2_CONFIG,
                              "TF_VAR_state_passphrase": PASSPHRASE})
    assert result.exit_code == 1, result.output
    assert changed(report) == {("aws_sqs_queue.orders", "visibility_timeout_seconds")}


def test_zero_config_reads_the_root_modules_encryption_block(
        moto: MotoServer, proxy: FaultProxy, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No --from, no TF_ENCRYPTION: the root module's own terraform { encryption {} } and its
    variable, given as OpenTofu takes it (TF_VAR_)."""
    root = tmp_path / "infra"
    root.mkdir()
    (root / "main.tf").write_text(
        "terraform {\n  encryption {\n" + PBKDF2_CONFIG + "  }\n}\n\n"
        'variable "state_passphrase" {\n  type      = string\n  sensitive = true\n}\n')
    (root / "terraform.tfstate").write_bytes(pbkdf2_encrypted(
        drifted_queue(moto, "orders"), Pbkdf2Provider(PASSPHRASE, iterations=FAST)))
    monkeypatch.chdir(tmp_path)
    sources = CliRunner().invoke(cli, ["sources"], catch_exceptions=False)
    assert "state encryption (OpenTofu): infra/main.tf" in sources.output
    assert PASSPHRASE not in sources.output
    result, report = scan(proxy, out=tmp_path / "r.json",
                          env={"TF_VAR_state_passphrase": PASSPHRASE})
    assert result.exit_code == 1, result.output
    assert changed(report) == {("aws_sqs_queue.orders", "visibility_timeout_seconds")}


def test_kms_decrypt_is_the_only_extra_call_the_read_only_checker_allows() -> None:
    assert RequestInfo("POST", "/", service="kms", operation="Decrypt").is_read()
    for operation in ("Encrypt", "GenerateDataKey", "ReEncrypt", "CreateKey"):
        assert not RequestInfo("POST", "/", service="kms", operation=operation).is_read()
    assert not RequestInfo("POST", "/", service="sqs", operation="Decrypt").is_read()
