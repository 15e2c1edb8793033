"""S3 bucket rule-shaped configuration cases: lifecycle, CORS, website, logging, notification.

Each is a part of its bucket (see ``s3_config``); the state attributes are shaped as
hashicorp/aws 5.100.0 records them, unset nested arguments included.
"""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase
from tests.providers.aws.cases.s3_config import _bucket, _parent


def _part(**kwargs: Any) -> AwsCase:
    return AwsCase(parent=_parent, **kwargs)


# -- aws_s3_bucket_lifecycle_configuration --------------------------------------------------


def _lifecycle(expire_days: int) -> dict[str, Any]:
    return {"Rules": [
        {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
         "Expiration": {"Days": expire_days},
         "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]},
        {"ID": "uploads", "Status": "Enabled", "Filter": {},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
    ]}


def _lifecycle_rule(rule_id: str, **blocks: Any) -> dict[str, Any]:
    """A rule as the provider's framework schema records it: every block, empty or not."""
    empty_filter = {"and": [], "object_size_greater_than": None, "object_size_less_than": None,
                    "prefix": "", "tag": []}
    return {
        "id": rule_id, "status": "Enabled", "prefix": "",
        "abort_incomplete_multipart_upload": [], "expiration": [],
        "noncurrent_version_expiration": [], "noncurrent_version_transition": [],
        "transition": [],
        **blocks,
        "filter": [{**empty_filter, **blocks.get("filter", [{}])[0]}],
    }


def _lifecycle_create(clients: Any) -> Attrs:
    bucket = _bucket(clients, "cloudrift-lifecycle")
    clients("s3").put_bucket_lifecycle_configuration(Bucket=bucket,
                                                     LifecycleConfiguration=_lifecycle(90))
    return {
        "id": bucket, "bucket": bucket, "expected_bucket_owner": "",
        "transition_default_minimum_object_size": "all_storage_classes_128K",
        "timeouts": None,
        # the state lists the rules in the configuration's order, the reverse of AWS's here
        "rule": [
            _lifecycle_rule("uploads",
                            abort_incomplete_multipart_upload=[{"days_after_initiation": 7}]),
            _lifecycle_rule(
                "logs", filter=[{"prefix": "logs/"}],
                expiration=[{"date": None, "days": 90, "expired_object_delete_marker": False}],
                transition=[{"date": None, "days": 30, "storage_class": "STANDARD_IA"}]),
        ],
    }


def _lifecycle_change(clients: Any, attrs: Attrs) -> None:
    clients("s3").put_bucket_lifecycle_configuration(Bucket=attrs["bucket"],
                                                     LifecycleConfiguration=_lifecycle(7))


def _lifecycle_delete(clients: Any, attrs: Attrs) -> None:
    clients("s3").delete_bucket_lifecycle(Bucket=attrs["bucket"])


# -- aws_s3_bucket_cors_configuration -------------------------------------------------------


def _cors_create(clients: Any) -> Attrs:
    bucket = _bucket(clients, "cloudrift-cors")
    clients("s3").put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"ID": "app", "AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["https://app.example"],
         "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3000},
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]},
    ]})
    return {
        "id": bucket, "bucket": bucket, "expected_bucket_owner": "",
        "cors_rule": [
            {"allowed_headers": [], "allowed_methods": ["GET"], "allowed_origins": ["*"],
             "expose_headers": [], "id": "", "max_age_seconds": 0},
            {"allowed_headers": ["*"], "allowed_methods": ["PUT", "GET"],
             "allowed_origins": ["https://app.example"], "expose_headers": ["ETag"],
             "id": "app", "max_age_seconds": 3000},
        ],
    }


def _cors_change(clients: Any, attrs: Attrs) -> None:
    clients("s3").put_bucket_cors(Bucket=attrs["bucket"], CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["GET", "DELETE"], "AllowedOrigins": ["*"]},
    ]})


def _cors_delete(clients: Any, attrs: Attrs) -> None:
    clients("s3").delete_bucket_cors(Bucket=attrs["bucket"])


# -- aws_s3_bucket_website_configuration ----------------------------------------------------


def _website_create(clients: Any) -> Attrs:
    bucket = _bucket(clients, "cloudrift-website")
    clients("s3").put_bucket_website(Bucket=bucket, WebsiteConfiguration={
        "IndexDocument": {"Suffix": "index.html"},
        "ErrorDocument": {"Key": "error.html"},
        "RoutingRules": [{"Condition": {"KeyPrefixEquals": "docs/"},
                          "Redirect": {"ReplaceKeyPrefixWith": "documents/"}}],
    })
    return {
        "id": bucket, "bucket": bucket, "expected_bucket_owner": "",
        "index_document": [{"suffix": "index.html"}],
        "error_document": [{"key": "error.html"}],
        "redirect_all_requests_to": [],
        "routing_rule": [{
            "condition": [{"http_error_code_returned_equals": "", "key_prefix_equals": "docs/"}],
            "redirect": [{"host_name": "", "http_redirect_code": "", "protocol": "",
                          "replace_key_prefix_with": "documents/", "replace_key_with": ""}],
        }],
        "routing_rules": '[{"Condition":{"KeyPrefixEquals":"docs/"},'
                         '"Redirect":{"ReplaceKeyPrefixWith":"documents/"}}]',
        "website_domain": "s3-website-us-east-1.amazonaws.com",
        "website_endpoint": f"{bucket}.s3-website-us-east-1.amazonaws.com",
    }


