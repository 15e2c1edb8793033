"""IAM group, group membership, and the inline and attached policies of users and groups.

The state attributes are those hashicorp/aws 5.100.0 records. Policies are parts of their user
or group: the unmanaged test manages the user or group alone.
"""

from __future__ import annotations

import json
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"


def _compact(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _permissions(*actions: str) -> dict[str, Any]:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}


def user_attrs(name: str, path: str = "/") -> Attrs:
    return {"id": name, "name": name, "arn": f"arn:aws:iam::{ACCOUNT}:user{path}{name}",
            "path": path, "permissions_boundary": "", "force_destroy": False, "tags": {},
            "tags_all": {}}


def _group_attrs(name: str, path: str = "/") -> Attrs:
    return {"id": name, "name": name, "arn": f"arn:aws:iam::{ACCOUNT}:group{path}{name}",
            "path": path}


def _user_parent(attrs: Attrs) -> tuple[str, Attrs]:
    return "aws_iam_user", user_attrs(attrs["user"])


def _group_parent(attrs: Attrs) -> tuple[str, Attrs]:
    return "aws_iam_group", _group_attrs(attrs["group"])


# -- aws_iam_group --------------------------------------------------------------------------


def _group_create(clients: Any) -> Attrs:
    group = clients("iam").create_group(GroupName="developers", Path="/eng/")["Group"]
    return {**_group_attrs("developers", "/eng/"), "unique_id": group["GroupId"]}


def _group_change(clients: Any, attrs: Attrs) -> None:
    # moto's UpdateGroup applies NewPath only along with a NewGroupName: the group is made
    # again under the new path instead, as someone recreating it by hand would
    iam = clients("iam")
    iam.delete_group(GroupName=attrs["id"])
    iam.create_group(GroupName=attrs["id"], Path="/people/")


def _group_delete(clients: Any, attrs: Attrs) -> None:
    clients("iam").delete_group(GroupName=attrs["id"])


# -- aws_iam_group_membership ---------------------------------------------------------------


def _membership_create(clients: Any) -> Attrs:
    iam = clients("iam")
    iam.create_group(GroupName="deployers")
    for user in ("ci-bot", "release-bot", "intruder"):
        iam.create_user(UserName=user)
    for user in ("ci-bot", "release-bot"):
        iam.add_user_to_group(GroupName="deployers", UserName=user)
    return {"id": "deployers-members", "name": "deployers-members", "group": "deployers",
            "users": ["ci-bot", "release-bot"]}


def _membership_change(clients: Any, attrs: Attrs) -> None:
    clients("iam").add_user_to_group(GroupName=attrs["group"], UserName="intruder")


def _membership_delete(clients: Any, attrs: Attrs) -> None:
    iam = clients("iam")
    for user in attrs["users"]:
        iam.remove_user_from_group(GroupName=attrs["group"], UserName=user)
    iam.delete_group(GroupName=attrs["group"])


# -- aws_iam_user_policy / aws_iam_group_policy ---------------------------------------------


def _user_policy_create(clients: Any) -> Attrs:
    iam = clients("iam")
    iam.create_user(UserName="reporter-bot")
    document = _permissions("s3:GetObject")
    iam.put_user_policy(UserName="reporter-bot", PolicyName="read-reports",
                        PolicyDocument=_compact(document))
    return {"id": "reporter-bot:read-reports", "name": "read-reports", "name_prefix": "",
            "user": "reporter-bot", "policy": json.dumps(document)}


def _user_policy_change(clients: Any, attrs: Attrs) -> None:
    clients("iam").put_user_policy(UserName=attrs["user"], PolicyName=attrs["name"],
                                   PolicyDocument=_compact(_permissions("s3:*")))


def _user_policy_delete(clients: Any, attrs: Attrs) -> None:
    clients("iam").delete_user_policy(UserName=attrs["user"], PolicyName=attrs["name"])


