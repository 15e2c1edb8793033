"""The desired side of a scan, read and bound to its code: what ``gather`` hands the engine.

Apart from ``cloudrift.engine`` so that reading the states needs neither the engine nor the
report model it is built on: a scan reads its states and lets its providers make their first
call before those load (``docs/benchmarks.md``, start-up).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cloudrift.concurrency import worker_pool
from cloudrift.redact import Redactor, secret_values
from cloudrift.sources.tfstate import SourceFailure, StateDocument

if TYPE_CHECKING:
    # python-hcl2 and lark load only when code is parsed
    from cloudrift.sources.hcl import HclIndex
    from cloudrift.sources.uri import Source


@dataclass(frozen=True)
class CodeBinding:
    """One root module (or Terragrunt unit): its code and the sources that hold its state.

    ``sources`` are positions in the list given to ``read_sources``; None binds every source
    (``--hcl DIR`` with explicit ``--from``). ``label`` names the root on each finding of its
    states and code. ``index`` is None when the code is not at hand (a unit's remote source):
    ``note`` says why, and its findings are neither located nor checked for unapplied."""

    index: HclIndex | None
    sources: frozenset[int] | None = None
    label: str = ""
    note: str | None = None


@dataclass
class ScanInput:
    documents: list[StateDocument]
    redactor: Redactor = field(default_factory=Redactor)
    failures: list[SourceFailure] = field(default_factory=list)
    # the position, in the sources given to read_sources, that each document came from
    origins: list[int] = field(default_factory=list)
    failed_origins: set[int] = field(default_factory=set)
    code: list[CodeBinding] = field(default_factory=list)


def read_sources(sources: Sequence[Source], parallelism: int = 8) -> ScanInput:
    """Read every source concurrently; the first fatal source error is raised."""
    with worker_pool(max(1, min(parallelism, len(sources) or 1))) as pool:
        batches = list(pool.map(lambda s: s.read(), sources))
    scan_input = ScanInput(documents=[])
    for position, batch in enumerate(batches):
        for item in batch:
            if isinstance(item, StateDocument):
                scan_input.documents.append(item)
                scan_input.origins.append(position)
            else:
                scan_input.failures.append(item)
                scan_input.failed_origins.add(position)
    for doc in scan_input.documents:
        for inst in doc.instances:
            scan_input.redactor.add(secret_values(inst.attributes, inst.sensitive_paths))
    return scan_input


def providers_used(documents: Sequence[StateDocument]) -> list[str]:
    return sorted({i.provider for d in documents for i in d.managed})
