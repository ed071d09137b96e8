"""The flow editor in Debian's Chromium against the real server (gunicorn, SQLite file, WebSockets):
an editor changes a question's text and a branch target, sees a lint error appear and fixes it,
previews the draft in the real widget, gets approval from a second account and publishes; a visitor
mid-conversation finishes on the old version, a new visitor gets the new text, and a rollback
restores it. Two tabs editing one draft cannot overwrite each other. Only loopback is contacted.

With INTAKE_DOC_SCREENSHOTS=1 the screenshots of docs/editing-flows.md are written to docs/img/.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from server import LiveServer, WsVisitor, intake_reply, walk_intake
from widget_support import ARTIFACTS, axe_violations

from intake_chat.storage import Database
from intake_chat.storage import accounts as staff_db
from intake_chat.storage import drafts as flow_store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "blue kettle on a quiet porch"
OLD_TEXT = "What is your first name?"
NEW_TEXT = "What first name would you like us to use?"


@pytest.fixture(scope="module")
def accounts(live_server: LiveServer) -> None:
    """Two editors: Edna makes the change, Rhea reviews it."""
    db = Database(f"sqlite:///{live_server.data_dir / 'intake-chat.sqlite3'}")
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with db.transaction() as conn:
        for email, name in (("edna@example.org", "Edna"), ("rhea@example.org", "Rhea")):
            staff_db.create_staff(
                conn, email=email, role="editor", name=name, password_hash=hasher.hash(PASSWORD)
            )
    db.dispose()


def new_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.route(
        re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/])[a-z]+://"),
        lambda route: route.abort(),
    )
    contacted: list[str] = []
    context.on("request", lambda request: contacted.append(request.url))
    context.contacted = contacted  # type: ignore[attr-defined]
    return context


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    made: list[BrowserContext] = []
    yield made
    for context in made:
        contacted = context.contacted  # type: ignore[attr-defined]
        assert [u for u in contacted if not u.startswith(("http://127.0.0.1", "blob:"))] == []
        context.close()


def signed_in(
    browser: Browser, contexts: list[BrowserContext], server: LiveServer, email: str
) -> Page:
    context = new_context(browser)
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{server.url}/staff/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_role("navigation", name="Console").get_by_role("link", name="Flows")
    ).to_be_visible()
    return page


def shot(page: Page, name: str, *, full: bool = False) -> None:
    (ARTIFACTS / "editor").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "editor" / f"{name}.png"), full_page=True)
    if os.environ.get("INTAKE_DOC_SCREENSHOTS") == "1":
        page.screenshot(path=str(ROOT / "docs" / "img" / f"{name}.png"), full_page=full)


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page.main_frame)
    assert violations == [], violations


def saved(page: Page) -> None:
    expect(page.locator("#fe-save")).to_contain_text("All changes saved", timeout=10_000)


def step(page: Page, node_id: str) -> None:
    page.locator(f'#fe-list [data-node="{node_id}"]').click()
    expect(page.locator("#fe-form h2")).to_contain_text(node_id)


def english(page: Page) -> Locator:
    """The English text box of the selected step's main text."""
    return page.locator('#fe-form [data-field="text"]').get_by_label("English (en)")


def live_text(server: LiveServer, node_id: str) -> str:
    db = Database(f"sqlite:///{server.data_dir / 'intake-chat.sqlite3'}")
    with db.read() as conn:
        current = flow_store.current_publication(conn, "intake")
    db.dispose()
    assert current is not None
    for body in json.loads(current.json)["sections"].values():
        for item in body["nodes"]:
            if item["id"] == node_id:
                return str(item["text"]["en"])
    raise KeyError(node_id)


def first_name_label(visitor: WsVisitor, events: list[dict[str, Any]]) -> str:
    """Answer until the first-name question; its label as this visitor sees it."""
    for _ in range(10):
        last = events[-1]
        if last["type"] == "ask" and last["node"] == "ask_first_name":
            return str(last["input"]["label"])
        events = visitor.send(intake_reply(last))
    raise AssertionError("never asked for a first name")


