"""``json://``: the report contract other tools read."""

from __future__ import annotations

import json

from cloudrift.model import ScanReport


class JsonReporter:
    def render(self, report: ScanReport, *, color: bool = False) -> str:
        return json.dumps(report.json_dict(), indent=2, ensure_ascii=False) + "\n"


def schema() -> dict[str, object]:
    """The published JSON Schema of the report."""
    document = ScanReport.model_json_schema(mode="serialization")
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "cloudrift scan report"
    return document
