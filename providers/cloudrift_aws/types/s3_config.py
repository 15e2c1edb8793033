"""A bucket's configuration resources (provider v4+): public access block, ownership controls,
default encryption and ACL; and the enumeration every bucket configuration type shares.

S3 has no bulk form of any of these: each is one Get per bucket. They are parts of their bucket
(``PartOf``): the calls are made for the managed configurations, and, to find a configuration
set behind Terraform's back on a managed bucket whose code has none (a public access block
added in the console), once per managed bucket that no resource of the type names. A
configuration of an unmanaged bucket is covered by the bucket's own unmanaged finding and costs
nothing. So a type costs one call per managed bucket (plus one per managed configuration of an
unmanaged bucket), fewer than the dozen a `terraform plan` refresh makes for each bucket.

``aws_s3_bucket`` compares none of its deprecated inline blocks (``acl``, ``grant``,
``server_side_encryption_configuration``, ...), so no part takes a bucket field over. A bucket
that still declares one of them inline owns that configuration in Terraform, yet its
configuration is reported as an unmanaged resource of the separate type: say so in the type
tables until the bucket compares those blocks.

The configuration AWS gives every new bucket (all four public access blocks on, ownership
enforced for the bucket owner, SSE-S3 encryption, the owner-only ACL) is a default: not
unmanaged unless ``--strict``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from cloudrift.sdk import UNKNOWN, FieldSpec, PartOf, Resource, get_path, worker_pool
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_bool
from cloudrift_aws.session import AwsContext, error_code
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types.s3 import _no_region, bucket_home, bucket_names, buckets_in

BUCKET_TYPE = "aws_s3_bucket"
# where an item keeps the Get's response
CONFIG = "Config"
_WORKERS = 8
_GONE = "NoSuchBucket"


@dataclass(frozen=True)
class BucketCall:
    """The one Get that reads a configuration of a bucket. An error code in ``absent`` means
    the bucket has none; ``present`` says whether a successful response holds one (S3 answers
    GetBucketNotificationConfiguration with an empty document for a bucket that has none)."""

    operation: str
    absent: tuple[str, ...] = ()
    present: Callable[[Mapping[str, Any]], bool] | None = None


def bucket_of(config_id: str) -> str:
    """The bucket of a configuration's import id (``bucket``, ``bucket,owner``, ``bucket,acl``,
    ``bucket,owner,acl``): bucket names hold no commas."""
    return config_id.split(",", 1)[0]


def configurations(ctx: AwsContext, region: str, managed: Sequence[Resource], spec_type: str,
                   call: BucketCall) -> list[Item]:
    """The configurations of one type to compare in ``region``: the managed ones (whose bucket
    still exists), and those of managed buckets that live in ``region`` and that no resource of
    the type names (unmanaged candidates, id = bucket name)."""
    names = bucket_names(ctx, region)
    wanted: dict[str, str] = {}
    for resource in managed:
        bucket = bucket_of(resource.id)
        if bucket in names:
            wanted[resource.id] = bucket
    named = {bucket_of(r.id) for r in ctx.managed_of(spec_type)}
    parents = [parent.id for parent in ctx.managed_of(BUCKET_TYPE) if parent.id not in named]
    if parents:
        here = buckets_in(ctx, region)
        for parent in parents:
            if parent in here:
                wanted.setdefault(parent, parent)
    if not wanted:
        return []

    def fetch(item_id: str) -> Item | None:
        bucket = wanted[item_id]
        try:
            # asked in the bucket's own region where the listing gives it: no redirect round
            # trip for one kept elsewhere
            response = ctx.call("s3", bucket_home(ctx, region, bucket), call.operation,
                                Bucket=bucket)
        except ClientError as exc:
            if error_code(exc) in call.absent or error_code(exc) == _GONE:
                return None
            raise
        if call.present is not None and not call.present(response):
            return None
        return {"Id": item_id, "Bucket": bucket, CONFIG: response}

    ids = sorted(wanted)
    with worker_pool(min(_WORKERS, len(ids)), name="cloudrift-s3") as pool:
        found = list(pool.map(fetch, ids))
    return [item for item in found if item is not None]


def enumerator(spec_type: str, call: BucketCall
               ) -> Callable[[AwsContext, str, Sequence[Resource]], list[Item]]:
    def enumerate_type(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
        return configurations(ctx, region, managed, spec_type, call)

    return enumerate_type


PART_OF_BUCKET = (PartOf(BUCKET_TYPE, parent_id="bucket", fields=(), cloud_parent_id="Bucket"),)

_BUCKET = {"bucket": "identity: the import id holds it"}
_OWNER = {"expected_bucket_owner": "identity: part of the import id; a request guard, no "
          "setting"}


def config_spec(spec_type: str, call: BucketCall, *, description: str,
                fields: tuple[FieldSpec, ...], import_id: str = "id", owner_guard: bool = True,
                not_compared: Mapping[str, str] | None = None,
                is_default: Callable[[Item], bool] | None = None) -> AwsSpec:
    """A bucket configuration type: enumerated by ``configurations``, a part of its bucket,
    compared in the default region unless its state names one (as ``aws_s3_bucket_policy``)."""
    return AwsSpec(
        per_parent=True,
        type=spec_type,
        service="s3",
        enumerate=enumerator(spec_type, call),
        calls=(f"s3:{_operation_name(call.operation)}", "s3:ListBuckets",
               "s3:GetBucketLocation"),
        id_query="Id",
        region_from_state=_no_region,
        part_of=PART_OF_BUCKET,
        is_default=is_default,
        description=description,
        import_id=import_id,
        fields=fields,
        not_compared={**_BUCKET, **(_OWNER if owner_guard else {}), **(not_compared or {})},
    )


def _operation_name(method: str) -> str:
    return "".join(word.capitalize() for word in method.split("_"))


# -- shared normalisers ---------------------------------------------------------------------


def compact(value: Any) -> Any:
    """Nested maps and lists with the empty leaves dropped (None, "", [], {}, and nested
    blocks left with nothing in them): Terraform records an unset argument as any of them,
    and AWS leaves it out."""
    if isinstance(value, Mapping):
        kept = {str(k): compact(v) for k, v in value.items()}
        return {k: v for k, v in sorted(kept.items()) if not n.is_empty(v)}
    if isinstance(value, (list, tuple)):
        kept_items = [compact(v) for v in value]
        return [v for v in kept_items if not n.is_empty(v)]
    return value


def first(value: Any) -> Any:
    """The one element of a Terraform ``MaxItems: 1`` block (a list), or None."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def config(payload: Mapping[str, Any], query: str) -> Any:
    """A value of the Get's response (``a.b``), None when absent."""
    return get_path(payload.get(CONFIG) or {}, query)


