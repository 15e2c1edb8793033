"""ECR repositories.

Tags come from the tagging index (``bulk.with_tags``): a repository whose listed tags differ
from its state, or that the index does not list while its state has tags, is asked with
``ecr:ListTagsForResource``. moto's index does not list repositories: against moto every
managed repository whose state has tags is asked, and a tag added by hand to one whose state has
none is not seen (AWS's index lists it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, Resource
from cloudrift_aws.fields import attr_bool
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types.bulk import TagCall, bulk_tags, memo_outcome, with_tags


def repository_listing(ctx: AwsContext, region: str) -> list[Item]:
    """Every repository of the region, listed once for the repository types (ecr_extras too)."""
    return memo_outcome(ctx, f"ecr:describe_repositories:{region}",
                        lambda: ctx.paginate("ecr", region, "describe_repositories",
                                             "repositories"))


def _repositories(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    items = [dict(repository) for repository in repository_listing(ctx, region)]
    return with_tags(
        ctx, region, items, managed,
        arn=lambda item: item.get("repositoryArn"),
        id_query="repositoryName",
        call=TagCall("ecr", "list_tags_for_resource",
                     lambda item: {"resourceArn": item["repositoryArn"]}, "tags"),
    )


def _state_encryption_type(attributes: Mapping[str, Any]) -> Any:
    # states written before the provider recorded the computed block have none: AES256
    blocks = attributes.get("encryption_configuration") or [{}]
    return (blocks[0] or {}).get("encryption_type") or "AES256"


REPOSITORY = AwsSpec(
    type="aws_ecr_repository",
    service="ecr",
    enumerate=_repositories,
    calls=("ecr:DescribeRepositories", "ecr:ListTagsForResource"),
    id_query="repositoryName",
    fields=(
        FieldSpec("image_tag_mutability", query="imageTagMutability", default="MUTABLE"),
        attr_bool("image_scanning_configuration.0.scan_on_push",
                  "imageScanningConfiguration.scanOnPush", default=False),
        FieldSpec("encryption_configuration.0.encryption_type",
                  query="encryptionConfiguration.encryptionType", default="AES256",
                  from_state=_state_encryption_type),
        FieldSpec("encryption_configuration.0.kms_key", query="encryptionConfiguration.kmsKey"),
        bulk_tags(),
    ),
)

SPECS: tuple[AwsSpec, ...] = (REPOSITORY,)
