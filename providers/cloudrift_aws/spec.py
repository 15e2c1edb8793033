"""The AWS part of a resource spec: which boto3 calls enumerate a type and enrich its payload."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cloudrift.sdk import Resource, ResourceSpec

if TYPE_CHECKING:
    from cloudrift_aws.session import AwsContext

Item = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """A bulk, read-only list call: ``operation`` on the spec's service, items at ``result``."""

    operation: str
    result: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Detail:
    """A per-resource, read-only call made only for managed resources.

    Its response (narrowed by the JMESPath ``result``, if given) is stored in the payload under
    ``name``; fields that need it say ``detail=name``. An error whose code is in ``absent`` means
    "nothing is set" (``NoSuchBucketPolicy``) and stores ``None``; any other error makes the
    fields that need this detail unknown for that resource, with a warning.
    """

    name: str
    operation: str
    params: Callable[[Item], Mapping[str, Any]]
    result: str | None = None
    absent: tuple[str, ...] = ()
    service: str | None = None


Enumerator = Callable[["AwsContext", str, Sequence[Resource]], list[Item]]


@dataclass(frozen=True)
class AwsSpec(ResourceSpec):
    """How to find a Terraform type in AWS.

    Enumeration is ``list`` (a paginated bulk call per region) or, for the odd case, the
    ``enumerate`` function ``(ctx, region, desired) -> items``, where ``desired`` holds the
    managed resources of this type in that region (sub-resources look those up by id).
    ``id_query`` is a JMESPath giving the import id from an item. ``global_service`` types live
    in the single scope ``global`` (IAM). ``is_default`` marks resources AWS created itself.
    A type whose ``tags`` field is ``bulk_tags()`` joins the one tagging-API listing per region
    (``types.bulk``) by that alone.
    """

    service: str = ""
    list: Call | None = None
    enumerate: Enumerator | None = None
    id_query: str = ""
    details: tuple[Detail, ...] = ()
    global_service: bool = False
    is_default: Callable[[Item], bool] | None = None
    region_from_state: Callable[[Mapping[str, Any]], str | None] | None = None
    # the Resource Groups Tagging API's name for the service, where it is not boto3's
    # (``elasticloadbalancing`` for ``elbv2``); used by types whose tags come in bulk
    tagging_service: str | None = None
    # the calls an ``enumerate`` function makes that ``list``/``details`` do not declare, as
    # "service:Operation" (the type tables in docs/providers/aws.md list them)
    calls: tuple[str, ...] = ()
    # the listing is one call per managed parent (ListAccessKeys per user, a bucket's
    # configuration per bucket): with no managed parent it makes none
    per_parent: bool = False
    # with per_parent: that call is the parent's own detail read, made once for both
    # (AwsContext.shared_call), so searching under the managed parents costs nothing more than
    # comparing them; --unmanaged listings searches such a part type even where no state
    # manages it
    parent_read: bool = False

    def __post_init__(self) -> None:
        if (self.list is None) == (self.enumerate is None):
            raise ValueError(f"{self.type}: give exactly one of list= or enumerate=")
        if not self.service:
            raise ValueError(f"{self.type}: service is required")
        if not self.id_query:
            raise ValueError(f"{self.type}: id_query is required")
        if self.parent_read and not self.per_parent:
            raise ValueError(f"{self.type}: parent_read is for a per_parent listing")
        names = {d.name for d in self.details}
        for f in self.fields:
            if f.detail is not None and f.detail not in names:
                raise ValueError(f"{self.type}.{f.path}: unknown detail {f.detail!r}")