def grantee(value: Mapping[str, Any] | None) -> Any:
    """An S3 grantee in the provider's terms; its display name is computed (and no longer
    returned by AWS): left out."""
    value = value or {}
    return compact({
        "type": value.get("Type", value.get("type")),
        "id": value.get("ID", value.get("id")),
        "uri": value.get("URI", value.get("uri")),
        "email_address": value.get("EmailAddress", value.get("email_address")),
    })


def cloud_grants(grants: Any) -> Any:
    return n.as_set([
        {"permission": g.get("Permission"), "grantee": grantee(g.get("Grantee"))}
        for g in grants or ()
    ])


def state_grants(grants: Any) -> Any:
    return n.as_set([
        {"permission": g.get("permission"), "grantee": grantee(first(g.get("grantee")))}
        for g in grants or ()
    ])


# -- aws_s3_bucket_public_access_block ------------------------------------------------------

_PAB_FLAGS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")


def _all_blocked(item: Item) -> bool:
    # what AWS gives every bucket made since April 2023
    settings = config(item, "PublicAccessBlockConfiguration") or {}
    return all(settings.get(flag) is True for flag in _PAB_FLAGS)


def _pab_field(path: str, flag: str) -> FieldSpec:
    return attr_bool(path, f"{CONFIG}.PublicAccessBlockConfiguration.{flag}", default=False)


PUBLIC_ACCESS_BLOCK = config_spec(
    "aws_s3_bucket_public_access_block",
    BucketCall("get_public_access_block", absent=("NoSuchPublicAccessBlockConfiguration",)),
    description="S3 bucket public access block (part of its bucket; searched on every managed "
    "bucket: one GetPublicAccessBlock each; the all-blocked default of new buckets is a "
    "default)",
    import_id="bucket",
    owner_guard=False,
    is_default=_all_blocked,
    fields=(
        _pab_field("block_public_acls", "BlockPublicAcls"),
        _pab_field("block_public_policy", "BlockPublicPolicy"),
        _pab_field("ignore_public_acls", "IgnorePublicAcls"),
        _pab_field("restrict_public_buckets", "RestrictPublicBuckets"),
    ),
)


# -- aws_s3_bucket_ownership_controls -------------------------------------------------------


def _enforced(item: Item) -> bool:
    # the setting of every bucket made since April 2023 (ACLs disabled)
    return bool(_ownership(item) == "BucketOwnerEnforced")


