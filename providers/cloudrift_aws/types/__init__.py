"""Every supported AWS resource type, one module per service.

Adding a type: add an ``AwsSpec`` to the module's ``SPECS`` tuple and a fixture case to
``tests/providers/aws/cases``; the parametrised tests and the spec lint pick both up.
"""

from __future__ import annotations

from importlib import import_module

from cloudrift_aws.spec import AwsSpec

MODULES = (
    "vpc",
    "ec2",
    "s3",
    "iam",
    "kms",
    "sqs",
    "sns",
    "dynamodb",
    "lambda_",
    "rds",
    "logs",
    "ecr",
)


def _collect() -> dict[str, AwsSpec]:
    specs: dict[str, AwsSpec] = {}
    for module_name in MODULES:
        module = import_module(f"cloudrift_aws.types.{module_name}")
        for spec in module.SPECS:
            if spec.type in specs:
                raise ValueError(f"{spec.type} is declared twice")
            specs[spec.type] = spec
    return dict(sorted(specs.items()))


SPECS: dict[str, AwsSpec] = _collect()
