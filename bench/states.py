"""Reading many states from an S3 backend: concurrent (the default workers) against one by one.

1,000 states of 50 resources each are put in a bucket of moto's server (counted at the emulator,
``bench/emulator.py``); cloudrift's ``tfstate+s3://BUCKET/live/**/*.tfstate`` source lists them
and reads every one, once with the backends' default pool (``BackendSettings().max_workers``,
what ``--parallelism`` sets) and once with one worker. The reading runs in a child process, so
that moto, in this one, does not share the reader's interpreter; its time is the ``read()``
alone, interpreter start-up and imports excluded. Best of three each.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.emulator import Tally, counting_emulator  # noqa: E402
from cloudrift.sources.backends import BackendSettings  # noqa: E402
from cloudrift.testing import FAKE_CREDENTIALS, StateBuilder  # noqa: E402

Row = dict[str, str]
BUCKET = "bench-states"
REGION = "us-east-1"

_READ = """\
import json, sys, time
sys.path.insert(0, {root!r})
from cloudrift.sources.backends import BackendSettings
from cloudrift.sources.tfstate import StateDocument
from cloudrift.sources.uri import open_source

source = open_source({uri!r}, BackendSettings(max_workers={workers}))
start = time.perf_counter()
read = source.read()
seconds = time.perf_counter() - start
states = [d for d in read if isinstance(d, StateDocument)]
print(json.dumps({{"seconds": seconds, "states": len(states), "failed": len(read) - len(states),
                  "resources": sum(len(d.managed) for d in states)}}))
"""


def _state(n: int, resources: int) -> bytes:
    builder = StateBuilder()
    for k in range(resources):
        name = f"s{n:04d}-q{k:02d}"
        builder.add("aws_sqs_queue", "q", {
            "id": f"https://sqs.us-east-1.amazonaws.com/123456789012/{name}",
            "arn": f"arn:aws:sqs:us-east-1:123456789012:{name}", "name": name,
            "visibility_timeout_seconds": 30, "message_retention_seconds": 345600,
            "tags": {"service": f"s{n:04d}"}, "tags_all": {"service": f"s{n:04d}"},
        }, index_key=k)
    return json.dumps(builder.document()).encode()


def _actions(tally: Tally) -> str:
    return f"{tally.total} (" + ", ".join(
        f"{name} {count}" for name, count in tally.calls.most_common()) + ")"


def bench_states(states: int = 1000, resources: int = 50, runs: int = 3) -> list[Row]:
    import boto3

    default = BackendSettings().max_workers
    with counting_emulator() as (endpoint, counter):
        s3 = boto3.client("s3", region_name=REGION, endpoint_url=endpoint,
                          aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
        s3.create_bucket(Bucket=BUCKET)
        size = 0

        def put(n: int) -> int:
            body = _state(n, resources)
            s3.put_object(Bucket=BUCKET, Key=f"live/svc{n:04d}/terraform.tfstate", Body=body)
            return len(body)

        with ThreadPoolExecutor(max_workers=8) as pool:
            size = sum(pool.map(put, range(states)))
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
               **FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": REGION,
               "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
        uri = f"tfstate+s3://{BUCKET}/live/**/*.tfstate"
        measured: dict[int, tuple[float, Tally]] = {}
        for workers in (default, 1):
            best = float("inf")
            calls = Tally()
            for _ in range(runs):
                before = counter.snapshot()
                completed = subprocess.run(
                    [sys.executable, "-c", _READ.format(root=str(ROOT), uri=uri, workers=workers)],
                    env=env, capture_output=True, text=True, check=True, timeout=900)
                out = json.loads(completed.stdout)
                if (out["states"], out["failed"]) != (states, 0):
                    raise RuntimeError(f"read {out['states']} states, {out['failed']} failed, "
                                       f"of {states}")
                assert out["resources"] == states * resources, out
                if out["seconds"] < best:
                    best = out["seconds"]
                    calls = counter.snapshot().minus(before)
            measured[workers] = (best, calls)
    concurrent, sequential = measured[default], measured[1]
    what = (f"{states:,} states of {resources} resources ({size / 2**20:.1f} MiB) from an S3 "
            f"backend on moto (tfstate+s3://, glob)")
    return [{
        "benchmark": f"{what}: {default} workers (default) vs 1, best of {runs}",
        "result": f"{concurrent[0]:.2f} s vs {sequential[0]:.2f} s",
        "detail": f"{sequential[0] / concurrent[0]:.1f}x faster with {default} workers; "
                  f"{states / concurrent[0]:,.0f} vs {states / sequential[0]:,.0f} states/s; "
                  f"calls counted at the emulator: {_actions(concurrent[1])} and "
                  f"{_actions(sequential[1])}; read() alone, in a child process; moto is Python "
                  f"on the same {os.cpu_count()} cores",
    }]


if __name__ == "__main__":
    for row in bench_states():
        print(row)
