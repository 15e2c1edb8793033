"""IAM members of single resources: buckets, service accounts, Pub/Sub topics, subnetworks.

Each is read from its resource's IAM policy (``contentType=IAM_POLICY``, asked for only when a
state manages members of that kind), one item per binding member, and is a part of its resource:
a member nobody manages is reported under a managed resource, and covered by an unmanaged
resource's own finding. The import id is ``"<resource> <role> <member>[ <condition title>]"``,
the resource written as the provider's import takes it (``b/<bucket>``, ``projects/P/topics/T``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from cloudrift.sdk import FieldSpec, PartOf, get_path
from cloudrift_gcp.fields import ASSET, asset_project, short_name, state_project
from cloudrift_gcp.spec import IAM_POLICY, GcpSpec
from cloudrift_gcp.types._ids import relative_name
from cloudrift_gcp.types.iam import expand_policy, google_granted, member_id

# members Cloud Storage adds to every bucket's policy: the project's owners, editors, viewers
_CONVENIENCE = ("projectOwner:", "projectEditor:", "projectViewer:")
_ACCOUNT = re.compile(r"^projects/([^/]+)/serviceAccounts/([^/]+)$")

Resource = Callable[[Mapping[str, Any]], "str | None"]


def _asset_path(item: Mapping[str, Any]) -> str:
    """``//pubsub.googleapis.com/projects/p/topics/t`` -> ``projects/p/topics/t``."""
    name = str((item.get(ASSET) or {}).get("name") or "")
    return name.split("/", 3)[3] if name.startswith("//") and name.count("/") >= 3 else ""


def _default_member(item: Mapping[str, Any]) -> bool:
    return str(item.get("member", "")).startswith(_CONVENIENCE) or google_granted(item)


def _member_spec(kind: str, asset_type: str, parent_type: str, state_resource: Resource,
                 cloud_resource: Resource, related: Resource | None = None) -> GcpSpec:
    def state_id(attributes: Mapping[str, Any]) -> str | None:
        return member_id(state_resource(attributes), attributes.get("role"),
                         attributes.get("member"), get_path(attributes, "condition.0.title"))

    def cloud_id(item: Mapping[str, Any]) -> str | None:
        return member_id(cloud_resource(item), item.get("role"), item.get("member"),
                         get_path(item, "condition.title"))

    return GcpSpec(
        type=kind,
        asset_type=asset_type,
        content=IAM_POLICY,
        expand=expand_policy,
        import_id=state_id,
        cloud_id=cloud_id,
        is_default=_default_member,
        related=related,
        part_of=(PartOf(parent_type=parent_type, parent_id=_parent(state_resource),
                        fields=(), cloud_parent_id=_parent(cloud_resource)),),
        fields=(
            # the resource, role, member and condition title are the member's identity
            FieldSpec("condition.0.expression", query="condition.expression"),
            FieldSpec("condition.0.description", query="condition.description"),
        ),
    )


def _parent(resource: Resource) -> Resource:
    """The parent's import id, from the member's resource as its import id writes it."""

    def parent(values: Mapping[str, Any]) -> str | None:
        found = resource(values)
        return found[2:] if found and found.startswith("b/") else found

    return parent


# -- buckets ---------------------------------------------------------------------------------------


def _state_bucket(attributes: Mapping[str, Any]) -> str | None:
    # the provider records "b/<bucket>"; a bare name means the same bucket
    bucket = str(attributes.get("bucket") or "")
    bucket = bucket[2:] if bucket.startswith("b/") else bucket
    return f"b/{bucket}" if bucket else None


def _cloud_bucket(item: Mapping[str, Any]) -> str | None:
    bucket = _asset_path(item)  # //storage.googleapis.com/<bucket>
    return f"b/{bucket}" if bucket and "/" not in bucket else None


BUCKET_MEMBER = _member_spec("google_storage_bucket_iam_member", "storage.googleapis.com/Bucket",
                             "google_storage_bucket", _state_bucket, _cloud_bucket)


# -- service accounts ----------------------------------------------------------------------------


def _state_account(attributes: Mapping[str, Any]) -> str | None:
    value = str(attributes.get("service_account_id") or "")
    match = _ACCOUNT.match(value)
    if not match:
        return None
    project, email = match.groups()
    if project == "-":
        # "projects/-/serviceAccounts/EMAIL": the project is the one the e-mail names
        domain = email.partition("@")[2]
        project = domain.split(".", 1)[0] if domain.endswith(".iam.gserviceaccount.com") \
            else project
    return f"projects/{project}/serviceAccounts/{email}"


def _cloud_account(item: Mapping[str, Any]) -> str | None:
    # the policy's asset names the account by its unique id: the e-mail is its resource's
    account = (item.get(ASSET) or {}).get("related") or {}
    project, email = account.get("projectId") or asset_project(item), account.get("email")
    return f"projects/{project}/serviceAccounts/{email}" if project and email else None


ACCOUNT_MEMBER = _member_spec("google_service_account_iam_member",
                              "iam.googleapis.com/ServiceAccount", "google_service_account",
                              _state_account, _cloud_account,
                              related=lambda asset: str(asset.get("name") or "") or None)


# -- Pub/Sub topics and subnetworks ---------------------------------------------------------------


def _state_topic(attributes: Mapping[str, Any]) -> str | None:
    topic, project = str(attributes.get("topic") or ""), state_project(attributes)
    if topic.startswith("projects/"):
        return topic
    return f"projects/{project}/topics/{topic}" if topic and project else None


def _cloud_path(kind: str) -> Resource:
    def read(item: Mapping[str, Any]) -> str | None:
        path = _asset_path(item)
        return path if f"/{kind}/" in path else None

    return read


TOPIC_MEMBER = _member_spec("google_pubsub_topic_iam_member", "pubsub.googleapis.com/Topic",
                            "google_pubsub_topic", _state_topic, _cloud_path("topics"))


def _state_subnetwork(attributes: Mapping[str, Any]) -> str | None:
    subnetwork = str(relative_name(attributes.get("subnetwork")) or "")
    if subnetwork.startswith("projects/"):
        return subnetwork
    project, region = state_project(attributes), short_name(attributes.get("region"))
    return f"projects/{project}/regions/{region}/subnetworks/{subnetwork}" \
        if subnetwork and project and region else None


SUBNETWORK_MEMBER = _member_spec("google_compute_subnetwork_iam_member",
                                 "compute.googleapis.com/Subnetwork",
                                 "google_compute_subnetwork", _state_subnetwork,
                                 _cloud_path("subnetworks"))

SPECS = (BUCKET_MEMBER, ACCOUNT_MEMBER, TOPIC_MEMBER, SUBNETWORK_MEMBER)
