"""The chat widget in a real Chromium against the real server: a whole referral by mouse and by
keyboard, reload and reconnect, the HTTP fallback, crisis help, quick exit, embedding on a second
origin, and axe-core in every state. Screenshots land in test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Frame, Locator, Page, WebSocketRoute, expect
from widget_support import Site, Visit, axe_violations, record_timing, running_app

pytestmark = pytest.mark.browser

# Which button to press when the flow offers it; otherwise the first option is taken.
PREFERRED = (
    "Yes, that's okay",
    "Start a referral",
    "Email",
    "No thanks",  # the optional check-in (test_widget_questionnaire.py completes it)
    "Massachusetts",
    "Telehealth",
    "Looks right",
)
TYPED = {
    "email": "ana@example.com",
    "tel": "774-555-0100",
    "date": "1990-04-02",
    "number": "2",
    "text": "Ana",
}
STEP_LIMIT = 40

CONTROL = """() => {
  const f = document.getElementById('composer'), p = document.getElementById('picks');
  const answer = f.querySelector('.entry:not(.free) input, .entry:not(.free) textarea');
  const chips = [...p.querySelectorAll('.choices .chip')].map(b => b.textContent.trim());
  return {
    kind: answer ? (answer.type === 'textarea' ? 'text' : answer.type)
      : p.querySelector('.multi') ? 'multi' : chips.length ? 'choices' : 'none',
    chips,
    skip: !!p.querySelector('.extras .btn:last-child') &&
      [...p.querySelectorAll('.extras .btn')].some(b => b.textContent.trim() === 'Skip'),
    bots: document.querySelectorAll('#log .msg.bot:not(.typing)').length,
  };
}"""


# --- helpers ----------------------------------------------------------------------------------


def launcher(page: Page) -> Any:
    return page.locator("[data-intake-chat-root] button.l")


def watch_host_events(page: Page) -> None:
    """The host page's view of the widget: the events its API reports (they carry no answers)."""
    page.wait_for_function("() => window.IntakeChat && window.IntakeChat.version")
    page.evaluate(
        """() => { window.__events = [];
          for (const n of ['open', 'close', 'handoff', 'crisis'])
            IntakeChat.on(n, e => window.__events.push(JSON.parse(JSON.stringify(e)))); }"""
    )


def host_events(page: Page) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = page.evaluate("() => window.__events")
    return events


def open_chat(visit: Visit, url: str, *, timing: str | None = None) -> Frame:
    """Load a page, wait for the launcher (it shows once the frame is ready), open the chat and wait
    for the first bot message; optionally record the time from the click to that message."""
    page = visit.page
    page.goto(url)
    expect(launcher(page)).to_be_visible()
    watch_host_events(page)
    frame = visit.frame()
    frame.evaluate(
        """() => { window.__firstBot = 0; const log = document.getElementById('log');
          new MutationObserver(() => { if (!window.__firstBot && log.querySelector('.msg.bot'))
            window.__firstBot = performance.timeOrigin + performance.now(); })
            .observe(log, {childList: true}); }"""
    )
    page.evaluate(
        """() => { const b = document.querySelector('[data-intake-chat-root]').shadowRoot
            .querySelector('.l'); b.addEventListener('click', () => { window.__clickAt =
            performance.timeOrigin + performance.now(); }, {capture: true, once: true}); }"""
    )
    launcher(page).click()
    expect(visit.chat.locator("#log .msg.bot").first).to_be_visible()
    if timing:
        frame.wait_for_function("() => window.__firstBot > 0")
        record_timing(
            timing,
            frame.evaluate("() => window.__firstBot") - page.evaluate("() => window.__clickAt"),
        )
    return frame


def control(frame: Frame) -> dict[str, Any]:
    frame.wait_for_function("() => document.getElementById('composer').childElementCount > 0")
    state: dict[str, Any] = frame.evaluate(CONTROL)
    return state


def wait_next(frame: Frame, bots_before: int) -> None:
    """The answer was taken when the next question (or the handoff) adds a bot message."""
    frame.wait_for_function(
        """n => document.querySelectorAll('#log .msg.bot:not(.typing)').length > n &&
              document.getElementById('composer').childElementCount > 0 &&
              !document.querySelector('#log .queued') &&
              !document.querySelector('#log .msg.typing')""",
        arg=bots_before,
    )


