"""ECR cases."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase


def _create(clients: Any) -> Attrs:
    repository = clients("ecr").create_repository(
        repositoryName="app",
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "AES256"},
        tags=[{"Key": "team", "Value": "core"}],
    )["repository"]
    return {
        "id": "app",
        "name": "app",
        "arn": repository["repositoryArn"],
        "registry_id": repository["registryId"],
        "repository_url": repository["repositoryUri"],
        "image_tag_mutability": "IMMUTABLE",
        "image_scanning_configuration": [{"scan_on_push": True}],
        "encryption_configuration": [{"encryption_type": "AES256", "kms_key": ""}],
        "force_delete": None,
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change(clients: Any, attrs: Attrs) -> None:
    ecr = clients("ecr")
    ecr.put_image_tag_mutability(repositoryName=attrs["id"], imageTagMutability="MUTABLE")
    ecr.put_image_scanning_configuration(
        repositoryName=attrs["id"], imageScanningConfiguration={"scanOnPush": False}
    )


def _delete(clients: Any, attrs: Attrs) -> None:
    clients("ecr").delete_repository(repositoryName=attrs["id"])


CASES = [
    AwsCase(
        type="aws_ecr_repository",
        create=_create,
        change=_change,
        changed_paths=frozenset(
            {"image_tag_mutability", "image_scanning_configuration.0.scan_on_push"}
        ),
        delete=_delete,
    ),
]
