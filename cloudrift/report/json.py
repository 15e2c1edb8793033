"""``json://``: the report contract other tools read."""

from __future__ import annotations

import json

from cloudrift.model import Finding, ScanReport


class JsonReporter:
    def render(self, report: ScanReport, *, color: bool = False) -> str:
        return json.dumps(report.json_dict(), indent=2, ensure_ascii=False) + "\n"


def schema() -> dict[str, object]:
    """The published JSON Schema of the report."""
    document = ScanReport.model_json_schema(mode="serialization")
    # Finding's serializer (it leaves its optional extras out, never null) returns a plain
    # dict, which pydantic publishes as "any object": describe a finding from its fields, where
    # the extras are simply not required
    finding = Finding.model_json_schema(mode="validation")
    definitions = document.setdefault("$defs", {})
    for name, definition in finding.pop("$defs", {}).items():
        definitions.setdefault(name, definition)
    definitions["Finding"] = finding
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "cloudrift scan report"
    return document
