"""IAM roles, customer-managed policies, users, and a role's inline and attached policies.

IAM is global: every type lives in the single scope ``global``. botocore already URL-decodes
and parses the policy documents IAM returns (``policyDocumentType``); ``normalise.policy``
accepts either form. IAM's List calls leave out tags and permissions boundaries, so those come
from one Get call per managed resource.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from cloudrift import normalise as n
from cloudrift.model import GLOBAL_REGION, Resource
from cloudrift.spec import FieldSpec
from cloudrift_aws.fields import attr_policy, tags
from cloudrift_aws.regions import DEFAULT_REGION
from cloudrift_aws.session import AwsContext, error_code
from cloudrift_aws.spec import AwsSpec, Call, Detail, Item

# roles that AWS services create and own: service-linked roles, and IAM Identity Center's
# permission-set roles
_AWS_OWNED_ROLE_PATHS = ("/aws-service-role/", "/aws-reserved/")


def _call_region(ctx: AwsContext, region: str) -> str:
    """The region to sign IAM calls for: the global scope is not a region, and the session's
    region keeps the partition right (GovCloud and China have their own IAM endpoints)."""
    if region != GLOBAL_REGION:
        return region
    return ctx.session.region_name or DEFAULT_REGION


def _is_aws_owned_role(item: Mapping[str, Any]) -> bool:
    return str(item.get("Path") or "").startswith(_AWS_OWNED_ROLE_PATHS)


def _role_policies(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    """Inline policies are looked up by id: listing every role's policies would cost one call
    per role in the account."""
    call_region = _call_region(ctx, region)
    items: list[Item] = []
    for resource in sorted(managed, key=lambda r: r.id):
        role, sep, name = resource.id.partition(":")
        if not sep:
            continue
        try:
            response = ctx.call(
                "iam", call_region, "get_role_policy", RoleName=role, PolicyName=name
            )
        except ClientError as exc:
            if error_code(exc) == "NoSuchEntity":
                continue
            raise
        items.append(
            {
                "Id": resource.id,
                "RoleName": response.get("RoleName", role),
                "PolicyName": response.get("PolicyName", name),
                "PolicyDocument": response.get("PolicyDocument"),
            }
        )
    return items


def _attachment_id(attributes: Mapping[str, Any]) -> str | None:
    role, arn = attributes.get("role"), attributes.get("policy_arn")
    return f"{role}/{arn}" if role and arn else None


def _attached_policies(ctx: AwsContext, region: str, role: str) -> list[Item]:
    def lookup() -> list[Item]:
        try:
            return [
                dict(policy)
                for policy in ctx.paginate(
                    "iam", region, "list_attached_role_policies", "AttachedPolicies",
                    RoleName=role,
                )
            ]
        except ClientError as exc:
            if error_code(exc) == "NoSuchEntity":
                return []
            raise

    return ctx.memo(f"iam:attached_role_policies:{role}", lookup)


def _attachments(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    """Every managed policy attached to the roles that managed attachments name: one call per
    role, however many of its attachments the state holds."""
    call_region = _call_region(ctx, region)
    # role names cannot contain "/", policy ARNs can: the first one separates them
    roles = sorted({r.id.split("/", 1)[0] for r in managed if "/" in r.id})
    return [
        {
            "Id": f"{role}/{policy['PolicyArn']}",
            "RoleName": role,
            "PolicyArn": policy["PolicyArn"],
        }
        for role in roles
        for policy in _attached_policies(ctx, call_region, role)
    ]


ROLE = AwsSpec(
    type="aws_iam_role",
    service="iam",
    list=Call("list_roles", "Roles"),
    id_query="RoleName",
    global_service=True,
    is_default=_is_aws_owned_role,
    details=(
        Detail("role", "get_role", lambda item: {"RoleName": item["RoleName"]}, result="Role"),
    ),
    fields=(
        attr_policy("assume_role_policy", "AssumeRolePolicyDocument"),
        FieldSpec("description", query="Description"),
        FieldSpec("path", query="Path", default="/"),
        FieldSpec("max_session_duration", query="MaxSessionDuration", normalise=(n.to_int,),
                  default=3600),
        FieldSpec("permissions_boundary",
                  query="role.PermissionsBoundary.PermissionsBoundaryArn", detail="role"),
        tags("role.Tags", detail="role"),
    ),
)

POLICY = AwsSpec(
    type="aws_iam_policy",
    service="iam",
    # AWS-managed policies (Scope=AWS) are not the account's to manage
    list=Call("list_policies", "Policies", {"Scope": "Local"}),
    id_query="Arn",
    global_service=True,
    details=(
        # ListPolicies leaves out the description and the tags
        Detail("policy", "get_policy", lambda item: {"PolicyArn": item["Arn"]}, result="Policy"),
        Detail(
            "document",
            "get_policy_version",
            lambda item: {"PolicyArn": item["Arn"], "VersionId": item["DefaultVersionId"]},
            result="PolicyVersion.Document",
        ),
    ),
    fields=(
        FieldSpec("name", query="PolicyName"),
        FieldSpec("path", query="Path", default="/"),
        FieldSpec("description", query="policy.Description", detail="policy"),
        attr_policy("policy", "document", detail="document"),
        tags("policy.Tags", detail="policy"),
    ),
)

ROLE_POLICY = AwsSpec(
    type="aws_iam_role_policy",
    service="iam",
    enumerate=_role_policies,
    id_query="Id",
    global_service=True,
    unmanaged=False,
    fields=(attr_policy("policy", "PolicyDocument"),),
)

ROLE_POLICY_ATTACHMENT = AwsSpec(
    type="aws_iam_role_policy_attachment",
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
    service="iam",
    list=Call("list_users", "Users"),
    id_query="UserName",
    global_service=True,
    details=(
        Detail("user", "get_user", lambda item: {"UserName": item["UserName"]}, result="User"),
    ),
    fields=(
        FieldSpec("name", query="UserName"),
        FieldSpec("path", query="Path", default="/"),
        FieldSpec("permissions_boundary",
                  query="user.PermissionsBoundary.PermissionsBoundaryArn", detail="user"),
        tags("user.Tags", detail="user"),
    ),
)

SPECS: tuple[AwsSpec, ...] = (ROLE, POLICY, ROLE_POLICY, ROLE_POLICY_ATTACHMENT, USER)