def pick(chips: list[str]) -> int:
    for wanted in PREFERRED:
        for i, chip in enumerate(chips):
            if chip.startswith(wanted):
                return i
    return 0


def answer_with_mouse(visit: Visit, frame: Frame, state: dict[str, Any]) -> None:
    chat = visit.chat
    kind = state["kind"]
    if kind == "choices":
        chat.locator(".choices .chip").nth(pick(state["chips"])).click()
    elif kind == "multi":
        chat.locator(".multi label").first.click()
        chat.get_by_role("button", name="Continue").click()
    else:
        chat.locator("#composer .entry:not(.free) :is(input, textarea)").fill(TYPED[kind])
        chat.locator("#composer .entry:not(.free) .send").click()


def focused(frame: Frame) -> str:
    text: str = frame.evaluate(
        """() => { const a = document.activeElement;
          return (a.closest('#composer, #picks') ? 'composer:' : 'elsewhere:') + a.tagName + ':' +
            (a.type || '') + ':' + a.textContent.trim().slice(0, 40); }"""
    )
    return text


def answer_with_keyboard(page: Page, frame: Frame, state: dict[str, Any]) -> None:
    """Only keys. Focus must already be on the question's control (the widget moves it there)."""
    assert focused(frame).startswith("composer:"), focused(frame)
    kind = state["kind"]
    keys = page.keyboard
    if kind == "choices":
        target = pick(state["chips"])
        for _ in range(target):
            keys.press("ArrowRight")
        expect(frame.locator(".choices .chip").nth(target)).to_be_focused()
        keys.press("Enter")
    elif kind == "multi":
        keys.press("Space")
        for _ in range(12):  # each checkbox is a Tab stop, then the Continue button
            keys.press("Tab")
            if "Continue" in focused(frame):
                break
        assert "Continue" in focused(frame)
        keys.press("Enter")
    elif kind == "date":
        keys.type("04021990")  # the date field's month / day / year segments
        keys.press("Enter")
    else:
        keys.type(TYPED[kind])
        keys.press("Enter")


def complete_referral(visit: Visit, frame: Frame, answer: Any) -> list[str]:
    """Answer every question until the handoff; returns the kinds of control met on the way."""
    kinds: list[str] = []
    for _ in range(STEP_LIMIT):
        if any(e["type"] == "handoff" for e in host_events(visit.page)):
            return kinds
        state = control(frame)
        kinds.append(state["kind"])
        if state["kind"] == "none":
            visit.page.wait_for_timeout(100)
            continue
        answer(state)
        wait_next(frame, state["bots"])
    raise AssertionError(f"no handoff after {STEP_LIMIT} answers: {kinds}")


def to_date_step(visit: Visit, frame: Frame) -> Locator:
    """Consent, a referral, a name and two skips: the date of birth question; returns its field."""
    chat = visit.chat
    answer = chat.locator("#composer .entry:not(.free) :is(input, textarea)")
    for press in (
        lambda: chat.locator(".chip", has_text="Yes, that's okay").click(),
        lambda: chat.locator(".chip", has_text="Start a referral").click(),
        lambda: answer.fill("Ana") or answer.press("Enter"),
        lambda: chat.get_by_role("button", name="Skip").click(),
        lambda: chat.get_by_role("button", name="Skip").click(),
    ):
        before = control(frame)["bots"]
        press()
        wait_next(frame, before)
    expect(answer).to_have_attribute("type", "date")
    return answer


def transcript(frame: Frame) -> list[str]:
    items: list[str] = frame.evaluate(
        "() => [...document.querySelectorAll('#log .msg')].map(m => m.className.split(' ')[1] + "
        "': ' + m.querySelector('.txt').textContent)"
    )
    return items


def assert_accessible(visit: Visit, state: str) -> None:
    found = {"host page": axe_violations(visit.page.main_frame)}
    frame = visit.frame()
    if frame.is_detached() is False:
        found["chat frame"] = axe_violations(frame)
    problems = {where: v for where, v in found.items() if v}
    assert not problems, f"axe violations in state {state!r}: {problems}"


def shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"widget-{name}.png"))


def assert_only_loopback(visit: Visit, *origins: str) -> None:
    allowed = {urlsplit(o).netloc for o in origins}
    foreign = [
        u
        for u in visit.requests
        if urlsplit(u).scheme in ("http", "https", "ws", "wss")
        and urlsplit(u).netloc not in allowed
    ]
    assert not foreign, f"requests to other origins: {foreign}"


