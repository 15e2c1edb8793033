"""What every part of ``cloudrift.sources`` shares: what a source is, what a backend needs beyond
its URL, and the record that describes one backend.

This module imports no other source module when it runs, so the ``--from`` parser
(:mod:`cloudrift.sources.uri`), the backends (:mod:`cloudrift.sources.backends`) and discovery
can all depend on it without depending on each other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from cloudrift.sources.backend_urls import Plan, PlanContext
    from cloudrift.sources.tfstate import SourceFailure, StateDocument
    from cloudrift.sources.tofu_encryption import StateKeys

__all__ = ["DEFAULT_MAX_WORKERS", "Backend", "BackendSettings", "Opener", "Planner", "Source"]

DEFAULT_MAX_WORKERS = 16


class Source(Protocol):
    """Anything that yields state documents."""

    @property
    def uri(self) -> str: ...

    def read(self) -> Sequence[StateDocument | SourceFailure]:
        """Every state the source names. A source that reads many objects (a bucket prefix)
        returns a ``SourceFailure`` for one it cannot read, and raises ``SourceError`` only when
        it cannot work at all."""
        ...


@dataclass(frozen=True)
class BackendSettings:
    """What a backend may need beyond its URL; the CLI fills it from flags.

    ``tfc_token`` wins over ``TF_TOKEN_<host>``; ``http_headers`` ("Name: value") are sent with
    every HTTP-backend request, after those of ``CLOUDRIFT_HTTP_HEADERS``; ``state_keys``
    opens OpenTofu-encrypted states (``TF_ENCRYPTION``, or a root module's ``encryption``).
    """

    tfc_token: str | None = field(default=None, repr=False)
    http_headers: tuple[str, ...] = field(default=(), repr=False)
    max_workers: int = DEFAULT_MAX_WORKERS
    state_keys: StateKeys | None = field(default=None, repr=False)


# (the --from value, its location, its ?name=value options, the settings) -> the source
Opener = Callable[[str, str, Sequence[tuple[str, str]], BackendSettings], Source]
# (the root's directory, the block's settings, the workspace or None for all, the run) -> plan
Planner = Callable[[str, Mapping[str, Any], "str | None", "PlanContext"], "Plan"]


@dataclass(frozen=True)
class Backend:
    """One state backend, whole: what ``--from`` calls it, how its URL opens, and how discovery
    turns a Terraform ``backend``/``cloud`` block into that URL.

    ``schemes`` follow ``tfstate+`` (the first is the one shown); the local backend has none, it
    is what ``tfstate://`` and a bare path name. ``planners`` are keyed by the block's type as
    Terraform spells it (``backend "gcs"``, ``backend "remote"``, a ``cloud`` block is
    ``cloud``). A ``whole_url`` backend (http) takes the whole address as its location, query
    included, and no ``?name=value`` options of ours.
    """

    name: str
    schemes: tuple[str, ...]
    opener: Opener
    planners: Mapping[str, Planner]
    whole_url: bool = False
