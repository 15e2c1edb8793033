"""IAM instance profiles, OpenID Connect providers and access keys.

None of them is in ``GetAccountAuthorizationDetails`` as a whole (it holds only the instance
profiles that have a role), so each has its own listing: ``ListInstanceProfiles`` (one paged
listing; a profile's tags come from one ``GetInstanceProfile`` per managed profile: IAM's
listings leave tags out and the tagging API does not serve IAM), ``ListOpenIDConnectProviders``
(ARNs only: one ``GetOpenIDConnectProvider`` per managed provider), and ``ListAccessKeys``,
which IAM answers per user only.

Access keys are parts of their user (``PartOf``, no user field taken over). Their listing costs
one call per user, so it is asked for the users of the managed keys and for the managed users:
a key made by hand for a managed user is reported unmanaged, the keys of an unmanaged user are
covered by the user's own finding. A key's secret is never read: IAM's listing has no secret
(only ``CreateAccessKey`` ever returns one), and the ``secret`` and ``ses_smtp_password_v4`` in
state are computed attributes, redacted from every output, never compared.
"""

from __future__ import annotations

from collections.abc import Sequence

from botocore.exceptions import ClientError

from cloudrift.sdk import FieldSpec, PartOf, Resource, worker_pool
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import tags
from cloudrift_aws.session import AwsContext, error_code
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types.iam import _PAGE, _call_region

_WORKERS = 8

# -- aws_iam_instance_profile ---------------------------------------------------------------


def _instance_profiles(ctx: AwsContext, region: str, managed: Sequence[Resource]
                       ) -> list[Item]:
    profiles = ctx.paginate("iam", _call_region(ctx, region), "list_instance_profiles",
                            "InstanceProfiles", PaginationConfig={"PageSize": _PAGE})
    items: list[Item] = []
    for profile in profiles:
        roles = profile.get("Roles") or []
        items.append({
            "InstanceProfileName": profile["InstanceProfileName"],
            "Path": profile.get("Path"),
            # a profile holds one role at most
            "Role": roles[0].get("RoleName") if roles else None,
        })
    return items


INSTANCE_PROFILE = AwsSpec(
    type="aws_iam_instance_profile",
    service="iam",
    enumerate=_instance_profiles,
    id_query="InstanceProfileName",
    global_service=True,
    details=(
        # the listing leaves tags out (moto's has them: AWS's does not)
        Detail("tags", "get_instance_profile",
               lambda item: {"InstanceProfileName": item["InstanceProfileName"]},
               result="InstanceProfile.Tags"),
    ),
    calls=("iam:ListInstanceProfiles",),
    description="IAM instance profile (one ListInstanceProfiles; GetInstanceProfile per "
    "managed profile for its tags)",
    fields=(
        FieldSpec("path", query="Path", default="/"),
        FieldSpec("role", query="Role"),
        tags("tags", detail="tags"),
    ),
    not_compared={"name": "identity: the import id",
                  "name_prefix": "Terraform-only: how the name was made"},
)


# -- aws_iam_openid_connect_provider --------------------------------------------------------


def _oidc_providers(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    listed = ctx.call("iam", _call_region(ctx, region), "list_open_id_connect_providers")
    return [{"Arn": entry["Arn"]} for entry in listed.get("OpenIDConnectProviderList") or ()]


def _lower_set(value: object) -> object:
    return n.as_set([str(v).lower() for v in value]) if isinstance(value, list) else value


OPENID_CONNECT_PROVIDER = AwsSpec(
    type="aws_iam_openid_connect_provider",
    service="iam",
    enumerate=_oidc_providers,
    calls=("iam:ListOpenIDConnectProviders",),
    id_query="Arn",
    global_service=True,
    details=(
        Detail("provider", "get_open_id_connect_provider",
               lambda item: {"OpenIDConnectProviderArn": item["Arn"]}),
    ),
    description="IAM OpenID Connect provider (one ListOpenIDConnectProviders; "
    "GetOpenIDConnectProvider per managed provider)",
    fields=(
        FieldSpec("client_id_list", query="provider.ClientIDList", normalise=(n.as_set,),
                  detail="provider"),
        # hex digests: IAM keeps the case it was given, which means nothing
        FieldSpec("thumbprint_list", query="provider.ThumbprintList", normalise=(_lower_set,),
                  detail="provider"),
        tags("provider.Tags", detail="provider"),
    ),
    not_compared={"url": "identity: the provider's ARN ends in it"},
)


# -- aws_iam_access_key ---------------------------------------------------------------------


def _users_keys(ctx: AwsContext, region: str, user: str) -> list[Item]:
    try:
        keys = ctx.paginate("iam", _call_region(ctx, region), "list_access_keys",
                            "AccessKeyMetadata", UserName=user)
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return []  # the user is gone, and its keys with it
        raise
    return [{"AccessKeyId": k["AccessKeyId"], "UserName": k.get("UserName") or user,
             "Status": k.get("Status")} for k in keys]


def _access_keys(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    users = {str(r.attributes.get("user")) for r in managed if r.attributes.get("user")}
    users.update(r.id for r in ctx.managed_of("aws_iam_user"))
    if not users:
        return []
    ordered = sorted(users)
    with worker_pool(min(_WORKERS, len(ordered)), name="cloudrift-iam") as pool:
        found = list(pool.map(lambda user: _users_keys(ctx, region, user), ordered))
    return [key for keys in found for key in keys]


ACCESS_KEY = AwsSpec(
    type="aws_iam_access_key",
    per_parent=True,
    service="iam",
    enumerate=_access_keys,
    calls=("iam:ListAccessKeys",),
    id_query="AccessKeyId",
    global_service=True,
    part_of=(PartOf("aws_iam_user", parent_id="user", fields=(), cloud_parent_id="UserName"),),
    description="IAM access key, its status only (part of its user: ListAccessKeys once per "
    "managed user and per user of a managed key; a key made by hand for a managed user is "
    "unmanaged; the secret is never read)",
    fields=(
        FieldSpec("status", query="Status", default="Active"),
        # a key cannot move to another user; compared so the listing knows whom to ask
        FieldSpec("user", query="UserName"),
    ),
    not_compared={
        "pgp_key": "Terraform-only: encrypts the secret Terraform stores at creation",
    },
)

SPECS: tuple[AwsSpec, ...] = (INSTANCE_PROFILE, OPENID_CONNECT_PROVIDER, ACCESS_KEY)
