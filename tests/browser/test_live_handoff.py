"""Live takeover end to end in Debian's Chromium against the real server: a coordinator signs in
and accepts chats; a visitor on the practice's page (a second browser context) asks for a person;
the request reaches the console live; the coordinator accepts, they talk; crisis words from the
visitor raise a prominent alert for the coordinator; the coordinator hands the visitor back to
the assistant. The console pages pass axe-core; nothing but loopback is contacted.

With INTAKE_DOC_SCREENSHOTS=1 the screenshots used by docs/staff.md are written to docs/img/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Browser, BrowserContext, FrameLocator, Page, expect
from server import LiveServer
from widget_support import ARTIFACTS, axe_violations

from intake_chat.storage import Database
from intake_chat.storage import accounts as staff_db

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "blue kettle on a quiet porch"
LOOPBACK = re.compile(r"^(https?|wss?|data|blob):(//(127\.0\.0\.1|localhost)[:/])?")
FOREIGN = re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/])[a-z]+://")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app under gunicorn, open around the clock, with a coordinator called Sam."""
    live = LiveServer(
        tmp_path_factory.mktemp("live-browser"), env={"INTAKE_OFFICE_HOURS": "always"}
    )
    live.data_dir.mkdir(parents=True, exist_ok=True)
    live.start()
    db = Database(f"sqlite:///{live.data_dir / 'intake-chat.sqlite3'}")
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with db.transaction() as conn:
        staff_db.create_staff(
            conn,
            email="sam@example.org",
            role="coordinator",
            name="Sam",
            password_hash=hasher.hash(PASSWORD),
        )
    db.dispose()
    yield live
    live.stop()


def new_context(browser: Browser) -> tuple[BrowserContext, Page, list[str]]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.route(FOREIGN, lambda route: route.abort())
    page = context.new_page()
    contacted: list[str] = []
    page.on("request", lambda request: contacted.append(request.url))
    page.on("websocket", lambda ws: contacted.append(ws.url))
    return context, page, contacted


def shot(page: Page, name: str) -> None:
    (ARTIFACTS / "console").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console" / f"{name}.png"), full_page=True)
    if os.environ.get("INTAKE_DOC_SCREENSHOTS") == "1":
        page.screenshot(path=str(ROOT / "docs" / "img" / f"{name}.png"), full_page=False)


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page.main_frame)
    assert violations == [], violations


def open_widget(page: Page, server: LiveServer) -> FrameLocator:
    page.goto(f"{server.url}/")
    launcher = page.locator("[data-intake-chat-root] button.l")
    expect(launcher).to_be_visible()
    launcher.click()
    chat = page.frame_locator("iframe[src*='/widget/frame']")
    expect(chat.locator("#log .msg.bot").first).to_be_visible()
    return chat


def say(chat: FrameLocator, words: str) -> None:
    box = chat.locator("#composer textarea, #composer input[type=text]").first
    box.fill(words)
    box.press("Enter")


def test_a_coordinator_takes_over_a_visitors_chat_and_hands_it_back(
    browser: Browser, server: LiveServer
) -> None:
    staff_context, console, staff_contacted = new_context(browser)
    console.goto(f"{server.url}/staff/login")
    console.get_by_label("Email").fill("sam@example.org")
    console.get_by_label("Password").fill(PASSWORD)
    console.get_by_role("button", name="Sign in").click()
    expect(console.get_by_role("heading", name="Referral inbox")).to_be_visible()
    console.get_by_role("link", name="Live chat").click()
    expect(console.get_by_role("heading", name="Live chat", exact=True)).to_be_visible()
    console.get_by_role("button", name="Start accepting chats").click()
    expect(console.locator("#live-accepting")).to_contain_text("You are accepting chats")
    expect(console.locator("#live-queue")).to_contain_text("Nobody is waiting right now.")
    assert_accessible(console)

    visitor_context, visitor, visitor_contacted = new_context(browser)
    chat = open_widget(visitor, server)
    chat.locator(".chip", has_text="Yes, that's okay").click()
    chat.locator(".chip", has_text="Talk to a person").click()
    expect(chat.locator("#log")).to_contain_text("I'm looking for someone on our team")
    expect(chat.locator("#status")).to_contain_text("Waiting for a member of our team")

    # The request reaches the open console without a reload: a row in the queue and a banner.
    row = console.locator("#live-queue tbody tr[data-request]")
    expect(row).to_have_count(1, timeout=10_000)
    expect(row).to_contain_text("Visitor")
    expect(console.locator("#live-alerts")).to_contain_text(
        "A visitor is asking to talk with a person"
    )
    shot(console, "console-live-queue")
    assert_accessible(console)
    row.get_by_role("button", name=re.compile("Accept chat")).click()

    expect(console.get_by_role("heading", name="Live chat with Visitor")).to_be_visible()
    expect(console.locator("#chat-status")).to_have_text("Live with Sam")
    expect(chat.locator("#log")).to_contain_text("Sam from our team has joined the chat.")
    expect(chat.locator("#status")).to_be_empty()

    reply = console.get_by_label("Message to Visitor")
    reply.fill("Hi, I'm Sam from the intake team. How can I help?")
    reply.press("Control+Enter")
    expect(reply).to_have_value("")
    staff_line = chat.locator("#log .msg.staff").last
    expect(staff_line).to_contain_text("Sam (team member):")
    expect(staff_line).to_contain_text("How can I help?")

    say(chat, "Do you have evening appointments?")
    transcript = console.locator("#live-transcript")
    expect(transcript.locator(".line.visitor").last).to_contain_text(
        "Do you have evening appointments?"
    )

    console.evaluate(
        "() => document.body.addEventListener('console:crisis_flag',"
        " () => { window.crisisSeen = true; })"
    )
    say(chat, "honestly I want to kill myself")
    expect(chat.locator("#crisis")).to_be_visible()  # the visitor gets the crisis help at once
    alert = console.locator("#chat-alerts .chat-alert")
    expect(alert).to_contain_text("Safety alert", timeout=10_000)
    # The console-wide banner for the same flag stays away: it would cover this very chat.
    console.wait_for_function("() => window.crisisSeen === true", timeout=10_000)
    expect(console.locator("#crisis-alerts .alert-banner")).to_have_count(0)
    expect(alert).to_contain_text("suicide self harm")
    expect(console.locator("#chat-risk")).to_have_text("Crisis: suicide self harm")
    expect(transcript.locator(".line.visitor").last).to_contain_text("I want to kill myself")
    console.evaluate("() => window.scrollTo(0, 0)")  # the alert and the facts first
    shot(console, "console-live-chat")
    assert_accessible(console)

    console.get_by_role("button", name="Hand back to the assistant").click()
    expect(console.locator("#chat-status")).to_have_text("Handed back to the assistant")
    expect(chat.locator("#log")).to_contain_text("Sam has handed the chat back to me")
    expect(chat.locator(".choices .chip", has_text="Start a referral")).to_be_visible()

    for contacted in (staff_contacted, visitor_contacted):
        assert [url for url in contacted if not LOOPBACK.match(url)] == []
    visitor_context.close()
    staff_context.close()
