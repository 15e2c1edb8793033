"""IAM groups, their members, and the policies of groups and users (inline and attached).

All of it comes from the one ``GetAccountAuthorizationDetails`` listing every IAM type shares
(``types.iam``): each group with its inline and attached policies, each user with its groups,
inline and attached policies. None of these types makes a call of its own.

Inline and attached policies are parts of their user or group (``PartOf``, taking over no field:
``aws_iam_user`` and ``aws_iam_group`` have no policy arguments). One that no resource declares
is reported unmanaged when its user or group is managed: a policy put on a managed user by hand
is drift worth seeing, and finding it costs nothing. Attachments made through
``aws_iam_policy_attachment`` (exclusive across users, groups and roles; the provider's own
docs warn off it) are not compared by cloudrift and would show as unmanaged attachments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, PartOf, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_policy
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types.iam import _authorization_details

_LISTING = ("iam:GetAccountAuthorizationDetails",)


def _details(ctx: AwsContext, region: str, listing: str) -> list[Item]:
    return _authorization_details(ctx, region)[listing]


# -- aws_iam_group --------------------------------------------------------------------------


def _groups(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    return [dict(group) for group in _details(ctx, region, "GroupDetailList")]


GROUP = AwsSpec(
    type="aws_iam_group",
    service="iam",
    enumerate=_groups,
    calls=_LISTING,
    id_query="GroupName",
    global_service=True,
    description="IAM group (from the shared GetAccountAuthorizationDetails listing)",
    fields=(FieldSpec("path", query="Path", default="/"),),
    not_compared={"name": "identity: the import id"},
)


# -- aws_iam_group_membership ---------------------------------------------------------------


def _memberships(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    groups = {r.id for r in managed}
    if not groups:
        return []
    members: dict[str, list[str]] = {
        str(g["GroupName"]): [] for g in _details(ctx, region, "GroupDetailList")
        if g["GroupName"] in groups
    }
    for user in _details(ctx, region, "UserDetailList"):
        for group in user.get("GroupList") or ():
            if group in members:
                members[group].append(str(user["UserName"]))
    return [{"GroupName": group, "Users": users} for group, users in sorted(members.items())]


GROUP_MEMBERSHIP = AwsSpec(
    type="aws_iam_group_membership",
    service="iam",
    enumerate=_memberships,
    calls=_LISTING,
    id_query="GroupName",
    # `terraform import` does not take this type: its findings are keyed by the group, which a
    # membership resource owns alone (a second one on the same group fights the first)
    import_id="group",
    global_service=True,
    # a group's members may as well come from aws_iam_user_group_membership, and there is no
    # import to offer for one found unmanaged
    unmanaged=False,
    description="IAM group membership, the whole member list of a group (no terraform import: "
    "findings carry the group's name; never reported unmanaged)",
    fields=(FieldSpec("users", query="Users", normalise=(n.as_set,)),),
    not_compared={"name": "Terraform-only: a label of the resource, not stored in AWS",
                  "group": "identity: the key its findings carry"},
)


# -- inline policies ------------------------------------------------------------------------


def _inline(owner_list: str, owner_key: str, policy_list: str
            ) -> Callable[[AwsContext, str, Sequence[Resource]], list[Item]]:
    def enumerate_policies(ctx: AwsContext, region: str, managed: Sequence[Resource]
                           ) -> list[Item]:
        return [
            {
                "Id": f"{owner[owner_key]}:{policy.get('PolicyName')}",
                owner_key: owner[owner_key],
                "PolicyName": policy.get("PolicyName"),
                "PolicyDocument": policy.get("PolicyDocument"),
            }
            for owner in _details(ctx, region, owner_list)
            for policy in owner.get(policy_list) or ()
        ]

    return enumerate_policies


def _inline_id(owner: str) -> Callable[[Mapping[str, Any]], str | None]:
    def import_id(attributes: Mapping[str, Any]) -> str | None:
        who, name = attributes.get(owner), attributes.get("name")
        return f"{who}:{name}" if who and name else attributes.get("id")

    return import_id


def _inline_spec(spec_type: str, owner: str, parent_type: str, owner_list: str,
                 owner_key: str, policy_list: str) -> AwsSpec:
    return AwsSpec(
        type=spec_type,
        service="iam",
        enumerate=_inline(owner_list, owner_key, policy_list),
        calls=_LISTING,
        id_query="Id",
        import_id=_inline_id(owner),
        global_service=True,
        part_of=(PartOf(parent_type, parent_id=owner, fields=(), cloud_parent_id=owner_key),),
        description=f"IAM {owner} inline policy (part of its {owner}: one put by hand on a "
        f"managed {owner} is unmanaged; from the shared GetAccountAuthorizationDetails listing)",
        fields=(attr_policy("policy", "PolicyDocument"),),
        not_compared={owner: "identity: part of the import id",
                      "name": "identity: part of the import id",
                      "name_prefix": "Terraform-only: how the name was made"},
    )


USER_POLICY = _inline_spec("aws_iam_user_policy", "user", "aws_iam_user", "UserDetailList",
                           "UserName", "UserPolicyList")
GROUP_POLICY = _inline_spec("aws_iam_group_policy", "group", "aws_iam_group", "GroupDetailList",
                            "GroupName", "GroupPolicyList")


# -- attached managed policies --------------------------------------------------------------


def _attached(owner_list: str, owner_key: str
              ) -> Callable[[AwsContext, str, Sequence[Resource]], list[Item]]:
    def enumerate_attachments(ctx: AwsContext, region: str, managed: Sequence[Resource]
                              ) -> list[Item]:
        return [
            {
                # names cannot hold "/", policy ARNs do: the first one separates them
                "Id": f"{owner[owner_key]}/{policy['PolicyArn']}",
                owner_key: owner[owner_key],
                "PolicyArn": policy["PolicyArn"],
            }
            for owner in _details(ctx, region, owner_list)
            for policy in owner.get("AttachedManagedPolicies") or ()
        ]

    return enumerate_attachments


def _attachment_id(owner: str) -> Callable[[Mapping[str, Any]], str | None]:
    def import_id(attributes: Mapping[str, Any]) -> str | None:
        who, arn = attributes.get(owner), attributes.get("policy_arn")
        # the state id is "<name>-<timestamp>"; `terraform import` takes "<name>/<policy arn>"
        return f"{who}/{arn}" if who and arn else None

    return import_id


def _attachment_spec(spec_type: str, owner: str, parent_type: str, owner_list: str,
                     owner_key: str) -> AwsSpec:
    return AwsSpec(
        type=spec_type,
        service="iam",
        enumerate=_attached(owner_list, owner_key),
        calls=_LISTING,
        id_query="Id",
        import_id=_attachment_id(owner),
        global_service=True,
        part_of=(PartOf(parent_type, parent_id=owner, fields=(), cloud_parent_id=owner_key),),
        description=f"IAM managed policy attached to a {owner} (part of its {owner}: one "
        f"attached by hand to a managed {owner} is unmanaged; from the shared "
        "GetAccountAuthorizationDetails listing)",
        # both arguments are the identity: an attachment exists or it does not
        fields=(),
        not_compared={owner: "identity: part of the import id",
                      "policy_arn": "identity: part of the import id"},
    )


USER_POLICY_ATTACHMENT = _attachment_spec("aws_iam_user_policy_attachment", "user",
                                          "aws_iam_user", "UserDetailList", "UserName")
GROUP_POLICY_ATTACHMENT = _attachment_spec("aws_iam_group_policy_attachment", "group",
                                           "aws_iam_group", "GroupDetailList", "GroupName")

SPECS: tuple[AwsSpec, ...] = (GROUP, GROUP_MEMBERSHIP, USER_POLICY, GROUP_POLICY,
                              USER_POLICY_ATTACHMENT, GROUP_POLICY_ATTACHMENT)
