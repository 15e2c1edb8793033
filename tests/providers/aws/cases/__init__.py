"""One module per AWS service; each exports ``CASES``, one ``AwsCase`` per resource type.

A case creates a resource with boto3 the way Terraform would, returns the attributes Terraform
would have recorded in state, and knows how to change one declared field and how to delete it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

Attrs = dict[str, Any]


@dataclass(frozen=True)
class AwsCase:
    type: str
    create: Callable[[Any], Attrs]
    change: Callable[[Any, Attrs], None]
    changed_paths: frozenset[str]
    delete: Callable[[Any, Attrs], None]
    # the import id the finding must carry; default: attrs["id"]
    import_id: Callable[[Attrs], str] | None = None
    unmanaged: bool = True
    sensitive: tuple[tuple[str, ...], ...] = ()
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.type

    def expected_id(self, attrs: Attrs) -> str:
        return self.import_id(attrs) if self.import_id else str(attrs["id"])


MODULES = ("ec2", "s3", "iam", "kms", "sqs", "sns", "dynamodb", "lambda_", "rds", "logs", "ecr")


def all_cases() -> list[AwsCase]:
    cases: list[AwsCase] = []
    for name in MODULES:
        try:
            module = import_module(f"tests.providers.aws.cases.{name}")
        except ModuleNotFoundError:
            continue
        cases.extend(module.CASES)
    return cases
