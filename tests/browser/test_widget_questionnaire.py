"""The demo check-in in the widget, in a real Chromium against the real server: completed by
keyboard in English and by mouse in Spanish; every answer button visible and reachable by the
arrow keys, skip and back by Tab, axe-core clean at an item, and no score ever shown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Frame, Page, expect
from test_widget import (
    answer_with_keyboard,
    answer_with_mouse,
    assert_accessible,
    complete_referral,
    control,
    focused,
    launcher,
    open_chat,
    pick,
    shot,
    transcript,
    watch_host_events,
)
from widget_support import Site, Visit

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DEMO = json.loads((ROOT / "flows" / "instruments" / "checkin-demo.json").read_text())
ACCEPT = {"en": "Yes, I'll answer them", "es": "Sí, las respondo"}
CHOSEN = [1, 2, 0, 3, 0]  # per item, the option pressed; the risk item (last) at its lowest
SCORE_WORDS = ("demo band", "Low", "difficulties", "total", "of 15", "points", "score")


def scale(locale: str) -> list[str]:
    return [option["label"][locale] for option in DEMO["scale"]]


def choose(state: dict[str, Any], locale: str, asked: list[str]) -> int:
    """The check-in accepted, each item answered with CHOSEN; elsewhere the usual choice."""
    chips = state["chips"]
    if ACCEPT[locale] in chips:
        return chips.index(ACCEPT[locale])
    if chips == scale(locale):
        asked.append("item")
        return CHOSEN[len(asked) - 1]
    return pick(chips)


def check_the_first_item(page: Page, frame: Frame, visit: Visit, locale: str) -> None:
    """Every answer visible on screen and reachable by arrows; skip and back by Tab; axe clean."""
    chips = visit.chat.locator(".choices .chip")
    expect(chips).to_have_count(len(DEMO["scale"]))
    for n in range(len(DEMO["scale"])):
        expect(chips.nth(n)).to_be_visible()
        expect(chips.nth(n)).to_be_in_viewport()
    expect(visit.chat.locator("#log .msg.bot").last).to_contain_text(DEMO["recall"][locale])
    expect(chips.first).to_be_focused()
    for n in range(1, len(DEMO["scale"])):
        page.keyboard.press("ArrowRight")
        expect(chips.nth(n)).to_be_focused()
    for _ in range(len(DEMO["scale"]) - 1):
        page.keyboard.press("ArrowLeft")
    expect(chips.first).to_be_focused()
    reached = set()
    for _ in range(6):
        page.keyboard.press("Tab")
        reached.add(focused(frame).split(":")[-1])
    words = {"en": ("Back", "Skip"), "es": ("Atrás", "Saltar")}[locale]
    assert any(words[0] in r for r in reached) and any(words[1] in r for r in reached), reached
    for _ in range(6):  # and back to the answers
        page.keyboard.press("Shift+Tab")
        if focused(frame).endswith(scale(locale)[0]):
            break
    expect(chips.first).to_be_focused()
    assert_accessible(visit, "check-in item")


def settled(frame: Frame, state: dict[str, Any]) -> dict[str, Any]:
    """The control once the reply has arrived: on a loaded machine the typing indicator (a bot
    message too) can satisfy the shared wait before the next question is drawn."""
    frame.wait_for_function("() => !document.querySelector('#log .msg.typing')")
    return {**control(frame), "bots": state["bots"]}


def no_score_in(frame: Frame) -> list[str]:
    lines = transcript(frame)
    for line in lines:
        for word in SCORE_WORDS:
            assert word not in line, line
    return lines


def test_the_check_in_is_completed_by_keyboard_and_shows_no_score(
    visit: Visit, site: Site, artifacts: Path
) -> None:
    page = visit.page
    frame = open_chat(visit, site.intake + "/")
    asked: list[str] = []
    seen_item = False

    def answer(state: dict[str, Any]) -> None:
        nonlocal seen_item
        state = settled(frame, state)
        if state["kind"] != "choices":
            answer_with_keyboard(page, frame, state)
            return
        if state["chips"] == scale("en") and not seen_item:
            seen_item = True
            check_the_first_item(page, frame, visit, "en")
            shot(page, artifacts, "check-in-item")
        target = choose(state, "en", asked)
        for _ in range(target):
            page.keyboard.press("ArrowRight")
        expect(frame.locator(".choices .chip").nth(target)).to_be_focused()
        page.keyboard.press("Enter")

    complete_referral(visit, frame, answer)
    assert len(asked) == len(DEMO["items"])
    lines = no_score_in(frame)
    for item in DEMO["items"]:
        assert f"bot: {item['text']['en']}" in lines
    picked = [scale("en")[n] for n in CHOSEN]
    assert [line for line in lines if line.removeprefix("you: ") in picked] == [
        f"you: {label}" for label in picked
    ]


def test_the_check_in_is_completed_in_spanish_with_the_mouse(visit: Visit, site: Site) -> None:
    page = visit.page
    page.goto(site.host + "/left")  # the host page in Spanish
    expect(launcher(page)).to_have_text("Chatee con nosotros")
    watch_host_events(page)
    launcher(page).click()
    frame = visit.frame()
    expect(visit.chat.locator("#log .msg.bot").first).to_be_visible()
    asked: list[str] = []

    def answer(state: dict[str, Any]) -> None:
        state = settled(frame, state)
        if state["kind"] == "choices":
            visit.chat.locator(".choices .chip").nth(choose(state, "es", asked)).click()
        elif state["kind"] == "date":
            entry = visit.chat.locator("#composer .entry:not(.free) input")
            entry.fill("1990-04-02")
            visit.chat.locator("#composer .entry:not(.free) .send").click()
        else:
            answer_with_mouse(visit, frame, state)

    complete_referral(visit, frame, answer)
    assert len(asked) == len(DEMO["items"])
    lines = no_score_in(frame)
    assert f"bot: {DEMO['intro']['es']}" in lines
    for item in DEMO["items"]:
        assert f"bot: {item['text']['es']}" in lines
