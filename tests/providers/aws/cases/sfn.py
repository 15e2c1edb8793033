"""Step Functions cases: state machine."""

from __future__ import annotations

import json
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ROLE = "arn:aws:iam::123456789012:role/sfn"


def _definition(result: str) -> dict[str, Any]:
    return {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": result,
                                                    "End": True}}}


def _create(clients: Any) -> Attrs:
    arn = clients("stepfunctions").create_state_machine(
        name="orders", definition=json.dumps(_definition("ok")), roleArn=ROLE,
        type="STANDARD", loggingConfiguration={"level": "OFF", "includeExecutionData": False},
        tracingConfiguration={"enabled": False}, tags=[{"key": "team", "value": "core"}],
    )["stateMachineArn"]
    return {
        "id": arn,
        "arn": arn,
        "name": "orders",
        "name_prefix": "",
        # as written in the configuration, indented
        "definition": json.dumps(_definition("ok"), indent=2),
        "role_arn": ROLE,
        "type": "STANDARD",
        "publish": False,
        "logging_configuration": [{"level": "OFF", "include_execution_data": False,
                                   "log_destination": ""}],
        "tracing_configuration": [{"enabled": False}],
        "encryption_configuration": [],
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change(clients: Any, attrs: Attrs) -> None:
    clients("stepfunctions").update_state_machine(
        stateMachineArn=attrs["id"], definition=json.dumps(_definition("changed")),
        tracingConfiguration={"enabled": True},
    )


def _delete(clients: Any, attrs: Attrs) -> None:
    clients("stepfunctions").delete_state_machine(stateMachineArn=attrs["id"])


CASES = [
    AwsCase(
        type="aws_sfn_state_machine",
        create=_create,
        change=_change,
        changed_paths=frozenset({"definition", "tracing_configuration.0.enabled"}),
        delete=_delete,
    ),
]