# --- the tests --------------------------------------------------------------------------------


def test_it_completes_a_referral_with_the_mouse(visit: Visit, site: Site, artifacts: Path) -> None:
    page = visit.page
    page.goto(site.intake + "/")
    expect(launcher(page)).to_be_visible()
    assert_accessible(visit, "closed")
    shot(page, artifacts, "1-closed")

    frame = open_chat(visit, site.intake + "/", timing="launcher_open_to_first_bot_message_ms")
    assert_accessible(visit, "open")
    shot(page, artifacts, "2-open")
    expect(visit.chat.locator(".choices .chip").first).to_be_visible()
    assert_accessible(visit, "question")

    chat = visit.chat
    kinds = complete_referral(visit, frame, lambda state: answer_with_mouse(visit, frame, state))
    assert {"choices", "text", "date", "email", "multi"} <= set(kinds)
    expect(chat.locator("#log .msg.bot").last).to_contain_text("referral")
    assert [e["type"] for e in host_events(page)] == ["open", "handoff"]
    assert host_events(page)[1] == {"type": "handoff", "mode": "queued"}
    assert_accessible(visit, "handoff")
    shot(page, artifacts, "5-handoff")

    lines = transcript(frame)
    assert "you: ana@example.com" in lines
    assert "you: Ana" in lines
    assert len([line for line in lines if line.startswith("you: Start a referral")]) == 1
    assert_only_loopback(visit, site.intake)


def test_it_completes_a_referral_with_the_keyboard_only(visit: Visit, site: Site) -> None:
    page = visit.page
    page.goto(site.intake + "/")
    expect(launcher(page)).to_be_visible()
    watch_host_events(page)
    for _ in range(30):  # Tab from the top of the page to the launcher
        page.keyboard.press("Tab")
        if page.evaluate(
            "() => document.activeElement?.shadowRoot?.activeElement?.className === 'l'"
        ):
            break
    else:
        raise AssertionError("the launcher is not reachable with Tab")
    page.keyboard.press("Enter")
    frame = visit.frame()
    expect(visit.chat.locator(".choices .chip").first).to_be_focused()

    # arrows move between choices (roving tabindex); only one is in the Tab order
    assert frame.locator(".choices [tabindex='0']").count() == 1
    page.keyboard.press("ArrowRight")
    expect(visit.chat.locator(".choices .chip").nth(1)).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(visit.chat.locator(".choices .chip").first).to_be_focused()

    kinds = complete_referral(visit, frame, lambda state: answer_with_keyboard(page, frame, state))
    assert {"choices", "text", "date", "email", "multi"} <= set(kinds)
    assert host_events(page)[-1] == {"type": "handoff", "mode": "queued"}

    # Escape closes the chat and gives focus back to the launcher
    assert focused(frame).startswith("composer:")
    page.keyboard.press("Escape")
    expect(visit.page.locator("[data-intake-chat-root] .p")).to_be_hidden()
    assert page.evaluate("() => document.activeElement.shadowRoot.activeElement.className") == "l"
    assert host_events(page)[-1] == {"type": "close"}


def test_it_resumes_the_transcript_after_a_reload(visit: Visit, site: Site) -> None:
    frame = open_chat(visit, site.intake + "/")
    chat = visit.chat
    for _ in range(4):
        state = control(frame)
        answer_with_mouse(visit, frame, state)
        wait_next(frame, state["bots"])
    chat.locator("#composer .entry textarea").first.fill("half-typed answer")
    before = transcript(frame)
    assert any(line.startswith("you:") for line in before)

    visit.page.reload()
    # the panel reopens by itself and the whole conversation is redrawn, once
    expect(launcher(visit.page)).to_have_attribute("aria-expanded", "true")
    frame = visit.frame()
    frame.wait_for_function(
        "n => document.querySelectorAll('#log .msg').length >= n", arg=len(before)
    )
    frame.wait_for_timeout(300)
    assert transcript(frame) == before
    expect(chat.locator("#composer .entry textarea").first).to_have_value("half-typed answer")

    # and it goes on from where it was
    state = control(frame)
    answer_with_mouse(visit, frame, state)
    wait_next(frame, state["bots"])
    assert len(transcript(frame)) > len(before)


