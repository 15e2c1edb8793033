"""Keeping secrets out of every output.

Two layers. Findings never carry a value at a path Terraform marked sensitive or whose name says
it holds a secret: the value is replaced by ``REDACTED`` when the finding is made. And every
string a reporter or log line writes can be passed through ``Redactor.scrub``, which knows the
secret values read from the states and blanks them wherever they turn up (an error message that
quotes a payload, a tag that happens to hold a password).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "(sensitive)"

_SECRET_NAME = re.compile(
    r"(^|_)(password|passwd|secret|secret_string|secret_binary|private_key|token|api_key|"
    r"access_key|secret_key|credentials?|connection_string|auth|sas)(_|$)",
    re.IGNORECASE,
)

# a secret shorter than this would blank ordinary words in unrelated text
_MIN_SCRUB_LENGTH = 4


# a name ending like this describes a secret without holding it (``secret_id``, ``auth_type``,
# ``password_wo_version``); scrubbing such values would blank ARNs and words like "ROTATE" from
# every report
_SECRET_METADATA = re.compile(
    r"_(id|ids|arn|arns|length|validity|units|type|strategy|status|version|enabled|name|count|"
    r"days)$",
    re.IGNORECASE,
)


def name_is_secret(path: str) -> bool:
    """True when any step of a dotted attribute path names a secret (``master_password``)."""
    return any(
        _SECRET_NAME.search(step) and not _SECRET_METADATA.search(step)
        for step in path.split(".")
        if not step.isdigit()
    )


def path_is_sensitive(path: str, sensitive: Iterable[str]) -> bool:
    """True if ``path`` is, lies under, or contains a path marked sensitive, or names a secret."""
    if name_is_secret(path):
        return True
    for marked in sensitive:
        if path == marked or path.startswith(marked + ".") or marked.startswith(path + "."):
            return True
    return False


def _values(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        for v in value.values():
            yield from _values(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _values(v)
    elif isinstance(value, str):
        yield value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield str(value)


def secret_values(attributes: Mapping[str, Any], sensitive: Iterable[str]) -> set[str]:
    """The secret strings inside one instance's attributes."""
    marked = tuple(sensitive)
    found: set[str] = set()

    def walk(value: Any, path: str) -> None:
        if path and path_is_sensitive(path, marked) and (
            name_is_secret(path) or any(path == m or path.startswith(m + ".") for m in marked)
        ):
            found.update(v for v in _values(value) if len(v) >= _MIN_SCRUB_LENGTH)
            return
        if isinstance(value, Mapping):
            if path and set(value) == {"value", "type"} and any(
                m.startswith(path + ".") for m in marked
            ):
                # a dynamically typed attribute (terraform_data's input) is stored as
                # {"value": ..., "type": ...} while its sensitive paths point into the value
                walk(value["value"], path)
            for key, sub in value.items():
                walk(sub, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for index, sub in enumerate(value):
                walk(sub, f"{path}.{index}" if path else str(index))

    walk(attributes, "")
    return found


def _loose(secret: str) -> str:
    """A pattern for a secret that still matches after its whitespace was reflowed: an error
    message folded onto one line must not set a multi-line key (a PEM block) free."""
    parts = secret.split()
    if len(parts) <= 1:
        return re.escape(secret)
    return r"\s+".join(re.escape(part) for part in parts)


class Redactor:
    """Blanks known secret values out of any text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        fresh = {s for s in secrets if len(s) >= _MIN_SCRUB_LENGTH} - self._secrets
        if fresh:
            self._secrets |= fresh
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._pattern = re.compile("|".join(_loose(s) for s in ordered))

    def __len__(self) -> int:
        return len(self._secrets)

    def scrub(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(REDACTED, text)

    def scrub_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, Mapping):
            return {k: self.scrub_value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub_value(v) for v in value]
        return value
