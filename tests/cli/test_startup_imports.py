"""What a scan has imported when it makes its first API call, and by the end of it.

Start-up time itself is a benchmark (bench/startup.py, target 0.25 s to the first call); this
pins the structure that keeps it there, without timing anything: the CLI loads no cloud SDK, a
scan's first AWS call goes out before the engine, the report model (pydantic) and boto3 load,
and a scan without HCL or notifications never loads the parsers and templates those need.
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

# imported in a fresh interpreter; at the first request it writes sys.modules and leaves at once
FIRST_CALL = """
import http.client, json, os, sys
send = http.client.HTTPConnection.putrequest

def first_call(self, *args, **kwargs):
    with open(os.environ["MODULES_OUT"], "w") as out:
        json.dump(sorted(sys.modules), out)
    os._exit(0)

http.client.HTTPConnection.putrequest = first_call
from cloudrift.cli import main
sys.argv = ["cloudrift", *sys.argv[1:]]
main()
"""

AT_EXIT = """
import atexit, json, os, sys
atexit.register(lambda: json.dump(sorted(sys.modules), open(os.environ["MODULES_OUT"], "w")))
from cloudrift.cli import main
sys.argv = ["cloudrift", *sys.argv[1:]]
main()
"""

IMPORT_ONLY = """
import json, os, sys
import cloudrift.cli
json.dump(sorted(sys.modules), open(os.environ["MODULES_OUT"], "w"))
"""

NEVER_FOR_AN_AWS_SCAN = ("google", "azure", "cloudrift_gcp.provider", "cloudrift_azure.provider",
                         "hcl2", "lark", "cloudrift.sources.hcl", "jinja2", "cloudrift.notify",
                         "s3transfer", "boto3",
                         # the remote state backends, for a local state
                         "cloudrift.sources.backends")
NOT_BEFORE_THE_FIRST_CALL = ("pydantic", "cloudrift.model", "cloudrift.engine", "cloudrift.diff",
                             "cloudrift_aws.provider", "cloudrift_aws.types")


def loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == n or m.startswith(n + ".") for n in names)]


def run(code: str, tmp_path: Path, *args: str, **env: str) -> list[str]:
    out = tmp_path / "modules.json"
    completed = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=tmp_path, capture_output=True, text=True,
        timeout=120, check=False, env={**os.environ, "MODULES_OUT": str(out), **env})
    assert out.exists(), completed.stderr
    modules: Any = json.loads(out.read_text())
    return list(modules)


@pytest.fixture
def state(tmp_path: Path) -> str:
    builder = StateBuilder()
    builder.add("aws_sqs_queue", "q", {"id": "https://sqs.us-east-1.amazonaws.com/1/q",
                                       "name": "q", "tags": {}, "tags_all": {}})
    builder.add("aws_vpc", "v", {"id": "vpc-1", "cidr_block": "10.0.0.0/16", "tags": {}})
    return builder.write(tmp_path / "s.tfstate")


def test_importing_the_cli_loads_no_sdk_and_no_model(tmp_path: Path) -> None:
    modules = run(IMPORT_ONLY, tmp_path)
    assert "cloudrift.cli" in modules
    assert loaded(modules, NEVER_FOR_AN_AWS_SCAN + NOT_BEFORE_THE_FIRST_CALL + ("botocore",)) == []


def test_the_first_aws_call_comes_before_the_engine_and_the_report_model(
        tmp_path: Path, state: str) -> None:
    modules = run(FIRST_CALL, tmp_path, "scan", "--from", state, "--to", "aws",
                  "--region", "us-east-1", "-q", AWS_ENDPOINT_URL="http://127.0.0.1:9")
    assert "botocore" in modules  # it did reach the call
    assert loaded(modules, NEVER_FOR_AN_AWS_SCAN + NOT_BEFORE_THE_FIRST_CALL) == []


def test_a_whole_aws_scan_loads_no_other_cloud_no_hcl_and_no_templates(
        tmp_path: Path, state: str, moto: Any) -> None:
    modules = run(AT_EXIT, tmp_path, "scan", "--from", state, "--to", "aws", "--region",
                  "us-east-1", "-q", "-o", f"json://{tmp_path / 'r.json'}",
                  AWS_ENDPOINT_URL=moto.endpoint)
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["api_calls"] > 0
    assert "pydantic" in modules  # the report was written
    assert loaded(modules, NEVER_FOR_AN_AWS_SCAN) == []
