"""S3 bucket configuration cases: each a part of its bucket.

The state attributes are shaped as hashicorp/aws 5.100.0 records them. ``delete`` removes the
configuration behind Terraform's back (the bucket stays): it must be reported missing. The
unmanaged test manages the bucket alone: a configuration set on it behind Terraform's back is an
unmanaged part; the same configuration on an unmanaged bucket is covered by the bucket.
"""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase
from tests.providers.aws.cases.s3 import _bucket_attrs, _create_bucket

OWNER_ID = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def _bucket(clients: Any, name: str) -> str:
    _create_bucket(clients, name)
    return name


def _parent(attrs: Attrs) -> tuple[str, Attrs]:
    return "aws_s3_bucket", _bucket_attrs(attrs["bucket"], "us-east-1", {}, False)


def _part(**kwargs: Any) -> AwsCase:
    return AwsCase(parent=_parent, **kwargs)


# -- aws_s3_bucket_public_access_block ------------------------------------------------------


def _pab_create(clients: Any) -> Attrs:
    bucket = _bucket(clients, "cloudrift-pab")
    clients("s3").put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={"BlockPublicAcls": True, "IgnorePublicAcls": True,
                                        "BlockPublicPolicy": False,
                                        "RestrictPublicBuckets": False},
    )
    return {"id": bucket, "bucket": bucket, "block_public_acls": True, "ignore_public_acls": True,
            "block_public_policy": False, "restrict_public_buckets": False}


def _pab_change(clients: Any, attrs: Attrs) -> None:
    clients("s3").put_public_access_block(
        Bucket=attrs["bucket"],
        PublicAccessBlockConfiguration={"BlockPublicAcls": False, "IgnorePublicAcls": True,
                                        "BlockPublicPolicy": True,
                                        "RestrictPublicBuckets": False},
    )


def _pab_delete(clients: Any, attrs: Attrs) -> None:
    clients("s3").delete_public_access_block(Bucket=attrs["bucket"])


# -- aws_s3_bucket_ownership_controls -------------------------------------------------------


def _ownership_create(clients: Any) -> Attrs:
    bucket = _bucket(clients, "cloudrift-ownership")
    clients("s3").put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]})
    return {"id": bucket, "bucket": bucket,
            "rule": [{"object_ownership": "BucketOwnerPreferred"}]}


def _ownership_change(clients: Any, attrs: Attrs) -> None:
    clients("s3").put_bucket_ownership_controls(
        Bucket=attrs["bucket"], OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})


def _ownership_delete(clients: Any, attrs: Attrs) -> None:
    clients("s3").delete_bucket_ownership_controls(Bucket=attrs["bucket"])


# -- aws_s3_bucket_server_side_encryption_configuration -------------------------------------


def _sse(key: str, bucket_key: bool) -> dict[str, Any]:
    return {"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key},
        "BucketKeyEnabled": bucket_key,
    }]}


def _sse_create(clients: Any) -> Attrs:
    bucket = _bucket(clients, "cloudrift-encrypted")
    key = clients("kms").create_key()["KeyMetadata"]["Arn"]
    clients("s3").put_bucket_encryption(Bucket=bucket,
                                        ServerSideEncryptionConfiguration=_sse(key, True))
    return {
        "id": bucket, "bucket": bucket, "expected_bucket_owner": "",
        "rule": [{"apply_server_side_encryption_by_default": [
            {"kms_master_key_id": key, "sse_algorithm": "aws:kms"}],
            "bucket_key_enabled": True}],
    }


def _sse_change(clients: Any, attrs: Attrs) -> None:
    key = attrs["rule"][0]["apply_server_side_encryption_by_default"][0]["kms_master_key_id"]
    clients("s3").put_bucket_encryption(Bucket=attrs["bucket"],
                                        ServerSideEncryptionConfiguration=_sse(key, False))


def _sse_delete(clients: Any, attrs: Attrs) -> None:
    # AWS puts SSE-S3 back (a change of rule, not a missing resource); moto removes it
    clients("s3").delete_bucket_encryption(Bucket=attrs["bucket"])


