"""The drop-off funnel in Debian's Chromium against the real server: after two WebSocket visitors
(one sends a referral, one leaves at the first question), an editor opens the console's funnel
page; the server-drawn SVG chart is visible with one bar per count, its bars are as long as the
counts say, the page passes axe-core and nothing but loopback is contacted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from server import LiveServer, WsVisitor
from staff_helpers import add_staff
from test_console import (  # noqa: F401  (fixtures)
    PASSWORD,
    assert_accessible,
    page,
    shot,
    sign_in,
    visitor_referral,
)

from intake_chat.core.funnel_report import COUNTED
from intake_chat.storage import Database

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def editor(live_server: LiveServer) -> Iterator[str]:
    db = Database(f"sqlite:///{live_server.data_dir / 'intake-chat.sqlite3'}")
    add_staff(db, "eda@example.org", "editor", password=PASSWORD)
    db.dispose()
    yield "eda@example.org"


def test_an_editor_reads_the_funnel_chart(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    editor: str,
) -> None:
    visitor_referral(live_server)
    leaving = WsVisitor(live_server.ws_url, origin=live_server.url)
    leaving.send({"type": "start"})
    leaving.close()

    sign_in(page, live_server, editor)
    page.get_by_role("navigation", name="Console").get_by_role(
        "link", name="Drop-off funnel"
    ).click()
    expect(page.get_by_role("heading", name="Where visitors give up")).to_be_visible()
    chart = page.get_by_role("img", name="Conversation funnel")
    expect(chart).to_be_visible()
    bars = chart.locator("rect.bar")
    expect(bars).to_have_count(len(COUNTED))
    counts = {
        key: int(page.locator(f'g.funnel-bar[data-key="{key}"]').get_attribute("data-count") or -1)
        for key in COUNTED
    }
    assert counts["started"] == 2 and counts["submitted"] == 1
    widths = {key: float(bars.nth(n).get_attribute("width") or -1) for n, key in enumerate(COUNTED)}
    assert widths["started"] > widths["submitted"] > 0 == widths["crisis"]
    box = bars.nth(0).bounding_box()
    assert box is not None and box["width"] > 100  # drawn, not just present in the markup
    expect(page.locator('#funnel-table tr[data-key="started"] td').first).to_have_text("2")
    expect(page.locator("#drop-off tbody tr")).to_have_count(1)  # the one who left
    assert_accessible(page)
    shot(page, "console-analytics")
