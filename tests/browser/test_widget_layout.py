"""The widget's layout as a visitor meets it, at four sizes: desktop, a touch phone, 320 px wide and
200% zoom. The checks are about the class of fault, run at every step of the shipped flow: the
frame document never scrolls, every option is visible or reachable by scrolling the conversation,
the header and Quick exit stay in view, and on desktop the conversation keeps most of the panel.

With INTAKE_DOC_SCREENSHOTS=1 the README's widget screenshots are written to docs/img/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Frame, Page, expect
from test_widget import TYPED, control, host_events, open_chat, pick, wait_next
from widget_support import AXE, ROOT, Site, Visit

pytestmark = pytest.mark.browser

# 200% zoom is a viewport of half the CSS pixels at twice the device pixels.
SIZES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "narrow": {"viewport": {"width": 320, "height": 640}},
    "zoom200": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
}
STEP_LIMIT = 40

# Where each part of the frame is, and which options cannot be seen even after scrolling the log.
LAYOUT = """() => {
  const se = document.scrollingElement, sc = document.getElementById('scroll');
  const box = e => { const r = e.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height}; };
  const view = box(sc), hidden = [];
  const keep = sc.scrollTop;
  for (const o of document.querySelectorAll('#picks .chip, #picks .check, #picks .btn')) {
    o.scrollIntoView({block: 'nearest', behavior: 'instant'});
    const r = box(o), v = box(sc);
    const x = (r.left + r.right) / 2, y = (r.top + Math.min(r.bottom, v.bottom)) / 2;
    const hit = document.elementFromPoint(x, y);
    const inside = r.left >= v.left - 0.5 && r.right <= v.right + 0.5 &&
      r.top >= v.top - 0.5 && r.bottom <= v.bottom + 0.5;
    if (!inside || !hit || !o.contains(hit)) hidden.push(o.textContent.trim().slice(0, 40));
  }
  sc.scrollTop = keep;
  return {
    docScroll: se.scrollHeight, docHeight: se.clientHeight, docTop: se.scrollTop,
    docWide: se.scrollWidth, docWidth: se.clientWidth,
    logWide: sc.scrollWidth, logWidth: sc.clientWidth,
    height: innerHeight, width: innerWidth, log: view,
    title: box(document.getElementById('title')), exit: box(document.getElementById('exit')),
    hidden,
  };
}"""


@pytest.fixture(params=list(SIZES))
def sized(request: pytest.FixtureRequest, browser: Browser) -> Iterator[tuple[str, Visit]]:
    context = browser.new_context(reduced_motion="reduce", **SIZES[request.param])
    page = context.new_page()
    yield request.param, Visit(context, page)
    context.close()


def layout(frame: Frame) -> dict[str, Any]:
    found: dict[str, Any] = frame.evaluate(LAYOUT)
    return found


def assert_layout(size: str, step: str, got: dict[str, Any]) -> None:
    where = f"{size}, {step}"
    assert got["docScroll"] == got["docHeight"] and got["docTop"] == 0, (where, got)
    assert got["docWide"] == got["docWidth"], (where, "the frame scrolls sideways", got)
    assert got["logWide"] <= got["logWidth"], (where, "the conversation scrolls sideways", got)
    assert not got["hidden"], (where, "options out of reach", got["hidden"])
    for part in ("title", "exit"):
        r = got[part]
        assert r["top"] >= 0 and r["bottom"] <= got["height"], (where, part, "out of view", r)
        assert r["left"] >= 0 and r["right"] <= got["width"] + 0.5, (where, part, "out of view", r)
    t, e = got["title"], got["exit"]
    overlap = min(t["right"], e["right"]) - max(t["left"], e["left"]) > 0 and (
        min(t["bottom"], e["bottom"]) - max(t["top"], e["top"]) > 0
    )
    assert not overlap, (where, "Quick exit covers the practice name", t, e)
    if size == "desktop":
        share = got["log"]["height"] / got["height"]
        assert share >= 0.6, (where, f"conversation is {share:.0%} of the panel", got["log"])
    else:
        assert got["log"]["height"] >= 120, (where, "no room for the conversation", got["log"])


def wheel_over_log(page: Page, frame: Frame) -> None:
    """Turn the mouse wheel over the conversation, both ways, as a visitor reading back would."""
    element = frame.frame_element().bounding_box()
    log = frame.locator("#scroll").bounding_box()
    assert element and log
    page.mouse.move(element["x"] + log["x"] + log["width"] / 2, element["y"] + log["y"] + 20)
    for dy in (-600, -600, 900, 900, 900):
        page.mouse.wheel(0, dy)
    page.wait_for_timeout(50)


def answer(visit: Visit, state: dict[str, Any]) -> None:
    chat = visit.chat
    if state["kind"] == "choices":
        chat.locator("#picks .chip").nth(pick(state["chips"])).click()
    elif state["kind"] == "multi":
        chat.locator("#picks .multi label").first.click()
        chat.get_by_role("button", name="Continue").click()
    else:
        chat.locator("#composer .entry:not(.free) :is(input, textarea)").fill(TYPED[state["kind"]])
        chat.locator("#composer .entry:not(.free) .send").click()


def doc_shot(page: Page, name: str) -> None:
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / f"widget-{name}.png"))
    if os.environ.get("INTAKE_DOC_SCREENSHOTS") == "1":
        page.screenshot(path=str(ROOT / "docs" / "img" / f"widget-{name}.png"))


def test_every_step_of_the_shipped_flow_fits_at_every_size(
    sized: tuple[str, Visit], site: Site
) -> None:
    size, visit = sized
    frame = open_chat(visit, site.intake + "/")
    steps = 0
    for _ in range(STEP_LIMIT):
        if any(e["type"] == "handoff" for e in host_events(visit.page)):
            break
        state = control(frame)
        if state["kind"] == "none":
            visit.page.wait_for_timeout(100)
            continue
        steps += 1
        name = f"step {steps} ({state['kind']}: {', '.join(state['chips'][:3])})"
        assert_layout(size, name, layout(frame))
        if any(c.startswith("Looks right") for c in state["chips"]):
            summary_options = len(state["chips"])
            if size == "desktop":
                doc_shot(visit.page, "summary")
        answer(visit, state)
        wait_next(frame, state["bots"])
    else:
        raise AssertionError(f"{size}: no handoff after {STEP_LIMIT} answers")
    assert steps >= 8 and summary_options >= 4
    wheel_over_log(visit.page, frame)
    assert_layout(size, "after the handoff and the wheel", layout(frame))
    if size in ("desktop", "phone"):
        doc_shot(visit.page, size)


def test_a_reply_of_several_bubbles_shows_its_first_bubble(visit: Visit, site: Site) -> None:
    frame = open_chat(visit, site.intake + "/")
    state = control(frame)
    for _ in range(6):  # a few turns, so the log is long enough to scroll
        frame.locator("#composer .entry.free textarea, #composer textarea").last.fill(
            "What is therapy like?"
        )
        frame.locator("#composer .entry.free .send, #composer .send").last.click()
        wait_next(frame, state["bots"])
        state = control(frame)
        gap = frame.evaluate(
            """() => { const sc = document.getElementById('scroll');
              const you = [...document.querySelectorAll('#log .msg.you')].pop();
              const first = you.nextElementSibling;
              return first.getBoundingClientRect().top - sc.getBoundingClientRect().top; }"""
        )
        assert gap >= -1, f"the reply's first bubble is {-gap:.0f}px above the view"


def test_axe_finds_nothing_with_the_frame_scanned_inside_the_host_page(
    visit: Visit, site: Site
) -> None:
    """One axe run over the host page and the chat frame together, so that rules across documents
    (landmark-unique) see both."""
    frame = open_chat(visit, site.intake + "/")
    control(frame)
    source = AXE.read_text() + "\n;0"
    frame.evaluate(source)
    visit.page.evaluate(source)
    violations = visit.page.evaluate(
        """async () => {
            const r = await axe.run(document, {iframes: true, resultTypes: ['violations']});
            return r.violations.map(v => v.id + ': ' +
                v.nodes.map(n => n.target.join(' ')).join(' | '));
        }"""
    )
    assert violations == []


def test_the_crisis_panel_screenshot(visit: Visit, site: Site) -> None:
    frame = open_chat(visit, site.intake + "/")
    control(frame)
    frame.locator("#composer textarea").last.fill("I want to kill myself")
    frame.locator("#composer .send").last.click()
    expect(frame.locator("#crisis")).to_be_visible()
    assert_layout("desktop-crisis", "crisis panel open", {**layout(frame), "log": {"height": 1e9}})
    doc_shot(visit.page, "crisis")


# Which of the matched elements are not wholly on screen: inside the frame, and inside the boxes
# that clip them (the conversation's scroll area, the crisis panel's own scroll).
OFF_SCREEN = """sel => [...document.querySelectorAll(sel)].filter(e => {
  const r = e.getBoundingClientRect();
  const clips = [document.getElementById('scroll'), document.getElementById('crisis')]
    .filter(c => c.contains(e)).map(c => c.getBoundingClientRect());
  return !r.height || [{top: 0, bottom: innerHeight}, ...clips]
    .some(c => r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5);
}).map(e => e.textContent.trim().slice(0, 40))"""


def small_phone(browser: Browser) -> Visit:
    context = browser.new_context(viewport={"width": 360, "height": 640}, reduced_motion="reduce")
    return Visit(context, context.new_page())


def test_at_360x640_the_crisis_panel_leaves_the_next_step_in_view(
    browser: Browser, site: Site
) -> None:
    visit = small_phone(browser)
    frame = open_chat(visit, site.intake + "/")
    control(frame)
    frame.locator("#composer textarea").last.fill("I want to kill myself")
    frame.locator("#composer .send").last.click()
    care = frame.locator("#log .msg.bot", has_text="There is no rush")
    expect(care.get_by_role("button")).to_have_count(2)  # not "show the resources" under them
    expect(frame.locator("#crisis")).to_be_focused()
    frame.wait_for_timeout(50)  # the scroll after the last bubble
    # the lines to call, the hide control and the care buttons at once, none scrolled away
    assert frame.locator("#crisis-res a").count() >= 2
    care_buttons = "#log .msg.bot:last-child .btn:not([data-intent=care_resources])"
    for sel in ("#crisis-res a", "#crisis-hide", care_buttons, "#composer"):
        assert frame.evaluate(OFF_SCREEN, sel) == [], sel
    # going on folds the panel into the slim bar: the question is back, help one tap away
    care.get_by_role("button", name="Keep going with the questions").click()
    expect(frame.locator("#crisis")).to_be_hidden()
    expect(frame.locator("#crisis-bar a").first).to_be_in_viewport()
    expect(frame.locator("#picks .chip").first).to_be_visible()
    visit.context.close()


def test_a_shrinking_view_keeps_the_current_question_in_sight(browser: Browser, site: Site) -> None:
    """A phone keyboard opening makes the frame shorter: the question and Skip/Back stay shown."""
    visit = small_phone(browser)
    frame = open_chat(visit, site.intake + "/")
    for _ in range(STEP_LIMIT):
        state = control(frame)
        typed = state["kind"] == "text"
        answer(visit, state)
        wait_next(frame, state["bots"])
        if typed:
            break
    expect(frame.locator("#picks .extras .btn").first).to_be_visible()
    visit.page.set_viewport_size({"width": 360, "height": 330})
    frame.wait_for_function("() => innerHeight < 400")
    frame.wait_for_timeout(50)
    assert frame.evaluate(OFF_SCREEN, "#picks .extras .btn, #composer") == []
    visit.context.close()
