"""The ``git`` command line under ``GitTree``: running it, the bare-clone cache, and one
``cat-file --batch`` process per tree for reading blobs.

A URL is cloned bare (blob-less where the server allows it) into a cache directory and fetched
again on later runs; clones and fetches of one cache entry are serialised between processes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import IO

from cloudrift.errors import SourceError

_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# git's scp-like syntax, user@host:path; a Windows drive letter (C:\...) has no "@"
_SCP_RE = re.compile(r"^[^/@:\s]+@[^/:\s]+:")
_USERINFO_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@")

# variables that would point git at another repository or work tree than the one named
# (set when cloudrift runs inside a git hook, for instance)
_REPO_ENV = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_PREFIX",
    "GIT_CEILING_DIRECTORIES",
)

_FETCH_REFSPECS = (
    "+refs/heads/*:refs/heads/*",
    # so that "origin/main", the name a checkout would use, resolves in the cache too
    "+refs/heads/*:refs/remotes/origin/*",
    "+refs/tags/*:refs/tags/*",
)


def is_remote(repo: str) -> bool:
    """True for a URL (``https://``, ``file://``, ``ssh://``) or ``user@host:path``."""
    return bool(_SCHEME_RE.match(repo) or _SCP_RE.match(repo))


def without_credentials(url: str) -> str:
    """``https://user:token@host/r.git`` -> ``https://host/r.git``, for messages and labels."""
    return _USERINFO_RE.sub(r"\1", url)


def default_cache_root(env: Mapping[str, str] | None = None) -> str:
    """``$CLOUDRIFT_CACHE_DIR/repos``, else ``$XDG_CACHE_HOME/cloudrift/repos``, else
    ``~/.cache/cloudrift/repos`` (the HCL parse cache sits beside it)."""
    env = os.environ if env is None else env
    override = env.get("CLOUDRIFT_CACHE_DIR")
    if override:
        return os.path.join(os.path.expanduser(override), "repos")
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "cloudrift", "repos")


def cache_path(url: str, cache_root: str | None = None) -> str:
    """Where the bare clone of ``url`` lives; credentials in the URL do not change it."""
    key = hashlib.sha256(without_credentials(url).encode()).hexdigest()[:32]
    return os.path.join(cache_root or default_cache_root(), key)


def git_env() -> dict[str, str]:
    """The environment every git command here runs with."""
    env = {k: v for k, v in os.environ.items() if k not in _REPO_ENV}
    # a private URL without credentials must fail, not wait for a password nobody will type
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.setdefault("GIT_ASKPASS", "")
    env["LC_ALL"] = "C"
    return env


def _last_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines()]
    lines = [line for line in lines if line and not line.startswith("hint:")]
    if not lines:
        return "no message"
    return lines[-1].removeprefix("fatal: ").removeprefix("error: ")


def run_git(args: Sequence[str], *, what: str, cwd: str | None = None) -> bytes:
    """git's output, or a ``SourceError`` that starts with ``what`` and ends with git's reason."""
    try:
        completed = subprocess.run(
            ["git", *args], cwd=cwd, env=git_env(), capture_output=True, check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise SourceError(
            f"{what}: the git command is not installed", hint="install git to read Git refs"
        ) from None
    if completed.returncode != 0:
        raise SourceError(f"{what}: {_last_line(completed.stderr)}")
    return completed.stdout


@contextlib.contextmanager
def _locked(path: str) -> Iterator[None]:
    """Serialise clones and fetches of one cache entry between processes."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; concurrent runs are rare there
        yield
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sync_clone(url: str, cache_root: str | None = None, *, fetch: bool = True) -> str:
    """A bare clone of ``url`` in the cache, cloned on first use and fetched on later ones;
    returns its git directory."""
    target = cache_path(url, cache_root)
    shown = without_credentials(url)
    with _locked(target):
        if os.path.isdir(target):
            # the URL may carry a fresh token; the clone's own copy is what lazy fetches use
            run_git(["--git-dir", target, "remote", "set-url", "origin", url], what=shown)
            if fetch:
                run_git(
                    ["--git-dir", target, "fetch", "--quiet", "--prune", "--no-write-fetch-head",
                     "origin", *_FETCH_REFSPECS],
                    what=f"{shown}: fetch failed",
                )
            return target
        parent = os.path.dirname(target)
        os.makedirs(parent, exist_ok=True)
        # cloned beside the target and renamed, so an interrupted clone never looks finished
        staging = tempfile.mkdtemp(prefix=".clone-", dir=parent)
        try:
            run_git(
                ["clone", "--quiet", "--bare", "--filter=blob:none", "--", url, staging],
                what=f"{shown}: clone failed",
            )
            for position, spec in enumerate(_FETCH_REFSPECS):
                run_git(
                    ["--git-dir", staging, "config", "--add" if position else "--replace-all",
                     "remote.origin.fetch", spec],
                    what=shown,
                )
            run_git(["--git-dir", staging, "fetch", "--quiet", "--no-write-fetch-head",
                     "origin"], what=f"{shown}: fetch failed")
            os.replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


class CatFile:
    """One ``git cat-file --batch`` process shared by every read of a tree."""

    def __init__(self, git_dir: str, what: str) -> None:
        self._git_dir = git_dir
        self._what = what
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        try:
            process = subprocess.Popen(
                ["git", "--git-dir", self._git_dir, "cat-file", "--batch"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                env=git_env(),
            )
        except FileNotFoundError:
            raise SourceError(f"{self._what}: the git command is not installed") from None
        self._process = process
        return process

    def read(self, oid: str) -> bytes:
        with self._lock:
            process = self._process or self._start()
            stdin: IO[bytes] | None = process.stdin
            stdout: IO[bytes] | None = process.stdout
            assert stdin is not None
            assert stdout is not None
            try:
                stdin.write(oid.encode() + b"\n")
                stdin.flush()
                header = stdout.readline().split()
            except (BrokenPipeError, OSError):
                header = []
            if len(header) != 3:
                self._stop()
                detail = "missing" if header[1:] == [b"missing"] else "git stopped answering"
                raise SourceError(f"{self._what}: cannot read object {oid} ({detail})")
            size = int(header[2])
            data = stdout.read(size + 1)
            if len(data) != size + 1:
                self._stop()
                raise SourceError(f"{self._what}: object {oid} was cut short")
            return data[:size]

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            _close_process(process)

    def close(self) -> None:
        with self._lock:
            self._stop()


def _close_process(process: subprocess.Popen[bytes]) -> None:
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