def test_it_reconnects_after_the_connection_drops_and_sends_what_was_typed(
    visit: Visit, site: Site, artifacts: Path
) -> None:
    down = {"now": False}
    sockets: list[WebSocketRoute] = []

    def through(ws: WebSocketRoute) -> None:
        if down["now"]:
            ws.close()
            return
        ws.connect_to_server()
        sockets.append(ws)

    visit.context.route_web_socket(re.compile(r"/ws/chat$"), through)
    frame = open_chat(visit, site.intake + "/")
    state = control(frame)
    answer_with_mouse(visit, frame, state)
    wait_next(frame, state["bots"])

    down["now"] = True
    visit.context.set_offline(True)
    for ws in sockets:
        ws.close()
    chat = visit.chat
    expect(chat.locator("#status")).to_contain_text("offline")
    state = control(frame)
    answer_with_mouse(visit, frame, state)  # answered while offline
    expect(chat.locator("#log .msg.you.queued")).to_contain_text("Not sent yet")
    shot(visit.page, artifacts, "6-offline")

    down["now"] = False
    visit.context.set_offline(False)
    wait_next(frame, state["bots"])
    expect(chat.locator("#status")).to_be_empty()
    assert len(sockets) >= 2
    lines = transcript(frame)
    assert len(lines) == len(set(lines)), f"a line came twice: {lines}"


def test_it_falls_back_to_http_when_websockets_fail(visit: Visit, site: Site) -> None:
    visit.context.route_web_socket(re.compile(r"/ws/chat$"), lambda ws: ws.close())
    frame = open_chat(visit, site.intake + "/")
    for _ in range(3):
        state = control(frame)
        answer_with_mouse(visit, frame, state)
        wait_next(frame, state["bots"])
    posts = [u for u in visit.requests if "/api/chat/sessions" in u]
    assert any(u.endswith("/api/chat/sessions") for u in posts)
    assert any(u.endswith("/events") for u in posts)
    lines = transcript(frame)
    assert sum(line.startswith("you:") for line in lines) == 3
    assert len(lines) == len(set(lines))


def test_the_in_crisis_link_works_before_anything_is_typed_even_offline(
    visit: Visit, site: Site, artifacts: Path
) -> None:
    page = visit.page
    page.goto(site.intake + "/")
    expect(launcher(page)).to_be_visible()
    visit.context.set_offline(True)
    launcher(page).click()
    chat = visit.chat
    chat.get_by_role("button", name="In crisis?").click()
    panel = chat.get_by_role("region", name="Help right now")
    expect(panel).to_be_visible()
    expect(panel).to_be_focused()
    hrefs = [a.get_attribute("href") for a in panel.locator("a").all()]
    assert {"tel:988", "sms:988", "tel:911"} <= set(hrefs)
    assert any(h and h.startswith("sms:741741") for h in hrefs)
    visit.context.set_offline(False)
    assert_accessible(visit, "crisis panel")
    shot(page, artifacts, "4-crisis-link")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(chat.get_by_role("button", name="In crisis?")).to_be_focused()


def test_a_crisis_message_brings_up_help_that_stays_for_the_session(
    visit: Visit, site: Site, artifacts: Path
) -> None:
    frame = open_chat(visit, site.intake + "/")
    chat = visit.chat
    chat.locator("#composer textarea").fill("I want to kill myself")
    chat.locator("#composer .send").click()
    panel = chat.get_by_role("region", name="Help right now")
    expect(panel).to_be_visible()
    expect(panel).to_be_focused()
    expect(panel.locator("a[href='tel:988']")).to_be_visible()
    expect(chat.locator("#composer textarea")).to_have_value("")
    expect(panel.get_by_role("button", name=re.compile("person", re.I))).to_be_visible()
    # no intake question yet: the conversation pauses and asks what the visitor wants
    care = chat.locator("#log .msg.bot", has_text="There is no rush")
    expect(care).to_have_count(1)
    expect(care.get_by_role("button")).to_have_count(3)
    expect(chat.locator("#log .msg.bot", has_text="Is it all right")).to_have_count(1)
    assert {"type": "crisis"} in host_events(visit.page)  # nothing about what was typed
    assert_accessible(visit, "crisis")
    shot(visit.page, artifacts, "3-crisis")

    chat.get_by_role("button", name="Hide crisis help").click()
    bar = chat.locator("#crisis-bar")
    expect(bar).to_be_visible()
    expect(bar.locator("a").first).to_have_attribute("href", re.compile("^(tel|sms):"))
    care.get_by_role("button", name="Keep going with the questions").click()
    # the consent question is asked again, without repeating its long privacy notice
    expect(chat.locator("#log .msg.bot", has_text="Is it all right")).to_have_count(2)
    expect(chat.locator("#log .msg.bot .notice")).to_have_count(1)

    visit.page.reload()  # still there after a reload: the crisis event is part of the transcript
    expect(visit.chat.locator("#crisis-bar a").first).to_be_visible()
    expect(visit.chat.locator("#log .msg.bot .notice")).to_have_count(1)
    assert frame.is_detached()