def _group_policy_create(clients: Any) -> Attrs:
    iam = clients("iam")
    iam.create_group(GroupName="readers")
    document = _permissions("s3:GetObject", "s3:ListBucket")
    iam.put_group_policy(GroupName="readers", PolicyName="read", PolicyDocument=_compact(document))
    return {"id": "readers:read", "name": "read", "name_prefix": "", "group": "readers",
            "policy": json.dumps(document)}


def _group_policy_change(clients: Any, attrs: Attrs) -> None:
    clients("iam").put_group_policy(GroupName=attrs["group"], PolicyName=attrs["name"],
                                    PolicyDocument=_compact(_permissions("s3:*")))


def _group_policy_delete(clients: Any, attrs: Attrs) -> None:
    clients("iam").delete_group_policy(GroupName=attrs["group"], PolicyName=attrs["name"])


# -- aws_iam_user_policy_attachment / aws_iam_group_policy_attachment -----------------------


def _policy(clients: Any) -> str:
    arn: str = clients("iam").create_policy(
        PolicyName="read-reports", PolicyDocument=_compact(_permissions("s3:GetObject"))
    )["Policy"]["Arn"]
    return arn


def _user_attachment_create(clients: Any) -> Attrs:
    iam = clients("iam")
    iam.create_user(UserName="auditor")
    arn = _policy(clients)
    iam.attach_user_policy(UserName="auditor", PolicyArn=arn)
    return {"id": "auditor-20261206030000000000000001", "user": "auditor", "policy_arn": arn}


def _user_attachment_delete(clients: Any, attrs: Attrs) -> None:
    clients("iam").detach_user_policy(UserName=attrs["user"], PolicyArn=attrs["policy_arn"])


def _group_attachment_create(clients: Any) -> Attrs:
    iam = clients("iam")
    iam.create_group(GroupName="auditors")
    arn = _policy(clients)
    iam.attach_group_policy(GroupName="auditors", PolicyArn=arn)
    return {"id": "auditors-20261206030000000000000001", "group": "auditors", "policy_arn": arn}


def _group_attachment_delete(clients: Any, attrs: Attrs) -> None:
    clients("iam").detach_group_policy(GroupName=attrs["group"], PolicyArn=attrs["policy_arn"])


def _no_change(clients: Any, attrs: Attrs) -> None:
    raise AssertionError("an attachment has no argument that can change")


CASES = [
    AwsCase(
        type="aws_iam_group",
        create=_group_create,
        change=_group_change,
        changed_paths=frozenset({"path"}),
        delete=_group_delete,
    ),
    AwsCase(
        type="aws_iam_group_membership",
        create=_membership_create,
        change=_membership_change,
        changed_paths=frozenset({"users"}),
        delete=_membership_delete,
        import_id=lambda attrs: str(attrs["group"]),
        unmanaged=False,
    ),
    AwsCase(
        type="aws_iam_user_policy",
        create=_user_policy_create,
        change=_user_policy_change,
        changed_paths=frozenset({"policy"}),
        delete=_user_policy_delete,
        parent=_user_parent,
    ),
    AwsCase(
        type="aws_iam_group_policy",
        create=_group_policy_create,
        change=_group_policy_change,
        changed_paths=frozenset({"policy"}),
        delete=_group_policy_delete,
        parent=_group_parent,
    ),
    AwsCase(
        type="aws_iam_user_policy_attachment",
        create=_user_attachment_create,
        change=_no_change,
        changed_paths=frozenset(),
        delete=_user_attachment_delete,
        import_id=lambda attrs: f"{attrs['user']}/{attrs['policy_arn']}",
        parent=_user_parent,
    ),
    AwsCase(
        type="aws_iam_group_policy_attachment",
        create=_group_attachment_create,
        change=_no_change,
        changed_paths=frozenset(),
        delete=_group_attachment_delete,
        import_id=lambda attrs: f"{attrs['group']}/{attrs['policy_arn']}",
        parent=_group_parent,
    ),
]