def _website_change(clients: Any, attrs: Attrs) -> None:
    clients("s3").put_bucket_website(Bucket=attrs["bucket"], WebsiteConfiguration={
        "IndexDocument": {"Suffix": "home.html"},
        "ErrorDocument": {"Key": "error.html"},
        "RoutingRules": [{"Condition": {"KeyPrefixEquals": "docs/"},
                          "Redirect": {"ReplaceKeyPrefixWith": "documents/"}}],
    })


def _website_delete(clients: Any, attrs: Attrs) -> None:
    clients("s3").delete_bucket_website(Bucket=attrs["bucket"])


# -- aws_s3_bucket_logging ------------------------------------------------------------------


def _logging_create(clients: Any) -> Attrs:
    s3 = clients("s3")
    target = _bucket(clients, "cloudrift-access-logs")
    # S3 (and moto) refuse a target the log delivery group cannot write to
    s3.put_bucket_acl(Bucket=target, ACL="log-delivery-write")
    bucket = _bucket(clients, "cloudrift-logged")
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": target, "TargetPrefix": "logged/"}})
    return {"id": bucket, "bucket": bucket, "expected_bucket_owner": "", "target_bucket": target,
            "target_prefix": "logged/", "target_grant": [], "target_object_key_format": []}


def _logging_change(clients: Any, attrs: Attrs) -> None:
    clients("s3").put_bucket_logging(Bucket=attrs["bucket"], BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": attrs["target_bucket"], "TargetPrefix": "other/"}})


def _logging_delete(clients: Any, attrs: Attrs) -> None:
    # logging is switched off with an empty status: the configuration is gone
    clients("s3").put_bucket_logging(Bucket=attrs["bucket"], BucketLoggingStatus={})


# -- aws_s3_bucket_notification -------------------------------------------------------------


def _notification_create(clients: Any) -> Attrs:
    bucket = _bucket(clients, "cloudrift-notifying")
    sqs = clients("sqs")
    url = sqs.create_queue(QueueName="cloudrift-uploads")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"]
    clients("s3").put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={"QueueConfigurations": [{
            "Id": "uploads", "QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"}]}},
        }]},
    )
    return {
        "id": bucket, "bucket": bucket, "eventbridge": False, "lambda_function": [], "topic": [],
        "queue": [{"id": "uploads", "queue_arn": arn, "events": ["s3:ObjectCreated:*"],
                   "filter_prefix": "uploads/", "filter_suffix": ""}],
    }


def _notification_change(clients: Any, attrs: Attrs) -> None:
    queue = attrs["queue"][0]
    clients("s3").put_bucket_notification_configuration(
        Bucket=attrs["bucket"],
        NotificationConfiguration={"QueueConfigurations": [{
            "Id": queue["id"], "QueueArn": queue["queue_arn"],
            "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"}]}},
        }]},
        # EventBridge is left alone: moto stores EventBridgeConfiguration but never returns it
    )


def _notification_delete(clients: Any, attrs: Attrs) -> None:
    clients("s3").put_bucket_notification_configuration(Bucket=attrs["bucket"],
                                                        NotificationConfiguration={})


CASES = [
    _part(
        type="aws_s3_bucket_lifecycle_configuration",
        create=_lifecycle_create,
        change=_lifecycle_change,
        changed_paths=frozenset({"rule"}),
        delete=_lifecycle_delete,
    ),
    _part(
        type="aws_s3_bucket_cors_configuration",
        create=_cors_create,
        change=_cors_change,
        changed_paths=frozenset({"cors_rule"}),
        delete=_cors_delete,
    ),
    _part(
        type="aws_s3_bucket_website_configuration",
        create=_website_create,
        change=_website_change,
        changed_paths=frozenset({"index_document.0.suffix"}),
        delete=_website_delete,
    ),
    _part(
        type="aws_s3_bucket_logging",
        create=_logging_create,
        change=_logging_change,
        changed_paths=frozenset({"target_prefix"}),
        delete=_logging_delete,
    ),
    _part(
        type="aws_s3_bucket_notification",
        create=_notification_create,
        change=_notification_change,
        changed_paths=frozenset({"queue"}),
        delete=_notification_delete,
    ),
]
