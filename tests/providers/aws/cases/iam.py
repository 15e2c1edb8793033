"""IAM cases: role, customer-managed policy, inline role policy, role policy attachment, user.

The state attributes are those hashicorp/aws 5.100.0 records after `terraform apply`, checked
against moto's server: policy documents are kept as the configuration's JSON text.
"""

from __future__ import annotations

import json
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

BOUNDARY = "arn:aws:iam::aws:policy/PowerUserAccess"


def _compact(document: dict[str, Any]) -> str:
    """The text `jsonencode` produces: keys sorted, no spaces."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _trust(service: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


def _permissions(*actions: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
    }


def _make_role(clients: Any, name: str, **extra: Any) -> dict[str, Any]:
    # the provider always sends the path and the session duration, defaults included
    role: dict[str, Any] = clients("iam").create_role(
        RoleName=name,
        Path="/",
        AssumeRolePolicyDocument=_compact(_trust("ec2.amazonaws.com")),
        MaxSessionDuration=3600,
        **extra,
    )["Role"]
    return role


def _role_attrs(role: dict[str, Any], *, description: str, boundary: str,
                tags: dict[str, str]) -> Attrs:
    return {
        "id": role["RoleName"],
        "name": role["RoleName"],
        "name_prefix": "",
        "arn": role["Arn"],
        "unique_id": role["RoleId"],
        "create_date": role["CreateDate"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "assume_role_policy": _compact(_trust("ec2.amazonaws.com")),
        "description": description,
        "force_detach_policies": False,
        "inline_policy": [],
        "managed_policy_arns": [],
        "max_session_duration": 3600,
        "path": "/",
        "permissions_boundary": boundary,
        "tags": tags,
        "tags_all": tags,
    }


# -- aws_iam_role ---------------------------------------------------------------------------


def _role_create(clients: Any) -> Attrs:
    role = _make_role(
        clients, "app-server", Description="application servers",
        PermissionsBoundary=BOUNDARY, Tags=[{"Key": "team", "Value": "core"}],
    )
    return _role_attrs(role, description="application servers", boundary=BOUNDARY,
                       tags={"team": "core"})


def _role_change(clients: Any, attrs: Attrs) -> None:
    iam = clients("iam")
    iam.update_role(RoleName=attrs["id"], Description="changed by hand")
    iam.delete_role_permissions_boundary(RoleName=attrs["id"])
    iam.update_assume_role_policy(
        RoleName=attrs["id"], PolicyDocument=json.dumps(_trust("lambda.amazonaws.com"))
    )


def _role_delete(clients: Any, attrs: Attrs) -> None:
    clients("iam").delete_role(RoleName=attrs["id"])


# -- aws_iam_policy -------------------------------------------------------------------------


def _policy_create(clients: Any) -> Attrs:
    document = _permissions("s3:GetObject")
    policy = clients("iam").create_policy(
        PolicyName="read-objects", Path="/app/", Description="read the app's objects",
        PolicyDocument=_compact(document), Tags=[{"Key": "team", "Value": "core"}],
    )["Policy"]
    return {
        "id": policy["Arn"],
        "arn": policy["Arn"],
        "name": "read-objects",
        "name_prefix": "",
        "path": "/app/",
        "description": "read the app's objects",
        "policy": _compact(document),
        "policy_id": policy["PolicyId"],
        "attachment_count": 0,
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _policy_change(clients: Any, attrs: Attrs) -> None:
    iam = clients("iam")
    iam.create_policy_version(
        PolicyArn=attrs["arn"],
        PolicyDocument=_compact(_permissions("s3:GetObject", "s3:DeleteObject")),
        SetAsDefault=True,
    )
    iam.tag_policy(PolicyArn=attrs["arn"], Tags=[{"Key": "team", "Value": "platform"}])


def _policy_delete(clients: Any, attrs: Attrs) -> None:
    iam = clients("iam")
    for version in iam.list_policy_versions(PolicyArn=attrs["arn"])["Versions"]:
        if not version["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=attrs["arn"], VersionId=version["VersionId"])
    iam.delete_policy(PolicyArn=attrs["arn"])


# -- aws_iam_role_policy --------------------------------------------------------------------


def _role_policy_create(clients: Any) -> Attrs:
    _make_role(clients, "worker")
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}],
    }
    clients("iam").put_role_policy(
        RoleName="worker", PolicyName="queues", PolicyDocument=_compact(document)
    )
    return {
        "id": "worker:queues",
        "name": "queues",
        "name_prefix": "",
        "role": "worker",
        # the configuration's text, key order included; IAM returns it re-encoded
        "policy": json.dumps(document, separators=(",", ":")),
    }


def _role_policy_change(clients: Any, attrs: Attrs) -> None:
    clients("iam").put_role_policy(
        RoleName=attrs["role"], PolicyName=attrs["name"],
        PolicyDocument=_compact(_permissions("sqs:SendMessage")),
    )


def _role_policy_delete(clients: Any, attrs: Attrs) -> None:
    clients("iam").delete_role_policy(RoleName=attrs["role"], PolicyName=attrs["name"])


# -- aws_iam_role_policy_attachment ---------------------------------------------------------


def _attachment_create(clients: Any) -> Attrs:
    iam = clients("iam")
    _make_role(clients, "reporter")
    arn, other = (
        iam.create_policy(
            PolicyName=name, PolicyDocument=_compact(_permissions(action))
        )["Policy"]["Arn"]
        for name, action in (("read-reports", "s3:GetObject"), ("write-logs", "logs:Put*"))
    )
    # a second attachment on the same role must not be mistaken for the managed one
    iam.attach_role_policy(RoleName="reporter", PolicyArn=other)
    iam.attach_role_policy(RoleName="reporter", PolicyArn=arn)
    return {
        # the provider's own id is the role name plus a timestamp, not the import id
        "id": "reporter-20261124075341648900000001",
        "role": "reporter",
        "policy_arn": arn,
    }


def _attachment_change(clients: Any, attrs: Attrs) -> None:
    # never called: with no changed_paths, test_changed skips (detaching is the missing test)
    raise AssertionError("an attachment has no argument that can change")


def _attachment_delete(clients: Any, attrs: Attrs) -> None:
    clients("iam").detach_role_policy(RoleName=attrs["role"], PolicyArn=attrs["policy_arn"])


# -- aws_iam_user ---------------------------------------------------------------------------


def _user_create(clients: Any) -> Attrs:
    user = clients("iam").create_user(
        UserName="deploy-bot", Path="/bots/", Tags=[{"Key": "team", "Value": "core"}]
    )["User"]
    return {
        "id": "deploy-bot",
        "name": "deploy-bot",
        "arn": user["Arn"],
        "unique_id": user["UserId"],
        "path": "/bots/",
        "permissions_boundary": "",
        "force_destroy": False,
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _user_change(clients: Any, attrs: Attrs) -> None:
    iam = clients("iam")
    iam.update_user(UserName=attrs["id"], NewPath="/people/")
    # moto files a user's tags under its ARN, which holds the path: moving the user loses them
    # there (not in AWS), so the tags the state expects are put back along with the new one
    tags = [{"Key": k, "Value": v} for k, v in attrs["tags"].items()]
    iam.tag_user(UserName=attrs["id"], Tags=[*tags, {"Key": "owner", "Value": "someone"}])


def _user_delete(clients: Any, attrs: Attrs) -> None:
    clients("iam").delete_user(UserName=attrs["id"])


CASES = [
    AwsCase(
        type="aws_iam_role",
        create=_role_create,
        change=_role_change,
        changed_paths=frozenset({"description", "permissions_boundary", "assume_role_policy"}),
        delete=_role_delete,
    ),
    AwsCase(
        type="aws_iam_policy",
        create=_policy_create,
        change=_policy_change,
        changed_paths=frozenset({"policy", "tags.team"}),
        delete=_policy_delete,
    ),
    AwsCase(
        type="aws_iam_role_policy",
        create=_role_policy_create,
        change=_role_policy_change,
        changed_paths=frozenset({"policy"}),
        delete=_role_policy_delete,
        unmanaged=False,
    ),
    AwsCase(
        type="aws_iam_role_policy_attachment",
        create=_attachment_create,
        change=_attachment_change,
        changed_paths=frozenset(),
        delete=_attachment_delete,
        import_id=lambda attrs: f"{attrs['role']}/{attrs['policy_arn']}",
        unmanaged=False,
    ),
    AwsCase(
        type="aws_iam_user",
        create=_user_create,
        change=_user_change,
        changed_paths=frozenset({"path", "tags.owner"}),
        delete=_user_delete,
    ),
]
