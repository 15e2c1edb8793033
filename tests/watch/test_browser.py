"""``/`` of a running watch in headless Chromium: the last report with its trend, under the
server's Content-Security-Policy, and a tab left open follows the scans by itself."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from tests.report.browser import CHROMIUM, chromium, open_url
from tests.watch.conftest import Estate, WatchProcess

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        print(f"skipping the browser tests: {reason}")
        pytest.skip(reason)
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with chromium(direct="127.0.0.1") as launched:
        yield launched


def test_an_open_tab_shows_the_next_scans_report_by_itself(
        browser: Browser, estate: Estate, watch_process: Callable[..., WatchProcess]) -> None:
    watch = watch_process(*estate.args(), "--type", "aws_sqs_queue", "--jitter", "0",
                          "--every", "2s", env=estate.env)
    watch.wait_for_line(r"scan 1 finished")
    with open_url(browser, watch.url + "/") as tab:
        page = tab.page
        assert page.locator("body").get_attribute("data-cloudrift-ready") == "true"
        assert "No drift" in page.locator("p.verdict").inner_text()
        estate.drift()
        deadline = time.monotonic() + 60
        # no reload, no navigation from the test: the page's Refresh header brings the new one
        while "drift found" not in page.locator("p.verdict").inner_text().lower():
            assert time.monotonic() < deadline, "the page never showed the drift"
            page.wait_for_timeout(200)
        assert page.locator("article.finding").count() == 1
        assert "visibility_timeout_seconds" in page.locator("article.finding").inner_text()
        # the history's trend is drawn, inline, as the page's CSP allows
        assert page.locator("#trend svg").count() >= 1
        assert tab.console_errors == []
        assert tab.page_errors == []
        assert tab.dialogs == []
        assert tab.aborted == []
        assert set(tab.requests) == {watch.url + "/"}
        assert len(tab.requests) >= 2, "the page was loaded once only"
    assert watch.stop() == 0
