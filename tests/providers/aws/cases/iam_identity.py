"""IAM instance profile, OpenID Connect provider and access key cases.

The state attributes are those hashicorp/aws 5.100.0 records. An access key's state holds its
secret (a sensitive attribute): ``tests/providers/aws/test_secrets_iam.py`` proves it never
reaches a report and is never read from AWS.
"""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase
from tests.providers.aws.cases.iam_groups import user_attrs

THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"

# -- aws_iam_instance_profile ---------------------------------------------------------------


def _profile_create(clients: Any) -> Attrs:
    iam = clients("iam")
    iam.create_role(RoleName="web", AssumeRolePolicyDocument="{}")
    profile = iam.create_instance_profile(InstanceProfileName="web", Path="/",
                                          Tags=[{"Key": "team", "Value": "core"}])
    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="web")
    created = profile["InstanceProfile"]
    return {
        "id": "web", "name": "web", "name_prefix": "", "arn": created["Arn"],
        "create_date": created["CreateDate"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "unique_id": created["InstanceProfileId"], "path": "/", "role": "web",
        "tags": {"team": "core"}, "tags_all": {"team": "core"},
    }


def _profile_change(clients: Any, attrs: Attrs) -> None:
    iam = clients("iam")
    iam.remove_role_from_instance_profile(InstanceProfileName=attrs["id"], RoleName="web")
    iam.tag_instance_profile(InstanceProfileName=attrs["id"],
                             Tags=[{"Key": "team", "Value": "platform"}])


def _profile_delete(clients: Any, attrs: Attrs) -> None:
    iam = clients("iam")
    iam.remove_role_from_instance_profile(InstanceProfileName=attrs["id"], RoleName="web")
    iam.delete_instance_profile(InstanceProfileName=attrs["id"])


# -- aws_iam_openid_connect_provider --------------------------------------------------------


def _oidc_create(clients: Any) -> Attrs:
    arn = clients("iam").create_open_id_connect_provider(
        Url="https://token.actions.example.com",
        ClientIDList=["sts.amazonaws.com", "app"],
        # given in upper case, IAM keeps it so: the case of a digest means nothing
        ThumbprintList=[THUMBPRINT.upper()],
        Tags=[{"Key": "team", "Value": "core"}],
    )["OpenIDConnectProviderArn"]
    return {
        "id": arn, "arn": arn,
        # the provider records the URL as IAM returns it, without its scheme
        "url": "token.actions.example.com",
        "client_id_list": ["app", "sts.amazonaws.com"],
        "thumbprint_list": [THUMBPRINT],
        "tags": {"team": "core"}, "tags_all": {"team": "core"},
    }


def _oidc_change(clients: Any, attrs: Attrs) -> None:
    iam = clients("iam")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=attrs["arn"],
                                                   ThumbprintList=["0" * 40])
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=attrs["arn"],
                                     Tags=[{"Key": "owner", "Value": "someone"}])


def _oidc_delete(clients: Any, attrs: Attrs) -> None:
    clients("iam").delete_open_id_connect_provider(OpenIDConnectProviderArn=attrs["arn"])


# -- aws_iam_access_key ---------------------------------------------------------------------


def _key_create(clients: Any) -> Attrs:
    iam = clients("iam")
    iam.create_user(UserName="ci-bot")
    key = iam.create_access_key(UserName="ci-bot")["AccessKey"]
    return {
        "id": key["AccessKeyId"], "user": "ci-bot", "status": "Active", "pgp_key": None,
        "create_date": key["CreateDate"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        # what `terraform apply` records without a pgp_key: the secret itself, sensitive
        "secret": key["SecretAccessKey"],
        "ses_smtp_password_v4": "BKsmtp" + key["SecretAccessKey"][:38],
        "encrypted_secret": None, "encrypted_ses_smtp_password_v4": None,
        "key_fingerprint": None,
    }


def _key_change(clients: Any, attrs: Attrs) -> None:
    clients("iam").update_access_key(UserName=attrs["user"], AccessKeyId=attrs["id"],
                                     Status="Inactive")


def _key_delete(clients: Any, attrs: Attrs) -> None:
    clients("iam").delete_access_key(UserName=attrs["user"], AccessKeyId=attrs["id"])


ACCESS_KEY = AwsCase(
    type="aws_iam_access_key",
    create=_key_create,
    change=_key_change,
    changed_paths=frozenset({"status"}),
    delete=_key_delete,
    sensitive=(("secret",), ("ses_smtp_password_v4",)),
    parent=lambda attrs: ("aws_iam_user", user_attrs(attrs["user"])),
)

CASES = [
    AwsCase(
        type="aws_iam_instance_profile",
        create=_profile_create,
        change=_profile_change,
        changed_paths=frozenset({"role", "tags.team"}),
        delete=_profile_delete,
    ),
    AwsCase(
        type="aws_iam_openid_connect_provider",
        create=_oidc_create,
        change=_oidc_change,
        changed_paths=frozenset({"thumbprint_list", "tags.owner"}),
        delete=_oidc_delete,
    ),
    ACCESS_KEY,
]