# -- aws_s3_bucket_acl ----------------------------------------------------------------------


def _grant(permission: str, *, owner: bool = False, uri: str = "") -> dict[str, Any]:
    return {
        "permission": permission,
        "grantee": [{
            "display_name": "webfile" if owner else "",
            "email_address": "",
            "id": OWNER_ID if owner else "",
            "type": "CanonicalUser" if owner else "Group",
            "uri": uri,
        }],
    }


def _acl_attrs(bucket: str, acl: str, grants: list[dict[str, Any]]) -> Attrs:
    return {
        "id": f"{bucket},{acl}" if acl else bucket,
        "bucket": bucket,
        "acl": acl or None,
        "expected_bucket_owner": "",
        "access_control_policy": [{
            "grant": grants,
            "owner": [{"display_name": "webfile", "id": OWNER_ID}],
        }],
    }


def _acl_create(clients: Any) -> Attrs:
    bucket = _bucket(clients, "cloudrift-acl")
    clients("s3").put_bucket_acl(Bucket=bucket, AccessControlPolicy={
        "Owner": {"ID": OWNER_ID},
        "Grants": [
            {"Grantee": {"Type": "CanonicalUser", "ID": OWNER_ID}, "Permission": "FULL_CONTROL"},
            {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"},
        ],
    })
    return _acl_attrs(bucket, "", [_grant("FULL_CONTROL", owner=True),
                                   _grant("READ", uri=ALL_USERS)])


def _acl_change(clients: Any, attrs: Attrs) -> None:
    # the bucket is closed to everyone by hand (moto answers public-read-write with READ only:
    # it keeps one permission per grantee)
    clients("s3").put_bucket_acl(Bucket=attrs["bucket"], ACL="private")


def _canned_acl_create(clients: Any) -> Attrs:
    bucket = _bucket(clients, "cloudrift-canned-acl")
    clients("s3").put_bucket_acl(Bucket=bucket, ACL="public-read")
    # the id carries the canned ACL; the grants are what GetBucketAcl answered
    return _acl_attrs(bucket, "public-read", [_grant("FULL_CONTROL", owner=True),
                                              _grant("READ", uri=ALL_USERS)])


def _canned_acl_change(clients: Any, attrs: Attrs) -> None:
    clients("s3").put_bucket_acl(Bucket=attrs["bucket"], ACL="authenticated-read")


def _delete_bucket(clients: Any, attrs: Attrs) -> None:
    # every bucket has an ACL: only the bucket going takes it away
    clients("s3").delete_bucket(Bucket=attrs["bucket"])


CASES = [
    _part(
        type="aws_s3_bucket_public_access_block",
        create=_pab_create,
        change=_pab_change,
        changed_paths=frozenset({"block_public_acls", "block_public_policy"}),
        delete=_pab_delete,
    ),
    _part(
        type="aws_s3_bucket_ownership_controls",
        create=_ownership_create,
        change=_ownership_change,
        changed_paths=frozenset({"rule.0.object_ownership"}),
        delete=_ownership_delete,
    ),
    _part(
        type="aws_s3_bucket_server_side_encryption_configuration",
        create=_sse_create,
        change=_sse_change,
        changed_paths=frozenset({"rule"}),
        delete=_sse_delete,
    ),
    _part(
        type="aws_s3_bucket_acl",
        create=_acl_create,
        change=_acl_change,
        changed_paths=frozenset({"access_control_policy.0.grant"}),
        delete=_delete_bucket,
    ),
    _part(
        type="aws_s3_bucket_acl",
        name="aws_s3_bucket_acl-canned",
        create=_canned_acl_create,
        change=_canned_acl_change,
        changed_paths=frozenset({"access_control_policy.0.grant"}),
        delete=_delete_bucket,
        # found unmanaged, its id is the bucket alone: the canned name is nowhere in AWS
        unmanaged=False,
    ),
]
