"""S3 buckets and the bucket facets provider v4+ manages as separate resources.

ListBuckets is global: one listing per scan serves every S3 type and every region (``ctx.memo``).
A bucket belongs to the region it was created in; each region's enumeration returns only its own
buckets, so a bucket is matched against the ``region`` its state records.

Which region a bucket is in: AWS's ListBuckets says (``BucketRegion``). An endpoint that leaves
it out (moto 5.2.6) is asked ``ListBuckets(BucketRegion=region)`` once per region scanned, which
AWS and moto both answer with that region's buckets alone; one more such listing, of a second
region, tells an endpoint that honours the filter from one that ignores it (the same full list
twice), and only one that ignores it is asked ``GetBucketLocation`` bucket by bucket.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from cloudrift.sdk import UNKNOWN, FieldSpec, Resource, get_path
from cloudrift_aws.fields import attr_bool, attr_policy
from cloudrift_aws.session import AwsContext, error_code
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types.bulk import TagCall, bulk_tags, memo_outcome, with_tags

_ID = "Name"

# AWS caps a page at 10,000 buckets; sending any parameter at all is also what makes ListBuckets
# include each bucket's BucketRegion, which saves a GetBucketLocation call per bucket.
_MAX_BUCKETS = 10_000

# the bucket went away between the listing and this call, or it never had a policy
_NO_POLICY = frozenset({"NoSuchBucket", "NoSuchBucketPolicy"})


def location_region(constraint: str | None) -> str:
    """The region a GetBucketLocation ``LocationConstraint`` stands for.

    Buckets in us-east-1 report no constraint at all, and the oldest Irish buckets say ``EU``.
    """
    if not constraint:
        return "us-east-1"
    if constraint == "EU":
        return "eu-west-1"
    return constraint


def _listed_buckets(ctx: AwsContext, region: str) -> list[Item]:
    # every S3 type in every region asks for the same listing
    return memo_outcome(
        ctx,
        "s3:list_buckets",
        lambda: [
            dict(bucket)
            for bucket in ctx.paginate(
                "s3", region, "list_buckets", "Buckets", MaxBuckets=_MAX_BUCKETS
            )
        ],
    )


def _listed_regions(ctx: AwsContext, region: str) -> dict[str, str]:
    """The buckets whose region the account's listing gives (all of them on AWS); worked out
    once per scan, as ``bucket_home`` asks it for every configuration read."""
    return memo_outcome(ctx, "s3:listed_regions", lambda: {
        str(bucket["Name"]): str(bucket["BucketRegion"])
        for bucket in _listed_buckets(ctx, region) if bucket.get("BucketRegion")})


def bucket_names(ctx: AwsContext, region: str) -> frozenset[str]:
    """Every bucket of the account (once per scan)."""
    return memo_outcome(ctx, "s3:bucket_names", lambda: frozenset(
        str(bucket["Name"]) for bucket in _listed_buckets(ctx, region)))


def bucket_home(ctx: AwsContext, region: str, name: str) -> str:
    """The region to ask a bucket's configuration in: its own where the listing says, else
    ``region`` (a bucket kept elsewhere answers with a redirect that botocore follows)."""
    return _listed_regions(ctx, region).get(name, region)


def buckets_in(ctx: AwsContext, region: str) -> frozenset[str]:
    """The buckets that live in ``region``."""
    names = bucket_names(ctx, region)
    known = _listed_regions(ctx, region)
    if len(known) == len(names):
        return frozenset(name for name, where in known.items() if where == region)
    # the endpoint leaves BucketRegion out: ask it for the region's buckets
    return memo_outcome(ctx, f"s3:buckets_in:{region}",
                        lambda: _filtered_or_located(ctx, region, names))


def _in_region(ctx: AwsContext, region: str, where: str) -> frozenset[str]:
    """What the endpoint answers ``ListBuckets(BucketRegion=where)`` with (once per scan)."""
    return memo_outcome(ctx, f"s3:list_buckets:{where}", lambda: frozenset(
        str(bucket["Name"]) for bucket in ctx.paginate(
            "s3", region, "list_buckets", "Buckets", MaxBuckets=_MAX_BUCKETS,
            BucketRegion=where)))


def _filter_honoured(ctx: AwsContext, region: str, names: frozenset[str]) -> bool:
    """Whether the endpoint answers ``ListBuckets(BucketRegion=...)`` with that region's
    buckets alone, or ignores the filter and lists them all. Decided once per scan: an answer
    short of the full list shows the filter at work; the full list for ``region`` is checked
    against a second region, which cannot hold the same buckets. An endpoint that refuses the
    filter does not honour it."""

    def decide() -> bool:
        try:
            if _in_region(ctx, region, region) != names:
                return True
            other = _PROBE[region == _PROBE[0]]
            return _in_region(ctx, region, other) != names
        except ClientError:
            return False

    return memo_outcome(ctx, "s3:region_filter", decide)


# two regions, so that a probe never asks for the region it checks
_PROBE = ("us-east-1", "us-west-2")


def _filtered_or_located(ctx: AwsContext, region: str, names: frozenset[str]) -> frozenset[str]:
    if not names:
        return frozenset()
    if _filter_honoured(ctx, region, names):
        return _in_region(ctx, region, region) & names
    return frozenset(name for name, where in _located(ctx, region, names).items()
                     if where == region)


def _located(ctx: AwsContext, region: str, names: frozenset[str]) -> dict[str, str]:
    """Every bucket's region from GetBucketLocation, one call a bucket (once per scan)."""

    def resolve() -> dict[str, str]:
        regions: dict[str, str] = {}
        for name in sorted(names):
            location = ctx.call("s3", region, "get_bucket_location", Bucket=name)
            regions[name] = location_region(location.get("LocationConstraint"))
        return regions

    return memo_outcome(ctx, "s3:bucket_locations", resolve)