def test_a_live_handoff_waits_then_shows_the_staff_members_name(
    browser: Any, tmp_path: Path, artifacts: Path
) -> None:
    with running_app(tmp_path, office_hours="always") as (url, service):
        from live_helpers import accepting_staff

        accepting_staff(service.db)  # someone takes live chats, so the visitor waits for them
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        visit = Visit(context, context.new_page())
        frame = open_chat(visit, url + "/")
        chat = visit.chat
        chat.locator(".chip", has_text="Yes, that's okay").click()
        chat.locator(".chip", has_text="person").click()
        expect(chat.locator("#status")).to_contain_text("Waiting for a member of our team")
        assert host_events(visit.page)[-1] == {"type": "handoff", "mode": "live"}

        token = frame.evaluate("() => JSON.parse(sessionStorage.getItem('intake-chat.token'))")
        service.post_staff_message(
            service_session_id(service, token),
            name="Maria",
            text="Hi, I'm Maria from the intake team.",
            actor="staff:1",
        )
        staff = chat.locator("#log .msg.staff")
        expect(staff).to_contain_text("Maria (team member):")
        expect(staff).to_contain_text("Hi, I'm Maria from the intake team.")
        expect(chat.locator("#status")).to_be_empty()
        assert_accessible(visit, "live handoff with staff")
        shot(visit.page, artifacts, "8-staff")

        chat.locator("#composer textarea").fill("Thank you, Maria")
        chat.locator("#composer .send").click()
        mine = chat.locator("#log .msg.you").last
        expect(mine.locator(".txt")).to_have_text("Thank you, Maria")
        expect(mine.locator(".sent")).to_have_text("Sent")  # words to a person show they arrived
        expect(chat.locator("#log .msg.you.queued")).to_have_count(0)
        context.close()


def test_asking_for_a_person_when_nobody_is_free_says_so_with_tappable_crisis_lines(
    browser: Any, tmp_path: Path
) -> None:
    with running_app(tmp_path, office_hours="always") as (url, _service):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        visit = Visit(context, context.new_page())
        open_chat(visit, url + "/")
        chat = visit.chat
        chat.locator(".chip", has_text="Yes, that's okay").click()
        chat.locator(".chip", has_text="person").click()
        queued = chat.locator("#log .msg.bot").last
        expect(queued).to_contain_text("No one from our team is free")
        expect(chat.locator("#log .msg.bot", has_text="774-218-5440")).to_have_count(1)
        hrefs = queued.locator("ul.res a").evaluate_all("links => links.map(a => a.href)")
        assert "tel:988" in hrefs and "tel:911" in hrefs
        assert host_events(visit.page)[-1] == {"type": "handoff", "mode": "queued"}
        # one honest message: the flow's words for "no one can join", never "someone will join"
        expect(chat.locator("#log .msg.bot", has_text="join you right here")).to_have_count(0)
        expect(chat.locator("#log .msg.bot", has_text="no one will join")).to_have_count(1)
        # no bot answers from here on: the box says what typing is for, and that it is kept
        box = chat.get_by_role("textbox", name="Leave a number or a message for our team")
        expect(box).to_be_visible()
        box.fill("774-555-0100, evenings please")
        chat.locator("#composer .send").click()
        expect(chat.locator("#log .msg.you").last.locator(".sent")).to_have_text("Sent")
        assert_accessible(visit, "queued handoff")
        context.close()


