"""Every project under a folder or an organisation (``--gcp-projects-under``).

The projects come from Cloud Asset Inventory itself: ``ListAssets`` of the
``cloudresourcemanager.googleapis.com/Project`` asset type under the folder or organisation
(paged), which holds every project below it, in nested folders too, with its id, number and
lifecycle state. That is the permission a scan of the folder needs anyway
(``cloudasset.assets.listResource``, in ``roles/cloudasset.viewer``); Resource Manager's
``projects.list`` would need ``resourcemanager.projects.list`` besides, and names only a
folder's direct children. Cloud Asset's view lags a project's creation by a few minutes.

Each ACTIVE project is then scanned as its own scope (``projects/ID``), so a project that
cannot be read is a warning of its own, and ``--shard I/N`` gives each shard whole projects. A
project pending deletion is a warning naming it. A folder or organisation that cannot be
listed stops the scan: "every project under it" would not be true.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from google.api_core import exceptions as gexc

from cloudrift.errors import ConfigError, ProviderError
from cloudrift.model import ScanWarning, Scope
from cloudrift.observed import one_line
from cloudrift_gcp.failures import NAME
from cloudrift_gcp.session import GcpSession, NoAnswerError
from cloudrift_gcp.spec import PROJECT_ASSET_TYPE, RESOURCE

ACTIVE = "ACTIVE"


@dataclass(frozen=True)
class Project:
    id: str
    number: str
    state: str
    parent: str

    @property
    def label(self) -> str:
        return f"{self.id} ({self.number})" if self.number else self.id


def parse_parents(values: Sequence[str] | str) -> list[str]:
    """``--gcp-projects-under`` values: ``folders/F`` or ``organizations/O``."""
    if isinstance(values, str):
        values = values.split()
    parents: list[str] = []
    for value in values:
        parent = str(value).strip().rstrip("/")
        head, _, number = parent.partition("/")
        if head not in ("folders", "organizations") or not number.isdigit():
            raise ConfigError(f"invalid --gcp-projects-under {value!r}",
                              hint="use folders/FOLDER_NUMBER or organizations/ORG_NUMBER")
        if parent not in parents:
            parents.append(parent)
    return parents


def _project(asset: Mapping[str, Any], parent: str) -> Project | None:
    data = (asset.get("resource") or {}).get("data") or {}
    project_id = data.get("projectId") or data.get("project_id")
    if not project_id:
        return None
    return Project(id=str(project_id), number=str(data.get("projectNumber") or ""),
                   state=str(data.get("lifecycleState") or data.get("state") or ""),
                   parent=parent)


def projects_under(session: GcpSession, parents: Sequence[str]) -> list[Project]:
    """Every project under ``parents``, by id, each once."""
    found: dict[str, Project] = {}
    for parent in parents:
        try:
            assets = session.list_assets(parent, [PROJECT_ASSET_TYPE], RESOURCE)
        except (gexc.GoogleAPICallError, NoAnswerError) as exc:
            raise ProviderError(
                f"--gcp-projects-under: cannot list the projects under {parent} "
                f"({type(exc).__name__}: {one_line(getattr(exc, 'message', None) or exc)})",
                hint=f"the credentials need cloudasset.assets.listResource on {parent} "
                "(roles/cloudasset.viewer); name projects with --gcp-scope instead",
            ) from None
        for asset in assets:
            if asset.get("asset_type", asset.get("assetType")) != PROJECT_ASSET_TYPE:
                continue
            project = _project(asset, parent)
            if project is not None:
                found.setdefault(project.id, project)
    return sorted(found.values(), key=lambda p: p.id)


def not_active(project: Project) -> ScanWarning:
    return ScanWarning(
        code="project_not_active", provider=NAME, scope=Scope(account=project.id),
        message=f"GCP project {project.label} under {project.parent} not scanned: its "
        f"lifecycle state is {project.state or 'unknown'}, not ACTIVE")