def _buckets(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    partition = ctx.partition_for(region)
    buckets: list[Item] = [
        {"Name": name, "BucketRegion": region, "BucketArn": f"arn:{partition}:s3:::{name}"}
        for name in sorted(buckets_in(ctx, region))
    ]
    return with_tags(
        ctx, region, buckets, managed,
        arn=lambda item: item.get("BucketArn"),
        id_query=_ID,
        call=TagCall("s3", "get_bucket_tagging", lambda item: {"Bucket": item["Name"]},
                     "TagSet", absent=("NoSuchTagSet",)),
    )


def _existing_managed(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[str]:
    """The managed ids whose bucket still exists; a facet of a deleted bucket is missing."""
    if not managed:
        return []
    names = bucket_names(ctx, region)
    return sorted({r.id for r in managed if r.id in names})


def _versionings(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    # every bucket has a versioning state (possibly never set, "Disabled"): the facet exists
    # as long as its bucket does
    return [{"Bucket": name} for name in _existing_managed(ctx, region, managed)]


def _policies(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    items: list[Item] = []
    for name in _existing_managed(ctx, region, managed):
        try:
            response = ctx.call("s3", region, "get_bucket_policy", Bucket=name)
        except ClientError as exc:
            if error_code(exc) in _NO_POLICY:
                continue
            raise
        items.append({"Bucket": name, "Policy": response.get("Policy")})
    return items


def _no_region(attributes: Mapping[str, Any]) -> str | None:
    """Provider v5 records no region for bucket facets, so they are compared in the default
    region (a v6 ``region`` attribute still wins); botocore follows S3's redirect for a bucket
    that lives elsewhere."""
    return None


def _versioning_status(item: Mapping[str, Any]) -> Any:
    versioning = item.get("versioning")
    if not isinstance(versioning, Mapping):
        return None
    # a bucket whose versioning was never set reports no Status; the provider calls that Disabled
    return versioning.get("Status") or "Disabled"


def _mfa_delete_state(attributes: Mapping[str, Any]) -> Any:
    value = get_path(attributes, "versioning_configuration.0.mfa_delete")
    # Optional and computed: left unset, the provider records "" and accepts whatever AWS has
    return value if value else UNKNOWN


def _mfa_delete_cloud(item: Mapping[str, Any]) -> Any:
    versioning = item.get("versioning")
    if not isinstance(versioning, Mapping):
        return None
    # S3 leaves MFADelete out for a bucket never configured with it, which means not enabled
    return versioning.get("MFADelete") or "Disabled"


BUCKET = AwsSpec(
    type="aws_s3_bucket",
    calls=("s3:ListBuckets", "s3:GetBucketLocation"),
    service="s3",
    enumerate=_buckets,
    id_query=_ID,
    description="S3 bucket (provider v4+ arguments; the deprecated inline blocks are "
    "compared through their own resource types)",
    details=(
        Detail(
            "object_lock",
            "get_object_lock_configuration",
            lambda item: {"Bucket": item["Name"]},
            result="ObjectLockConfiguration.ObjectLockEnabled",
            absent=("ObjectLockConfigurationNotFoundError",),
        ),
    ),
    fields=(
        # force_destroy is a Terraform-side switch that AWS knows nothing of: not compared
        attr_bool("object_lock_enabled", "object_lock", detail="object_lock", default=False),
        bulk_tags(),
    ),
)

VERSIONING = AwsSpec(
    type="aws_s3_bucket_versioning",
    calls=("s3:ListBuckets", "s3:GetBucketLocation"),
    service="s3",
    enumerate=_versionings,
    id_query="Bucket",
    unmanaged=False,
    region_from_state=_no_region,
    details=(
        Detail(
            "versioning",
            "get_bucket_versioning",
            lambda item: {"Bucket": item["Bucket"]},
        ),
    ),
    fields=(
        FieldSpec(
            "versioning_configuration.0.status",
            extract=_versioning_status,
            detail="versioning",
        ),
        FieldSpec(
            "versioning_configuration.0.mfa_delete",
            extract=_mfa_delete_cloud,
            from_state=_mfa_delete_state,
            detail="versioning",
        ),
    ),
)

POLICY = AwsSpec(
    type="aws_s3_bucket_policy",
    calls=("s3:ListBuckets", "s3:GetBucketLocation", "s3:GetBucketPolicy"),
    # GetBucketPolicy per managed bucket policy: S3 has no listing of policies
    per_parent=True,
    service="s3",
    enumerate=_policies,
    id_query="Bucket",
    unmanaged=False,
    region_from_state=_no_region,
    fields=(attr_policy("policy", "Policy"),),
)

SPECS: tuple[AwsSpec, ...] = (BUCKET, VERSIONING, POLICY)