def service_session_id(service: Any, token: str) -> str:
    from intake_chat.app.service import hash_token
    from intake_chat.storage import conversations as store

    with service.db.read() as conn:
        row = store.find_session(conn, hash_token(token))
    assert row is not None
    return str(row.id)


def test_it_embeds_on_an_allowed_second_origin_only(visit: Visit, site: Site) -> None:
    frame = open_chat(visit, site.host + "/")
    expect(launcher(visit.page)).to_have_text("Close chat")  # open: the launcher closes it
    launcher(visit.page).click()
    expect(launcher(visit.page)).to_contain_text("Questions? Chat with us")  # the host's greeting
    assert frame.evaluate("() => document.documentElement.dataset.parent") == site.host
    assert_only_loopback(visit, site.intake, site.host)
    # the host page cannot read the conversation: the frame is another origin
    assert visit.page.evaluate(
        """() => { try { return document.querySelector('[data-intake-chat-root]').shadowRoot
            .querySelector('iframe').contentDocument === null; } catch (e) { return true; } }"""
    )

    visit.page.goto(site.foreign + "/")  # same pages, a name not on the allow-list
    visit.page.wait_for_timeout(800)
    expect(launcher(visit.page)).to_be_hidden()  # the frame was refused, so no dead launcher


def test_quick_exit_replaces_the_page_and_forgets_the_chat(visit: Visit, site: Site) -> None:
    page = visit.page
    frame = open_chat(visit, site.host + "/")
    state = control(frame)
    answer_with_mouse(visit, frame, state)
    wait_next(frame, state["bots"])
    history = page.evaluate("() => history.length")
    visit.chat.get_by_role("button", name="Quick exit").click()
    page.wait_for_url(site.host + "/neutral")
    assert page.evaluate("() => history.length") == history  # replaced, not pushed

    page.goto(site.host + "/")  # coming back: nothing of the chat is left on this device
    expect(launcher(page)).to_be_visible()
    assert visit.frame().evaluate("() => Object.keys(sessionStorage).length") == 0
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")


def test_pressing_escape_three_times_is_a_quick_exit(visit: Visit, site: Site) -> None:
    page = visit.page
    open_chat(visit, site.intake + "/")
    visit.chat.locator("#picks .chip").first.focus()
    for _ in range(3):  # the first closes the chat; the next two land on the host page
        page.keyboard.press("Escape")
    page.wait_for_url(site.host + "/neutral")


def test_clear_forgets_the_chat_on_this_device(visit: Visit, site: Site) -> None:
    frame = open_chat(visit, site.intake + "/")
    chat = visit.chat
    chat.get_by_role("button", name="Clear chat from this device").click()
    chat.get_by_role("button", name="Yes, go ahead").click()
    expect(chat.locator("#log .msg")).to_have_count(0)
    expect(chat.get_by_role("button", name="Start a new chat")).to_be_focused()
    assert frame.evaluate("() => Object.keys(sessionStorage).length") == 0
    chat.get_by_role("button", name="Start a new chat").click()
    expect(chat.locator("#log .msg.bot").first).to_be_visible()


def test_narrow_screens_get_a_full_screen_chat(browser: Any, site: Site, artifacts: Path) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 760},
        is_mobile=True,
        has_touch=True,
        reduced_motion="reduce",
    )
    page = context.new_page()
    visit = Visit(context, page)
    open_chat(visit, site.intake + "/")
    box = page.locator("[data-intake-chat-root] .p").bounding_box()
    assert box is not None
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 760)
    sizes = visit.frame().evaluate(
        "() => [...document.querySelectorAll('button, a')].filter(e => e.offsetParent)"
        ".map(e => [e.textContent.trim(), e.getBoundingClientRect().height])"
    )
    small = [s for s in sizes if s[1] < 44]
    assert not small, f"touch targets under 44px: {small}"
    shot(page, artifacts, "7-phone")
    context.close()


def test_inline_mode_waits_for_the_visitor_and_the_host_api_opens_it(
    visit: Visit, site: Site
) -> None:
    page = visit.page
    page.goto(site.host + "/inline")
    chat = visit.chat
    expect(chat.get_by_role("button", name="Start the chat")).to_be_visible()
    assert [u for u in visit.requests if "/ws/chat" in u or "/api/chat" in u] == []
    page.evaluate("() => IntakeChat.open()")
    expect(chat.locator("#log .msg.bot").first).to_be_visible()
    expect(chat.locator("#close")).to_be_hidden()  # inline: nothing to close


