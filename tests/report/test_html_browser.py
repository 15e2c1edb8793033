"""``html://`` in a real browser: it renders, its filters work, it fetches nothing, and hostile
values stay text.

Headless Chromium (Debian's package) driven by Playwright; see ``tests/report/browser.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cloudrift.model import FieldChange, Finding, FindingKind, ScanReport
from cloudrift.report.html import HtmlReporter
from tests.report.browser import CHROMIUM, Tab, chromium, open_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser

IMG_PAYLOAD = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        print(f"skipping the browser tests: {reason}")
        pytest.skip(reason)
    try:
        import playwright.sync_api  # noqa: F401 - only checks that the driver is there
    except ImportError:
        reason = "the playwright package is not installed (pip install playwright)"
        print(f"skipping the browser tests: {reason}")
        pytest.skip(reason)
    with chromium() as launched:
        yield launched


def write(tmp_path: Path, report: ScanReport, name: str = "report.html") -> Path:
    path = tmp_path / name
    path.write_text(HtmlReporter().render(report, color=False), encoding="utf-8")
    return path


def fingerprints(findings: list[Finding]) -> list[str]:
    return [f.fingerprint for f in findings]


def naming(report: ScanReport, *terms: str) -> list[Finding]:
    """The findings whose type, id or address contains every term, ignoring case."""
    def names(f: Finding) -> str:
        return f"{f.type} {f.id} {f.address or ''}".lower()

    return [f for f in report.findings if all(t.lower() in names(f) for t in terms)]


def assert_quiet(tab: Tab) -> None:
    """The page did nothing but show itself: no error, no dialog, no request but its own file."""
    assert tab.console_errors == []
    assert tab.page_errors == []
    assert tab.dialogs == []
    assert tab.requests == [tab.url]


def test_renders_every_finding(browser: Browser, tmp_path: Path, report: ScanReport) -> None:
    with open_page(browser, write(tmp_path, report)) as tab:
        page = tab.page
        assert page.locator("body").get_attribute("data-cloudrift-ready") == "true"
        assert tab.visible_fingerprints() == fingerprints(report.findings)
        total = len(report.findings)
        assert tab.shown() == f"{total} of {total} findings shown"
        articles = page.locator("article.finding")
        for n, finding in enumerate(report.findings):
            text = articles.nth(n).inner_text()
            assert finding.id in text
            assert (finding.address or finding.type) in text
            assert articles.nth(n).get_attribute("data-kind") == finding.kind.value
        for kind in FindingKind:
            count = sum(1 for f in report.findings if f.kind is kind)
            section = page.locator(f"section.kind[data-kind={kind.value}]")
            assert section.count() == (1 if count else 0)
            if count:
                assert section.locator("h2").inner_text().startswith(
                    f"{kind.value.capitalize()}: {count}"
                )
        assert page.locator("#warnings li").count() == len(report.warnings)
        assert page.locator("#coverage tbody tr").count() == len(report.coverage)
        assert page.locator("#no-match").is_hidden()
        # the stylesheet is admitted by the page's CSP hash, so it applies
        assert page.locator("body").evaluate("b => getComputedStyle(b).maxWidth") == "1200px"
        assert_quiet(tab)


def test_no_drift_page(browser: Browser, tmp_path: Path, clean_report: ScanReport) -> None:
    with open_page(browser, write(tmp_path, clean_report)) as tab:
        assert tab.page.locator("body").get_attribute("data-cloudrift-ready") == "true"
        assert tab.page.locator("article.finding").count() == 0
        assert tab.shown() == "0 of 0 findings shown"
        assert tab.page.get_by_text("No drift.").first.is_visible()
        assert tab.page.locator("#no-match").is_hidden()
        assert_quiet(tab)


def test_typing_in_the_search_box_narrows_the_list(
    browser: Browser, tmp_path: Path, report: ScanReport
) -> None:
    total = len(report.findings)
    with open_page(browser, write(tmp_path, report)) as tab:
        search = tab.page.locator("#search")
        assert len(tab.visible_fingerprints()) == total

        search.press_sequentially("orders")
        expected = naming(report, "orders")
        assert 1 < len(expected) < total
        assert tab.visible_fingerprints() == fingerprints(expected)
        assert tab.shown() == f"{len(expected)} of {total} findings shown"

        # more words narrow further: every word must match, in any case
        search.press_sequentially(" SQS")
        expected = naming(report, "orders", "sqs")
        assert len(expected) == 1
        assert tab.visible_fingerprints() == fingerprints(expected)
        assert tab.page.locator("section.kind:visible").count() == 1

        # values are searched too, not only names
        search.fill("")
        search.press_sequentially("sqs:SendMessage")
        with_value = [
            f for f in report.findings
            if any("sqs:SendMessage" in json.dumps(c.expected) for c in f.changes)
        ]
        assert tab.visible_fingerprints() == fingerprints(with_value) != []

        search.fill("")
        search.press_sequentially("no-such-resource")
        assert tab.visible_fingerprints() == []
        assert tab.shown() == f"0 of {total} findings shown"
        assert tab.page.locator("#no-match").is_visible()
        assert tab.page.locator("section.kind:visible").count() == 0

        search.fill("")
        assert len(tab.visible_fingerprints()) == total
        assert tab.page.locator("#no-match").is_hidden()
        assert_quiet(tab)


def test_kind_filters(browser: Browser, tmp_path: Path, report: ScanReport) -> None:
    total = len(report.findings)

    def of_kinds(*kinds: FindingKind) -> list[str]:
        return fingerprints([f for f in report.findings if f.kind in kinds])

    with open_page(browser, write(tmp_path, report)) as tab:
        page = tab.page

        def box(kind: FindingKind) -> str:
            return f"input.kind-filter[value={kind.value}]"

        page.locator(box(FindingKind.CHANGED)).uncheck()
        rest = [k for k in FindingKind if k is not FindingKind.CHANGED]
        assert tab.visible_fingerprints() == of_kinds(*rest)
        assert 0 < len(of_kinds(*rest)) < total
        assert page.locator("section.kind[data-kind=changed]").is_hidden()
        assert tab.shown() == f"{len(of_kinds(*rest))} of {total} findings shown"

        for kind in rest:
            if kind is not FindingKind.UNMANAGED:
                page.locator(box(kind)).uncheck()
        assert tab.visible_fingerprints() == of_kinds(FindingKind.UNMANAGED)
        assert 0 < len(of_kinds(FindingKind.UNMANAGED)) < len(of_kinds(*rest))

        # a kind filter and the search box combine
        page.locator("#search").press_sequentially("sqs")
        assert tab.visible_fingerprints() == fingerprints(
            [f for f in naming(report, "sqs") if f.kind is FindingKind.UNMANAGED]
        )
        assert len(tab.visible_fingerprints()) == 1

        page.locator("#search").fill("")
        for every in FindingKind:
            page.locator(box(every)).check()
        assert tab.visible_fingerprints() == fingerprints(report.findings)
        assert_quiet(tab)


def test_a_url_fragment_presets_the_filters(
    browser: Browser, tmp_path: Path, report: ScanReport
) -> None:
    total = len(report.findings)
    path = write(tmp_path, report)
    with open_page(browser, path, "#search=ORDERS%20sqs&kinds=changed,missing") as tab:
        expected = [f for f in naming(report, "orders", "sqs")
                    if f.kind in (FindingKind.CHANGED, FindingKind.MISSING)]
        assert tab.visible_fingerprints() == fingerprints(expected)
        assert tab.shown() == f"1 of {total} findings shown"
        assert tab.page.locator("#search").input_value() == "ORDERS sqs"
        assert tab.page.locator("input.kind-filter[value=unmanaged]").is_checked() is False
        assert tab.page.locator("section.kind[data-kind=unmanaged]").is_hidden()

        # a new fragment on the open page (a followed link) applies too
        tab.page.goto(tab.url + "#search=&kinds=unmanaged")
        tab.page.wait_for_function("document.getElementById('search').value === ''")
        assert tab.visible_fingerprints() == fingerprints(
            [f for f in report.findings if f.kind is FindingKind.UNMANAGED]
        )
        assert_quiet(tab)

    with open_page(browser, path, "#kinds=unmanaged") as tab:
        assert tab.visible_fingerprints() == fingerprints(
            [f for f in report.findings if f.kind is FindingKind.UNMANAGED]
        )
        assert tab.page.locator("#search").input_value() == ""

    with open_page(browser, path, "#search=no-such-thing") as tab:
        assert tab.visible_fingerprints() == []
        assert tab.page.locator("#no-match").is_visible()


def test_no_request_leaves_the_file(browser: Browser, tmp_path: Path, report: ScanReport) -> None:
    # values that would fetch something if they became markup
    report.findings[0].changes += [
        FieldChange(path="tags.a", expected='<link rel="stylesheet" href="https://evil.test/a">',
                    actual='<iframe src="http://127.0.0.1:9/frame"></iframe>'),
        FieldChange(path="tags.b", expected="<style>@import url(//evil.test/b.css)</style>",
                    actual='<object data="https://evil.test/o"></object>'),
    ]
    with open_page(browser, write(tmp_path, report), "#search=web") as tab:
        page = tab.page
        page.locator("#search").fill("")
        page.locator("#search").press_sequentially("evil")
        page.locator("input.kind-filter[value=missing]").uncheck()
        page.locator("input.kind-filter[value=missing]").check()
        page.locator("#search").fill("")
        page.goto(tab.url + "#kinds=changed")
        page.wait_for_function("document.getElementById('shown').textContent.startsWith('3 of')")
        resources = page.evaluate("performance.getEntriesByType('resource').length")
        assert resources == 0
        assert tab.aborted == []
        assert tab.websockets == []
        assert not [url for url in tab.requests if re.match(r"(?i)(https?|wss?|ftp):", url)]
        assert_quiet(tab)


@pytest.mark.parametrize("with_csp", [True, False], ids=["as-written", "without-csp"])
def test_a_hostile_tag_value_is_shown_as_text_and_never_runs(
    browser: Browser, tmp_path: Path, report: ScanReport, with_csp: bool
) -> None:
    """Escaping alone must hold: the page's CSP is a second wall, taken down in one run."""
    report.findings[1].changes.append(
        FieldChange(path="tags.owner", expected="team-a", actual=IMG_PAYLOAD)
    )
    report.findings[4] = report.findings[4].model_copy(update={"id": IMG_PAYLOAD})
    path = write(tmp_path, report)
    if not with_csp:
        text, removed = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "",
                                path.read_text(encoding="utf-8"))
        assert removed == 1
        path.write_text(text, encoding="utf-8")

    with open_page(browser, path) as tab:
        page = tab.page
        assert page.locator("body").get_attribute("data-cloudrift-ready") == "true"
        row = page.locator("table.diff tr", has=page.locator("th code", has_text="tags.owner"))
        assert row.locator("td.actual").inner_text() == json.dumps(IMG_PAYLOAD)
        assert page.locator("article.finding").nth(4).locator("h3").inner_text().endswith(
            IMG_PAYLOAD
        )
        assert page.locator("img").count() == 0
        assert page.locator('[src="x"], [onerror]').count() == 0

        # the search box takes the same text and finds both findings that hold it
        page.locator("#search").press_sequentially(IMG_PAYLOAD)
        assert tab.visible_fingerprints() == fingerprints([report.findings[1],
                                                           report.findings[4]])
        assert page.locator("img").count() == 0
        page.wait_for_timeout(200)  # an onerror handler would fire after the failed load
        assert_quiet(tab)


