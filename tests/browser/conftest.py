"""Fixtures for the widget's browser tests: Debian's Chromium driven by Playwright, the real app
under gunicorn with a second loopback origin allowed, and a fresh browser context per test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright
from server import LiveServer, free_port
from widget_support import ARTIFACTS, HostSite, Site, Visit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One intake server for the browser tests, allowing the host site's origin; quick exit goes to
    a neutral page on the host site so that nothing leaves the loopback interface."""
    host_port = free_port()
    host_origin = f"http://127.0.0.1:{host_port}"
    server = LiveServer(
        tmp_path_factory.mktemp("widget"),
        env={
            "INTAKE_ALLOWED_ORIGINS": host_origin,
            "INTAKE_QUICK_EXIT_URL": f"{host_origin}/neutral",
        },
    )
    server.data_dir.mkdir(parents=True, exist_ok=True)
    server.start()
    pages = HostSite(host_port, server.url).start()
    yield Site(server.url, host_origin, f"http://localhost:{host_port}", server, pages)
    pages.stop()
    server.stop()


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        # A missing browser must fail, not skip: a skipped browser suite would look like a pass.
        pytest.fail("Debian's chromium is not at /usr/bin/chromium (scripts/test installs it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def visit(browser: Browser, site: Site) -> Iterator[Visit]:
    """A fresh context (empty storage) at desktop size; anything but loopback is refused."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/])[a-z]+://"), _refuse)
    page = context.new_page()
    found = Visit(context, page)
    page.on("request", lambda request: found.requests.append(request.url))
    page.on("websocket", lambda ws: found.requests.append(ws.url))
    yield found
    context.close()


def _refuse(route: Any) -> None:
    route.abort()


# --- artifacts and axe -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
