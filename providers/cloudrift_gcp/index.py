"""What one scan's listings say across assets: which project a number names, which asset holds
what data, and which resources another one created with itself."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from cloudrift_gcp.spec import PROJECT_ASSET_TYPE, RESOURCE

_PROJECT_IN_NAME = re.compile(r"^//[^/]+/projects/([^/]+)")


@dataclass
class Listing:
    """What one scope returned for one content type, or why it did not."""

    scope: str
    content: str
    assets: list[dict[str, Any]] = field(default_factory=list)
    error: BaseException | None = None


class AssetIndex:
    """Project numbers to ids, from the Project assets the listings returned (some assets name
    their project by number only: buckets, IAM policies), and every listed resource's data by
    its full asset name (a record set names its zone by id, an IAM policy its service account
    by unique id: the names are read from their own assets)."""

    def __init__(self, by_number: Mapping[str, str],
                 data_by_name: Mapping[str, Mapping[str, Any]]) -> None:
        self.by_number = dict(by_number)
        self.data_by_name = dict(data_by_name)

    @classmethod
    def build(cls, listings: Sequence[Listing]) -> AssetIndex:
        by_number: dict[str, str] = {}
        data_by_name: dict[str, Mapping[str, Any]] = {}
        for listing in listings:
            if listing.content != RESOURCE:
                continue
            for asset in listing.assets:
                data = (asset.get("resource") or {}).get("data")
                if not isinstance(data, Mapping):
                    continue
                data_by_name[str(asset.get("name", ""))] = data
                if asset.get("asset_type") == PROJECT_ASSET_TYPE:
                    number, project_id = data.get("projectNumber"), data.get("projectId")
                    if number and project_id:
                        by_number[str(number)] = str(project_id)
        return cls(by_number, data_by_name)

    def data(self, name: str | None) -> Mapping[str, Any] | None:
        return self.data_by_name.get(name) if name else None

    def project_id(self, number_or_id: str) -> str:
        return self.by_number.get(number_or_id, number_or_id)

    def project_of(self, asset: Mapping[str, Any]) -> str | None:
        match = _PROJECT_IN_NAME.match(str(asset.get("name", "")))
        if match:
            return self.project_id(match.group(1))
        for ancestor in asset.get("ancestors") or []:
            if str(ancestor).startswith("projects/"):
                return self.project_id(str(ancestor).partition("/")[2])
        return None

    def covered_projects(self, listings: Sequence[Listing], content: str,
                         failed: Set[str] = frozenset()) -> set[str]:
        """Projects a successful listing of ``content`` covered: the project scopes, and every
        project any listing of the same folder or organisation showed (its Project assets).
        Scopes in ``failed`` count as not listed whatever their own listing did."""
        in_scope: dict[str, set[str]] = defaultdict(set)
        for listing in listings:
            for asset in listing.assets:
                project = self.project_of(asset)
                if project:
                    in_scope[listing.scope].add(project)
        covered: set[str] = set()
        for listing in listings:
            if listing.content != content or listing.error is not None \
                    or listing.scope in failed:
                continue
            if listing.scope.startswith("projects/"):
                covered.add(self.project_id(listing.scope.partition("/")[2]))
            else:
                covered |= in_scope[listing.scope]
        return covered
