"""The staff console in Debian's Chromium against the real server: a coordinator signs in, sees a
referral from a WebSocket visitor appear live (and a crisis alert), opens it and changes its status;
the pages pass axe-core and work from the keyboard; nothing but loopback is contacted.

With INTAKE_DOC_SCREENSHOTS=1 the screenshots used by docs/staff.md are written to docs/img/.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Browser, Page, expect
from server import LiveServer, WsVisitor, walk_intake
from widget_support import ARTIFACTS, axe_violations

from intake_chat.core import passwords
from intake_chat.storage import Database
from intake_chat.storage import accounts as staff_db

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "blue kettle on a quiet porch"
LOOPBACK = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)[:/]")


@pytest.fixture(scope="module")
def accounts(live_server: LiveServer) -> dict[str, str]:
    """A coordinator and an admin (with an authenticator) in the live server's database."""
    db = Database(f"sqlite:///{live_server.data_dir / 'intake-chat.sqlite3'}")
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    secret = passwords.totp_new_secret()
    with db.transaction() as conn:
        staff_db.create_staff(
            conn,
            email="cora@example.org",
            role="coordinator",
            name="Cora",
            password_hash=hasher.hash(PASSWORD),
        )
        admin = staff_db.create_staff(
            conn,
            email="adam@example.org",
            role="admin",
            name="Adam",
            password_hash=hasher.hash(PASSWORD),
        )
        # Sealed as the app stores it (the live server's INTAKE_SECRET_KEY is "test-secret").
        sealed = passwords.seal_secret(
            secret, passwords.totp_key(live_server.env["INTAKE_SECRET_KEY"])
        )
        staff_db.update_staff(conn, admin, totp_secret=sealed)
    db.dispose()
    return {"totp_secret": secret}


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.route(
        re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/])[a-z]+://"),
        lambda route: route.abort(),
    )
    tab = context.new_page()
    contacted: list[str] = []
    tab.on("request", lambda request: contacted.append(request.url))
    tab.on("websocket", lambda ws: contacted.append(ws.url))
    tab.contacted = contacted  # type: ignore[attr-defined]
    yield tab
    assert [url for url in contacted if not LOOPBACK.match(url)] == []
    context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "console").mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console" / f"{name}.png"), full_page=True)
    if os.environ.get("INTAKE_DOC_SCREENSHOTS") == "1":
        page.screenshot(path=str(ROOT / "docs" / "img" / f"{name}.png"), full_page=False)


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page.main_frame)
    assert violations == [], violations


def sign_in(page: Page, server: LiveServer, email: str) -> None:
    page.goto(f"{server.url}/staff/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def visitor_referral(server: LiveServer, crisis: bool = False) -> str:
    visitor = WsVisitor(server.ws_url, origin=server.url)
    events = visitor.send({"type": "start"})
    if crisis:
        events += visitor.send({"type": "reply", "text": "I want to kill myself"})
    events = walk_intake(visitor.send, events)
    visitor.close()
    return str(next(e for e in events if e["type"] == "handoff")["referral"])


def test_a_coordinator_sees_a_visitor_referral_arrive_live_opens_it_and_changes_status(
    page: Page, live_server: LiveServer, accounts: dict[str, Any]
) -> None:
    page.goto(f"{live_server.url}/staff/login")
    assert_accessible(page)
    shot(page, "console-login")
    sign_in(page, live_server, "cora@example.org")
    expect(page.get_by_role("heading", name="Referral inbox")).to_be_visible()
    expect(page.locator("#live-state")).to_have_text("Live updates: on")
    page.evaluate("window.notReloaded = true")

    referral_id = visitor_referral(live_server)
    row = page.locator(f'tr[data-referral="{referral_id}"]')
    expect(row).to_be_visible(timeout=10_000)
    expect(row).to_contain_text("Ana")
    expect(page.locator("#live-alerts")).to_contain_text("New referral: Ana")
    assert page.evaluate("window.notReloaded") is True  # it arrived without a reload

    urgent_id = visitor_referral(live_server, crisis=True)
    expect(page.locator("#crisis-alerts")).to_contain_text("Safety alert in a chat: crisis")
    expect(page.locator(f'tr[data-referral="{urgent_id}"]')).to_have_class(re.compile("pinned"))
    assert page.locator("tbody tr").first.get_attribute("data-referral") == urgent_id
    page.reload()
    expect(page.locator("tbody tr").first).to_contain_text("Urgent")
    assert_accessible(page)
    shot(page, "console-inbox")

    page.locator(f'tr[data-referral="{referral_id}"] a').click()
    expect(page.get_by_role("heading", name=re.compile("Ana"))).to_be_visible()
    expect(page.locator(".answers")).to_contain_text("ana@example.org")
    expect(page.locator(".transcript")).to_contain_text("Feeling stuck at work")
    assert_accessible(page)
    page.get_by_label("Status").select_option("contacted")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_role("status").filter(has_text="Status changed.")).to_be_visible()
    expect(page.locator(".facts .status")).to_have_text("Contacted")
    expect(page.locator(".timeline")).to_contain_text("Status new → contacted")
    shot(page, "console-referral")


