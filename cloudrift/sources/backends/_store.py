"""The reading every store of many states shares: S3, Cloud Storage, Azure blobs, Terraform
Cloud workspaces.

A URL names one object, or a pattern (a key glob, a workspace glob) that a listing resolves.
The objects are read on a bounded pool and parsed (size limit, OpenTofu keys) by
:func:`read_states`; an object that cannot be read is a ``SourceFailure``, a store that cannot
be used at all a ``SourceError``. Each store supplies its client calls and says what an error of
its SDK means (:meth:`ObjectStoreSource.classify`); the words of every message are chosen here,
so a denied listing reads the same on every cloud.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from cloudrift.errors import SourceError
from cloudrift.sources.backends._common import (
    ObjectError,
    has_glob,
    matching_objects,
    no_match_error,
    read_states,
    workspace_patterns,
)

if TYPE_CHECKING:
    from cloudrift.sources.tfstate import SourceFailure, StateDocument
    from cloudrift.sources.tofu_encryption import StateKeys

ClientT = TypeVar("ClientT")
ItemT = TypeVar("ItemT")


class Fault(enum.Enum):
    """What an SDK error says about the object (or the listing) it came from."""

    GONE = "gone"  # no such object
    NO_CONTAINER = "no container"  # no such bucket or container
    DENIED = "denied"
    OTHER = "other"


@dataclass(frozen=True)
class ObjectFault:
    """An error that concerns one object or one listing, not the whole store."""

    kind: Fault
    detail: str  # the store's own word for it: an error code, "HTTP 403", its message
    message: str | None = None  # an unreadable object's whole story, where the store tells it


class ObjectStoreSource(ABC, Generic[ClientT, ItemT]):
    """A source over a store of objects; subclasses are frozen dataclasses with these fields."""

    uri: str
    max_workers: int
    keys: StateKeys | None

    container_noun: ClassVar[str] = "bucket"
    object_noun: ClassVar[str] = "object"
    # what a denied listing needs, said as a hint
    list_hint: ClassVar[str | None] = None

    # -- what each store supplies --------------------------------------------------------------

    @abstractmethod
    def label(self, name: str) -> str:
        """How an object (or a pattern) is named in reports: never a credential."""

    @abstractmethod
    def name_of(self, item: ItemT) -> str: ...

    @abstractmethod
    def connect(self) -> AbstractContextManager[ClientT]:
        """The client, for the duration of one read."""

    @abstractmethod
    def single(self) -> str | None:
        """The one object the URL names, or None when it names a pattern."""

    @abstractmethod
    def patterns(self) -> list[str]:
        """The name patterns to list when the URL names no single object."""

    @abstractmethod
    def lookup(self, client: ClientT, name: str) -> ItemT:
        """The item for the object :meth:`single` names, found without a listing."""

    @abstractmethod
    def download(self, client: ClientT, item: ItemT) -> bytes | None:
        """The object's bytes; None when it turns out to hold no state (it is left out)."""

    def list_prefix(self, client: ClientT, prefix: str) -> Iterable[ItemT]:
        """Every object whose name starts with ``prefix``, for :meth:`matching`."""
        raise NotImplementedError(f"{type(self).__name__} lists by its own means")

    def matching(self, client: ClientT, patterns: Sequence[str]) -> list[ItemT]:
        """The objects ``patterns`` match, sorted by name."""
        return matching_objects(patterns, lambda prefix: self._listed(client, prefix),
                                self.name_of)

    def store_errors(self) -> tuple[type[Exception], ...]:
        """The exceptions of the store's SDK that :meth:`classify` judges (imported lazily)."""
        return ()

    def classify(
        self, exc: Exception, where: str, listing: bool
    ) -> SourceError | ObjectFault | None:
        """A ``SourceError`` when ``exc`` condemns the whole store (credentials, network, no
        bucket), an ``ObjectFault`` when it concerns the object or listing at ``where`` alone,
        None when it is no error of the store's (it propagates unchanged)."""
        return None

    def container_name(self) -> str:
        """The bucket's or container's name, for "does not exist"."""
        return ""

    def nothing_read(self, single: bool, matched: int) -> SourceError:
        """The error when no state came back: nothing matched, or what did held no state."""
        return no_match_error(self.label(pattern) for pattern in self.patterns())

    # -- reading -------------------------------------------------------------------------------

    def read(self) -> Sequence[StateDocument | SourceFailure]:
        with self.connect() as client:
            name = self.single()
            single = name is not None
            if name is not None:
                items = [self.lookup(client, name)]
            else:
                items = self.matching(client, self.patterns())
            results = read_states(
                items,
                lambda item: self._fetch(client, item, single),
                lambda item: self.label(self.name_of(item)),
                1 if single else self.max_workers,
                self.keys,
            )
            if not results:
                raise self.nothing_read(single, len(items))
            return results

    def _listed(self, client: ClientT, prefix: str) -> Iterator[ItemT]:
        try:
            yield from self.list_prefix(client, prefix)
        except self.store_errors() as exc:
            error = self._listing_error(exc, self.label(prefix))
            if error is None:
                raise
            raise error from None

    def _fetch(self, client: ClientT, item: ItemT, single: bool) -> bytes | None:
        try:
            return self.download(client, item)
        except self.store_errors() as exc:
            error = self._object_error(exc, self.label(self.name_of(item)), single)
            if error is None:
                raise
            raise error from None

    def _missing_container(self, where: str) -> SourceError:
        return SourceError(
            f"{where}: {self.container_noun} {self.container_name()!r} does not exist"
        )

    def _listing_error(self, exc: Exception, where: str) -> SourceError | None:
        fault = self.classify(exc, where, listing=True)
        if fault is None or isinstance(fault, SourceError):
            return fault
        if fault.kind is Fault.NO_CONTAINER:
            return self._missing_container(where)
        if fault.kind is Fault.DENIED:
            return SourceError(f"{where}: access denied listing the {self.container_noun} "
                               f"({fault.detail})", hint=self.list_hint)
        return SourceError(f"{where}: cannot list the {self.container_noun} ({fault.detail})")

    def _object_error(self, exc: Exception, where: str, single: bool
                      ) -> SourceError | ObjectError | None:
        fault = self.classify(exc, where, listing=False)
        if fault is None or isinstance(fault, SourceError):
            return fault
        noun = self.object_noun
        if fault.kind in (Fault.GONE, Fault.NO_CONTAINER):
            if not single:
                return ObjectError(f"the {noun} was deleted while the states were read")
            if fault.kind is Fault.NO_CONTAINER:
                return self._missing_container(where)
            return SourceError(f"{where}: no such state {noun}")
        if fault.kind is Fault.DENIED:
            return ObjectError(f"access denied ({fault.detail})")
        return ObjectError(fault.message or f"cannot read the {noun} ({fault.detail})")


class KeyedStoreSource(ObjectStoreSource[ClientT, str]):
    """A store that keeps the default workspace's state at ``key`` and every other workspace's
    at ``stored_at(workspace)`` (the S3 and azurerm backends); its items are object names."""

    key: str
    workspace: str | None

    @abstractmethod
    def stored_at(self, workspace: str) -> str:
        """Where the backend keeps a workspace other than ``default``."""

    def single(self) -> str | None:
        return self.key if self.workspace is None and not has_glob(self.key) else None

    def patterns(self) -> list[str]:
        return workspace_patterns(self.key, self.workspace, self.stored_at)

    def name_of(self, item: str) -> str:
        return item

    def lookup(self, client: ClientT, name: str) -> str:
        return name
