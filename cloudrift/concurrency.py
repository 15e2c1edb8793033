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
