"""KMS aliases.

The region's ``ListAliases`` is made once per scan for this type and ``aws_kms_key`` (which
tells AWS-managed keys by their ``alias/aws/`` aliases). Aliases AWS makes for its services
(``alias/aws/s3``, ...) are defaults: never unmanaged unless ``--strict``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, Resource
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types.kms import aliases

_AWS_PREFIX = "alias/aws/"


def _aliases(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    # AWS lists the aliases of its services before they have a key: no target, nothing to find
    return [dict(alias) for alias in aliases(ctx, region) if alias.get("TargetKeyId")]


def _key_id(value: Any) -> Any:
    """A key given by id or ARN (``arn:...:key/<id>``), as its id: the provider takes either
    and treats them as the same."""
    if isinstance(value, str) and value.startswith("arn:") and ":key/" in value:
        return value.rsplit(":key/", 1)[1]
    return value


def _is_aws(item: Mapping[str, Any]) -> bool:
    return str(item.get("AliasName", "")).startswith(_AWS_PREFIX)


KMS_ALIAS = AwsSpec(
    type="aws_kms_alias",
    service="kms",
    enumerate=_aliases,
    calls=("kms:ListAliases",),
    id_query="AliasName",
    import_id="name",
    is_default=_is_aws,
    description="KMS alias (one ListAliases a region, shared with aws_kms_key; AWS's own "
    "alias/aws/ aliases are defaults)",
    fields=(FieldSpec("target_key_id", query="TargetKeyId", normalise=(_key_id,)),),
    not_compared={"name": "identity: the import id",
                  "name_prefix": "Terraform-only: how the name was made"},
)

SPECS: tuple[AwsSpec, ...] = (KMS_ALIAS,)
