"""``sarif://``: SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

One run, one rule per finding kind, one result per finding. A finding whose HCL block is known
points at that ``.tf`` file and line; any other finding carries only a logical location (its
Terraform address, or ``type.id`` for unmanaged resources), because a cloud resource that no
code declares has no file to point at.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import PureWindowsPath
from typing import Any
from urllib.parse import quote

from cloudrift._version import __version__
from cloudrift.model import Finding, FindingKind, ScanReport, ScanWarning
from cloudrift.report._attribution import event_text, no_events_text
from cloudrift.report._diff import element_lines

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/"
    "sarif-schema-2.1.0.json"
)
# the name GitHub code scanning and most viewers resolve relative artifact URIs against
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "cloudriftFingerprint/v1"

_MAX_VALUE = 200

_RULES: dict[FindingKind, dict[str, str]] = {
    FindingKind.CHANGED: {
        "name": "ChangedResource",
        "level": "warning",
        "short": "A managed resource differs from its Terraform state",
        "full": "A field declared in Terraform has a different value in the cloud than in the "
        "state: someone or something changed the resource outside Terraform.",
        "help": "Either apply the configuration again to put the resource back as declared, or "
        "change the code to the value the cloud has now and run `terraform apply "
        "-refresh-only` so the state agrees.",
    },
    FindingKind.MISSING: {
        "name": "MissingResource",
        "level": "error",
        "short": "A resource in the Terraform state no longer exists in the cloud",
        "full": "The state records this resource, but the cloud API does not know it any more: "
        "it was deleted outside Terraform.",
        "help": "Run `terraform apply` to create it again, or remove it from the code (and from "
        "the state with `terraform state rm`) if it is no longer wanted.",
    },
    FindingKind.UNMANAGED: {
        "name": "UnmanagedResource",
        "level": "warning",
        "short": "A cloud resource is not managed by any scanned Terraform state",
        "full": "The resource exists in the cloud but no scanned state declares it: it was made "
        "by hand, by another tool, or by a state that was not part of the scan.",
        "help": "Bring it under Terraform with an `import` block (the id in the result is the "
        "one `terraform import` takes), delete it if it is not needed, or scan the state "
        "that manages it.",
    },
    FindingKind.UNAPPLIED: {
        "name": "UnappliedResource",
        "level": "note",
        "short": "A resource declared in code is absent from the Terraform state",
        "full": "The HCL declares this resource but no scanned state holds it: the code was "
        "changed and not applied yet.",
        "help": "Run `terraform plan` and `terraform apply`, or remove the block if it was "
        "added by mistake.",
    },
}

_LINE_SUFFIX = re.compile(r"^(?P<file>.+):(?P<line>[1-9][0-9]*)$")


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def _label(finding: Finding) -> str:
    return finding.address or f"{finding.type}.{finding.id}"


def _where(finding: Finding) -> str:
    return f"{finding.scope.account or '?'}/{finding.scope.region}"


def message(finding: Finding) -> str:
    """One paragraph that names the resource and, for a change, every changed field."""
    if finding.address:
        who = f"{finding.address} ({finding.type} {finding.id}, {_where(finding)})"
    else:
        who = f"{finding.type} {finding.id} ({_where(finding)})"
    if finding.kind is FindingKind.CHANGED:
        count = len(finding.changes)
        fields = "; ".join(
            f"{c.path}: {c.element_summary()} ({' '.join(element_lines(c))})" if c.has_elements
            else f"{c.path}: expected {_value(c.expected)}, actual {_value(c.actual)}"
            for c in finding.changes
        )
        noun = "field" if count == 1 else "fields"
        return f"{who} differs from its Terraform state in {count} {noun}: {fields}." + _who(
            finding)
    if finding.kind is FindingKind.MISSING:
        return (f"{who} is in the Terraform state but no longer exists in the cloud."
                + _who(finding))
    if finding.kind is FindingKind.UNMANAGED:
        return f"{who} exists in the cloud but in no scanned Terraform state."
    return f"{who} is declared in code but absent from the Terraform state."


def _who(finding: Finding) -> str:
    """The newest write on the resource, for ``--attribute``: a sentence to end the message."""
    attribution = finding.attribution
    if attribution is None:
        return ""
    if attribution.events:
        return f" Last {event_text(attribution.events[0])}."
    return f" Who changed it: {no_events_text(attribution).removeprefix('who: ')}."


def split_location(location: str) -> tuple[str, int | None]:
    """``"dir/main.tf:12"`` -> ``("dir/main.tf", 12)``; a location without a line keeps None."""
    match = _LINE_SUFFIX.match(location)
    if match is None:
        return location, None
    return match.group("file"), int(match.group("line"))


def artifact_location(path: str) -> dict[str, str]:
    """A SARIF artifactLocation: relative paths resolve against %SRCROOT%, absolute ones are
    ``file:`` URIs. Either way the path is percent-encoded so spaces and ``#`` survive."""
    windows = PureWindowsPath(path)
    if windows.drive and windows.is_absolute():
        return {"uri": windows.as_uri()}
    posix = path.replace("\\", "/")
    if os.path.isabs(posix):
        return {"uri": "file://" + quote(posix, safe="/")}
    while posix.startswith("./"):
        posix = posix[2:]
    return {"uri": quote(posix, safe="/"), "uriBaseId": SRCROOT}