def test_edit_check_preview_review_publish_then_visitors_then_rollback(
    browser: Browser, contexts: list[BrowserContext], live_server: LiveServer, accounts: None
) -> None:
    # A visitor is mid-conversation on version 1 (waiting at the menu) the whole time.
    early = WsVisitor(live_server.ws_url, origin=live_server.url)
    events = early.send({"type": "start"})
    events = early.send(intake_reply(events[-1]))  # consent: accept
    assert events[-1]["node"] == "menu"

    edna = signed_in(browser, contexts, live_server, "edna@example.org")
    edna.get_by_role("navigation", name="Console").get_by_role("link", name="Flows").click()
    expect(edna.get_by_role("heading", name="Conversation flows")).to_be_visible()
    assert_accessible(edna)
    shot(edna, "editor-flows")
    edna.get_by_role("link", name="New client intake").click()
    saved(edna)
    expect(edna.locator("#fe-summary")).to_contain_text("0 errors")

    # 1. the question's text, in English (Spanish is beside it)
    step(edna, "ask_first_name")
    text = edna.locator('#fe-form [data-field="text"]')
    expect(text.get_by_label("Spanish (es)")).to_have_value("¿Cuál es su nombre?")
    text.get_by_label("English (en)").fill(NEW_TEXT)
    saved(edna)
    # only the English changed since the live version: the Spanish is flagged as stale (L025)
    expect(edna.locator('#fe-form .fe-finding[data-code="L025"]')).to_contain_text("es text")
    text.get_by_label("Spanish (es)").fill("¿Qué nombre quiere que usemos?")
    saved(edna)
    expect(edna.locator('#fe-form .fe-finding[data-code="L025"]')).to_have_count(0)
    assert_accessible(edna)
    shot(edna, "editor-question")

    # 2. a branch target: people who agree go straight to the menu ...
    step(edna, "consent_check")
    edna.get_by_label("When it matches, go to").select_option("menu")
    saved(edna)
    # ... which leaves the thank-you message unreachable: a lint error on that step
    expect(edna.locator("#fe-summary")).to_contain_text("1 error")
    item = edna.locator('#fe-list [data-node="consent_thanks"]')
    expect(item).to_contain_text("1 error")
    step(edna, "consent_thanks")
    finding = edna.locator("#fe-form .fe-finding")
    expect(finding).to_contain_text("L003")
    expect(finding).to_contain_text("How to fix")
    shot(edna, "editor-lint-error")
    edna.get_by_role("tab", name="Map").click()
    expect(edna.locator('.fe-svg-node.fe-has-error[data-node="consent_thanks"]')).to_be_visible()
    assert_accessible(edna)
    shot(edna, "editor-map")
    edna.get_by_role("tab", name="Steps").click()

    # 3. the fix: the message is no longer needed
    edna.once("dialog", lambda dialog: dialog.accept())
    edna.locator("#fe-form").get_by_role("button", name="Delete").click()
    saved(edna)
    expect(edna.locator("#fe-summary")).to_contain_text("0 errors")
    expect(edna.locator('#fe-list [data-node="consent_thanks"]')).to_have_count(0)

    # 4. preview in the real widget, jumping to the changed question
    edna.get_by_role("button", name="Preview", exact=True).click()
    frame = edna.frame_locator("#fe-preview-frame")
    expect(frame.locator("#log")).to_contain_text("Before I ask anything about you", timeout=10_000)
    step(edna, "ask_first_name")
    edna.get_by_role("button", name="Show this step in the preview").click()
    expect(frame.locator("#log")).to_contain_text(NEW_TEXT, timeout=10_000)
    expect(edna.locator("#fe-preview-note")).to_contain_text("jumped")
    shot(edna, "editor-preview")
    assert live_text(live_server, "ask_first_name") == OLD_TEXT

    # 5. send for review; Edna cannot approve her own change
    edna.get_by_role("link", name="Review & publish").click()
    expect(edna.get_by_role("heading", name="What changes")).to_be_visible()
    expect(edna.locator(".fe-diff")).to_contain_text("consent_thanks")
    edna.get_by_label("What did you change, and why?").fill("Friendlier name question; no thanks.")
    edna.get_by_role("button", name="Send for review").click()
    expect(edna.get_by_text("Waiting for review").first).to_be_visible()
    expect(edna.get_by_role("button", name="Approve")).to_have_count(0)
    expect(edna.get_by_text("You worked on this draft")).to_be_visible()
    assert_accessible(edna)
    shot(edna, "editor-review-sent", full=True)

    # 6. Rhea approves
    rhea = signed_in(browser, contexts, live_server, "rhea@example.org")
    rhea.goto(f"{live_server.url}/staff/flows/intake/review")
    expect(rhea.locator(".fe-diff ins").first).to_be_visible()
    shot(rhea, "editor-review-approve", full=True)
    rhea.get_by_role("button", name="Approve").click()
    expect(rhea.get_by_text("Approved.").first).to_be_visible()

    # 7. Edna publishes
    edna.reload()
    edna.get_by_label("Note for the history").fill("Friendlier first-name question")
    shot(edna, "editor-publish")
    edna.get_by_role("button", name="Publish version 2").click()
    expect(edna.get_by_role("heading", name="History of “intake”")).to_be_visible()
    expect(edna.locator("tr.fe-live")).to_contain_text("Friendlier first-name question")
    assert_accessible(edna)
    shot(edna, "editor-history", full=True)
    assert live_text(live_server, "ask_first_name") == NEW_TEXT

    # 8. the visitor who started on version 1 finishes on it
    assert first_name_label(early, [events[-1]]) == OLD_TEXT
    finished = walk_intake(early.send, early.send({"type": "reply", "text": "Ana"}))
    assert any(e["type"] == "handoff" for e in finished)
    early.close()

    # 9. a new visitor gets the new text, and no thank-you message after consent
    newcomer = WsVisitor(live_server.ws_url, origin=live_server.url)
    opening = newcomer.send({"type": "start"})
    after_consent = newcomer.send(intake_reply(opening[-1]))
    assert "consent_thanks" not in [e.get("node") for e in after_consent]
    assert first_name_label(newcomer, after_consent) == NEW_TEXT
    newcomer.close()

    # 10. rollback restores the old text for new visitors
    edna.get_by_role("button", name="Roll back to version 1").click()
    expect(edna.get_by_text("Rolled back.")).to_be_visible()
    expect(edna.locator("tr.fe-live")).to_contain_text("Rollback to version 1")
    assert live_text(live_server, "ask_first_name") == OLD_TEXT
    later = WsVisitor(live_server.ws_url, origin=live_server.url)
    assert first_name_label(later, later.send({"type": "start"})) == OLD_TEXT
    later.close()


