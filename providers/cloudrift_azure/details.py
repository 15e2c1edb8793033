"""Full payloads: one GET per resource whose compared fields need more than the list payload
(or, with the ``azure_resource_graph`` setting, a few Resource Graph queries for all of them),
and the sub-resources a spec names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from cloudrift.sdk import UNKNOWN, Resource, ScanWarning
from cloudrift_azure import ids
from cloudrift_azure.listing import NAME, failure_warning
from cloudrift_azure.session import CALL_ERRORS, AzureContext, is_not_found
from cloudrift_azure.spec import PROPERTIES, AzureSpec, Item, Source

# ids per Resource Graph query (a query is limited in length), and the columns it returns
GRAPH_CHUNK = 200
GRAPH_COLUMNS = ("id, name, type, location, tags, sku, kind, identity, zones, managedBy, "
                 "extendedLocation, properties")


@dataclass
class Entry:
    """One cloud item on its way to becoming a ``Resource``."""

    spec: AzureSpec | None
    item: Item
    candidates: tuple[AzureSpec, ...] = ()
    unavailable: set[str] = field(default_factory=set)
    fetched: bool = False
    gone: bool = False
    error: BaseException | None = None


class Details:
    """The detail reads of one scan."""

    def __init__(self, ctx: AzureContext, specs: Mapping[str, AzureSpec],
                 embedded: Mapping[str, Sequence[AzureSpec]], *, graph: bool) -> None:
        self.ctx = ctx
        self._specs = specs
        self._embedded = embedded
        self._graph = graph

    def fetch_all(self, pool: ThreadPoolExecutor, entries: Sequence[Entry],
                  wanted: Mapping[tuple[str, str], Resource],
                  warnings: list[ScanWarning]) -> None:
        """Read what the compared fields need, for managed resources; which of several
        types an item is; and what a resource made with itself."""
        parents_needed = {
            ids.canonical(parent)
            for (rtype, canonical), _ in wanted.items()
            if self._specs[rtype].source is Source.PARENT
            for parent in [ids.parent_id(canonical)] if parent
        }
        jobs = []
        for entry in entries:
            if entry.fetched:
                continue  # a full list payload (role assignments)
            canonical = ids.canonical(entry.item["id"])
            if entry.spec is None:
                jobs.append(entry)  # which of several types it is needs the full payload
                continue
            want = wanted.get((entry.spec.type, canonical))
            parent_of_managed = bool(self._embedded.get(entry.spec.type)) and (
                want is not None or canonical in parents_needed)
            # what a resource created with itself is only in its full payload
            makes_children = entry.spec.inline_children is not None
            if parent_of_managed or makes_children or (
                    want is not None and needs_detail(entry.spec, want)):
                jobs.append(entry)
        if jobs and self._graph:
            from_graph = self._fetch_from_graph(jobs, warnings)
            list(pool.map(self.fetch_sub_resources, from_graph))
            jobs = [entry for entry in jobs if not entry.fetched]
        list(pool.map(self.fetch, jobs))

    def _fetch_from_graph(self, jobs: Sequence[Entry],
                          warnings: list[ScanWarning]) -> list[Entry]:
        """Full payloads from Azure Resource Graph, a few queries for all of them; what it
        does not return (it indexes changes within seconds, not at once) is read by id."""
        if not self.ctx.graph_available():
            warnings.append(ScanWarning(
                code="resource_graph_unavailable", provider=NAME,
                message="azure_resource_graph is set but azure-mgmt-resourcegraph is not "
                "installed; properties were read resource by resource",
            ))
            return []
        by_id = {ids.canonical(e.item["id"]): e for e in jobs}
        subscriptions = sorted({ids.subscription_of(i) or "" for i in by_id} - {""})
        ordered = sorted(by_id)
        rows: list[Item] = []
        try:
            for start in range(0, len(ordered), GRAPH_CHUNK):
                chunk = ordered[start:start + GRAPH_CHUNK]
                quoted = ", ".join("'" + i.replace("'", "\\'") + "'" for i in chunk)
                rows.extend(self.ctx.graph_query(
                    subscriptions, f"Resources | where id in~ ({quoted}) | project {GRAPH_COLUMNS}"
                ))
        except CALL_ERRORS as exc:
            warnings.append(failure_warning(
                exc, "Azure Resource Graph query failed; properties were read resource by "
                "resource instead", subscription=None,
            ))
            return []
        fetched: list[Entry] = []
        for row in rows:
            entry = by_id.get(ids.canonical(str(row.get("id", ""))))
            if entry is None or entry.fetched:
                continue
            entry.item = {**entry.item, **{k: v for k, v in row.items() if v is not None}}
            entry.fetched = True
            if entry.spec is None:
                entry.spec = next(
                    (s for s in entry.candidates if s.matches and s.matches(entry.item)), None)
            fetched.append(entry)
        return fetched

    def fetch(self, entry: Entry) -> None:
        spec = entry.spec or entry.candidates[0]
        resource_id = entry.item["id"]
        try:
            payload = self.ctx.get(resource_id, spec.api_version)
        except CALL_ERRORS as exc:
            if is_not_found(exc):
                entry.gone = True  # deleted between the listing and now
            else:
                entry.error = exc
                entry.unavailable.add(PROPERTIES)
            return
        entry.item = {**entry.item, **payload}
        entry.fetched = True
        if entry.spec is None:
            entry.spec = next((s for s in entry.candidates if s.matches and s.matches(payload)),
                              None)
        self.fetch_sub_resources(entry)

    def fetch_sub_resources(self, entry: Entry) -> None:
        if entry.spec is None:
            return
        for sub in entry.spec.sub_resources:
            try:
                entry.item[sub.name] = self.ctx.get(
                    entry.item["id"].rstrip("/") + sub.suffix,
                    sub.api_version or entry.spec.api_version,
                )
            except CALL_ERRORS as exc:
                if is_not_found(exc):
                    entry.item[sub.name] = None
                else:
                    entry.error = exc
                    entry.unavailable.add(sub.name)


def needs_detail(spec: AzureSpec, want: Resource) -> bool:
    """True if a field this resource's state declares needs more than the list payload; a
    field the state's provider version does not have costs no call."""
    return any(
        f.detail is not None and f.path in want.attributes
        and want.attributes[f.path] is not UNKNOWN
        for f in spec.fields
    )


