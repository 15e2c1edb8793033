"""Report renderers behind one protocol, and ``--output`` URL handling.

``--output FORMAT://PATH`` writes one format to PATH (atomically: a temporary file renamed into
place); an empty PATH or ``-`` means standard output.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Protocol

from cloudrift.errors import CloudriftError, ConfigError

if TYPE_CHECKING:
    # a scan parses its --output targets before it has a report: the model loads with one
    from cloudrift.model import ScanReport
    from cloudrift.redact import Redactor


class Reporter(Protocol):
    def render(self, report: ScanReport, *, color: bool) -> str: ...


# format -> "module:class"; imported only when the format is written
REPORTERS = {
    "console": "cloudrift.report.console:ConsoleReporter",
    "json": "cloudrift.report.json:JsonReporter",
    "sarif": "cloudrift.report.sarif:SarifReporter",
    "junit": "cloudrift.report.junit:JunitReporter",
    "markdown": "cloudrift.report.markdown:MarkdownReporter",
    "html": "cloudrift.report.html:HtmlReporter",
    "driftctl": "cloudrift.report.driftctl:DriftctlReporter",
    "codequality": "cloudrift.report.codequality:CodeQualityReporter",
}
FORMATS = tuple(REPORTERS)


def reporter(fmt: str) -> Reporter:
    """A renderer of ``fmt`` (one of ``FORMATS``)."""
    module_name, _, class_name = REPORTERS[fmt].partition(":")
    factory: Callable[[], Reporter] = getattr(import_module(module_name), class_name)
    return factory()


@dataclass(frozen=True)
class OutputTarget:
    format: str
    path: str | None

    @property
    def to_stdout(self) -> bool:
        return self.path is None


def parse_output(url: str) -> OutputTarget:
    fmt, sep, path = url.partition("://")
    if not sep:
        raise ConfigError(f"--output {url!r} is not FORMAT://PATH", hint="e.g. json://report.json")
    if fmt not in FORMATS:
        raise ConfigError(
            f"unknown output format {fmt!r} in {url!r} (known: {', '.join(FORMATS)})"
        )
    return OutputTarget(fmt, None if path in ("", "-") else path)


def write_atomic(path: str, text: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".cloudrift-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise CloudriftError(f"{path}: cannot write report ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _scrubbed(report: ScanReport, redactor: Redactor | None) -> ScanReport:
    """The report with secrets blanked in its values: a format may escape a secret past
    recognition, so the finished text alone cannot be trusted to show it."""
    if redactor is not None and len(redactor):
        return type(report).model_validate(redactor.scrub_value(report.json_dict()))
    return report


def _text(clean: ScanReport, target: OutputTarget, color: bool,
          redactor: Redactor | None) -> str:
    text = reporter(target.format).render(clean, color=color)
    return redactor.scrub(text) if redactor is not None else text


def render(report: ScanReport, target: OutputTarget, *, color: bool,
           redactor: Redactor | None = None) -> str:
    """Render one format. Secrets are blanked in the report's values before rendering and in
    the finished text after it."""
    return _text(_scrubbed(report, redactor), target, color, redactor)


def write_outputs(
    report: ScanReport,
    targets: list[OutputTarget],
    *,
    color: bool | None = None,
    redactor: Redactor | None = None,
) -> None:
    clean = _scrubbed(report, redactor)  # once, whatever the number of outputs
    for target in targets:
        if target.to_stdout:
            use_color = sys.stdout.isatty() if color is None else color
            sys.stdout.write(_text(clean, target, use_color, redactor))
            sys.stdout.flush()
        else:
            assert target.path is not None
            write_atomic(target.path, _text(clean, target, False, redactor))
