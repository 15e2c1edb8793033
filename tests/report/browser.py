"""Headless Chromium, driven by Playwright, that records everything a page tries to do.

The browser is Debian's ``/usr/bin/chromium`` (``playwright install`` downloads a browser, which
this machine cannot do). Every request a page makes is recorded, and any that is not for a
``file:`` URL is aborted before it is sent; dialogs (``alert``), console errors and uncaught
exceptions are recorded too, so a test can assert that a report page did none of these.

Chromium itself, below the pages, still calls Google services now and then despite
``--disable-background-networking`` (seen here: ``accounts.google.com``,
``android.clients.google.com``). Those requests are not a page's and Playwright does not see
them, so the browser is given a proxy on 127.0.0.1 that refuses everything: nothing the browser
does leaves the machine.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Route

CHROMIUM = Path("/usr/bin/chromium")

# --headless is added by Playwright itself (headless=True); it refuses --user-data-dir in args
# and gives every launch a fresh temporary profile instead
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

TIMEOUT_MS = 15_000


class _Refuse(BaseHTTPRequestHandler):
    """A proxy that answers every request, plain or CONNECT, with 403."""

    attempts: list[str]

    def _refuse(self) -> None:
        self.attempts.append(f"{self.command} {self.path}")
        self.send_response(403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    # http.server dispatches on these names
    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = do_CONNECT = _refuse  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def refusing_proxy() -> Iterator[tuple[str, list[str]]]:
    """The URL of a local proxy that refuses everything, and the list of what it refused."""
    attempts: list[str] = []
    handler = type("Refuse", (_Refuse,), {"attempts": attempts})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", attempts
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def chromium(direct: str | None = None) -> Iterator[Browser]:
    """The browser behind the refusing proxy; ``direct`` (e.g. ``127.0.0.1``) is a host it
    reaches without it, for pages served by a local server of ours."""
    from playwright.sync_api import ProxySettings, sync_playwright

    proxy_settings: ProxySettings
    with refusing_proxy() as (proxy, _), sync_playwright() as playwright:
        proxy_settings = {"server": proxy, "bypass": direct} if direct else {"server": proxy}
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            proxy=proxy_settings,
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Tab:
    """One page in a fresh browser context, and what it tried to do."""

    page: Page
    url: str
    requests: list[str] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def visible_fingerprints(self) -> list[str]:
        """The fingerprints of the findings shown, in page order."""
        texts: list[str] = self.page.locator("article.finding:visible").evaluate_all(
            "articles => articles.map(a => a.querySelector('p.muted code:last-child')"
            ".textContent)"
        )
        return texts

    def shown(self) -> str:
        return self.page.locator("#shown").inner_text()


def _on_route(tab: Tab, route: Route, allowed: str = "file:") -> None:
    url = route.request.url
    if url.startswith(allowed):
        route.continue_()
    else:
        tab.aborted.append(url)
        route.abort("blockedbyclient")


def _on_dialog(tab: Tab, dialog: Dialog) -> None:
    tab.dialogs.append(f"{dialog.type}: {dialog.message}")
    dialog.dismiss()


def _on_console(tab: Tab, message: ConsoleMessage) -> None:
    if message.type == "error":
        tab.console_errors.append(message.text)


@contextmanager
def open_page(browser: Browser, path: Path, fragment: str = "") -> Iterator[Tab]:
    """Open ``path`` (a local file) with every listener attached before the first byte loads."""
    context = browser.new_context(java_script_enabled=True, service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    tab = Tab(page=page, url=path.as_uri())
    context.route("**/*", lambda route: _on_route(tab, route))
    context.on("request", lambda request: tab.requests.append(request.url))
    page.on("websocket", lambda socket: tab.websockets.append(socket.url))
    page.on("dialog", lambda dialog: _on_dialog(tab, dialog))
    page.on("console", lambda message: _on_console(tab, message))
    page.on("pageerror", lambda error: tab.page_errors.append(str(error)))
    try:
        page.goto(tab.url + fragment, wait_until="load")
        yield tab
    finally:
        context.close()


@contextmanager
def open_url(browser: Browser, url: str) -> Iterator[Tab]:
    """Open ``url`` (a local server of ours) like ``open_page``: only requests under ``url``
    itself go out, anything else is aborted and recorded."""
    context = browser.new_context(java_script_enabled=True, service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    tab = Tab(page=page, url=url)
    context.route("**/*", lambda route: _on_route(tab, route, allowed=url))
    context.on("request", lambda request: tab.requests.append(request.url))
    page.on("websocket", lambda socket: tab.websockets.append(socket.url))
    page.on("dialog", lambda dialog: _on_dialog(tab, dialog))
    page.on("console", lambda message: _on_console(tab, message))
    page.on("pageerror", lambda error: tab.page_errors.append(str(error)))
    try:
        page.goto(url, wait_until="load")
        yield tab
    finally:
        context.close()
