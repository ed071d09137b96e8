"""The staff loop in Debian's Chromium against the real server: a visitor's question no topic
answers (and a crisis message, which must not) reaches "Questions we could not answer"; an editor
adds it to a topic in the draft, then edits that topic's examples through the editor's forms and
asks the preview which topic a typed message gets, with its score and the runner-up. Only loopback
is contacted; axe finds nothing on either page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from server import LiveServer, WsVisitor
from test_editor import accounts, assert_accessible, contexts, saved, signed_in

pytestmark = pytest.mark.browser
__all__ = ["accounts", "contexts"]  # fixtures, used by name

QUESTION = "can elephants fly?"
ROOT = Path(__file__).resolve().parents[2]


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
    visitor.close()

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
    # the count follows the flow's examples, so it is read here rather than written into the test
    held = english.locator(".fe-example-list input").count()
    expect(english.locator("legend")).to_contain_text(f"({held})")
    english.get_by_label("New example in English (en)").fill("is the first visit free")
    english.get_by_role("button", name="Add the example").click()
    saved(page)
    english = form.locator('.fe-examples[data-locale="en"]')
    expect(english.locator("legend")).to_contain_text(f"({held + 1})")
    english.get_by_role("button", name=f"Remove example {held} in English (en): {QUESTION}").click()
    saved(page)
    expect(form.locator('.fe-examples[data-locale="en"] legend')).to_contain_text(f"({held})")
    assert_accessible(page)

    tester = form.locator(".fe-topic-tester")
    tester.get_by_label("A visitor types").fill("how much does a session cost?")
    tester.get_by_role("button", name="Try it").click()
    result = tester.locator(".fe-topic-result")
    expect(result).to_contain_text("Fees and payment (payment)")
    expect(result).to_contain_text("score 0.")
    expect(result).to_contain_text("Runner-up:")


JARGON = re.compile(
    r"\b(branch|cases?|include|goto|var|id|node|intents?|regular expression|regex|handoff)\b", re.I
)


def test_no_editor_field_is_named_in_the_flow_formats_jargon(
    browser: Browser, contexts: list[BrowserContext], live_server: LiveServer, accounts: None
) -> None:
    """The class, not the instance: every label, legend and kind of step the editor shows for one
    step of every kind (and the flow and topic forms) is in plain words; the format's name may
    only appear marked "technical" (in a hint or in brackets)."""
    flow = json.loads((ROOT / "flows" / "intake.json").read_text(encoding="utf-8"))
    one_of_each: dict[str, str] = {}
    for section in flow["sections"].values():
        for item in section["nodes"]:
            one_of_each.setdefault(item["type"], item["id"])
    page = signed_in(browser, contexts, live_server, "rhea@example.org")
    page.goto(f"{live_server.url}/staff/flows/intake")
    saved(page)
    shown: list[str] = []

    def read() -> None:
        for details in page.locator("#fe-form details").all():
            details.evaluate("d => { d.open = true; }")
        named = page.locator("#fe-form label, #fe-form legend, #fe-form summary")
        shown.extend(named.all_inner_texts())
        shown.extend(page.locator("#fe-form button").all_inner_texts())

    for node_id in sorted(one_of_each.values()):
        page.locator(f'#fe-list [data-node="{node_id}"]').click()
        expect(page.locator("#fe-form h2")).to_contain_text(node_id)
        read()
    shown.extend(page.locator("#fe-list .fe-item-type").all_inner_texts())
    page.locator("#fe-list").get_by_role("button", name="Flow").click()
    read()
    page.locator("#fe-list").get_by_role("button", name="Topics").click()
    page.locator("#fe-form").get_by_role("button", name="Fees and payment").click()
    read()
    assert len(one_of_each) >= 8 and len(shown) > 50
    plain = [re.sub(r"\(technical[^)]*\)", "", text, flags=re.I) for text in shown]
    assert [t for t in plain if JARGON.search(t)] == []
