"""Parsing Terraform files, with results cached by content and misses parsed in parallel.

A cache entry holds one file's extracted blocks (never the parse tree), keyed by the Git blob id
of its bytes, the file's syntax (native or JSON), our extraction format and python-hcl2's
version. The blob id is the same whether the file was read from a working tree or from a Git
commit, so either warms the cache for the other.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import orjson

from cloudrift.errors import ConfigError
from cloudrift.sources.hcl_blocks import (
    PARSE_FORMAT,
    FileResult,
    ParseFailedError,
    Problem,
    decode,
    file_kind,
)
from cloudrift.sources.hcl_json import parse_json
from cloudrift.sources.hcl_native import parse_native

CACHE_ENV = "CLOUDRIFT_CACHE_DIR"

# Below these many bytes of cache misses, parsing in-process beats starting workers: python-hcl2
# parses ~400 KB/s; a forked worker starts in ~30 ms, a spawned one in ~0.7 s (it re-imports).
PARALLEL_MIN_BYTES_FORK = 256 * 1024
PARALLEL_MIN_BYTES_SPAWN = 2 * 1024 * 1024

_DIGEST = re.compile(r"[0-9a-f]{40,64}")


def default_cache_dir() -> str:
    """``$CLOUDRIFT_CACHE_DIR/hcl``, else ``$XDG_CACHE_HOME/cloudrift/hcl``, else
    ``~/.cache/cloudrift/hcl``."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return os.path.join(os.path.expanduser(override), "hcl")
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # the XDG spec says to ignore a relative value
    base = xdg if os.path.isabs(xdg) else os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "cloudrift", "hcl")


def parse_file(path: str, data: bytes) -> FileResult:
    """Extract the blocks of one file. Never raises: a failure is a ``Problem``. Runs in worker
    processes, so it takes and returns plain data."""
    try:
        text = decode(data)
        if file_kind(path) == "tfjson":
            return parse_json(text)
        return parse_native(text)
    except ParseFailedError as failure:
        return FileResult(problems=(Problem(failure.line, failure.message),))
    except Exception as exc:  # the parser's own bugs must not end the scan either
        return FileResult(problems=(Problem(0, f"parser failed: {type(exc).__name__}: {exc}"),))


def _parser_version() -> str:
    try:
        from importlib.metadata import version

        raw = version("python-hcl2")
    except Exception:  # an unusual install: still cache, under a key of its own
        raw = "unknown"
    return re.sub(r"[^A-Za-z0-9.]", "_", raw)


class ParseCache:
    """One JSON file per (content, syntax) under ``directory``; every failure is a miss.

    The cache is an optimisation only: an unwritable directory or a damaged entry never fails a
    load, the entry is parsed again and rewritten.
    """

    def __init__(self, directory: str | None = None) -> None:
        self.directory = directory if directory is not None else default_cache_dir()
        self.format = f"p{PARSE_FORMAT}-hcl2-{_parser_version()}"

    def path(self, digest: str, kind: str) -> str | None:
        if not _DIGEST.fullmatch(digest):
            return None  # not a blob id: never let it name a file
        return os.path.join(self.directory, digest[:2], f"{digest}.{kind}.{self.format}.json")

    def get(self, digest: str, kind: str) -> FileResult | None:
        path = self.path(digest, kind)
        if path is None:
            return None
        try:
            with open(path, "rb") as handle:
                entry = orjson.loads(handle.read())
            if entry.get("digest") != digest or entry.get("format") != self.format:
                return None
            return FileResult.from_json(entry.get("result"))
        except (OSError, ValueError, AttributeError, TypeError):
            return None

    def put(self, digest: str, kind: str, result: FileResult) -> None:
        path = self.path(digest, kind)
        if path is None:
            return
        entry = {"digest": digest, "format": self.format, "result": result.to_json()}
        directory = os.path.dirname(path)
        temporary = None
        try:
            os.makedirs(directory, exist_ok=True)
            # written beside the entry and renamed over it: a reader never sees half a file
            fd, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "wb") as handle:
                handle.write(orjson.dumps(entry))
            os.replace(temporary, path)
            temporary = None
        except OSError:
            pass
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)


def _start_method() -> str:
    methods = multiprocessing.get_all_start_methods()
    # fork is by far the cheapest start but unsafe once other threads may hold locks
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


class Parser:
    """Parses batches of files, in a process pool when the batch is worth it.

    ``workers=None`` decides by size; ``workers=1`` never starts processes; ``workers=N`` uses a
    pool of up to N processes whenever more than one file is to be parsed. The pool is kept for
    the next batch (module levels are parsed one after the other) until ``close()``.
    """

    def __init__(self, workers: int | None = None) -> None:
        if workers is not None and workers < 1:
            raise ConfigError(f"HCL parser workers must be at least 1, not {workers}")
        self.workers = workers
        self.method = _start_method()
        self._pool: Executor | None = None
        self._pool_size = 0
        self.parallel_batches = 0

    def parse(self, tasks: Sequence[tuple[str, bytes]]) -> list[FileResult]:
        if not self._worth_a_pool(tasks):
            return [parse_file(path, data) for path, data in tasks]
        results: list[FileResult | None] = [None] * len(tasks)
        # largest first, so one big file does not start last and finish alone
        order = sorted(range(len(tasks)), key=lambda n: -len(tasks[n][1]))
        try:
            pool = self._get_pool(len(tasks))
            futures = {n: pool.submit(parse_file, *tasks[n]) for n in order}
            for n, future in futures.items():
                results[n] = future.result()
            self.parallel_batches += 1
        except (BrokenProcessPool, OSError, RuntimeError):
            # no processes on this host (sandbox, no /dev/shm) or a worker died: parse here
            self.close()
            self.workers = 1
        return [r if r is not None else parse_file(*tasks[n]) for n, r in enumerate(results)]

    def _worth_a_pool(self, tasks: Sequence[tuple[str, bytes]]) -> bool:
        if len(tasks) < 2 or self.workers == 1 or self._wanted_size(len(tasks)) < 2:
            return False
        if self.workers is not None:
            return True
        threshold = (
            PARALLEL_MIN_BYTES_FORK if self.method == "fork" else PARALLEL_MIN_BYTES_SPAWN
        )
        return sum(len(data) for _, data in tasks) >= threshold

    def _wanted_size(self, count: int) -> int:
        return min(self.workers or os.cpu_count() or 1, count)

    def _get_pool(self, count: int) -> Executor:
        size = self._wanted_size(count)
        if self._pool is not None and self._pool_size >= size:
            return self._pool
        self.close()
        if self.method == "fork":
            # children inherit a built grammar instead of each loading it again
            import hcl2.parser

            hcl2.parser.parser()
        context = multiprocessing.get_context(self.method)
        self._pool = ProcessPoolExecutor(max_workers=size, mp_context=context)
        self._pool_size = size
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._pool_size = 0
