"""ECR repositories."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.spec import FieldSpec
from cloudrift_aws.fields import attr_bool, tags
from cloudrift_aws.spec import AwsSpec, Call, Detail


def _state_encryption_type(attributes: Mapping[str, Any]) -> Any:
    # states written before the provider recorded the computed block have none: AES256
    blocks = attributes.get("encryption_configuration") or [{}]
    return (blocks[0] or {}).get("encryption_type") or "AES256"


REPOSITORY = AwsSpec(
    type="aws_ecr_repository",
    service="ecr",
    list=Call("describe_repositories", "repositories"),
    id_query="repositoryName",
    details=(
        Detail("tags", "list_tags_for_resource",
               lambda item: {"resourceArn": item["repositoryArn"]}, result="tags"),
    ),
    fields=(
        FieldSpec("image_tag_mutability", query="imageTagMutability", default="MUTABLE"),
        attr_bool("image_scanning_configuration.0.scan_on_push",
                  "imageScanningConfiguration.scanOnPush", default=False),
        FieldSpec("encryption_configuration.0.encryption_type",
                  query="encryptionConfiguration.encryptionType", default="AES256",
                  from_state=_state_encryption_type),
        FieldSpec("encryption_configuration.0.kms_key", query="encryptionConfiguration.kmsKey"),
        tags("tags", detail="tags"),
    ),
)

SPECS: tuple[AwsSpec, ...] = (REPOSITORY,)
