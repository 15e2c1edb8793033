"""ECR repository policies and lifecycle policies: facets of a repository.

Each is read with one call per repository (``GetRepositoryPolicy``, ``GetLifecyclePolicy``),
for the managed repositories and those a managed policy names: the repository listing holds
neither. A repository without one has no such part; the policies of an unmanaged repository are
covered by the repository's own unmanaged finding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from cloudrift.sdk import FieldSpec, PartOf, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_policy
from cloudrift_aws.session import AwsContext, error_code
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types._children import managed_ids
from cloudrift_aws.types.ecr import repository_listing

_REPOSITORY = "aws_ecr_repository"


def _policies(operation: str, absent: str, result: str
              ) -> Callable[[AwsContext, str, Sequence[Resource]], list[Item]]:
    def enumerate_(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
        wanted = managed_ids(ctx, _REPOSITORY, region) | {r.id for r in managed}
        if not wanted:
            return []  # no call at all without a managed repository
        existing = {str(r["repositoryName"]) for r in repository_listing(ctx, region)}
        items: list[Item] = []
        for name in sorted(wanted & existing):
            try:
                response = ctx.call("ecr", region, operation, repositoryName=name)
            except ClientError as exc:
                # no policy; or the repository went away since the listing: no part either way
                if error_code(exc) in (absent, "RepositoryNotFoundException"):
                    continue
                raise
            items.append({"repositoryName": name, result: response.get(result)})
        return items

    return enumerate_


def _lifecycle(value: Any) -> Any:
    """The rules document as JSON, its rules in priority order (the provider's comparison
    ignores the order they were written in)."""
    document = n.json_document(value)
    if isinstance(document, Mapping) and isinstance(document.get("rules"), list):
        rules = sorted(document["rules"], key=lambda rule: n.sort_key(
            rule.get("rulePriority") if isinstance(rule, Mapping) else rule))
        document = {**document, "rules": rules}
    return document


def _part() -> tuple[PartOf, ...]:
    return (PartOf(_REPOSITORY, parent_id="repository", fields=(),
                   cloud_parent_id="repositoryName"),)


REPOSITORY_POLICY = AwsSpec(
    type="aws_ecr_repository_policy",
    service="ecr",
    enumerate=_policies("get_repository_policy", "RepositoryPolicyNotFoundException",
                        "policyText"),
    id_query="repositoryName",
    import_id="repository",
    per_parent=True,
    part_of=_part(),
    description="ECR repository policy; one GetRepositoryPolicy per managed repository",
    calls=("ecr:DescribeRepositories", "ecr:GetRepositoryPolicy"),
    fields=(attr_policy("policy", "policyText"),),
)

LIFECYCLE_POLICY = AwsSpec(
    type="aws_ecr_lifecycle_policy",
    service="ecr",
    enumerate=_policies("get_lifecycle_policy", "LifecyclePolicyNotFoundException",
                        "lifecyclePolicyText"),
    id_query="repositoryName",
    import_id="repository",
    per_parent=True,
    part_of=_part(),
    description="ECR lifecycle policy; one GetLifecyclePolicy per managed repository",
    calls=("ecr:DescribeRepositories", "ecr:GetLifecyclePolicy"),
    fields=(FieldSpec("policy", query="lifecyclePolicyText", normalise=(_lifecycle,)),),
)

SPECS: tuple[AwsSpec, ...] = (REPOSITORY_POLICY, LIFECYCLE_POLICY)
