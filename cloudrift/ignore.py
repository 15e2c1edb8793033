"""Ignore rules: ``.cloudriftignore`` (and driftctl's ``.driftignore``) plus expiring ignores.

Line syntax, compatible with driftctl::

    # a comment
    aws_s3_bucket.logs              one resource (type.id)
    aws_s3_bucket.*                 every resource of a type
    *                               everything
    aws_instance.i-123.tags.env     one field of one resource (type.id.path)
    aws_iam_user.*.tags             a field (and everything under it) of every resource of a type
    !aws_s3_bucket.prod             negation: un-ignore what an earlier line ignored
    aws_iam_policy.arn:aws:iam::1:policy/my\\.policy      dots inside an id are escaped

Every segment may hold ``*`` and ``?`` wildcards. **Later lines win**: a finding's fate (or one
field change's) is decided by the last rule that matches it. A resource rule matches every field
of that resource too, so ``aws_instance.*`` then ``!aws_instance.*.tags`` keeps only tag drift of
instances. driftctl got two of these wrong (field ignores not applied; ``*`` with a ``!`` line
ignoring a whole type): the tests pin both.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from cloudrift.errors import ConfigError

if TYPE_CHECKING:
    # the report model (pydantic) loads when findings exist, not when the CLI reads its config
    from cloudrift.model import Finding

IGNORE_FILES = (".cloudriftignore", ".driftignore")


@dataclass(frozen=True)
class IgnoreRule:
    """One parsed rule. ``segments`` are type, id and then field path steps."""

    text: str
    segments: tuple[str, ...]
    negate: bool = False
    origin: str = ""
    owner: str | None = None
    reason: str | None = None
    expires: date | None = None

    @property
    def is_resource_rule(self) -> bool:
        return len(self.segments) <= 2

    def expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires

    def matches_resource(self, rtype: str, rid: str) -> bool:
        segments = self.segments if len(self.segments) >= 2 else (*self.segments, "*")
        return _match(segments[0], rtype) and _match(segments[1], rid)

    def matches_change(self, rtype: str, rid: str, path: str) -> bool:
        if not self.matches_resource(rtype, rid):
            return False
        wanted = self.segments[2:]
        if not wanted:
            return True
        steps = path.split(".")
        if len(steps) < len(wanted):
            return False
        return all(_match(w, s) for w, s in zip(wanted, steps[: len(wanted)], strict=True))


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(pattern), re.DOTALL)


def _match(pattern: str, value: str) -> bool:
    if pattern == "*":
        return True
    if "*" not in pattern and "?" not in pattern and "[" not in pattern:
        return pattern == value
    return _compiled(pattern).match(value) is not None


def split_rule(text: str) -> tuple[str, ...]:
    """Split on dots that are not escaped with a backslash; ``\\.`` becomes a literal dot."""
    segments: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            current.append(nxt if nxt in (".", "\\", "!", "#") else "\\" + nxt)
        elif char == ".":
            segments.append("".join(current))
            current = []
        else:
            current.append(char)
    segments.append("".join(current))
    return tuple(segments)


def parse_rule(line: str, origin: str = "", **meta: object) -> IgnoreRule | None:
    """One line of an ignore file; ``None`` for blank lines and comments."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    negate = text.startswith("!")
    body = text[1:].strip() if negate else text
    segments = split_rule(body)
    if not body or any(s == "" for s in segments):
        raise ConfigError(f"{origin}: invalid ignore rule {line.strip()!r}",
                          hint="use TYPE.ID or TYPE.ID.FIELD, escaping dots in ids as \\.")
    return IgnoreRule(text=text, segments=segments, negate=negate, origin=origin,
                      **meta)  # type: ignore[arg-type]


def parse_ignore_file(text: str, name: str) -> list[IgnoreRule]:
    rules = []
    for number, line in enumerate(text.splitlines(), start=1):
        rule = parse_rule(line, f"{name}:{number}")
        if rule is not None:
            rules.append(rule)
    return rules


@dataclass
class IgnoreOutcome:
    findings: list[Finding]
    suppressed: Counter[str]
    expired: list[IgnoreRule]


class IgnoreSet:
    """An ordered list of rules; the last matching rule decides."""

    def __init__(self, rules: Iterable[IgnoreRule] = (), *, today: date | None = None) -> None:
        today = today or date.today()
        self.expired = [r for r in rules if r.expired(today)]
        self.rules = [r for r in rules if not r.expired(today)]

    def __bool__(self) -> bool:
        return bool(self.rules)

    def _decide_resource(self, rtype: str, rid: str) -> IgnoreRule | None:
        """The last resource rule that matches; it ignores unless it is a negation."""
        decided = None
        for rule in self.rules:
            if rule.is_resource_rule and rule.matches_resource(rtype, rid):
                decided = rule
        return decided

    def _decide_change(self, rtype: str, rid: str, path: str) -> IgnoreRule | None:
        decided = None
        for rule in self.rules:
            if rule.matches_change(rtype, rid, path):
                decided = rule
        return decided

    def apply(self, findings: Sequence[Finding]) -> IgnoreOutcome:
        from cloudrift.model import FindingKind

        kept: list[Finding] = []
        suppressed: Counter[str] = Counter()
        for finding in findings:
            if finding.kind is not FindingKind.CHANGED:
                rule = self._decide_resource(finding.type, finding.id)
                if rule is not None and not rule.negate:
                    suppressed[rule.origin or rule.text] += 1
                else:
                    kept.append(finding)
                continue
            remaining = []
            for change in finding.changes:
                rule = self._decide_change(finding.type, finding.id, change.path)
                if rule is not None and not rule.negate:
                    suppressed[rule.origin or rule.text] += 1
                else:
                    remaining.append(change)
            if remaining:
                if len(remaining) != len(finding.changes):
                    finding = finding.model_copy(update={"changes": remaining}).with_fingerprint()
                kept.append(finding)
        return IgnoreOutcome(findings=kept, suppressed=suppressed, expired=self.expired)


def escape_id(resource_id: str) -> str:
    return resource_id.replace("\\", "\\\\").replace(".", "\\.")


def rules_for(findings: Iterable[Finding]) -> list[str]:
    """``ignore gen``: one line per unmanaged, missing or changed resource, like driftctl's
    ``gen-driftignore``."""
    from cloudrift.model import FindingKind

    lines: list[str] = []
    seen: set[str] = set()
    for finding in findings:
        if finding.kind not in (FindingKind.UNMANAGED, FindingKind.MISSING, FindingKind.CHANGED):
            continue
        line = f"{finding.type}.{escape_id(finding.id)}"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return lines
