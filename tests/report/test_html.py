"""``html://``: one self-contained page; values are text, never markup.

What the page does in a browser (its script, filters, requests) is tested in
``test_html_browser.py``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

from cloudrift.model import FieldChange, ScanReport
from cloudrift.report.html import HtmlReporter, side_by_side
from tests.report.samples import REVERSED

# attributes that make a browser fetch or navigate
_URL_ATTRIBUTES = {"src", "href", "action", "formaction", "srcset", "poster", "data",
                   "background", "ping", "xlink:href"}


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._inside: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._inside = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside == "script":
            self.scripts.append(data)
        elif self._inside == "style":
            self.styles.append(data)
        else:
            self.text.append(data)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == name]


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def render(report: ScanReport) -> str:
    return HtmlReporter().render(report, color=False)


def test_nothing_is_fetched_from_anywhere(report: ScanReport) -> None:
    page = parse(render(report))
    for tag, attrs in page.elements:
        fetching = _URL_ATTRIBUTES & set(attrs)
        assert not fetching, f"<{tag}> has {fetching}"
        assert not [a for a in attrs if a.startswith("on")], f"<{tag}> has an event handler"
    for tag in ("link", "img", "iframe", "object", "embed", "base", "form", "audio", "video"):
        assert page.tags(tag) == []
    assert not re.search(r"url\(|@import", "".join(page.styles))


def test_content_security_policy_admits_only_the_inline_style_and_script(
    report: ScanReport,
) -> None:
    page = parse(render(report))
    metas = [m for m in page.tags("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    policy = str(metas[0]["content"])
    assert "default-src 'none'" in policy

    def digest(text: str) -> str:
        return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert len(page.scripts) == 1
    assert len(page.styles) == 1
    assert f"script-src '{digest(page.scripts[0])}'" in policy
    assert f"style-src '{digest(page.styles[0])}'" in policy
    assert "unsafe-inline" not in policy


def test_values_are_text_not_markup(report: ScanReport) -> None:
    report.findings[1].changes.append(
        FieldChange(path="tags.x\" onmouseover=\"alert(1)", expected="<u>under</u>",
                    actual="<img src=x onerror=alert(1)>")
    )
    report.findings[1].changes.append(FieldChange(path="name", expected=REVERSED, actual=None))
    text = render(report)
    page = parse(text)
    assert len(page.tags("script")) == 1
    assert page.tags("img") == []
    assert page.tags("u") == []
    body = "".join(page.text)
    assert "<script>alert('x')</script>" in body
    assert "<img src=x onerror=alert(1)>" in body
    assert 'tags.x" onmouseover="alert(1)' in body
    # direction overrides and escape sequences are shown, not obeyed
    assert "\u202e" not in text
    assert "\x1b" not in text
    assert "\\u202e" in body


def test_every_finding_appears_once_with_its_kind(report: ScanReport) -> None:
    page = parse(render(report))
    articles = page.tags("article")
    assert [a["data-kind"] for a in articles] == [f.kind.value for f in report.findings]
    body = "".join(page.text)
    for finding in report.findings:
        assert finding.id in body
        assert finding.fingerprint in body
        if finding.address:
            assert finding.address in body
    for attrs, finding in zip(articles, report.findings, strict=True):
        assert finding.id.lower() in str(attrs["data-search"])


def test_summary_counts_and_filters(report: ScanReport) -> None:
    page = parse(render(report))
    body = " ".join("".join(page.text).split())
    assert "3Changed" in body
    assert "2Unmanaged" in body
    assert f"{report.summary.api_calls}API calls" in body
    boxes = [a["value"] for a in page.tags("input") if a.get("class") == "kind-filter"]
    assert boxes == ["changed", "missing", "unmanaged", "unapplied"]
    assert [a for a in page.tags("input") if a.get("id") == "search"]


def test_side_by_side_marks_only_the_lines_that_differ() -> None:
    left, right = side_by_side({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 3]})
    assert left.count('class="del"') == 1
    assert right.count('class="ins"') == 1
    assert '<span class="del">    2</span>' in left
    assert '<span class="ins">    3</span>' in right
    assert side_by_side("a<b", None) == ("&quot;a&lt;b&quot;", "null")


def test_no_drift_page(clean_report: ScanReport) -> None:
    page = parse(render(clean_report))
    assert page.tags("article") == []
    assert "No drift." in "".join(page.text)