def _location(finding: Finding) -> dict[str, Any]:
    logical: dict[str, Any] = {
        "name": _label(finding),
        "fullyQualifiedName": _label(finding),
        "kind": "resource",
    }
    location: dict[str, Any] = {"logicalLocations": [logical]}
    if finding.location:
        path, line = split_location(finding.location)
        physical: dict[str, Any] = {"artifactLocation": artifact_location(path)}
        if line is not None:
            physical["region"] = {"startLine": line}
        location["physicalLocation"] = physical
    return location


def _result(finding: Finding, rule_index: dict[FindingKind, int]) -> dict[str, Any]:
    fingerprint = finding.fingerprint or finding.with_fingerprint().fingerprint
    properties: dict[str, Any] = {
        "resourceType": finding.type,
        "resourceId": finding.id,
        "provider": finding.provider,
        "account": finding.scope.account,
        "region": finding.scope.region,
    }
    if finding.address:
        properties["address"] = finding.address
    if finding.source:
        properties["state"] = finding.source
    if finding.root is not None:
        properties["root"] = finding.root
    if finding.changes:
        properties["changes"] = [c.model_dump(mode="json") for c in finding.changes]
    if finding.attribution is not None:
        properties["attribution"] = finding.attribution.model_dump(mode="json")
    return {
        "ruleId": finding.kind.value,
        "ruleIndex": rule_index[finding.kind],
        "kind": "fail",
        "level": _RULES[finding.kind]["level"],
        "message": {"text": message(finding)},
        "locations": [_location(finding)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": properties,
    }


def _rule(kind: FindingKind) -> dict[str, Any]:
    rule = _RULES[kind]
    return {
        "id": kind.value,
        "name": rule["name"],
        "shortDescription": {"text": rule["short"]},
        "fullDescription": {"text": rule["full"]},
        "help": {"text": rule["help"], "markdown": rule["help"]},
        "defaultConfiguration": {"level": rule["level"]},
        "properties": {"tags": ["drift", "terraform", kind.value]},
    }


def _utc(timestamp: str) -> str:
    return timestamp[:-6] + "Z" if timestamp.endswith("+00:00") else timestamp


def _notification(warning: ScanWarning) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "level": "warning",
        "message": {"text": warning.message},
        "descriptor": {"id": warning.code},
    }
    properties = {
        key: value
        for key, value in (
            ("provider", warning.provider),
            ("type", warning.type),
            ("scope", warning.scope.label() if warning.scope else None),
        )
        if value
    }
    if properties:
        notification["properties"] = properties
    return notification


class SarifReporter:
    def render(self, report: ScanReport, *, color: bool = False) -> str:
        kinds = list(FindingKind)
        rule_index = {kind: n for n, kind in enumerate(kinds)}
        invocation: dict[str, Any] = {
            # the scan itself ran; what it could not see is in the notifications
            "executionSuccessful": True,
            "toolExecutionNotifications": [_notification(w) for w in report.warnings],
        }
        if report.started_at:
            invocation["startTimeUtc"] = _utc(report.started_at)
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "cloudrift",
                    "version": report.tool_version or __version__,
                    "rules": [_rule(kind) for kind in kinds],
                }
            },
            "invocations": [invocation],
            "originalUriBaseIds": {
                SRCROOT: {"description": {"text": "The directory the HCL paths are relative to"}}
            },
            "results": [_result(f, rule_index) for f in report.findings],
            "properties": {
                "schemaVersion": report.schema_version,
                "complete": report.complete,
                "summary": report.summary.model_dump(mode="json"),
                "notCompared": [g.model_dump(mode="json") for g in report.not_compared],
                "sources": report.sources,
            },
        }
        document = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
