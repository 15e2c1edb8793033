"""CloudTrail cases: trail."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"


def _create(clients: Any) -> Attrs:
    clients("s3").create_bucket(Bucket="audit-logs")
    cloudtrail = clients("cloudtrail")
    arn = cloudtrail.create_trail(
        Name="audit", S3BucketName="audit-logs", S3KeyPrefix="trail",
        IncludeGlobalServiceEvents=True, IsMultiRegionTrail=True,
        EnableLogFileValidation=True, TagsList=[{"Key": "team", "Value": "core"}],
    )["TrailARN"]
    cloudtrail.start_logging(Name=arn)
    return {
        # provider v5 records the ARN as the id
        "id": arn,
        "arn": arn,
        "name": "audit",
        "home_region": "us-east-1",
        "s3_bucket_name": "audit-logs",
        "s3_key_prefix": "trail",
        "sns_topic_name": "",
        "sns_topic_arn": "",
        "include_global_service_events": True,
        "is_multi_region_trail": True,
        "is_organization_trail": False,
        "enable_log_file_validation": True,
        "enable_logging": True,
        "cloud_watch_logs_group_arn": "",
        "cloud_watch_logs_role_arn": "",
        "kms_key_id": "",
        "event_selector": [],
        "advanced_event_selector": [],
        "insight_selector": [],
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change(clients: Any, attrs: Attrs) -> None:
    cloudtrail = clients("cloudtrail")
    cloudtrail.stop_logging(Name="audit")
    cloudtrail.update_trail(Name="audit", S3KeyPrefix="moved", EnableLogFileValidation=False)


def _delete(clients: Any, attrs: Attrs) -> None:
    clients("cloudtrail").delete_trail(Name="audit")


CASES = [
    AwsCase(
        type="aws_cloudtrail",
        create=_create,
        change=_change,
        changed_paths=frozenset({"enable_logging", "s3_key_prefix",
                                 "enable_log_file_validation"}),
        delete=_delete,
        import_id=lambda attrs: str(attrs["arn"]),
    ),
]
