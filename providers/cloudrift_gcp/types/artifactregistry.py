"""Artifact Registry repositories. Cloud Functions and Cloud Run source deploys create their
own (``gcf-artifacts``, ``cloud-run-source-deploy``, labelled ``goog-managed-by``): those are
Google's, left out unless ``--strict``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift_gcp.fields import flag, label_map, short_name, text
from cloudrift_gcp.spec import GcpSpec, location_in_id
from cloudrift_gcp.types._ids import cloud_template, template

GOOGLE_REPOSITORIES = frozenset({"gcf-artifacts", "cloud-run-source-deploy"})


def _made_by_google(item: Mapping[str, Any]) -> bool:
    return "goog-managed-by" in (item.get("labels") or {}) or \
        short_name(item.get("name")) in GOOGLE_REPOSITORIES


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


REPOSITORY = GcpSpec(
    type="google_artifact_registry_repository",
    asset_type="artifactregistry.googleapis.com/Repository",
    import_id=template("projects/{project}/locations/{location}/repositories/{repository_id}"),
    cloud_id=cloud_template("projects/{project}/locations/{location}/repositories/{name}",
                            location=lambda item: location_in_id(str(item.get("name", ""))),
                            name=lambda item: short_name(item.get("name"))),
    is_default=_made_by_google,
    fields=(
        text("format", "format", None, _upper),
        text("description", "description"),
        label_map(),
        text("kms_key_name", "kmsKeyName"),
        text("mode", "mode", "STANDARD_REPOSITORY"),
        flag("docker_config.0.immutable_tags", "dockerConfig.immutableTags"),
        flag("cleanup_policy_dry_run", "cleanupPolicyDryRun"),
    ),
    not_compared={
        "cleanup_policies": "compared by a later version",
        "remote_repository_config": "compared by a later version",
        "virtual_repository_config": "compared by a later version",
        "vulnerability_scanning_config": "compared by a later version",
    },
)

SPECS = (REPOSITORY,)