def test_alerts_can_be_silenced_and_stay_silenced(
    page: Page, live_server: LiveServer, accounts: dict[str, Any]
) -> None:
    sign_in(page, live_server, "cora@example.org")
    sound = page.get_by_role("button", name="Sound alerts")
    banners = page.get_by_role("button", name="Pop-up alerts")
    expect(sound).to_have_attribute("aria-pressed", "true")
    sound.click()
    banners.click()
    page.reload()
    expect(sound).to_have_attribute("aria-pressed", "false")
    expect(banners).to_have_attribute("aria-pressed", "false")
    referral_id = visitor_referral(live_server)
    expect(page.locator(f'tr[data-referral="{referral_id}"]')).to_be_visible(timeout=10_000)
    expect(page.locator("#live-alerts .alert-banner").last).to_be_hidden()


def test_the_console_works_from_the_keyboard(
    page: Page, live_server: LiveServer, accounts: dict[str, Any]
) -> None:
    page.goto(f"{live_server.url}/staff/login")
    expect(page.get_by_label("Email")).to_be_focused()  # the sign-in form starts where you type
    page.keyboard.type("cora@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Referral inbox")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    outline = page.evaluate(
        "() => { const a = document.querySelector('tbody a, .filters input'); a.focus();"
        " return getComputedStyle(a).outlineStyle; }"
    )
    assert outline == "solid"


def test_an_admin_signs_in_with_a_code_and_reaches_staff_and_audit_pages(
    page: Page, live_server: LiveServer, accounts: dict[str, Any]
) -> None:
    sign_in(page, live_server, "adam@example.org")
    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("6-digit code").fill(
        passwords.totp_code(accounts["totp_secret"], time.time())
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Referral inbox")).to_be_visible()
    page.get_by_role("link", name="Staff").click()
    expect(page.get_by_role("heading", name="Staff accounts")).to_be_visible()
    assert_accessible(page)
    shot(page, "console-staff")
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("table.audit")).to_contain_text("login.success")
    assert_accessible(page)
    shot(page, "console-audit")
    page.get_by_role("link", name="Integrations").click()
    expect(page.get_by_role("heading", name="Integration API tokens")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="My account").click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Sign out")).click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")


def test_first_admin_setup_shows_the_key_as_text(
    page: Page, live_server: LiveServer, accounts: dict[str, Any]
) -> None:
    db = Database(f"sqlite:///{live_server.data_dir / 'intake-chat.sqlite3'}")
    email = f"new-admin-{secrets.token_hex(3)}@example.org"
    with db.transaction() as conn:
        hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        staff_db.create_staff(conn, email=email, role="admin", password_hash=hasher.hash(PASSWORD))
    db.dispose()
    sign_in(page, live_server, email)
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    expect(page.locator("#totp-uri")).to_contain_text(f"secret={secret}")
    assert_accessible(page)
    shot(page, "console-totp-setup")
    page.get_by_label("6-digit code").fill(passwords.totp_code(secret, time.time()))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Referral inbox")).to_be_visible()


def test_on_a_phone_the_inbox_list_scrolls_inside_itself_not_the_whole_page(
    page: Page, live_server: LiveServer, accounts: dict[str, Any]
) -> None:
    visitor_referral(live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "cora@example.org")
    expect(page.locator("tbody tr[data-referral]").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    region = page.get_by_role("region", name="Referrals")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")  # the table itself scrolls
    assert_accessible(page)
    page.goto(f"{live_server.url}/staff/live/")  # the live chat queue's two tables, likewise
    expect(page.get_by_role("region", name="Waiting for a person")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