def test_validation_skip_back_and_restart_work_on_the_way(visit: Visit, site: Site) -> None:
    frame = open_chat(visit, site.intake + "/")
    chat = visit.chat

    def step(action: Any) -> None:
        before = control(frame)["bots"]
        action()
        wait_next(frame, before)

    # a typed answer the server does not accept: its words next to the field, the text kept
    free = chat.locator("#composer .entry.free textarea")
    free.fill("maybe later")
    chat.locator("#composer .entry.free .send").click()
    expect(chat.locator("#err")).not_to_be_empty()
    expect(free).to_have_attribute("aria-invalid", "true")
    expect(free).to_have_attribute("aria-describedby", "err")
    expect(free).to_have_value("maybe later")

    step(lambda: chat.locator(".chip", has_text="Yes, that's okay").click())
    step(lambda: chat.locator(".chip", has_text="Start a referral").click())
    answer = chat.locator("#composer .entry:not(.free) :is(input, textarea)")
    answer.fill("Ana")
    step(lambda: answer.press("Enter"))
    step(lambda: chat.get_by_role("button", name="Skip").click())  # optional questions
    step(lambda: chat.get_by_role("button", name="Skip").click())
    expect(chat.locator("#log .msg.you").last).to_have_text("You: (skipped)")
    answer.fill("1990-04-02")
    step(lambda: answer.press("Enter"))
    step(lambda: chat.locator(".chip", has_text="Email").click())

    # the browser's own check first (no request), then the server's
    requests = len(visit.requests)
    answer.fill("ana@")
    answer.press("Enter")
    expect(chat.locator("#err")).not_to_be_empty()
    expect(answer).to_have_attribute("aria-invalid", "true")
    assert chat.locator("#log .msg.you").last.text_content() != "You: ana@"
    answer.fill("ana@example")
    answer.press("Enter")
    expect(chat.locator("#err")).to_contain_text("email")
    expect(answer).to_have_value("ana@example")
    assert len(visit.requests) == requests  # all over the one socket

    # back: the previous question again, with the earlier answer marked
    step(lambda: chat.get_by_role("button", name="Go back and change your previous answer").click())
    current = chat.locator(".chip.current")
    expect(current).to_contain_text("Email")
    expect(current).to_contain_text("(current answer)")
    expect(current).to_be_focused()  # the earlier answer is where the keyboard starts
    expect(current).to_have_attribute("tabindex", "0")

    # start over, after confirming
    chat.get_by_role("button", name="Start over").click()
    step(lambda: chat.get_by_role("button", name="Yes, go ahead").click())
    expect(chat.locator("#log [role=separator]")).to_contain_text("Started over")
    expect(chat.locator(".chip", has_text="Yes, that's okay")).to_be_visible()


def test_a_new_tab_resumes_when_the_practice_keeps_chats_in_local_storage(
    visit: Visit, site: Site
) -> None:
    frame = open_chat(visit, site.host + "/local")
    state = control(frame)
    answer_with_mouse(visit, frame, state)
    wait_next(frame, state["bots"])
    before = transcript(frame)

    second = Visit(visit.context, visit.context.new_page())
    second.page.goto(site.host + "/local")
    expect(launcher(second.page)).to_have_attribute("aria-expanded", "true")
    again = second.frame()
    again.wait_for_function(
        "n => document.querySelectorAll('#log .msg').length >= n", arg=len(before)
    )
    assert transcript(again) == before
    assert again.evaluate("() => sessionStorage.length") == 0
    assert again.evaluate("() => localStorage.getItem('intake-chat.token')") is not None


def test_the_launcher_follows_position_and_locale(visit: Visit, site: Site) -> None:
    page = visit.page
    page.goto(site.host + "/left")
    expect(launcher(page)).to_have_text("Chatee con nosotros")
    box = launcher(page).bounding_box()
    assert box is not None and box["x"] < 100
    launcher(page).click()
    expect(visit.chat.get_by_role("button", name="Salida rápida")).to_be_visible()
    assert visit.frame().evaluate("() => document.documentElement.lang") == "es"
    expect(visit.chat.locator("#log .msg.bot").first).to_be_visible()
    expect(launcher(page)).to_have_text("Cerrar chat")  # the same button now closes it
    launcher(page).click()
    expect(launcher(page)).to_have_text("Chatee con nosotros")


