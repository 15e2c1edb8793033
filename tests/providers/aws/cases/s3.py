"""S3 cases: a bucket (in the default region and in another one), its versioning, its policy.

The state attributes are those hashicorp/aws 5.100.0 records after `terraform apply`, checked
against moto's server.
"""

from __future__ import annotations

import json
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

OTHER_REGION = "eu-west-1"


def _create_bucket(clients: Any, name: str, region: str = "us-east-1",
                   object_lock: bool = False) -> None:
    kwargs: dict[str, Any] = {"Bucket": name}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    if object_lock:
        kwargs["ObjectLockEnabledForBucket"] = True
    clients("s3", region).create_bucket(**kwargs)


def _bucket_attrs(name: str, region: str, tags: dict[str, str], object_lock: bool) -> Attrs:
    """What provider v5 records for a bucket with no inline (deprecated) blocks set."""
    return {
        "id": name,
        "bucket": name,
        "bucket_prefix": "",
        "arn": f"arn:aws:s3:::{name}",
        "region": region,
        "bucket_domain_name": f"{name}.s3.amazonaws.com",
        "bucket_regional_domain_name": f"{name}.s3.{region}.amazonaws.com",
        "hosted_zone_id": "Z3AQBSTGFYJSTF",
        "force_destroy": False,
        "object_lock_enabled": object_lock,
        "acceleration_status": "",
        "acl": None,
        "grant": [
            {
                "id": "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a",
                "permissions": ["FULL_CONTROL"],
                "type": "CanonicalUser",
                "uri": "",
            }
        ],
        "cors_rule": [],
        "lifecycle_rule": [],
        "logging": [],
        "object_lock_configuration": [],
        "policy": "",
        "replication_configuration": [],
        "request_payer": "",
        "server_side_encryption_configuration": [],
        "versioning": [{"enabled": False, "mfa_delete": False}],
        "website": [],
        "website_domain": None,
        "website_endpoint": None,
        "timeouts": None,
        "tags": tags,
        "tags_all": tags,
    }


# -- aws_s3_bucket -------------------------------------------------------------------------


def _bucket_create(clients: Any) -> Attrs:
    _create_bucket(clients, "cloudrift-logs")
    clients("s3").put_bucket_tagging(
        Bucket="cloudrift-logs",
        Tagging={"TagSet": [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "core"}]},
    )
    return _bucket_attrs("cloudrift-logs", "us-east-1", {"env": "prod", "team": "core"}, False)


def _bucket_change(clients: Any, attrs: Attrs) -> None:
    clients("s3").put_bucket_tagging(
        Bucket=attrs["id"],
        Tagging={"TagSet": [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "core"}]},
    )


def _bucket_delete(clients: Any, attrs: Attrs) -> None:
    clients("s3", attrs["region"]).delete_bucket(Bucket=attrs["id"])


def _regional_bucket_create(clients: Any) -> Attrs:
    # object lock can only be switched on at creation, and proves the detail call is read
    _create_bucket(clients, "cloudrift-archive", OTHER_REGION, object_lock=True)
    return _bucket_attrs("cloudrift-archive", OTHER_REGION, {}, True)


def _regional_bucket_change(clients: Any, attrs: Attrs) -> None:
    clients("s3", OTHER_REGION).put_bucket_tagging(
        Bucket=attrs["id"], Tagging={"TagSet": [{"Key": "owner", "Value": "someone"}]}
    )


# -- aws_s3_bucket_versioning --------------------------------------------------------------


def _versioning_attrs(bucket: str, status: str) -> Attrs:
    return {
        "id": bucket,
        "bucket": bucket,
        "expected_bucket_owner": "",
        "mfa": None,
        # left unset in the configuration, mfa_delete is recorded as ""
        "versioning_configuration": [{"mfa_delete": "", "status": status}],
    }


def _versioning_create(clients: Any) -> Attrs:
    _create_bucket(clients, "cloudrift-versioned")
    clients("s3").put_bucket_versioning(
        Bucket="cloudrift-versioned", VersioningConfiguration={"Status": "Enabled"}
    )
    return _versioning_attrs("cloudrift-versioned", "Enabled")


def _versioning_change(clients: Any, attrs: Attrs) -> None:
    clients("s3").put_bucket_versioning(
        Bucket=attrs["id"], VersioningConfiguration={"Status": "Suspended"}
    )


def _unversioned_create(clients: Any) -> Attrs:
    # status "Disabled" is for buckets that never had versioning: the provider makes no call
    _create_bucket(clients, "cloudrift-unversioned")
    return _versioning_attrs("cloudrift-unversioned", "Disabled")


def _unversioned_change(clients: Any, attrs: Attrs) -> None:
    clients("s3").put_bucket_versioning(
        Bucket=attrs["id"], VersioningConfiguration={"Status": "Enabled"}
    )


def _delete_bucket_of(clients: Any, attrs: Attrs) -> None:
    clients("s3").delete_bucket(Bucket=attrs["bucket"])


# -- aws_s3_bucket_policy ------------------------------------------------------------------


def _bucket_policy(bucket: str, actions: list[str]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": actions,
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


def _policy_create(clients: Any) -> Attrs:
    bucket = "cloudrift-site"
    _create_bucket(clients, bucket)
    document = _bucket_policy(bucket, ["s3:GetObject"])
    # the provider sends the configured text; S3 stores and returns its own serialisation
    statement = dict(document["Statement"][0], Action="s3:GetObject")
    clients("s3").put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({**document, "Statement": [statement]})
    )
    return {
        "id": bucket,
        "bucket": bucket,
        # a heredoc policy is kept as written while it means the same as what AWS returns
        "policy": json.dumps(document, indent=2),
    }


def _policy_change(clients: Any, attrs: Attrs) -> None:
    document = _bucket_policy(attrs["id"], ["s3:GetObject", "s3:PutObject"])
    clients("s3").put_bucket_policy(Bucket=attrs["id"], Policy=json.dumps(document))


def _policy_delete(clients: Any, attrs: Attrs) -> None:
    clients("s3").delete_bucket_policy(Bucket=attrs["id"])


CASES = [
    AwsCase(
        type="aws_s3_bucket",
        create=_bucket_create,
        change=_bucket_change,
        changed_paths=frozenset({"tags.env"}),
        delete=_bucket_delete,
    ),
    AwsCase(
        type="aws_s3_bucket",
        name="aws_s3_bucket-other-region",
        create=_regional_bucket_create,
        change=_regional_bucket_change,
        changed_paths=frozenset({"tags.owner"}),
        delete=_bucket_delete,
        # the unmanaged test scans the default region only, where this bucket does not live
        unmanaged=False,
    ),
    AwsCase(
        type="aws_s3_bucket_versioning",
        create=_versioning_create,
        change=_versioning_change,
        changed_paths=frozenset({"versioning_configuration.0.status"}),
        delete=_delete_bucket_of,
        unmanaged=False,
    ),
    AwsCase(
        type="aws_s3_bucket_versioning",
        name="aws_s3_bucket_versioning-disabled",
        create=_unversioned_create,
        change=_unversioned_change,
        changed_paths=frozenset({"versioning_configuration.0.status"}),
        delete=_delete_bucket_of,
        unmanaged=False,
    ),
    AwsCase(
        type="aws_s3_bucket_policy",
        create=_policy_create,
        change=_policy_change,
        changed_paths=frozenset({"policy"}),
        delete=_policy_delete,
        unmanaged=False,
    ),
]
