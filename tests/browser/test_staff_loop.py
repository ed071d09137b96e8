"""The staff loop in Debian's Chromium against the real server: a visitor's question no topic
answers (and a crisis message, which must not) reaches "Questions we could not answer"; an editor
adds it to a topic in the draft, then edits that topic's examples through the editor's forms and
asks the preview which topic a typed message gets, with its score and the runner-up. Only loopback
is contacted; axe finds nothing on either page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from server import LiveServer, WsVisitor
from test_editor import accounts, assert_accessible, contexts, saved, signed_in

pytestmark = pytest.mark.browser
__all__ = ["accounts", "contexts"]  # fixtures, used by name

QUESTION = "can elephants fly?"


def test_an_unanswered_question_becomes_a_topic_example_and_the_preview_explains_matches(
    browser: Browser, contexts: list[BrowserContext], live_server: LiveServer, accounts: None
) -> None:
    visitor = WsVisitor(live_server.ws_url, origin=live_server.url)
    visitor.send({"type": "start"})
    visitor.send({"type": "reply", "choice": "accept"})  # nothing is kept before consent
    events = visitor.send({"type": "reply", "text": QUESTION})
    assert any(e.get("node") == "topic:fallback" for e in events)
    events = visitor.send({"type": "reply", "text": "I want to kill myself, can elephants fly?"})
    assert any(e["type"] == "crisis" for e in events)

    page = signed_in(browser, contexts, live_server, "edna@example.org")
    nav = page.get_by_role("navigation", name="Console")
    nav.get_by_role("link", name="Unanswered questions").click()
    expect(page.get_by_role("heading", name="Questions we could not answer")).to_be_visible()
    listed = page.locator(".question")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(QUESTION)
    assert_accessible(page)
    listed.get_by_label("Add as an example of the topic").select_option("payment")
    listed.get_by_role("button", name="Add to the draft").click()
    expect(page.locator(".notice")).to_contain_text("Added to the topic's examples")
    expect(page.locator(".question")).to_have_count(0)

    page.goto(f"{live_server.url}/staff/flows/intake")
    saved(page)
    page.locator("#fe-list").get_by_role("button", name="Topics").click()
    page.locator("#fe-form").get_by_role("button", name="Fees and payment").click()
    form = page.locator("#fe-form")
    expect(form.get_by_role("heading", name="Topic: Fees and payment")).to_be_visible()
    english = form.locator('.fe-examples[data-locale="en"]')
    expect(english.locator(".fe-example-list input").last).to_have_value(QUESTION)
    english.get_by_label("New example in English (en)").fill("is the first visit free")
    english.get_by_role("button", name="Add the example").click()
    saved(page)
    english = form.locator('.fe-examples[data-locale="en"]')
    expect(english.locator("legend")).to_contain_text("(19)")
    english.get_by_role("button", name=f"Remove example 18 in English (en): {QUESTION}").click()
    saved(page)
    expect(form.locator('.fe-examples[data-locale="en"] legend')).to_contain_text("(18)")
    assert_accessible(page)

    tester = form.locator(".fe-topic-tester")
    tester.get_by_label("A visitor types").fill("how much does a session cost?")
    tester.get_by_role("button", name="Try it").click()
    result = tester.locator(".fe-topic-result")
    expect(result).to_contain_text("Fees and payment (payment)")
    expect(result).to_contain_text("score 0.")
    expect(result).to_contain_text("Runner-up:")
