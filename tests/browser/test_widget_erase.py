"""The widget's "Delete this conversation" in a real Chromium against the real server: asked to
confirm, then the conversation is erased on the server (its token no longer resumes), the widget
says so and forgets it on this device; after a referral, the server refuses and says why."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect
from test_widget import answer_with_mouse, control, open_chat, wait_next
from widget_support import Site, Visit

pytestmark = pytest.mark.browser


def resume_status(site: Site, token: str) -> int:
    body = json.dumps({"type": "resume", "token": token}).encode()
    request = urllib.request.Request(
        site.intake + "/api/chat/sessions", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_delete_this_conversation_erases_it_on_the_server(visit: Visit, site: Site) -> None:
    frame = open_chat(visit, site.intake + "/")
    chat = visit.chat
    state = control(frame)
    answer_with_mouse(visit, frame, state)
    wait_next(frame, state["bots"])
    token = frame.evaluate("() => JSON.parse(sessionStorage.getItem('intake-chat.token'))")
    assert resume_status(site, token) == 201

    chat.get_by_role("button", name="Delete this conversation").click()
    expect(chat.locator("#confirm-q")).to_contain_text("cannot be undone")
    expect(chat.get_by_role("button", name="Cancel")).to_be_focused()
    chat.get_by_role("button", name="Yes, go ahead").click()

    expect(chat.locator("#start-text")).to_have_text("This conversation has been deleted.")
    start = chat.get_by_role("button", name="Start a new chat")
    expect(start).to_be_focused()
    expect(start).to_have_accessible_description("This conversation has been deleted.")
    expect(chat.locator("#status")).to_have_text("")  # said once, not twice
    visit.page.wait_for_timeout(400)  # longer than the typing indicator's delay
    expect(chat.locator("#log > *")).to_have_count(0)
    for name in ("Delete this conversation", "Start over"):  # nothing left to delete
        expect(chat.get_by_role("button", name=name)).to_be_disabled()
    assert frame.evaluate("() => Object.keys(sessionStorage).length") == 0
    assert resume_status(site, token) == 404
    start.click()
    expect(chat.get_by_role("button", name="Delete this conversation")).to_be_enabled()
