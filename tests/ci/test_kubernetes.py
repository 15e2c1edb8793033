"""The Kubernetes manifest as shipped (deploy/kubernetes/): every document is checked against
Kubernetes' own JSON schemas (strict: no unknown field), for the oldest release it needs and the
newest the schemas cover, and the pods' script is run as the Indexed Job runs it, against moto:
each index scans its shard, index 0 merges them, and the merged report equals an unsharded scan.

The schemas come from the kubernetes-validate wheel (a dev dependency), checked by
check-jsonschema as the CI templates are.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from cloudrift.config import tomllib
from cloudrift.settings import all_settings
from cloudrift_aws.testing import MotoServer
from tests.watch.conftest import build_estate

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MANIFEST = ROOT / "deploy" / "kubernetes" / "cloudrift-sharded-scan.yaml"
# backoffLimitPerIndex and maxFailedIndexes are GA (on by default) from 1.33
OLDEST = "v1.33.0"


def schema_root() -> Path:
    try:
        import kubernetes_validate
    except ImportError:
        reason = "kubernetes-validate (Kubernetes' JSON schemas) is not installed"
        print(f"skipping: {reason}")
        pytest.skip(reason)
    return Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"


def releases() -> list[str]:
    try:
        root = schema_root()
    except pytest.skip.Exception:
        return [OLDEST]
    found = sorted((d.name.removesuffix("-local-strict") for d in root.iterdir()
                    if d.name.endswith("-local-strict")),
                   key=lambda v: tuple(int(n) for n in v.lstrip("v").split(".")))
    return [OLDEST, found[-1]] if found[-1] != OLDEST else [OLDEST]


def documents(text: str | None = None) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text or MANIFEST.read_text(encoding="utf-8")) if d]


def local_schema(release: str, name: str, directory: Path) -> Path:
    """The strict schema of ``name`` for ``release``, copied into ``directory`` with its
    references made relative: the published files refer to ``/api/_definitions.json``, on
    kubernetes.io, which a test must not fetch."""
    source = schema_root() / f"{release}-local-strict"
    schema = source / f"{name}.json"
    assert schema.is_file(), f"no schema {name} in Kubernetes {release}"
    directory.mkdir(parents=True, exist_ok=True)
    definitions = directory / "_definitions.json"
    if not definitions.exists():
        definitions.write_bytes((source / "_definitions.json").read_bytes())
    local = directory / schema.name
    local.write_text(schema.read_text(encoding="utf-8").replace(
        '"/api/_definitions.json#', '"_definitions.json#'), encoding="utf-8")
    return local


def check(document: dict[str, Any], release: str, tmp_path: Path
          ) -> subprocess.CompletedProcess[str]:
    """check-jsonschema over one document, with the strict schema of its kind and version."""
    group, _, version = document["apiVersion"].rpartition("/")
    name = f"{document['kind'].lower()}-{group.split('.')[0] + '-' if group else ''}{version}"
    schema = local_schema(release, name, tmp_path / release)
    data = tmp_path / f"{name}.json"
    data.write_text(json.dumps(document), encoding="utf-8")
    tool = BIN / "check-jsonschema"
    if not tool.exists():
        pytest.skip("check-jsonschema is not installed (make install puts it in .venv/bin)")
    return subprocess.run([str(tool), "--schemafile", str(schema),
                           "--base-uri", schema.parent.as_uri() + "/", str(data)],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("release", releases())
def test_every_document_matches_kubernetes_schema(release: str, tmp_path: Path) -> None:
    docs = documents()
    assert [d["kind"] for d in docs] == [
        "ServiceAccount", "ConfigMap", "PersistentVolumeClaim", "CronJob"]
    for document in docs:
        done = check(document, release, tmp_path)
        assert done.returncode == 0, f"{document['kind']}: {done.stdout}{done.stderr}"


@pytest.mark.parametrize(("old", "new"), [
    ("completionMode: Indexed", "completionMod: Indexed"),  # unknown field (strict schema)
    ("backoffLimitPerIndex: 2", "backoffLimitPerIndex: two"),  # wrong type
    ("restartPolicy: Never", "restartPolicy: [Never]"),
])
def test_the_schema_check_catches_a_broken_manifest(old: str, new: str, tmp_path: Path) -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    assert old in text
    (cronjob,) = [d for d in documents(text.replace(old, new)) if d["kind"] == "CronJob"]
    done = check(cronjob, OLDEST, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr


def _cronjob() -> dict[str, Any]:
    (cronjob,) = [d for d in documents() if d["kind"] == "CronJob"]
    return cronjob


def test_the_job_is_indexed_one_pod_per_shard() -> None:
    job = _cronjob()["spec"]["jobTemplate"]["spec"]
    (container,) = job["template"]["spec"]["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert job["completionMode"] == "Indexed"
    assert job["completions"] == job["parallelism"] == int(env["SHARDS"]["value"])
    assert env["RUN"]["valueFrom"]["fieldRef"]["fieldPath"] == (
        "metadata.labels['batch.kubernetes.io/job-name']")
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    config = env["CLOUDRIFT_CONFIG"]["value"]
    assert Path(config).parent == Path(mounts["config"])


def test_the_config_map_holds_only_settings_cloudrift_reads() -> None:
    (config_map,) = [d for d in documents() if d["kind"] == "ConfigMap"]
    settings = tomllib.loads(config_map["data"]["cloudrift.toml"])
    known = {s.key for s in all_settings()}
    assert set(settings) <= known, set(settings) - known
    assert settings["aws-organization"] is True
    assert settings["aws-role-name"]


def test_the_pods_scan_their_shards_and_index_0_merges_them(moto: MotoServer,
                                                             tmp_path: Path) -> None:
    """The container's script, run by sh once per index as the Job's pods run it (the shards
    first, index 0 last), /reports a directory here, the config a state of queues on moto."""
    estate = build_estate(moto, tmp_path)
    estate.drift()
    (container,) = _cronjob()["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    env_of = {e["name"]: e.get("value") for e in container["env"]}
    shards = int(env_of["SHARDS"])
    reports = tmp_path / "reports"
    script = container["args"][0].replace("/reports", str(reports))
    config = tmp_path / "cloudrift.toml"
    config.write_text(f'from = ["{estate.state}"]\nregion = ["eu-west-1", "us-east-1"]\n'
                      'to = ["aws"]\n', encoding="utf-8")
    env = {**os.environ, **estate.env, "SHARDS": str(shards), "RUN": "cloudrift-scan-1",
           "CLOUDRIFT_CONFIG": str(config), "CLOUDRIFT_NO_HISTORY": "1",
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    for index in [*range(1, shards), 0]:
        done = subprocess.run(["/bin/sh", "-c", script], cwd=tmp_path, capture_output=True,
                              text=True, timeout=300, check=False,
                              env={**env, "JOB_COMPLETION_INDEX": str(index)})
        assert done.returncode == 0, f"index {index}: {done.stdout}{done.stderr}"
    run = reports / "cloudrift-scan-1"
    assert sorted(p.name for p in run.iterdir()) == sorted(
        [*(f"shard-{i}.json" for i in range(1, shards + 1)), "drift.json", "drift.sarif"])
    merged = json.loads((run / "drift.json").read_text(encoding="utf-8"))
    whole = subprocess.run([str(BIN / "cloudrift"), "scan", "--quiet", "--output",
                            f"json://{tmp_path / 'whole.json'}"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=300,
                           check=False, env=env)
    assert whole.returncode == 1, whole.stderr
    unsharded = json.loads((tmp_path / "whole.json").read_text(encoding="utf-8"))
    assert merged["findings"] == unsharded["findings"]
    assert [f["kind"] for f in merged["findings"]] == ["changed"]
    # every shard scanned something of its own: the shards split the work
    parts = [json.loads((run / f"shard-{i}.json").read_text(encoding="utf-8"))
             for i in range(1, shards + 1)]
    assert sum(p["summary"]["api_calls"] for p in parts) >= unsharded["summary"]["api_calls"]
