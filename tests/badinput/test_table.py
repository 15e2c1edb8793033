"""Bad input through the real command line, one row each: exit code 2 and exactly one line on
stderr, naming the file or place at fault, and no traceback (``--debug`` may show one).

A row is ``bad(id, build, expect)``: ``build`` makes the input in a scratch directory and returns
the arguments and the place the error must name; ``expect`` is a fragment of the message.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cloudrift.testing import FAKE_CREDENTIALS, StateBuilder
from cloudrift.testing.faults import Fault, FaultKind, FaultProxy
from cloudrift_aws.testing import MotoServer

CLI = [sys.executable, "-c", "from cloudrift.cli import main; main()"]


@dataclass
class Scratch:
    """Where a row builds its input, and what it may add to the environment."""

    root: Path
    moto: MotoServer
    stack: ExitStack
    env: dict[str, str] = field(default_factory=dict)
    unset: list[str] = field(default_factory=list)
    proxies: list[FaultProxy] = field(default_factory=list)

    def proxy(self, *faults: Fault) -> str:
        """A proxy in front of moto: its log is the record that the scan only read."""
        proxy = self.stack.enter_context(FaultProxy(self.moto.endpoint, faults))
        self.proxies.append(proxy)
        return proxy.endpoint


Build = Callable[[Scratch], tuple[list[str], str]]


def scan(*args: str) -> list[str]:
    return ["scan", "--to", "aws", "--region", "us-east-1", *args]


def a_state() -> dict[str, Any]:
    return StateBuilder().add("aws_sqs_queue", "q", {"id": "https://q", "name": "q"}).document()


def state_file(content: bytes | str | dict[str, Any], name: str = "terraform.tfstate", *,
               place: str | None = None, to: str = "aws", **env: str) -> Build:
    def build(scratch: Scratch) -> tuple[list[str], str]:
        path = scratch.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(content) if isinstance(content, dict) else content
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        scratch.env.update(env)
        arguments = scan("--from", f"tfstate://{path}")
        arguments[arguments.index("--to") + 1] = to
        return arguments, place or str(path)

    return build


def args(*given: str, place: str, **env: str) -> Build:
    def build(scratch: Scratch) -> tuple[list[str], str]:
        scratch.env.update(env)
        return [a.replace("{root}", str(scratch.root)) for a in given], place.replace(
            "{root}", str(scratch.root))

    return build


def with_ignore_file(line: str) -> Build:
    def build(scratch: Scratch) -> tuple[list[str], str]:
        state = StateBuilder().write(scratch.root / "empty.tfstate")
        rules = scratch.root / ".cloudriftignore"
        rules.write_text(f"# accepted drift\n{line}\n")
        return scan("--from", state, "--ignore-file", str(rules)), f"{rules}:2"

    return build


def with_config(text: str) -> Build:
    def build(scratch: Scratch) -> tuple[list[str], str]:
        state = StateBuilder().write(scratch.root / "empty.tfstate")
        config = scratch.root / "cloudrift.toml"
        config.write_text(text)
        return ["--config", str(config), *scan("--from", state)], str(config)

    return build


def hcl_tree(text: str) -> Build:
    def build(scratch: Scratch) -> tuple[list[str], str]:
        code = scratch.root / "code"
        code.mkdir()
        (code / "main.tf").write_text(text)
        state = StateBuilder().write(scratch.root / "empty.tfstate")
        scratch.env.update({"AWS_ENDPOINT_URL": scratch.proxy()})
        return scan("--from", state, "--hcl", str(code)), "main.tf:3"

    return build


def git_ref(ref: str) -> Build:
    def build(scratch: Scratch) -> tuple[list[str], str]:
        repo = scratch.root / "repo"
        repo.mkdir()
        StateBuilder().write(repo / "terraform.tfstate")
        git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
        for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "state"]):
            subprocess.run([*git, *command], check=True, capture_output=True)
        return scan("--repo", str(repo), "--ref", ref, "--from", "terraform.tfstate"), ref

    return build


def s3_backend(bucket: str, *, deny: bool = False) -> Build:
    def build(scratch: Scratch) -> tuple[list[str], str]:
        import boto3

        if deny:
            s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=scratch.moto.endpoint)
            s3.create_bucket(Bucket=bucket)
            s3.put_object(Bucket=bucket, Key="prod.tfstate", Body=json.dumps(a_state()))
            endpoint = scratch.proxy(Fault(FaultKind.DENY, service="s3"))
        else:
            endpoint = scratch.proxy()
        scratch.env.update({"AWS_ENDPOINT_URL": endpoint})
        return scan("--from", f"tfstate+s3://{bucket}/prod.tfstate"), f"s3://{bucket}/prod.tfstate"

    return build


def http_backend_down(scratch: Scratch) -> tuple[list[str], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/state"
    return scan("--from", f"tfstate+{url}"), url


def credentials(problem: str) -> Build:
    def build(scratch: Scratch) -> tuple[list[str], str]:
        path = StateBuilder().write(scratch.root / "empty.tfstate")
        if problem == "missing":
            scratch.unset.extend(FAKE_CREDENTIALS)
            scratch.env.update({"AWS_ENDPOINT_URL": scratch.proxy()})
        else:
            scratch.env.update({"AWS_ENDPOINT_URL": scratch.proxy(
                Fault(FaultKind.ERROR, service="sts", code="ExpiredToken", status=400))})
        return scan("--from", path), "AWS"

    return build


def sparse_state(size: int) -> Build:
    """A state file of ``size`` bytes that takes no room on disk: what matters is that it is
    refused from its size alone, before a byte is read."""

    def build(scratch: Scratch) -> tuple[list[str], str]:
        path = scratch.root / "huge.tfstate"
        with open(path, "wb") as handle:
            handle.truncate(size)
        if os.stat(path).st_blocks * 512 > 1024 * 1024:
            pytest.skip("this filesystem has no sparse files")
        return scan("--from", str(path)), str(path)

    return build


TOFU_PASSPHRASE = "correct-horse-battery-staple"


def tofu_config(passphrase: str) -> str:
    return (f'key_provider "pbkdf2" "main" {{\n  passphrase = "{passphrase}"\n}}\n'
            'method "aes_gcm" "main" {\n  keys = key_provider.pbkdf2.main\n}\n'
            'state {\n  method = method.aes_gcm.main\n}\n')


def tofu_state(*, place: str | None = None, **env: str) -> Build:
    """An OpenTofu-encrypted state (a vector written from OpenTofu's specification, with
    TOFU_PASSPHRASE) and the environment given."""
    from cloudrift.testing.tofu import Pbkdf2Provider, pbkdf2_encrypted

    def build(scratch: Scratch) -> tuple[list[str], str]:
        sealed = pbkdf2_encrypted(a_state(), Pbkdf2Provider(TOFU_PASSPHRASE, iterations=200_000))
        return state_file(sealed, place=place, **env)(scratch)

    return build


def unreadable(scratch: Scratch) -> tuple[list[str], str]:
    path = scratch.root / "secret.tfstate"
    path.write_text(json.dumps(a_state()))
    path.chmod(0)
    return scan("--from", str(path)), str(path)


def bad(name: str, build: Build, expect: str, *, xfail: str | None = None,
        skip: str | None = None) -> Any:
    marks = []
    if xfail:
        marks.append(pytest.mark.xfail(strict=True, reason=xfail))
    if skip:
        marks.append(pytest.mark.skip(reason=skip))
    return pytest.param(build, expect, id=name, marks=marks)


VALID = a_state()
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False

BAD_INPUTS = [
    bad("empty-file", state_file(b""), "state file is empty"),
    bad("whitespace-only", state_file(b" \n\t\n"), "state file is empty"),
    bad("binary-file", state_file(bytes(range(256)) * 8), "binary data"),
    bad("truncated-json", state_file(json.dumps(VALID)[:90]), "not valid JSON"),
    bad("json-array", state_file(b"[]"), "top level is not an object"),
    bad("unknown-state-version", state_file({**VALID, "version": 5}),
        "unsupported state format version 5"),
    bad("pre-0.12-state", state_file({**VALID, "version": 3}), "before 0.12"),
    bad("opentofu-encrypted", state_file({"serial": 1, "lineage": "x", "meta": {
        "key_provider.pbkdf2.main": "e30="}, "encrypted_data": "c2VjcmV0", "encryption_version":
        "v0"}), "encrypted (OpenTofu"),
    bad("opentofu-wrong-passphrase", tofu_state(TF_ENCRYPTION=tofu_config("a-wrong-passphrase!")),
        "cannot decrypt the OpenTofu state with the key configuration (TF_ENCRYPTION): state "
        "method.aes_gcm.main: key_provider.pbkdf2.main: wrong passphrase or key"),
    bad("opentofu-bad-tf-encryption", tofu_state(
        place="TF_ENCRYPTION", TF_ENCRYPTION='key_provider "pbkdf2" "main" {'),
        "HCL syntax error"),
    bad("opentofu-state-in-clear", state_file(VALID, TF_ENCRYPTION=tofu_config(TOFU_PASSPHRASE)),
        "state is not encrypted, but the key configuration (TF_ENCRYPTION) reads encrypted"),
    bad("show-json-not-state", state_file({"format_version": "1.0", "values": {}}),
        "terraform show -json"),
    bad("backend-settings-file", state_file({"version": 3, "serial": 1, "backend": {
        "type": "s3", "config": {}}}, name=".terraform/terraform.tfstate"), "backend settings"),
    bad("bad-instance-key", state_file({**VALID, "resources": [
        {**VALID["resources"][0], "instances": [{"index_key": True, "attributes": {}}]}]}),
        "invalid instance key"),
    bad("bad-utf16", state_file(b"\xff\xfe\x00\xd8"), "bad UTF-16"),
    bad("state-over-limit", state_file(VALID, CLOUDRIFT_MAX_STATE_BYTES="256"),
        "over the limit of 256 bytes (hint: raise the limit with CLOUDRIFT_MAX_STATE_BYTES="),
    bad("state-over-default-limit", sparse_state(3 * 1024**3),
        "state is 3.0 GiB (3221225472 bytes), over the limit of 2.0 GiB"),
    bad("limit-not-a-size", state_file(VALID, place="CLOUDRIFT_MAX_STATE_BYTES",
                                       CLOUDRIFT_MAX_STATE_BYTES="plenty"), "is not a size"),
    bad("file-not-found", args(*scan("--from", "{root}/nope.tfstate"),
                               place="{root}/nope.tfstate"), "state file not found"),
    bad("directory", args(*scan("--from", "{root}"), place="{root}"), "is a directory"),
    bad("glob-matches-nothing", args(*scan("--from", "tfstate://{root}/**/*.tfstate"),
                                     place="{root}/**/*.tfstate"), "no state file matches"),
    bad("unreadable-file", unreadable, "cannot read state",
        skip="root reads any file, whatever its mode" if ROOT else None),
    bad("unknown-from-scheme", args(*scan("--from", "nope://x"), place="nope://x"),
        "unknown --from scheme 'nope'"),
    bad("unknown-backend", args(*scan("--from", "tfstate+ftp://h/x"), place="ftp"),
        "state backend 'ftp' is not supported"),
    bad("unknown-output-format", args(*scan("--from", "x", "--output", "pdf://r.pdf"),
                                      place="pdf://r.pdf"), "unknown output format 'pdf'"),
    bad("unknown-provider", state_file(VALID, to="nope", place="'nope'"), "unknown provider"),
    bad("bad-ignore-rule", with_ignore_file("aws_s3_bucket..logs"), "invalid ignore rule"),
    bad("bad-config-key", with_config('regoin = ["eu-west-1"]\n'), "regoin"),
    bad("bad-config-toml", with_config('region = ["eu-west-1"\n'), "invalid TOML"),
    bad("hcl-syntax-error", hcl_tree('resource "aws_sqs_queue" "q" {\n  name = "q"\n'),
        "syntax error"),
    bad("git-ref-missing", git_ref("no-such-ref"), "not found"),
    bad("s3-bucket-missing", s3_backend("no-such-bucket"), "does not exist"),
    bad("s3-backend-denied", s3_backend("locked", deny=True), "AccessDenied"),
    bad("http-backend-down", http_backend_down, "connection refused"),
    bad("credentials-missing", credentials("missing"), "AWS credentials not found"),
    bad("credentials-expired", credentials("expired"), "ExpiredToken"),
]


@pytest.fixture
def scratch(moto: MotoServer, tmp_path: Path) -> Iterator[Scratch]:
    with ExitStack() as stack:
        made = Scratch(tmp_path, moto, stack)
        yield made
    for proxy in made.proxies:
        assert proxy.non_reads() == [], "a scan sent a non-read request"


def run(arguments: list[str], scratch: Scratch) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true", **scratch.env}
    for name in scratch.unset:
        env.pop(name, None)
    # the scratch directory: no cloudrift.toml or .cloudriftignore of the checkout applies
    return subprocess.run([*CLI, *arguments], cwd=scratch.root, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.parametrize(("build", "expect"), BAD_INPUTS)
def test_bad_input_is_one_line_and_exit_2(build: Build, expect: str, scratch: Scratch) -> None:
    arguments, place = build(scratch)
    result = run(arguments, scratch)
    assert result.returncode == 2, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    [line] = lines
    assert line.startswith("cloudrift: error: ")
    assert place in line, f"the error does not name {place!r}"
    assert expect in line
    if "scan incomplete" in line:
        # the scan went on past a bad code file: its report is written, and says so
        assert "Scan incomplete: see warnings." in result.stdout
    else:
        assert result.stdout == ""




@pytest.mark.parametrize(("build", "expect"), [
    p for p in BAD_INPUTS if p.id in ("empty-file", "unknown-from-scheme", "s3-bucket-missing")
])
def test_debug_shows_the_traceback_and_still_exits_2(build: Build, expect: str,
                                                     scratch: Scratch) -> None:
    arguments, place = build(scratch)
    result = run([*arguments, "--debug"], scratch)
    assert "Traceback" in result.stderr
    assert place in result.stderr
    assert expect in result.stderr
    assert result.returncode == 2