def test_a_logo_that_does_not_load_is_hidden_not_shown_broken(visit: Visit, site: Site) -> None:
    """docs/embedding.md's example logo path may not exist on a practice's server: the header
    must not show the browser's broken-image mark; a logo that loads stays."""
    site.pages.add("/no-logo", f'data-logo="{site.intake}/static/missing-logo.svg"')
    frame = open_chat(visit, site.host + "/no-logo")
    logo = visit.chat.locator("header .logo")
    expect(logo).to_have_count(1)
    expect(logo).to_be_hidden()
    assert frame.evaluate("() => document.querySelector('.logo').naturalWidth") == 0

    site.pages.add("/logo", f'data-logo="{site.intake}/static/demo/logo.svg"')
    visit.page.goto(site.host + "/logo")  # the chat stays open from before
    expect(visit.chat.locator("#log .msg.bot").first).to_be_visible()
    visit.frame().wait_for_function("() => document.querySelector('.logo').naturalWidth > 0")
    expect(visit.chat.locator("header .logo")).to_be_visible()


def test_words_typed_at_an_email_date_or_checkbox_step_reach_the_safety_check(
    visit: Visit, site: Site
) -> None:
    """The browser's own field checks must not swallow a message: words in the email field are
    sent (an address has no spaces), and date and checkbox steps have a box for a message."""
    frame = open_chat(visit, site.intake + "/")
    chat = visit.chat

    def step(action: Any) -> None:
        before = control(frame)["bots"]
        action()
        wait_next(frame, before)

    answer = to_date_step(visit, frame)
    # the date step: the date field has the focus, and a box takes words
    expect(answer).to_be_focused()
    free = chat.get_by_role("textbox", name="Or write a message")
    free.fill("how much does it cost")
    step(lambda: free.press("Enter"))
    expect(chat.locator("#log .msg.bot", has_text="I can't quote fees")).to_have_count(1)
    answer.fill("1990-04-02")
    step(lambda: answer.press("Enter"))
    step(lambda: chat.locator(".chip", has_text="Email").click())

    # the email step: words are a message, not a malformed address
    expect(answer).to_have_attribute("type", "email")
    answer.fill("I want to kill myself")
    answer.press("Enter")
    panel = chat.get_by_role("region", name="Help right now")
    expect(panel).to_be_visible()
    expect(chat.locator("#log .msg.you").last).to_have_text("You: I want to kill myself")


def test_a_checkbox_step_focuses_the_first_box_and_takes_a_typed_message(
    visit: Visit, site: Site
) -> None:
    frame = open_chat(visit, site.intake + "/")
    chat = visit.chat
    for _ in range(STEP_LIMIT):
        state = control(frame)
        if state["kind"] == "multi":
            break
        answer_with_mouse(visit, frame, state)
        wait_next(frame, state["bots"])
    else:
        raise AssertionError("no checkbox question in the referral")
    expect(chat.locator("#picks .multi input").first).to_be_focused()
    free = chat.get_by_role("textbox", name="Or write a message")
    free.fill("I want to kill myself")
    free.press("Enter")
    expect(chat.get_by_role("region", name="Help right now")).to_be_visible()


def test_the_practices_phone_and_email_in_bot_words_are_tappable_links(
    visit: Visit, site: Site
) -> None:
    open_chat(visit, site.intake + "/")
    chat = visit.chat
    free = chat.locator("#composer .entry.free textarea")
    free.fill("my number is 774-555-0100")  # the visitor's words stay plain text
    free.press("Enter")
    expect(chat.locator("#log .msg.you").last).to_contain_text("774-555-0100")
    chat.locator(".chip", has_text="No, thank you").click()
    chat.locator(".chip", has_text="That's all for now").click()  # the ending names the team
    ending = chat.locator("#log .msg.bot", has_text="774-218-5440").last
    expect(ending.locator("a[href='tel:774-218-5440']")).to_have_text("774-218-5440")
    expect(
        ending.locator("a[href='mailto:info@compassionatecounselingcompany.com']")
    ).to_have_count(1)
    expect(ending).to_contain_text("call 774-218-5440 or email info@")
    assert chat.locator("#log .msg.you a").count() == 0
    assert_accessible(visit, "links in bot words")
