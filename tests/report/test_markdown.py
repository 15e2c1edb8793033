"""``markdown://``: a PR comment that renders as written, whatever the values hold, and fits."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from cloudrift.model import FieldChange, Finding, FindingKind, ScanReport, Scope
from cloudrift.report.markdown import (
    GITHUB_COMMENT_LIMIT,
    MarkdownReporter,
    code,
    fenced,
    utf16_length,
)
from tests.report.samples import HOSTILE, REVERSED


def render(report: ScanReport, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    return MarkdownReporter(limit=limit).render(report, color=False)


class _Html(HTMLParser):
    """What a browser would build from the rendered comment: tags, and text per table cell."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def as_html(markdown: str) -> _Html:
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py is not installed")
    pytest.importorskip("linkify_it", reason="markdown-it-py[linkify] is not installed")
    parser = _Html()
    # GitHub-flavoured: tables, strikethrough, autolinks of bare URLs, raw HTML allowed
    parser.feed(markdown_it.MarkdownIt("gfm-like").render(markdown))
    return parser


def test_title_and_summary_table(report: ScanReport) -> None:
    text = render(report)
    assert text.startswith("## ⚠️ cloudrift: drift found\n")
    s = report.summary
    for line in (
        f"| 🟡 **Changed** (the cloud differs from the state) | {s.changed} |",
        f"| 🔴 **Missing** (in the state, gone from the cloud) | {s.missing} |",
        f"| 🟣 **Unmanaged** (in the cloud, in no state) | {s.unmanaged} |",
        f"| Coverage | {s.coverage:.0%} |",
        f"| API calls | {s.api_calls} |",
    ):
        assert line in text
    assert "The scan is incomplete" in text


def test_no_drift(clean_report: ScanReport) -> None:
    text = render(clean_report)
    assert text.startswith("## ✅ cloudrift: no drift\n")
    assert "<details>" not in text
    assert "incomplete" not in text


def test_rendered_tables_hold_the_values_exactly(report: ScanReport) -> None:
    page = as_html(render(report))
    rows = {row[0]: row[1:] for row in page.rows if len(row) == 3}
    # every value comes back character for character, in its own cell
    assert rows["description"] == ['"web tier"', json.dumps(HOSTILE, ensure_ascii=False)]
    assert rows["tags.kubernetes.io/role"] == ['"elb"', "null"]
    assert rows["visibility_timeout_seconds"] == ["30", "60"]
    five = [row for row in page.rows if len(row) == 5]
    assert len(five) == 3 + 4  # three tables' headers and four resources
    assert not [row for row in page.rows if len(row) not in (2, 3, 5)]


def test_hostile_values_make_no_markup(report: ScanReport) -> None:
    page = as_html(render(report))
    assert "script" not in page.tags
    # no emphasis, links or mentions were made out of values: only the summary's bold labels
    assert "em" in page.tags  # the kind sections' italic one-liners
    assert page.tags.count("em") == len({f.kind for f in report.findings})
    assert "a" not in page.tags
    # the four kinds in the summary table, the "incomplete" notice and the compared line
    assert page.tags.count("strong") == 6


def test_direction_overrides_are_shown_not_obeyed(report: ScanReport) -> None:
    report.findings[0].changes.append(FieldChange(path="name", expected=REVERSED, actual=None))
    rows = {row[0]: row[1:] for row in as_html(render(report)).rows if len(row) == 3}
    assert rows["name"] == ['"invoice\\u202egpj.exe"', "null"]


def test_code_spans_hold_any_text() -> None:
    assert code("aws_s3_bucket.b") == "`aws_s3_bucket.b`"
    # a fence longer than any run of backticks inside, padded where the text starts with one
    assert code("a `b` c") == "``a `b` c``"
    assert code("`x``") == "``` `x`` ```"
    assert code("a|b", table=True) == "`a\\|b`"
    assert code("a\u202eb\x1bc\nd") == "`a\\u202eb\\u001bc\\u000ad`"
    assert fenced(["+ ```"], "diff") == "````diff\n+ ```\n````\n"


def test_the_raw_file_reads_as_written(report: ScanReport) -> None:
    text = render(report)
    # what e-mail, logs and grep see: the literal addresses and ids, no character references
    for finding in report.findings:
        assert (finding.address or finding.id) in text
    assert "&#95;" not in text
    assert "&#46;" not in text


def test_every_finding_is_listed(report: ScanReport) -> None:
    text = "".join(as_html(render(report)).text)
    for finding in report.findings:
        assert finding.id in text
        if finding.address:
            assert finding.address in text


def _big_report(count: int, value_size: int) -> ScanReport:
    scope = Scope(account="123456789012", region="eu-west-1")
    findings = [
        Finding(
            kind=FindingKind.CHANGED if n % 3 else FindingKind.UNMANAGED,
            type="aws_sqs_queue",
            id=f"queue-{n}",
            address=f"aws_sqs_queue.q[{n}]" if n % 3 else None,
            provider="aws",
            scope=scope,
            # astral characters count twice in GitHub's (UTF-16) length
            # values differ per finding: the same change on many would be one group
            changes=[FieldChange(path="tags.note", expected="🎉" * value_size,
                                 actual="|" * 40 + str(n))]
            if n % 3 else [],
        ).with_fingerprint()
        for n in range(count)
    ]
    findings.sort(key=lambda f: list(FindingKind).index(f.kind))
    return ScanReport(tool_version="0.1.0", findings=findings)


@pytest.mark.parametrize("limit", [GITHUB_COMMENT_LIMIT, 6_000])
def test_long_reports_are_cut_at_whole_findings(limit: int) -> None:
    report = _big_report(3_000, 120)
    text = render(report, limit=limit)
    assert utf16_length(text) <= limit
    assert text.count("<details>") == text.count("</details>")
    shown_changed = text.count("<summary><code>aws_sqs_queue.q[")
    shown_unmanaged = len(re.findall(r"^\| — \| `aws", text, flags=re.MULTILINE))
    total_changed = sum(1 for f in report.findings if f.kind is FindingKind.CHANGED)
    total_unmanaged = len(report.findings) - total_changed
    assert 0 < shown_changed < total_changed
    assert f"and {total_changed - shown_changed} more findings not shown" in text
    assert f"and {total_unmanaged - shown_unmanaged} more findings not shown" in text
    # the budget is used, not wasted: one more finding would not have fitted
    one_block = len(text) // max(shown_changed, 1)
    assert utf16_length(text) > limit - 3 * one_block


def test_short_reports_are_not_cut(report: ScanReport) -> None:
    assert "not shown" not in render(report)


def test_many_warnings_do_not_crowd_out_findings(report: ScanReport) -> None:
    warning = report.warnings[0]
    report.warnings = [warning.model_copy(update={"message": "x" * 500})] * 2_000
    text = render(report)
    assert utf16_length(text) <= GITHUB_COMMENT_LIMIT
    assert "not shown" not in text
    assert "more\n" in text  # the warnings list says how many it left out