def test_the_harness_sees_what_the_other_tests_assert_is_absent(
    browser: Browser, tmp_path: Path
) -> None:
    """A page that does fetch and does run injected markup is caught: the checks can fail."""
    path = tmp_path / "unsafe.html"
    path.write_text(
        f"<!DOCTYPE html><p>unsafe</p>{IMG_PAYLOAD}"
        '<img src="http://127.0.0.1:9/pixel.png">'
        '<script>fetch("https://evil.test/beacon").catch(function () {});</script>',
        encoding="utf-8",
    )
    with open_page(browser, path) as tab:
        # Python-side records fill in as events arrive: poll instead of guessing a delay
        for _ in range(200):
            if tab.dialogs and len(tab.aborted) >= 2:
                break
            tab.page.wait_for_timeout(50)
        assert tab.dialogs == ["alert: 1"]
        assert tab.page.locator('img[src="x"]').count() == 1
        assert "http://127.0.0.1:9/pixel.png" in tab.aborted
        assert "https://evil.test/beacon" in tab.aborted
        assert tab.page.evaluate("performance.getEntriesByType('resource').length") > 0
        assert tab.requests != [tab.url]


def test_history_trend_groups_and_statuses(browser: Browser, tmp_path: Path) -> None:
    from cloudrift.model import FindingStatus, Scope, TrendPoint

    buckets = [
        Finding(kind=FindingKind.CHANGED, type="aws_s3_bucket", id=f"b{n}",
                address=f"aws_s3_bucket.b{n}", provider="aws",
                scope=Scope(account="1", region="eu-west-1"),
                changes=[FieldChange(path="tags.CostCenter", expected="ops", actual=None)],
                status=FindingStatus.NEW if n == 0 else FindingStatus.KNOWN,
                first_seen="2026-11-01T03:00:00Z", age_days=5.0).with_fingerprint()
        for n in range(12)
    ]
    report = ScanReport(findings=buckets, scan_id="7", trend=[
        TrendPoint(day="2026-11-01", kinds={"changed": 3}, providers={"aws": 3}),
        TrendPoint(day="2026-11-02", kinds={"changed": 12, "missing": 1},
                   providers={"aws": 13}),
    ])
    with open_page(browser, write(tmp_path, report)) as tab:
        page = tab.page
        page.wait_for_selector("body[data-cloudrift-ready=true]")
        charts = page.locator("#trend svg.trend")
        assert charts.count() == 2
        assert charts.first.bounding_box()["height"] > 50  # type: ignore[index]
        series = page.locator("#trend svg[data-by=kinds] g.series")
        assert series.evaluate_all("gs => gs.map(g => g.dataset.name)") == ["changed", "missing"]
        # the chart's colours come from the page's own stylesheet, which the CSP admits
        stroke = page.locator("#trend svg[data-by=kinds] polyline.s-changed").evaluate(
            "e => getComputedStyle(e).stroke")
        assert stroke not in ("none", "")
        group = page.locator("details.group")
        assert group.count() == 1
        assert "12 \N{MULTIPLICATION SIGN} aws_s3_bucket" in group.locator("summary").inner_text()
        assert tab.visible_fingerprints() == []  # a large group starts folded
        page.locator("details.group > summary").click()
        assert len(tab.visible_fingerprints()) == 12
        page.locator("details.group > summary").click()
        page.locator("#search").fill("b11")
        assert tab.visible_fingerprints() == [buckets[11].fingerprint]  # a search opens it
        assert page.locator("span.status-new").count() == 1
        assert_quiet(tab)