def test_two_tabs_editing_one_draft_cannot_overwrite_each_other(
    browser: Browser, contexts: list[BrowserContext], live_server: LiveServer, accounts: None
) -> None:
    first = signed_in(browser, contexts, live_server, "edna@example.org")
    second = first.context.new_page()
    for tab in (first, second):
        tab.goto(f"{live_server.url}/staff/flows/intake")
        saved(tab)
    step(first, "ask_dob")
    english(first).fill("Tab one's words")
    saved(first)

    step(second, "ask_dob")
    english(second).fill("Tab two's words")
    conflict = second.locator("#fe-conflict")
    expect(conflict).to_be_visible(timeout=10_000)
    expect(conflict).to_contain_text("Your last changes were not saved")
    expect(conflict).to_contain_text("another tab")
    expect(second.locator("#fe-save")).to_contain_text("Not saved")
    expect(conflict.get_by_role("link", name="Download my version")).to_be_visible()
    shot(second, "editor-conflict")

    # leaving the refused tab asks first: its changes exist only on this page
    dialogs: list[str] = []
    second.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    second.evaluate("() => { window.location.href = '/staff/flows/'; }")
    second.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    expect(second.locator("#fe-conflict")).to_be_visible()

    draft = first.request.get(
        f"{live_server.url}/staff/flows/intake/api/draft", headers={"Accept": "application/json"}
    ).json()
    texts = [
        n["text"]["en"]
        for s in draft["data"]["sections"].values()
        for n in s["nodes"]
        if n["id"] == "ask_dob"
    ]
    assert texts and texts[0].startswith("Tab one's words")

    conflict.get_by_role("button", name=re.compile("Load their version")).click()
    saved(second)
    step(second, "ask_dob")
    expect(english(second)).to_have_value(re.compile("^Tab one's words"))

    # the other tab, with nothing unsaved, picks up the newer draft instead of conflicting later
    english(second).fill("Tab two, on top of tab one")
    saved(second)
    first.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    expect(first.locator("#fe-save")).to_contain_text("Updated with the changes Edna saved")
    expect(english(first)).to_have_value("Tab two, on top of tab one")


def type_into(box: Any, text: str) -> None:
    """Replace a big textarea's text as one input event: Playwright's fill types a flow of some
    hundred kilobytes (the shipped flow with its topics) too slowly for its timeout."""
    box.evaluate(
        "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }", text
    )


def test_the_json_tab_checks_as_you_type_and_saves_only_valid_json(
    browser: Browser, contexts: list[BrowserContext], live_server: LiveServer, accounts: None
) -> None:
    page = signed_in(browser, contexts, live_server, "rhea@example.org")
    page.goto(f"{live_server.url}/staff/flows/intake")
    saved(page)
    page.get_by_role("tab", name="JSON").click()
    box = page.get_by_label("Flow JSON")
    text = box.input_value()
    type_into(box, text.replace('"start": "welcome",', '"start": "welcome"', 1))
    findings = page.locator("#fe-json-findings")
    expect(findings).to_contain_text("F001")
    expect(findings).to_contain_text("line")
    expect(findings).to_contain_text("not applied")
    assert_accessible(page)
    revision = page.locator("#fe-save").inner_text()
    type_into(box, text.replace('"start": "welcome",', '"start": "welcome_assistant",', 1))
    expect(findings).to_contain_text("L003")  # nothing leads to "welcome" any more
    expect(page.locator("#fe-save")).not_to_have_text(revision, timeout=10_000)
    saved(page)
    page.get_by_role("tab", name="Steps").click()
    expect(page.locator('#fe-list [data-node="welcome"]')).to_contain_text("1 error")
