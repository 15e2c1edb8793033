"""Secrets from the states never come out: not in any output format, not in a log line at any
level, not in an error message.

Every secret carries a unique alphanumeric core; no output may contain that core at all, so a
secret escaped past recognition (``&amp;``, ``\\u0026``, ``&#38;``) is caught as surely as a
plain one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cloudrift.testing import StateBuilder
from cloudrift.testing.faults import Fault, FaultKind, FaultProxy
from cloudrift_aws.testing import MotoServer
from tests.providers.aws.cases import rds
from tests.providers.aws.conftest import Clients

CLI = [sys.executable, "-c", "from cloudrift.cli import main; main()"]

# core -> the secret around it
SECRETS = {
    "db": rds.PASSWORD,  # its core is the passphrase itself
    "TokKq3Vw8Lr": "tok+TokKq3Vw8Lr/=@",
    "TokNewPz5Yh": "tok+TokNewPz5Yh/=@",  # only ever in the cloud, under a secret name
    "OwnRt2Mb7Qe": "owner:OwnRt2Mb7Qe",  # marked sensitive in sensitive_attributes
    "OwnNewXc4Jd": "owner:OwnNewXc4Jd",  # its replacement in the cloud
    "SsVb6Hn1Tz": "s3cr<&>\"'\\ SsVb6Hn1Tz é",
    "PkWq4Ls8Nd": "-----BEGIN PRIVATE KEY-----\nPkWq4Ls8Nd\n-----END PRIVATE KEY-----\n",
    "AkSe9Fj2Gu": "AkSe9Fj2Gu/secret+access=key",
}
CORES = ["Zq8-unique-db-passphrase", *[c for c in SECRETS if c != "db"]]
OUTPUTS = {
    "console": "report.txt", "json": "report.json", "sarif": "report.sarif",
    "junit": "report.xml", "markdown": "report.md", "html": "report.html",
    "driftctl": "report.driftctl.json",
}


def _estate(moto: MotoServer, directory: Path) -> Path:
    clients = Clients(moto.endpoint)
    db = rds.CASE.create(clients)
    rds.CASE.change(clients, db)
    sqs = clients("sqs")
    tags = {"token": SECRETS["TokKq3Vw8Lr"], "owner": SECRETS["OwnRt2Mb7Qe"]}
    url = sqs.create_queue(QueueName="vault", tags=tags)["QueueUrl"]
    # behind Terraform: the token and the owner are replaced, and the DB password is pasted
    # into a tag nobody marked secret
    sqs.tag_queue(QueueUrl=url, Tags={"token": SECRETS["TokNewPz5Yh"],
                                      "owner": SECRETS["OwnNewXc4Jd"],
                                      "note": f"pw is {rds.PASSWORD}"})
    state = StateBuilder()
    state.add(rds.CASE.type, "db", db, sensitive=[["password"]])
    state.add("aws_sqs_queue", "vault", {
        "id": url, "name": "vault", "arn": "arn:aws:sqs:us-east-1:123456789012:vault",
        "tags": tags, "tags_all": tags,
    }, sensitive=[["tags", "owner"], ["tags_all", "owner"]])
    state.add("aws_secretsmanager_secret_version", "api", {
        "id": "arn:aws:secretsmanager:us-east-1:123456789012:secret:api|v1",
        "secret_string": SECRETS["SsVb6Hn1Tz"], "version_id": "v1",
    }, sensitive=[["secret_string"]])
    state.add("aws_iam_access_key", "ci", {"id": "AKIAEXAMPLE", "secret": SECRETS["AkSe9Fj2Gu"],
                                          "user": "ci"})
    state.add("tls_private_key", "signer", {"id": "k", "algorithm": "RSA",
                                            "private_key_pem": SECRETS["PkWq4Ls8Nd"]},
              provider="registry.terraform.io/hashicorp/tls")
    return Path(state.write(directory / "terraform.tfstate"))


def _run(arguments: list[str], endpoint: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_EC2_METADATA_DISABLED": "true"}
    return subprocess.run([*CLI, *arguments], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=180, check=False)


def _leaks(text: str) -> list[str]:
    return [core for core in CORES if core in text]


def test_no_secret_in_any_output_or_log_line(moto: MotoServer, tmp_path: Path) -> None:
    state = _estate(moto, tmp_path)
    out = tmp_path / "out"
    # an API error that quotes a secret back, as services quote a bad parameter
    quoting = Fault(FaultKind.ERROR, service="logs", code="InvalidParameterException",
                    status=400, message=f"Value '{SECRETS['SsVb6Hn1Tz']}' at 'prefix' failed")
    with FaultProxy(moto.endpoint, [quoting]) as proxy:
        result = _run([
            "scan", "--to", "aws", "--region", "us-east-1", "--from", str(state), "--debug",
            "--output", "console://", *[f"--output={fmt}://{out / name}"
                                        for fmt, name in OUTPUTS.items()],
        ], proxy.endpoint, tmp_path)
        assert proxy.injected > 0
        assert proxy.non_reads() == []
    assert result.returncode == 1, result.stderr

    # --debug logs every API call: the log is there to leak into, and does not
    assert "cloudrift: INFO cloudrift.calls: aws sqs:ListQueueTags" in result.stderr
    texts = {"stdout": result.stdout, "stderr (--debug)": result.stderr}
    texts.update({fmt: (out / name).read_text(encoding="utf-8") for fmt, name in OUTPUTS.items()})
    for where, text in texts.items():
        assert _leaks(text) == [], f"a secret in {where}"

    # the outputs do show the drift and the warnings that the secrets sit in
    report = json.loads(texts["json"])
    changed = {f["address"]: {c["path"] for c in f["changes"]}
               for f in report["findings"] if f["kind"] == "changed"}
    assert changed['aws_db_instance.db'] == rds.CASE.changed_paths
    assert changed["aws_sqs_queue.vault"] == {"tags.token", "tags.owner", "tags.note"}
    vault = next(f for f in report["findings"] if f["address"] == "aws_sqs_queue.vault")
    for change in vault["changes"]:
        if change["path"] != "tags.note":
            assert (change["expected"], change["actual"]) == ("(sensitive)", "(sensitive)")
    codes = {w["code"] for w in report["warnings"]}
    assert {"api_error", "unsupported_type", "provider_not_scanned"} <= codes
    assert any("InvalidParameterException" in w["message"] for w in report["warnings"])
    for fmt in ("console", "sarif", "junit", "markdown", "html", "driftctl"):
        # each format shows the drift the secrets are part of (paths are escaped or split up
        # differently in each: look for the words)
        assert "small" in texts[fmt], fmt  # db.t3.micro -> db.t3.small
        assert "token" in texts[fmt], fmt
    assert "(sensitive)" in texts["stdout"]




def test_multiline_secret_quoted_by_an_api_error(moto: MotoServer, tmp_path: Path) -> None:
    state = _estate(moto, tmp_path)
    quoting = Fault(FaultKind.ERROR, service="logs", code="InvalidParameterException",
                    status=400, message=f"Value '{SECRETS['PkWq4Ls8Nd']}' at 'prefix' failed")
    with FaultProxy(moto.endpoint, [quoting]) as proxy:
        result = _run(["scan", "--to", "aws", "--region", "us-east-1", "--from", str(state),
                       "--output", "json://"], proxy.endpoint, tmp_path)
    report = json.loads(result.stdout)
    [warning] = [w for w in report["warnings"] if w["code"] == "api_error"]
    assert "InvalidParameterException" in warning["message"]
    assert "PkWq4Ls8Nd" not in result.stdout + result.stderr


# -- error messages -------------------------------------------------------------------------

SECRET = SECRETS["SsVb6Hn1Tz"]


def corrupt(name: str, document: dict[str, Any] | str) -> Any:
    return pytest.param(document, id=name)


def _with_instance(**instance: Any) -> dict[str, Any]:
    document = StateBuilder().add("aws_db_instance", "db", {"id": "db", "password": SECRET},
                                  sensitive=[["password"]]).document()
    document["resources"][0]["instances"][0].update(instance)
    return document


def _valid() -> dict[str, Any]:
    return _with_instance()


CORRUPT = [
    corrupt("cut-inside-the-secret", json.dumps(_valid())[: json.dumps(_valid()).index("SsVb6")
                                                       + 6]),
    corrupt("secret-as-index-key", _with_instance(index_key={"password": SECRET})),
    corrupt("secret-as-schema-version", _with_instance(schema_version=SECRET)),
    corrupt("secret-as-serial", {**_valid(), "serial": SECRET}),
    corrupt("secret-as-version", {**_valid(), "version": SECRET}),
    corrupt("attributes-not-an-object", _with_instance(attributes=[SECRET])),
]


@pytest.mark.parametrize("document", CORRUPT)
def test_error_about_a_corrupt_state_quotes_no_secret(document: dict[str, Any] | str,
                                                      tmp_path: Path) -> None:
    path = tmp_path / "terraform.tfstate"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    result = _run(["scan", "--to", "aws", "--from", str(path)], "http://127.0.0.1:9", tmp_path)
    assert result.returncode == 2
    assert str(path) in result.stderr, "the error names no file"
    assert "SsVb6Hn1Tz" not in result.stderr + result.stdout
