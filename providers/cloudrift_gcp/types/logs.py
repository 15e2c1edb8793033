"""Project log sinks. Every project has the ``_Default`` and ``_Required`` sinks Cloud Logging
creates: those are Google's, left out unless ``--strict``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, has_path
from cloudrift_gcp.fields import flag, sorted_set, text
from cloudrift_gcp.spec import GcpSpec
from cloudrift_gcp.types._ids import cloud_template, template

GOOGLE_SINKS = frozenset({"_Default", "_Required"})


def _stripped(value: Any) -> Any:
    """The provider ignores spaces around a filter."""
    return value.strip() if isinstance(value, str) else value


def _state_exclusions(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "exclusions"):
        return UNKNOWN
    return [{"name": e.get("name"), "filter": _stripped(e.get("filter")),
             "disabled": bool(e.get("disabled")), "description": e.get("description") or None}
            for e in attributes.get("exclusions") or []]


def _cloud_exclusions(item: Mapping[str, Any]) -> Any:
    return [{"name": e.get("name"), "filter": _stripped(e.get("filter")),
             "disabled": bool(e.get("disabled")), "description": e.get("description") or None}
            for e in item.get("exclusions") or []]


PROJECT_SINK = GcpSpec(
    type="google_logging_project_sink",
    asset_type="logging.googleapis.com/LogSink",
    import_id=template("projects/{project}/sinks/{name}"),
    # sinks of folders and organisations are other Terraform types
    cloud_id=lambda item: cloud_template("projects/{project}/sinks/{name}")(item)
    if "/projects/" in str((item.get("$asset") or {}).get("name", "")) else None,
    is_default=lambda item: item.get("name") in GOOGLE_SINKS,
    fields=(
        text("destination", "destination"),
        text("filter", "filter", None, _stripped),
        text("description", "description"),
        flag("disabled", "disabled"),
        flag("bigquery_options.0.use_partitioned_tables",
             "bigqueryOptions.usePartitionedTables"),
        FieldSpec("exclusions", extract=_cloud_exclusions, from_state=_state_exclusions,
                  normalise=(sorted_set,)),
    ),
    not_compared={
        "unique_writer_identity": "only used when the sink is created",
        "custom_writer_identity": "only sent when the sink is written",
    },
)

SPECS = (PROJECT_SINK,)