def _ownership(item: Mapping[str, Any]) -> Any:
    rules = config(item, "OwnershipControls.Rules") or []
    return rules[0].get("ObjectOwnership") if rules else None


OWNERSHIP_CONTROLS = config_spec(
    "aws_s3_bucket_ownership_controls",
    BucketCall("get_bucket_ownership_controls", absent=("OwnershipControlsNotFoundError",)),
    description="S3 bucket ownership controls (part of its bucket; searched on every managed "
    "bucket: one GetBucketOwnershipControls each; BucketOwnerEnforced, the setting of new "
    "buckets, is a default)",
    import_id="bucket",
    owner_guard=False,
    is_default=_enforced,
    fields=(FieldSpec("rule.0.object_ownership", extract=_ownership),),
)


# -- aws_s3_bucket_server_side_encryption_configuration -------------------------------------


def _sse_rule(algorithm: Any, key: Any, bucket_key: Any) -> dict[str, Any]:
    return {
        "sse_algorithm": algorithm or None,
        "kms_master_key_id": key or None,
        # left unset, the provider sends false and AWS answers false
        "bucket_key_enabled": bool(bucket_key),
    }


def _sse_cloud(item: Mapping[str, Any]) -> Any:
    return n.as_set([
        _sse_rule(get_path(rule, "ApplyServerSideEncryptionByDefault.SSEAlgorithm"),
                  get_path(rule, "ApplyServerSideEncryptionByDefault.KMSMasterKeyID"),
                  rule.get("BucketKeyEnabled"))
        for rule in config(item, "ServerSideEncryptionConfiguration.Rules") or ()
    ])


def _sse_state(attributes: Mapping[str, Any]) -> Any:
    rules = attributes.get("rule")
    if rules is None:
        return UNKNOWN
    return n.as_set([
        _sse_rule(get_path(first(rule.get("apply_server_side_encryption_by_default")) or {},
                           "sse_algorithm"),
                  get_path(first(rule.get("apply_server_side_encryption_by_default")) or {},
                           "kms_master_key_id"),
                  rule.get("bucket_key_enabled"))
        for rule in rules
    ])


def _sse_s3_default(item: Item) -> bool:
    # every bucket has SSE-S3 since January 2023, and deleting the configuration restores it
    return bool(_sse_cloud(item) == [_sse_rule("AES256", None, False)])


SERVER_SIDE_ENCRYPTION = config_spec(
    "aws_s3_bucket_server_side_encryption_configuration",
    BucketCall("get_bucket_encryption",
               absent=("ServerSideEncryptionConfigurationNotFoundError",)),
    description="S3 bucket default encryption (part of its bucket; searched on every managed "
    "bucket: one GetBucketEncryption each; SSE-S3, what AWS gives every bucket, is a default)",
    is_default=_sse_s3_default,
    fields=(FieldSpec("rule", extract=_sse_cloud, from_state=_sse_state),),
)


# -- aws_s3_bucket_acl ----------------------------------------------------------------------


def _acl_grants_state(attributes: Mapping[str, Any]) -> Any:
    policy = first(attributes.get("access_control_policy"))
    if not isinstance(policy, Mapping):
        return UNKNOWN
    return state_grants(policy.get("grant"))


def _acl_grants_cloud(item: Mapping[str, Any]) -> Any:
    return cloud_grants(config(item, "Grants"))


def _owner_only(item: Item) -> bool:
    # the "private" ACL every bucket starts with: its owner, FULL_CONTROL, nobody else
    owner = config(item, "Owner.ID")
    return bool(_acl_grants_cloud(item) == [
        {"permission": "FULL_CONTROL", "grantee": {"id": owner, "type": "CanonicalUser"}}
    ])


ACL = config_spec(
    "aws_s3_bucket_acl",
    BucketCall("get_bucket_acl"),
    description="S3 bucket ACL, compared as its grants (part of its bucket; every bucket has "
    "one: searched on every managed bucket with one GetBucketAcl each; the owner-only "
    "'private' ACL is a default)",
    is_default=_owner_only,
    fields=(
        FieldSpec("access_control_policy.0.grant", extract=_acl_grants_cloud,
                  from_state=_acl_grants_state),
    ),
    not_compared={
        "acl": "S3 does not return a canned ACL's name: what it grants is compared as "
        "access_control_policy.0.grant",
        "access_control_policy.0.owner": "the bucket owner: it cannot change",
    },
)

SPECS: tuple[AwsSpec, ...] = (PUBLIC_ACCESS_BLOCK, OWNERSHIP_CONTROLS, SERVER_SIDE_ENCRYPTION, ACL)
