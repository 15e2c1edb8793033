"""ECR facet cases: repository policy, lifecycle policy."""

from __future__ import annotations

import json
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"


def make_repository(clients: Any, name: str = "app") -> str:
    clients("ecr").create_repository(repositoryName=name)
    return name


def pull_policy(account: str = ACCOUNT) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Pull", "Effect": "Allow",
                       "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                       "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}],
    }


def _create_policy(clients: Any) -> Attrs:
    name = make_repository(clients)
    clients("ecr").set_repository_policy(repositoryName=name,
                                         policyText=json.dumps(pull_policy()))
    return {"id": name, "repository": name, "registry_id": ACCOUNT,
            "policy": json.dumps(pull_policy(), separators=(",", ":"), sort_keys=True)}


def _change_policy(clients: Any, attrs: Attrs) -> None:
    clients("ecr").set_repository_policy(repositoryName=attrs["id"],
                                         policyText=json.dumps(pull_policy("210987654321")))


def _delete_policy(clients: Any, attrs: Attrs) -> None:
    clients("ecr").delete_repository_policy(repositoryName=attrs["id"])


def lifecycle(count: int) -> dict[str, Any]:
    return {"rules": [
        {"rulePriority": 2, "description": "expire untagged",
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                       "countUnit": "days", "countNumber": 14},
         "action": {"type": "expire"}},
        {"rulePriority": 1, "description": "keep recent",
         "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                       "countNumber": count},
         "action": {"type": "expire"}},
    ]}


def _create_lifecycle(clients: Any) -> Attrs:
    name = make_repository(clients)
    clients("ecr").put_lifecycle_policy(repositoryName=name,
                                        lifecyclePolicyText=json.dumps(lifecycle(30)))
    # the configuration wrote the rules in another order: not drift
    written = {"rules": list(reversed(lifecycle(30)["rules"]))}
    return {"id": name, "repository": name, "registry_id": ACCOUNT,
            "policy": json.dumps(written)}


def _change_lifecycle(clients: Any, attrs: Attrs) -> None:
    clients("ecr").put_lifecycle_policy(repositoryName=attrs["id"],
                                        lifecyclePolicyText=json.dumps(lifecycle(5)))


def _delete_lifecycle(clients: Any, attrs: Attrs) -> None:
    clients("ecr").delete_lifecycle_policy(repositoryName=attrs["id"])


def _repository(attrs: Attrs) -> tuple[str, Attrs]:
    return "aws_ecr_repository", {"id": attrs["repository"], "name": attrs["repository"]}


# facets of a repository: unmanaged only under a managed repository
CASES = [
    AwsCase(
        type="aws_ecr_repository_policy",
        create=_create_policy,
        change=_change_policy,
        changed_paths=frozenset({"policy"}),
        delete=_delete_policy,
        parent=_repository,
    ),
    AwsCase(
        type="aws_ecr_lifecycle_policy",
        create=_create_lifecycle,
        change=_change_lifecycle,
        changed_paths=frozenset({"policy"}),
        delete=_delete_lifecycle,
        parent=_repository,
    ),
]
