"""Lambda cases."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

_ROLE = "worker-role"


def _package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def _create(clients: Any) -> Attrs:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                       "Action": "sts:AssumeRole"}],
    }
    role = clients("iam").create_role(
        RoleName=_ROLE, AssumeRolePolicyDocument=json.dumps(trust)
    )["Role"]["Arn"]
    environment = {"MODE": "prod", "DB_PASSWORD": "correct-horse-battery"}
    function = clients("lambda").create_function(
        FunctionName="worker",
        Role=role,
        Handler="index.handler",
        Runtime="python3.12",
        Code={"ZipFile": _package()},
        Description="does work",
        MemorySize=256,
        Timeout=10,
        Publish=False,
        PackageType="Zip",
        Architectures=["x86_64"],
        Environment={"Variables": environment},
        Tags={"team": "core"},
    )
    return {
        "id": "worker",
        "function_name": "worker",
        "arn": function["FunctionArn"],
        "role": role,
        "handler": "index.handler",
        "runtime": "python3.12",
        "package_type": "Zip",
        "filename": "worker.zip",
        "memory_size": 256,
        "timeout": 10,
        "description": "does work",
        "environment": [{"variables": environment}],
        "layers": [],
        "architectures": ["x86_64"],
        "kms_key_arn": "",
        "tracing_config": [{"mode": "PassThrough"}],
        "ephemeral_storage": [{"size": 512}],
        "dead_letter_config": [],
        "vpc_config": [],
        "publish": False,
        "reserved_concurrent_executions": -1,
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change(clients: Any, attrs: Attrs) -> None:
    variables = {**attrs["environment"][0]["variables"], "MODE": "debug"}
    clients("lambda").update_function_configuration(
        FunctionName=attrs["id"], Timeout=30, Environment={"Variables": variables}
    )


def _delete(clients: Any, attrs: Attrs) -> None:
    clients("lambda").delete_function(FunctionName=attrs["id"])
    clients("iam").delete_role(RoleName=_ROLE)


CASES = [
    AwsCase(
        type="aws_lambda_function",
        create=_create,
        change=_change,
        changed_paths=frozenset({"timeout", "environment.0.variables.MODE"}),
        delete=_delete,
    ),
]
