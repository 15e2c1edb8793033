"""Lambda permission, alias and event source mapping cases; state shapes are what
hashicorp/aws 5.100 recorded against moto."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"
REGION = "us-east-1"
FUNCTION = "worker"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION}"


def _function(clients: Any) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}
    role = clients("iam").create_role(
        RoleName="worker-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    clients("lambda").create_function(
        FunctionName=FUNCTION, Role=role, Handler="index.handler", Runtime="python3.12",
        Code={"ZipFile": buffer.getvalue()}, Publish=True)


def _managed_function(attrs: Attrs) -> tuple[str, Attrs]:
    return ("aws_lambda_function", {"id": FUNCTION, "function_name": FUNCTION,
                                    "arn": FUNCTION_ARN})


# -- aws_lambda_permission -------------------------------------------------------------------


def _allow_s3(clients: Any, bucket: str) -> None:
    clients("lambda").add_permission(
        FunctionName=FUNCTION, StatementId="AllowS3", Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{bucket}",
        SourceAccount=ACCOUNT)


def _permission_create(clients: Any) -> Attrs:
    _function(clients)
    _allow_s3(clients, "my-bucket")
    return {
        "id": "AllowS3", "statement_id": "AllowS3", "statement_id_prefix": "",
        "function_name": FUNCTION, "qualifier": "", "action": "lambda:InvokeFunction",
        "principal": "s3.amazonaws.com", "source_arn": "arn:aws:s3:::my-bucket",
        "source_account": ACCOUNT, "event_source_token": "", "function_url_auth_type": "",
        "principal_org_id": "",
    }


def _permission_change(clients: Any, attrs: Attrs) -> None:
    # statements cannot be updated: the same id, removed and added again for another bucket
    clients("lambda").remove_permission(FunctionName=FUNCTION, StatementId="AllowS3")
    _allow_s3(clients, "other-bucket")


def _permission_delete(clients: Any, attrs: Attrs) -> None:
    clients("lambda").remove_permission(FunctionName=FUNCTION, StatementId="AllowS3")


# -- aws_lambda_alias ------------------------------------------------------------------------


def _alias_create(clients: Any) -> Attrs:
    _function(clients)
    alias = clients("lambda").create_alias(FunctionName=FUNCTION, Name="live",
                                           FunctionVersion="1", Description="live traffic")
    return {
        "id": alias["AliasArn"], "arn": alias["AliasArn"], "name": "live",
        "function_name": FUNCTION, "function_version": "1", "description": "live traffic",
        "invoke_arn": f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
        f"{alias['AliasArn']}/invocations",
        "routing_config": [],
    }


def _alias_change(clients: Any, attrs: Attrs) -> None:
    clients("lambda").update_alias(FunctionName=FUNCTION, Name="live", Description="canary")


def _alias_delete(clients: Any, attrs: Attrs) -> None:
    clients("lambda").delete_alias(FunctionName=FUNCTION, Name="live")


# -- aws_lambda_event_source_mapping ---------------------------------------------------------


def _mapping_create(clients: Any) -> Attrs:
    _function(clients)
    sqs = clients("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    mapping = clients("lambda").create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName=FUNCTION_ARN, BatchSize=5, Enabled=True,
        Tags={"env": "prod"})
    uuid = mapping["UUID"]
    return {
        "id": uuid, "uuid": uuid, "arn": mapping["EventSourceMappingArn"],
        "function_name": FUNCTION_ARN, "function_arn": FUNCTION_ARN,
        "event_source_arn": queue_arn, "batch_size": 5, "enabled": True,
        "state": "Enabled", "starting_position": "", "starting_position_timestamp": "",
        "maximum_batching_window_in_seconds": 0, "maximum_record_age_in_seconds": 0,
        "maximum_retry_attempts": 0, "parallelization_factor": 0,
        "bisect_batch_on_function_error": False, "tumbling_window_in_seconds": 0,
        "function_response_types": None, "destination_config": [], "filter_criteria": [],
        "scaling_config": [], "queues": None, "topics": None, "kms_key_arn": "",
        "metrics_config": [], "self_managed_event_source": [],
        "source_access_configuration": [], "amazon_managed_kafka_event_source_config": [],
        "self_managed_kafka_event_source_config": [], "document_db_event_source_config": [],
        "provisioned_poller_config": [],
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"},
    }


def _mapping_change(clients: Any, attrs: Attrs) -> None:
    clients("lambda").update_event_source_mapping(UUID=attrs["uuid"], BatchSize=9,
                                                  Enabled=False)


def _mapping_delete(clients: Any, attrs: Attrs) -> None:
    clients("lambda").delete_event_source_mapping(UUID=attrs["uuid"])


CASES = [
    AwsCase(
        type="aws_lambda_permission",
        create=_permission_create,
        change=_permission_change,
        changed_paths=frozenset({"source_arn"}),
        delete=_permission_delete,
        import_id=lambda attrs: f"{FUNCTION}/AllowS3",
        parent=_managed_function,
    ),
    AwsCase(
        type="aws_lambda_alias",
        create=_alias_create,
        change=_alias_change,
        changed_paths=frozenset({"description"}),
        delete=_alias_delete,
        import_id=lambda attrs: f"{FUNCTION}/live",
        parent=_managed_function,
    ),
    AwsCase(
        type="aws_lambda_event_source_mapping",
        create=_mapping_create,
        change=_mapping_change,
        changed_paths=frozenset({"batch_size", "enabled"}),
        delete=_mapping_delete,
    ),
]
