"""IAM roles, customer-managed policies, users, and a role's inline and attached policies.

IAM is global: every type lives in the single scope ``global``. One paged
``GetAccountAuthorizationDetails`` listing, shared by every IAM type of the scan, gives each user,
role and customer-managed policy with its tags, permissions boundary, inline policies, attached
policies and policy versions: the IAM calls of a scan no longer grow with the number of roles and
users. It leaves out a role's description and session duration (ListRoles has them) and a
policy's tags (one GetPolicy per managed policy; the tagging API does not serve IAM).

botocore URL-decodes and parses every policy document IAM returns (``policyDocumentType``, nested
ones included); ``normalise.policy`` accepts either form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jmespath

from cloudrift.sdk import GLOBAL_REGION, UNKNOWN, Extractor, FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_policy, tags
from cloudrift_aws.regions import DEFAULT_REGION
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types.bulk import memo_outcome

# roles that AWS services create and own: service-linked roles, and IAM Identity Center's
# permission-set roles
_AWS_OWNED_ROLE_PATHS = ("/aws-service-role/", "/aws-reserved/")

# IAM's most items a page (its default is 100)
_PAGE = 1000
_DETAILS_FILTER = ("User", "Group", "Role", "LocalManagedPolicy")
_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")

# where a role's entry of the authorization details is kept in its payload
_DETAIL = "authorization"


def _call_region(ctx: AwsContext, region: str) -> str:
    """The region to sign IAM calls for: the global scope is not a region, and the session's
    region keeps the partition right (GovCloud and China have their own IAM endpoints)."""
    if region != GLOBAL_REGION:
        return region
    return ctx.region_name or DEFAULT_REGION


def _authorization_details(ctx: AwsContext, region: str) -> dict[str, list[Item]]:
    """Users, groups, roles and customer-managed policies, once per scan for every IAM type."""

    def listing() -> dict[str, list[Item]]:
        found: dict[str, list[Item]] = {name: [] for name in _LISTS}
        for page in ctx.pages(
            "iam", _call_region(ctx, region), "get_account_authorization_details",
            Filter=list(_DETAILS_FILTER), PaginationConfig={"PageSize": _PAGE},
        ):
            for name in _LISTS:
                found[name].extend(dict(entry) for entry in page.get(name) or ())
        return found

    return memo_outcome(ctx, "iam:get_account_authorization_details", listing)


def _role_details(ctx: AwsContext, region: str) -> dict[str, Item]:
    return {
        str(role["RoleName"]): role
        for role in _authorization_details(ctx, region)["RoleDetailList"]
    }


def _is_aws_owned_role(item: Mapping[str, Any]) -> bool:
    return str(item.get("Path") or "").startswith(_AWS_OWNED_ROLE_PATHS)


def _roles(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    details = _role_details(ctx, region)
    roles = ctx.paginate(
        "iam", _call_region(ctx, region), "list_roles", "Roles",
        PaginationConfig={"PageSize": _PAGE},
    )
    # a role made between the two listings has no details: its tags and boundary are unknown
    return [{**role, _DETAIL: details.get(str(role["RoleName"]))} for role in roles]


def _from_detail(query: str) -> Extractor:
    compiled = jmespath.compile(query)

    def extract(payload: Mapping[str, Any]) -> Any:
        detail = payload.get(_DETAIL)
        return UNKNOWN if detail is None else compiled.search(detail)

    return extract


def _policy_name(entry: Mapping[str, Any]) -> str:
    # moto's listing leaves PolicyName out; the ARN ends in it (".../policy/<path>/<name>")
    return str(entry.get("PolicyName") or str(entry.get("Arn", "")).rsplit("/", 1)[-1])


def _default_document(entry: Mapping[str, Any]) -> Any:
    default = entry.get("DefaultVersionId")
    for version in entry.get("PolicyVersionList") or ():
        if version.get("IsDefaultVersion") or (default and version.get("VersionId") == default):
            return version.get("Document")
    return UNKNOWN


def _policies(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    return [
        {
            "Arn": entry["Arn"],
            "PolicyName": _policy_name(entry),
            "Path": entry.get("Path"),
            "Description": entry.get("Description"),
            "Document": _default_document(entry),
        }
        for entry in _authorization_details(ctx, region)["Policies"]
    ]


def _document(payload: Mapping[str, Any]) -> Any:
    return payload.get("Document", UNKNOWN)


def _role_policies(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    """The managed inline policies that still exist; the others are no facet anyone asked for
    (the type reports no unmanaged resources)."""
    wanted = {r.id for r in managed}
    if not wanted:
        return []
    items: list[Item] = []
    for role_name, role in sorted(_role_details(ctx, region).items()):
        for policy in role.get("RolePolicyList") or ():
            item_id = f"{role_name}:{policy.get('PolicyName')}"
            if item_id in wanted:
                items.append(
                    {
                        "Id": item_id,
                        "RoleName": role_name,
                        "PolicyName": policy.get("PolicyName"),
                        "PolicyDocument": policy.get("PolicyDocument"),
                    }
                )
    return items


def _attachment_id(attributes: Mapping[str, Any]) -> str | None:
    role, arn = attributes.get("role"), attributes.get("policy_arn")
    return f"{role}/{arn}" if role and arn else None


def _attachments(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    """Every managed policy attached to the roles that managed attachments name."""
    # role names cannot contain "/", policy ARNs can: the first one separates them
    roles = {r.id.split("/", 1)[0] for r in managed if "/" in r.id}
    if not roles:
        return []
    details = _role_details(ctx, region)
    return [
        {
            "Id": f"{role}/{policy['PolicyArn']}",
            "RoleName": role,
            "PolicyArn": policy["PolicyArn"],
        }
        for role in sorted(roles)
        for policy in (details.get(role) or {}).get("AttachedManagedPolicies") or ()
    ]


def _users(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    return [dict(user) for user in _authorization_details(ctx, region)["UserDetailList"]]


ROLE = AwsSpec(
    type="aws_iam_role",
    calls=("iam:GetAccountAuthorizationDetails", "iam:ListRoles"),
    service="iam",
    enumerate=_roles,
    id_query="RoleName",
    global_service=True,
    is_default=_is_aws_owned_role,
    fields=(
        attr_policy("assume_role_policy", "AssumeRolePolicyDocument"),
        FieldSpec("description", query="Description"),
        FieldSpec("path", query="Path", default="/"),
        FieldSpec("max_session_duration", query="MaxSessionDuration", normalise=(n.to_int,),
                  default=3600),
        FieldSpec("permissions_boundary",
                  extract=_from_detail("PermissionsBoundary.PermissionsBoundaryArn")),
        tags(extract=_from_detail("Tags")),
    ),
)

POLICY = AwsSpec(
    type="aws_iam_policy",
    calls=("iam:GetAccountAuthorizationDetails",),
    service="iam",
    enumerate=_policies,
    id_query="Arn",
    global_service=True,
    details=(
        # the one thing the authorization details leave out of a policy
        Detail("tags", "get_policy", lambda item: {"PolicyArn": item["Arn"]},
               result="Policy.Tags"),
    ),
    fields=(
        FieldSpec("name", query="PolicyName"),
        FieldSpec("path", query="Path", default="/"),
        FieldSpec("description", query="Description"),
        FieldSpec("policy", extract=_document, normalise=(n.policy,)),
        tags("tags", detail="tags"),
    ),
)

ROLE_POLICY = AwsSpec(
    type="aws_iam_role_policy",
    calls=("iam:GetAccountAuthorizationDetails",),
    service="iam",
    enumerate=_role_policies,
    id_query="Id",
    global_service=True,
    unmanaged=False,
    fields=(attr_policy("policy", "PolicyDocument"),),
)

ROLE_POLICY_ATTACHMENT = AwsSpec(
    type="aws_iam_role_policy_attachment",
    calls=("iam:GetAccountAuthorizationDetails",),
    service="iam",
    enumerate=_attachments,
    # the state id is "<role>-<timestamp>", but `terraform import` takes "<role>/<policy arn>"
    import_id=_attachment_id,
    id_query="Id",
    global_service=True,
    unmanaged=False,
    fields=(
        FieldSpec("role", query="RoleName"),
        FieldSpec("policy_arn", query="PolicyArn"),
    ),
)

USER = AwsSpec(
    type="aws_iam_user",
    calls=("iam:GetAccountAuthorizationDetails",),
    service="iam",
    enumerate=_users,
    id_query="UserName",
    global_service=True,
    fields=(
        FieldSpec("name", query="UserName"),
        FieldSpec("path", query="Path", default="/"),
        FieldSpec("permissions_boundary",
                  query="PermissionsBoundary.PermissionsBoundaryArn"),
        tags("Tags"),
    ),
)

SPECS: tuple[AwsSpec, ...] = (ROLE, POLICY, ROLE_POLICY, ROLE_POLICY_ATTACHMENT, USER)
