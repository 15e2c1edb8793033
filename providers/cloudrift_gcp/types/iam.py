"""Service accounts (a RESOURCE asset) and project IAM members (the project's IAM_POLICY)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import FieldSpec, get_path
from cloudrift_gcp.fields import flag, state_project, text
from cloudrift_gcp.spec import IAM_POLICY, PROJECT_ASSET_TYPE, GcpSpec, Item

# accounts users create are always <account_id>@<project>.iam.gserviceaccount.com; anything
# else in a project (the Compute Engine and App Engine defaults, service agents) is Google's
_USER_ACCOUNT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9-]+\.iam\.gserviceaccount\.com$")
_GOOGLE_DOMAINS = ("developer.gserviceaccount.com", "appspot.gserviceaccount.com",
                   "cloudservices.gserviceaccount.com", "cloudbuild.gserviceaccount.com")


def _account_email(attributes: Mapping[str, Any]) -> str | None:
    email = attributes.get("email")
    if email:
        return str(email)
    project, account = state_project(attributes), attributes.get("account_id")
    if project and account:
        return f"{account}@{project}.iam.gserviceaccount.com"
    return None


def _state_account_id(attributes: Mapping[str, Any]) -> str | None:
    email, project = _account_email(attributes), state_project(attributes)
    return f"projects/{project}/serviceAccounts/{email}" if email and project else None


def _cloud_account_id(item: Mapping[str, Any]) -> str | None:
    email, project = item.get("email"), item.get("projectId")
    return f"projects/{project}/serviceAccounts/{email}" if email and project else None


def google_managed_account(email: str) -> bool:
    email = email.lower()
    domain = email.rpartition("@")[2]
    if domain in _GOOGLE_DOMAINS or domain.startswith("gcp-sa-"):
        return True
    # service agents: service-<project number>@<agent>.iam.gserviceaccount.com
    if email.startswith("service-") and email.partition("@")[0][len("service-"):].isdigit():
        return True
    return not _USER_ACCOUNT.match(email)


SERVICE_ACCOUNT = GcpSpec(
    type="google_service_account",
    asset_type="iam.googleapis.com/ServiceAccount",
    import_id=_state_account_id,
    cloud_id=_cloud_account_id,
    is_default=lambda item: google_managed_account(str(item.get("email", ""))),
    fields=(
        text("display_name", "displayName"),
        text("description", "description"),
        flag("disabled", "disabled"),
    ),
    not_compared={
        "create_ignore_already_exists": "acted on by Terraform only",
    },
)


# -- project IAM members -------------------------------------------------------------------------


def member_key(member: Any) -> str:
    """IAM compares principals' e-mail addresses without case (the provider suppresses the
    diff too): ``user:Jane@Example.com`` and ``user:jane@example.com`` are one member."""
    text_member = str(member or "")
    kind, sep, rest = text_member.partition(":")
    if sep and kind in ("user", "group", "serviceAccount", "domain"):
        return f"{kind}:{rest.lower()}"
    return text_member


def member_id(resource: Any, role: Any, member: Any, title: Any) -> str | None:
    """An IAM member's import id: ``"<resource> <role> <member>[ <condition title>]"``."""
    if not resource or not role or not member:
        return None
    parts = [str(resource), str(role), member_key(member)]
    if title:
        parts.append(str(title))
    return " ".join(parts)


def _state_member_id(attributes: Mapping[str, Any]) -> str | None:
    # `terraform import` takes "<project> <role> <member>[ <condition title>]"
    return member_id(state_project(attributes), attributes.get("role"),
                      attributes.get("member"), get_path(attributes, "condition.0.title"))


def _cloud_member_id(item: Mapping[str, Any]) -> str | None:
    return member_id(item.get("project"), item.get("role"), item.get("member"),
                      get_path(item, "condition.title"))


def expand_policy(asset: Mapping[str, Any], project: str | None) -> list[Item]:
    """One item per (binding, member) of a project's IAM policy."""
    items: list[Item] = []
    for binding in get_path(asset, "iam_policy.bindings") or []:
        condition = binding.get("condition") or None
        for member in binding.get("members") or []:
            items.append({"project": project, "role": binding.get("role"), "member": member,
                          "condition": dict(condition) if condition else None})
    return items


def google_granted(item: Mapping[str, Any]) -> bool:
    """Bindings Google makes when an API is enabled: service agents and the default accounts."""
    member = str(item.get("member", ""))
    if member.startswith("deleted:"):
        return True
    role = str(item.get("role", ""))
    if role.endswith(("serviceAgent", "ServiceAgent")):
        return True
    kind, _, email = member.partition(":")
    return kind == "serviceAccount" and google_managed_account(email)


PROJECT_IAM_MEMBER = GcpSpec(
    type="google_project_iam_member",
    asset_type=PROJECT_ASSET_TYPE,
    content=IAM_POLICY,
    expand=expand_policy,
    import_id=_state_member_id,
    cloud_id=_cloud_member_id,
    is_default=google_granted,
    fields=(
        # project, role, member and the condition's title are the member's identity
        FieldSpec("condition.0.expression", query="condition.expression"),
        FieldSpec("condition.0.description", query="condition.description"),
    ),
)

SPECS = (SERVICE_ACCOUNT, PROJECT_IAM_MEMBER)
