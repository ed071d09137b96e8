"""The widget's small courtesies, as a visitor meets them: forward Tab reaches the header's buttons,
a phone's full-screen panel keeps the focus, answers echoed in the visitor's own format, an answer
the server refused marked as such, one Send button at a date step, times on messages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Frame, expect
from test_widget import control, launcher, open_chat, to_date_step, wait_next
from widget_support import Site, Visit, axe_violations

pytestmark = pytest.mark.browser

IN_FRAME = """() => { const r = document.querySelector('[data-intake-chat-root]');
  const a = r && r.shadowRoot.activeElement;
  return !!a && a.tagName === 'IFRAME'; }"""
ACTIVE = """() => { const a = document.activeElement;
  return a.id || a.className || a.tagName; }"""


def tab_ring(visit: Visit, frame: Frame, key: str, presses: int = 25) -> list[str]:
    """Where the focus goes, one key press at a time; 'host' once it has left the frame."""
    seen: list[str] = []
    for _ in range(presses):
        visit.page.keyboard.press(key)
        inside = visit.page.evaluate(IN_FRAME)
        seen.append(frame.evaluate(ACTIVE) if inside else "host")
    return seen


def test_forward_tab_reaches_quick_exit_close_and_in_crisis(visit: Visit, site: Site) -> None:
    frame = open_chat(visit, site.intake + "/")
    control(frame)
    ring = tab_ring(visit, frame, "Tab")
    for wanted in ("exit", "close", "crisis-link"):
        assert wanted in ring, (wanted, ring)
    # a desktop panel is no trap: Shift+Tab from Quick exit goes back to the host page
    frame.locator("#exit").focus()
    visit.page.keyboard.press("Shift+Tab")
    back = tab_ring(visit, frame, "Shift+Tab", presses=3)
    assert "host" in back, back


def test_a_phones_full_screen_panel_keeps_the_focus_both_ways(browser: Browser, site: Site) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    visit = Visit(context, context.new_page())
    try:
        frame = open_chat(visit, site.intake + "/")
        control(frame)
        forward = tab_ring(visit, frame, "Tab")
        backward = tab_ring(visit, frame, "Shift+Tab")
        assert "host" not in forward + backward, (forward, backward)
        assert {"exit", "close", "crisis-link"} <= set(forward)
        # Escape closes the panel and gives the focus back to the launcher
        visit.page.keyboard.press("Escape")
        expect(launcher(visit.page)).to_be_focused()
    finally:
        context.close()


def test_a_date_step_has_one_send_and_echoes_the_visitors_format(visit: Visit, site: Site) -> None:
    frame = open_chat(visit, site.intake + "/")
    to_date_step(visit, frame)
    chat = visit.chat
    expect(chat.locator("#composer .send")).to_have_count(1)
    # words in the message box go first with that one button
    chat.get_by_role("textbox", name="Or write a message").fill("how much does it cost")
    before = control(frame)["bots"]
    chat.locator("#composer .send").click()
    wait_next(frame, before)
    expect(chat.locator("#log .msg.bot", has_text="I can't quote fees")).to_have_count(1)
    chat.locator("#composer input[type=date]").fill("1990-04-02")
    before = control(frame)["bots"]
    chat.locator("#composer .send").click()
    wait_next(frame, before)
    expect(chat.locator("#log .msg.you .txt", has_text="1990")).to_have_text(["04/02/1990"])
    # bot messages carry the time they came
    assert frame.locator("#log .msg.bot time.at").count() >= 3


def test_an_answer_the_server_refused_is_marked_not_accepted(visit: Visit, site: Site) -> None:
    frame = open_chat(visit, site.intake + "/")
    chat = visit.chat
    free = chat.locator("#composer .entry.free textarea")
    free.fill("maybe later")
    chat.locator("#composer .entry.free .send").click()
    expect(chat.locator("#err")).not_to_be_empty()
    refused = chat.locator("#log .msg.you").last
    expect(refused).to_have_class("msg you rejected")
    expect(refused).to_contain_text("Not accepted as an answer")
    before = control(frame)["bots"]
    chat.locator(".chip", has_text="Yes, that's okay").click()
    wait_next(frame, before)
    expect(chat.locator("#log .msg.you.rejected")).to_have_count(1)  # the accepted one is not


def test_a_spanish_browser_on_an_english_page_is_offered_spanish_and_keeps_its_answers(
    browser: Browser, site: Site
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="es-ES")
    visit = Visit(context, context.new_page())
    try:
        frame = open_chat(visit, site.intake + "/")
        chat = visit.chat
        english = chat.get_by_role("button", name="English", exact=True)
        expect(english).to_have_count(0)  # the page's own language
        expect(chat.get_by_role("button", name="Español", exact=True)).to_be_visible()
        offer = chat.locator("[data-offer=es]")
        expect(offer).to_contain_text("¿Prefiere español?")
        before = control(frame)["bots"]
        chat.locator(".chip", has_text="Yes, that's okay").click()
        wait_next(frame, before)
        said = frame.locator("#log .msg").count()
        offer.get_by_role("button", name="Continuar en español").click()
        expect(chat.get_by_role("button", name="Salida rápida")).to_be_visible()
        frame = visit.frame()
        assert frame.evaluate("() => document.documentElement.lang") == "es"
        # the conversation so far is still there, then the same question in Spanish
        frame.wait_for_function("n => document.querySelectorAll('#log .msg').length > n", arg=said)
        expect(chat.locator("#log .msg.you").first).to_contain_text("Yes, that's okay")
        expect(english).to_be_visible()
        assert control(frame)["chips"], "the question's options came back"
        expect(chat.locator("[data-offer]:visible")).to_have_count(0)  # it speaks Spanish now
    finally:
        context.close()


def test_a_message_typed_in_spanish_offers_spanish(visit: Visit, site: Site) -> None:
    frame = open_chat(visit, site.intake + "/")
    chat = visit.chat
    offer = chat.locator("[data-offer=es]")
    expect(offer).to_be_hidden()  # an English browser on an English page: nothing offered
    control(frame)
    chat.locator("#composer .entry.free textarea").fill("Hola, necesito ayuda para mi hijo")
    chat.locator("#composer .entry.free .send").click()
    expect(offer).to_be_visible()  # the words were read (and not taken as the consent answer)
    assert axe_violations(frame) == []
    expect(offer.get_by_role("button", name="Continuar en español")).to_be_visible()
