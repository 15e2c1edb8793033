"""A thread pool that lets go on Ctrl-C.

``with ThreadPoolExecutor() as pool`` waits for every worker on the way out, even when the way
out is a KeyboardInterrupt: a worker blocked in a network read then holds the scan until its
timeout (a minute, times the retries). ``worker_pool`` waits only on a normal exit; on any
exception it cancels what has not started and leaves the rest behind, and the console script
ends the process at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager


@contextmanager
def worker_pool(workers: int, name: str = "cloudrift") -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix=name)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


# the fewest concurrent calls one account's scan gets when several share --parallelism
MIN_SHARE = 4


def share(parallelism: int, parts: int) -> tuple[int, int]:
    """How ``parts`` units of work (the accounts of an organisation) share ``parallelism``
    concurrent calls: how many run at once, and each one's own parallelism. Each keeps at
    least ``MIN_SHARE`` (a listing of types and regions needs a few workers to be worth
    running), so fewer run at once when the budget is small."""
    at_once = max(1, min(parts, parallelism // MIN_SHARE))
    return at_once, max(1, parallelism // at_once)
