"""A project's enabled services and its custom IAM roles.

Which services a project has enabled is known; why is not. Google enables some in every new
project, others when a service they depend on is enabled, others when the console uses them:
Service Usage cannot tell those from one enabled by hand. An enabled service no state manages is
therefore only reported with ``--strict``; a managed one that was disabled is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift_gcp.fields import asset_project, short_name, string_set, text
from cloudrift_gcp.spec import GcpSpec
from cloudrift_gcp.types._ids import template


def _service_id(item: Mapping[str, Any]) -> str | None:
    if item.get("state") not in (None, "ENABLED"):
        return None  # a disabled service is not there
    project = asset_project(item)
    service = (item.get("config") or {}).get("name") or short_name(item.get("name"))
    return f"{project}/{service}" if project and service else None


PROJECT_SERVICE = GcpSpec(
    type="google_project_service",
    asset_type="serviceusage.googleapis.com/Service",
    # `terraform import` takes "{{project_id}}/{{service}}"
    import_id=template("{project}/{service}"),
    cloud_id=_service_id,
    is_default=lambda item: True,
    fields=(),
    not_compared={
        "disable_on_destroy": "acted on by Terraform only",
        "disable_dependent_services": "acted on by Terraform only",
        "check_if_service_has_usage_on_destroy": "acted on by Terraform only",
    },
)


def _role_id(item: Mapping[str, Any]) -> str | None:
    name = str(item.get("name", ""))
    # organisation roles are google_organization_iam_custom_role's; a deleted role is gone
    if not name.startswith("projects/") or item.get("deleted"):
        return None
    return name


CUSTOM_ROLE = GcpSpec(
    type="google_project_iam_custom_role",
    asset_type="iam.googleapis.com/Role",
    import_id=template("projects/{project}/roles/{role_id}"),
    cloud_id=_role_id,
    fields=(
        text("title", "title"),
        text("description", "description"),
        string_set("permissions", "includedPermissions"),
        text("stage", "stage", "GA"),
    ),
)

SPECS = (PROJECT_SERVICE, CUSTOM_ROLE)
