"""``driftctl://``: the JSON layout of ``driftctl scan --output json://``, for tooling built on it.

driftctl (snyk/driftctl, archived) wrote ``summary``, ``managed``, ``unmanaged``, ``missing``,
``differences`` (its deep mode), ``coverage``, ``alerts``, ``provider_name``,
``provider_version``, ``scan_duration`` and ``date``. This reporter fills the same keys from a
``ScanReport``, with these differences a consumer should know about:

- ``managed`` lists only the managed resources that drifted (``changed``): a ``ScanReport``
  carries findings, not the in-sync resources, so those are counted in
  ``summary.total_managed`` but cannot be listed. The list is therefore shorter than the count.
- ``summary.total_managed`` counts what driftctl counted: resources in a state that were found
  in the cloud (in sync or changed). Managed resources in a region that could not be scanned
  are in no list and no count, as driftctl never saw them either.
- ``provider_version`` is the empty string: cloudrift reads the cloud through its own SDK
  calls, not through a Terraform provider binary, so there is no provider version to report.
- ``unapplied`` findings (code not in the state) have no driftctl equivalent and are left out.
- ``differences[].changelog[].path`` splits cloudrift's dotted path, keeping a map key such as a
  tag named ``kubernetes.io/role`` whole when it follows ``tags``, ``tags_all`` or ``variables``.
"""

from __future__ import annotations

import json
from typing import Any

from cloudrift.model import Finding, FindingKind, ScanReport

# the names driftctl printed for the providers it knew
_PROVIDER_NAMES = {"aws": "AWS", "google": "GCP", "gcp": "GCP", "azure": "Azure",
                   "azurerm": "Azure", "github": "GitHub"}
# map-valued attributes whose keys are free text and may themselves contain dots
_FREE_KEY_MAPS = frozenset({"tags", "tags_all", "variables", "labels"})
_GO_ZERO_TIME = "0001-01-01T00:00:00Z"


def split_address(address: str) -> tuple[str, str]:
    """``module.a.module.b["x"].aws_s3_bucket.logs[0]`` -> (``module.a.module.b["x"]``,
    ``logs[0]``): driftctl's ``namespace`` (module path) and ``internal_name``."""
    parts: list[str] = []
    current = ""
    depth = 0
    quoted = False
    escaped = False
    for char in address:
        if quoted:
            current += char
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
            continue
        if char == '"':
            quoted = True
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "." and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    if len(parts) < 2:
        return "", address
    namespace = ".".join(parts[:-2])
    return namespace, parts[-1]


def change_path(path: str) -> list[str]:
    steps = path.split(".")
    for n, step in enumerate(steps[:-1]):
        if step in _FREE_KEY_MAPS:
            return [*steps[: n + 1], ".".join(steps[n + 1 :])]
    return steps


def _change_type(expected: Any, actual: Any) -> str:
    # the vocabulary of the diff library driftctl used (r3labs/diff)
    if expected is None:
        return "create"
    if actual is None:
        return "delete"
    return "update"


def _resource(finding: Finding) -> dict[str, Any]:
    resource: dict[str, Any] = {"id": finding.id, "type": finding.type}
    if finding.address:
        namespace, name = split_address(finding.address)
        state = finding.source or ""
        if state and "://" not in state:
            state = f"tfstate://{state}"
        resource["source"] = {"source": state, "namespace": namespace, "internal_name": name}
    return resource


def _date(started_at: str) -> str:
    if not started_at:
        return _GO_ZERO_TIME
    return started_at[:-6] + "Z" if started_at.endswith("+00:00") else started_at


class DriftctlReporter:
    """Writes driftctl's JSON output layout; see the module docstring for what differs."""

    def render(self, report: ScanReport, *, color: bool = False) -> str:
        s = report.summary
        changed = [f for f in report.findings if f.kind is FindingKind.CHANGED]
        missing = [f for f in report.findings if f.kind is FindingKind.MISSING]
        unmanaged = [f for f in report.findings if f.kind is FindingKind.UNMANAGED]
        total_managed = s.in_sync + s.changed
        total = total_managed + s.missing + s.unmanaged
        alerts: dict[str, list[dict[str, str]]] = {}
        for warning in report.warnings:
            alerts.setdefault(warning.type or "", []).append({"message": warning.message})
        providers = [_PROVIDER_NAMES.get(p, p) for p in report.providers]
        document = {
            "options": {"deep": True, "only_managed": False, "only_unmanaged": False},
            "summary": {
                "total_resources": total,
                "total_changed": s.changed,
                "total_unmanaged": s.unmanaged,
                "total_missing": s.missing,
                "total_managed": total_managed,
                "total_iac_source_count": len(report.sources),
            },
            "managed": [_resource(f) for f in changed],
            "unmanaged": [_resource(f) for f in unmanaged],
            "missing": [_resource(f) for f in missing],
            "differences": [
                {
                    "res": _resource(f),
                    "changelog": [
                        {
                            "type": _change_type(c.expected, c.actual),
                            "path": change_path(c.path),
                            "from": c.expected,
                            "to": c.actual,
                            "computed": False,
                        }
                        for c in f.changes
                    ],
                }
                for f in changed
            ],
            # driftctl truncated, it did not round
            "coverage": int(total_managed * 100 / total) if total else 0,
            "alerts": alerts or None,
            "provider_name": ", ".join(providers),
            "provider_version": "",
            "scan_duration": int(s.duration_s),
            "date": _date(report.started_at),
        }
        return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
