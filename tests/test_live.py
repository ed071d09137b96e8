"""Live handoff: a visitor who asks for a person reaches a staff member who accepts chats, or is
queued at once (outside office hours, nobody accepting) or after the wait, and told when to
expect contact with the crisis lines. Desk moves on the real service and database (SQLite file,
PostgreSQL too when INTAKE_TEST_DATABASE_URL is set); console routes per persona; and real
WebSockets against the real server (gunicorn on a loopback port)."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flow_helpers import LIVE_FLOW, fresh_flow
from server import LiveServer, WsVisitor
from staff_helpers import PERSONAS, Console, add_web_session, build_console

from intake_chat.app.livedesk import PRESENCE_TTL, Desk
from intake_chat.app.service import Service, hash_token, safety_from_rules
from intake_chat.core.config import Config
from intake_chat.core.flows import Flow
from intake_chat.core.handoff import queue_order
from intake_chat.storage import Database, utcnow
from intake_chat.storage import accounts as staff_db
from intake_chat.storage import conversations as chat_db
from intake_chat.storage import live_queue as live_db
from intake_chat.storage.accounts import StaffRow
from intake_chat.web.context import runtime

WEDNESDAY_10 = datetime(2025, 3, 12, 10, 0)  # office hours below are in UTC: open
SATURDAY_10 = datetime(2025, 3, 15, 10, 0)  # closed; opens Monday 09:00


FLOW_DATA = LIVE_FLOW


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def flow() -> Flow:
    return fresh_flow(FLOW_DATA)


@pytest.fixture
def clock() -> Clock:
    return Clock(WEDNESDAY_10)


def make_desk(
    db: Database, tmp_path: Path, rules: Any, flow: Flow, clock: Clock, **settings: Any
) -> Desk:
    base = {
        "rate_limit_per_session": 0,
        "rate_limit_per_address": 0,
        "default_flow": flow.id,
        "office_hours": "mon-fri 09:00-17:00",
        "timezone": "UTC",
        "handoff_wait_seconds": 120,
    }
    config = Config.from_env({}, data_dir=tmp_path, secret_key="x", **{**base, **settings})
    service = Service(db, {flow.id: flow}, config, safety=safety_from_rules(rules), now=clock)
    return Desk(service)


@pytest.fixture
def desk(db: Database, tmp_path: Path, rules: Any, flow: Flow, clock: Clock) -> Desk:
    return make_desk(db, tmp_path, rules, flow, clock)


def add_staff(db: Database, email: str, role: str = "coordinator", name: str = "") -> StaffRow:
    with db.transaction() as conn:
        staff_id = staff_db.create_staff(
            conn, email=email, role=role, name=name, password_hash="unused"
        )
        found = staff_db.get_staff(conn, staff_id)
    assert found is not None
    return found


class Visitor:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.token: str | None = None

    def start(self, **frame: Any) -> list[dict[str, Any]]:
        outcome = self.service.handle(None, {"type": "start", **frame}, client="10.0.0.1")
        self.token = outcome.token
        return outcome.events

    def send(self, **frame: Any) -> list[dict[str, Any]]:
        return self.service.handle(self.token, frame, client="10.0.0.1").events

    def say(self, words: str) -> list[dict[str, Any]]:
        return self.send(type="reply", text=words)

    def log(self) -> list[dict[str, Any]]:
        assert self.token is not None
        return self.service.events_since(self.token, 0).events

    def session(self) -> chat_db.SessionRow:
        with self.service.db.read() as conn:
            found = chat_db.find_session(conn, hash_token(self.token or ""))
        assert found is not None
        return found


def ask_for_person(desk: Desk, *, name: str = "Ana", **start: Any) -> tuple[Visitor, list]:
    visitor = Visitor(desk.service)
    visitor.start(**start)
    visitor.say(name)
    return visitor, visitor.say("persona real" if start.get("locale") == "es" else "real person")


def request_of(desk: Desk, visitor: Visitor) -> live_db.Request:
    with desk.service.db.read() as conn:
        [request] = live_db.requests_for_session(conn, visitor.session().id)
    return request


def types(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


def online(desk: Desk, staff: StaffRow) -> None:
    desk.set_accepting(staff.id, True)


# --- asking for a person --------------------------------------------------------------------


def test_with_someone_accepting_the_visitor_is_told_a_person_is_being_found(desk: Desk) -> None:
    online(desk, add_staff(desk.service.db, "sam@example.org"))
    visitor, events = ask_for_person(desk)
    assert types(events) == ["visitor", "handoff", "message"]
    handoff, finding = events[1], events[2]
    assert (handoff["mode"], handoff["node"], handoff["text"]) == (
        "live",
        "to_person",
        "Connecting you.",
    )
    assert isinstance(handoff["referral"], str)
    assert finding["node"] == "live:finding" and "up to 2 minutes" in finding["text"]
    request = request_of(desk, visitor)
    assert (request.status, request.referral_id, request.node) == (
        "waiting",
        handoff["referral"],
        "to_person",
    )
    assert request.resume_state is not None and request.resume_state["node"] == "ask_email"


def test_outside_office_hours_it_is_queued_at_once_with_when_and_the_crisis_lines(
    desk: Desk, clock: Clock
) -> None:
    clock.now = SATURDAY_10
    online(desk, add_staff(desk.service.db, "sam@example.org"))
    visitor, events = ask_for_person(desk)
    assert types(events) == ["visitor", "message", "handoff"]
    flow_words, handoff = events[1], events[2]
    assert flow_words["node"] == handoff["node"] and flow_words["text"]  # the flow's words kept
    assert (handoff["mode"], handoff["reason"]) == ("queued", "closed")
    assert handoff["text"].startswith("Our office is closed right now")
    assert "when we open again on Monday at 9:00 AM UTC" in handoff["text"]
    assert "Call 988" in handoff["text"] and "911" in handoff["text"]
    assert {"tel:988", "tel:911"} <= {r["href"] for r in handoff["resources"]}
    with desk.service.db.read() as conn:
        referral = chat_db.get_referral(conn, handoff["referral"])
    assert referral is not None and referral["mode"] == "queued"
    assert referral["answers"]["first_name"] == "Ana"  # what was collected is kept
    request = request_of(desk, visitor)
    assert (request.status, request.outcome) == ("done", "closed")


def test_with_nobody_accepting_it_is_queued_at_once(desk: Desk) -> None:
    add_staff(desk.service.db, "sam@example.org")  # signed up, not accepting
    visitor, events = ask_for_person(desk)
    last = events[-1]
    assert (last["type"], last["mode"], last["reason"]) == ("handoff", "queued", "no_staff")
    assert "No one from our team is free to chat right now." in events[-1]["text"]
    assert "we're open today until 5:00 PM UTC." in events[-1]["text"]


def test_a_console_that_stopped_beating_does_not_count_as_available(
    desk: Desk, clock: Clock
) -> None:
    online(desk, add_staff(desk.service.db, "sam@example.org"))
    clock.advance(PRESENCE_TTL.total_seconds() + 1)
    _, events = ask_for_person(desk)
    assert events[-1]["reason"] == "no_staff"


def test_editors_and_disabled_staff_are_never_available(desk: Desk) -> None:
    online(desk, add_staff(desk.service.db, "ed@example.org", role="editor"))
    gone = add_staff(desk.service.db, "gone@example.org")
    online(desk, gone)
    with desk.service.db.transaction() as conn:
        staff_db.update_staff(conn, gone.id, disabled_at=desk.service.now())
    _, events = ask_for_person(desk)
    assert events[-1]["reason"] == "no_staff"


def test_a_visitor_without_contact_details_is_told_so_and_how_to_reach_us(desk: Desk) -> None:
    _, events = ask_for_person(desk)
    assert "We don't have a phone number or email address for you" in events[-1]["text"]
    assert "Start over" in events[-1]["text"]


def test_a_visitor_who_left_an_email_is_told_the_team_will_contact_them(desk: Desk) -> None:
    visitor = Visitor(desk.service)
    visitor.start()
    visitor.say("Ana")
    visitor.say("ana@example.org")
    events = visitor.say("real person")
    assert events[-1]["reason"] == "no_staff"
    said = events[-1]["text"]
    assert "Someone will contact you as soon as they can, during office hours." in said
    assert "We don't have" not in said
    assert request_count(desk) == 1


def request_count(desk: Desk) -> int:
    with desk.service.db.read() as conn:
        return int(
            conn.execute(sa.select(sa.func.count()).select_from(live_db.live_requests)).scalar_one()
        )


def test_spanish_visitors_are_answered_in_spanish(desk: Desk, clock: Clock) -> None:
    clock.now = SATURDAY_10
    _, events = ask_for_person(desk, locale="es")
    assert events[-1]["text"].startswith("Nuestra oficina está cerrada en este momento")
    assert "el lunes a las 9:00 (UTC)" in events[-1]["text"]
    assert "Llame al 988" in events[-1]["text"]


# --- the timer ------------------------------------------------------------------------------


def test_nobody_accepting_within_the_wait_queues_the_visitor_with_the_crisis_lines(
    desk: Desk, clock: Clock
) -> None:
    sam = add_staff(desk.service.db, "sam@example.org")
    online(desk, sam)
    visitor, events = ask_for_person(desk)
    clock.advance(20)
    desk.heartbeat(sam.id)  # still online, just not accepting this one
    assert desk.sweep() == 0
    clock.advance(100)
    desk.heartbeat(sam.id)
    assert desk.sweep() == 1
    queued = visitor.log()[-1]
    assert (queued["type"], queued["mode"], queued["reason"]) == ("handoff", "queued", "timeout")
    assert queued["referral"] == events[1]["referral"]
    assert queued["text"].startswith("I'm sorry, no one from our team was able to join in time.")
    assert "If you need help right now: Call 988" in queued["text"]
    assert queued["resources"]
    assert desk.sweep() == 0  # once only
    assert desk.accept(request_of(desk, visitor).id, sam) == "gone"
    with desk.service.db.read() as conn:
        referral = chat_db.get_referral(conn, queued["referral"])
        audit = chat_db.audit_entries(conn, subject=f"session:{visitor.session().id}")
    assert referral is not None and referral["mode"] == "queued"
    assert "live.timeout" in [row["action"] for row in audit]


def test_when_the_last_available_person_goes_offline_the_waiting_visitor_is_queued(
    desk: Desk, clock: Clock
) -> None:
    online(desk, add_staff(desk.service.db, "sam@example.org"))
    visitor, _ = ask_for_person(desk)
    clock.advance(PRESENCE_TTL.total_seconds() + 1)
    assert desk.sweep() == 1
    assert visitor.log()[-1]["reason"] == "no_staff"


def test_the_deadline_survives_a_restart(
    db: Database, tmp_path: Path, rules: Any, flow: Flow, clock: Clock
) -> None:
    first = make_desk(db, tmp_path, rules, flow, clock)
    sam = add_staff(db, "sam@example.org")
    online(first, sam)
    visitor, _ = ask_for_person(first)
    clock.advance(121)
    again = make_desk(db, tmp_path, rules, flow, clock)  # a new process: nothing in memory
    again.heartbeat(sam.id)
    assert again.sweep() == 1
    assert Visitor.log(visitor)[-1]["reason"] == "timeout"


def test_the_timer_thread_queues_without_being_asked(
    db: Database, tmp_path: Path, rules: Any, flow: Flow
) -> None:
    real = make_desk(
        db, tmp_path, rules, flow, Clock(utcnow()), handoff_wait_seconds=0, office_hours="always"
    )
    real.service.now = utcnow
    online(real, add_staff(db, "sam@example.org"))
    visitor, events = ask_for_person(real)
    assert events[-1]["node"] == "live:finding"
    real.start()
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and visitor.log()[-1].get("reason") != "timeout":
            time.sleep(0.05)
    finally:
        real.stop()
    assert visitor.log()[-1]["reason"] == "timeout"


# --- accept, talk, end, hand back -----------------------------------------------------------


def test_on_accept_the_visitor_gets_a_live_handoff_then_the_staff_members_words(
    desk: Desk,
) -> None:
    sam = add_staff(desk.service.db, "sam@example.org", name="Sam")
    online(desk, sam)
    visitor, events = ask_for_person(desk)
    request = request_of(desk, visitor)
    assert desk.accept(request.id, sam) == "ok"
    joined = visitor.log()[-1]
    assert joined == {
        "type": "handoff",
        "seq": joined["seq"],
        "mode": "live",
        "node": "live:joined",
        "referral": events[1]["referral"],
        "name": "Sam",
        "text": "Sam from our team has joined the chat.",
    }
    sent = desk.send(request.id, sam, "Hi Ana, this is Sam.")
    assert sent is not None
    assert visitor.log()[-1] == {
        "type": "staff",
        "seq": joined["seq"] + 1,
        "name": "Sam",
        "text": "Hi Ana, this is Sam.",
    }
    reply = visitor.say("Hello Sam")
    assert types(reply) == ["visitor"]  # the visitor's words go to staff, the bot stays quiet
    assert request_of(desk, visitor).status == "live"


def test_a_staff_member_without_a_display_name_is_shown_as_the_team_never_by_email(
    desk: Desk,
) -> None:
    kim = add_staff(desk.service.db, "kim@example.org")
    online(desk, kim)
    visitor, _ = ask_for_person(desk)
    request = request_of(desk, visitor)
    desk.accept(request.id, kim)
    desk.send(request.id, kim, "Hello")
    log = visitor.log()
    assert log[-2]["text"] == "A member of our team has joined the chat."
    assert log[-1]["name"] == "Intake team"
    assert "kim@" not in json.dumps(log)


def test_the_first_accept_wins_and_the_second_is_told(desk: Desk) -> None:
    sam = add_staff(desk.service.db, "sam@example.org", name="Sam")
    kim = add_staff(desk.service.db, "kim@example.org", name="Kim")
    online(desk, sam)
    visitor, _ = ask_for_person(desk)
    request = request_of(desk, visitor)
    assert desk.accept(request.id, sam) == "ok"
    assert desk.accept(request.id, kim) == "taken"
    assert desk.accept(99999, kim) == "missing"
    assert [e["node"] for e in visitor.log() if e["type"] == "handoff"] == [
        "to_person",
        "live:joined",
    ]


def test_concurrent_accepts_have_exactly_one_winner(desk: Desk) -> None:
    people = [add_staff(desk.service.db, f"s{i}@example.org", name=f"S{i}") for i in range(6)]
    online(desk, people[0])
    visitor, _ = ask_for_person(desk)
    request = request_of(desk, visitor)
    barrier = threading.Barrier(len(people))
    results: dict[int, str] = {}

    def take(person: StaffRow) -> None:
        barrier.wait()
        results[person.id] = desk.accept(request.id, person)

    threads = [threading.Thread(target=take, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(results.values()) == ["ok"] + ["taken"] * 5
    joined = [e for e in visitor.log() if e.get("node") == "live:joined"]
    assert len(joined) == 1
    [winner] = [staff_id for staff_id, result in results.items() if result == "ok"]
    assert request_of(desk, visitor).staff_id == winner


def test_the_database_allows_one_open_request_per_conversation(desk: Desk) -> None:
    online(desk, add_staff(desk.service.db, "sam@example.org"))
    visitor, _ = ask_for_person(desk)
    with pytest.raises(sa.exc.IntegrityError), desk.service.db.transaction() as conn:
        live_db.insert_request(
            conn,
            session_id=visitor.session().id,
            referral_id=None,
            node="to_person",
            resume_state=None,
            now=desk.service.now(),
        )


def test_only_the_staff_member_in_the_chat_can_write_into_it(desk: Desk) -> None:
    sam = add_staff(desk.service.db, "sam@example.org", name="Sam")
    kim = add_staff(desk.service.db, "kim@example.org", name="Kim")
    online(desk, sam)
    visitor, _ = ask_for_person(desk)
    request = request_of(desk, visitor)
    assert desk.send(request.id, sam, "too early") is None  # not accepted yet
    desk.accept(request.id, sam)
    assert desk.send(request.id, kim, "not mine") is None
    assert desk.end(request.id, kim) is False  # a coordinator cannot end someone else's chat
    assert [e for e in visitor.log() if e["type"] == "staff"] == []


def test_ending_the_chat_tells_the_visitor_and_stops_staff_messages(desk: Desk) -> None:
    sam = add_staff(desk.service.db, "sam@example.org", name="Sam")
    online(desk, sam)
    visitor, _ = ask_for_person(desk)
    request = request_of(desk, visitor)
    desk.accept(request.id, sam)
    assert desk.end(request.id, sam) is True
    end = visitor.log()[-1]
    assert (end["type"], end["node"]) == ("end", "live:ended")
    assert end["text"] == "Sam has ended the chat. Thank you for talking with us."
    assert (request_of(desk, visitor).status, request_of(desk, visitor).outcome) == (
        "done",
        "ended",
    )
    assert desk.send(request.id, sam, "one more") is None
    assert desk.end(request.id, sam) is False


def test_an_admin_can_end_a_chat_someone_else_holds(desk: Desk) -> None:
    sam = add_staff(desk.service.db, "sam@example.org", name="Sam")
    boss = add_staff(desk.service.db, "boss@example.org", role="admin", name="Lee")
    online(desk, sam)
    visitor, _ = ask_for_person(desk)
    request = request_of(desk, visitor)
    desk.accept(request.id, sam)
    assert desk.end(request.id, boss) is True
    assert visitor.log()[-1]["text"].startswith("Lee has ended the chat.")


def test_hand_back_resumes_the_question_the_visitor_was_at(desk: Desk) -> None:
    sam = add_staff(desk.service.db, "sam@example.org", name="Sam")
    online(desk, sam)
    visitor, _ = ask_for_person(desk)  # asked while at the email question
    request = request_of(desk, visitor)
    desk.accept(request.id, sam)
    assert desk.to_bot(request.id, sam) is True
    said, ask = visitor.log()[-2:]
    assert said["node"] == "live:to_bot"
    assert said["text"] == (
        "Sam has handed the chat back to me, the assistant. Let's pick up where we left off."
    )
    assert (ask["type"], ask["node"]) == ("ask", "ask_email")
    assert visitor.session().status == "asking"
    after = visitor.say("ana@example.org")
    assert after[-1]["type"] == "ask" and after[-1]["node"] == "ask_note"
    assert request_of(desk, visitor).outcome == "to_bot"


def test_a_resume_after_the_hand_back_re_sends_the_question(desk: Desk) -> None:
    sam = add_staff(desk.service.db, "sam@example.org")
    online(desk, sam)
    visitor, _ = ask_for_person(desk)
    request = request_of(desk, visitor)
    desk.accept(request.id, sam)
    desk.to_bot(request.id, sam)
    last = visitor.log()[-1]["seq"]
    resumed = visitor.send(type="resume", token=visitor.token, after=last)
    assert resumed[0]["status"] == "asking"
    assert resumed[-1]["type"] == "ask" and resumed[-1]["node"] == "ask_email"


# --- safety during a live chat --------------------------------------------------------------


def test_crisis_words_in_a_live_chat_are_answered_flagged_and_kept_for_staff(desk: Desk) -> None:
    sam = add_staff(desk.service.db, "sam@example.org")
    online(desk, sam)
    visitor, _ = ask_for_person(desk)
    request = request_of(desk, visitor)
    desk.accept(request.id, sam)
    events = visitor.say("I want to kill myself")
    assert types(events) == ["visitor", "crisis"]
    assert events[0]["text"] == "I want to kill myself"  # the staff member reads it
    assert events[1]["level"] == "crisis" and events[1]["resources"]
    session = visitor.session()
    assert session.urgent and session.crisis_level == "crisis"
    with desk.service.db.read() as conn:
        [row] = live_db.requests_with_status(conn, ["live"])
        alerts = chat_db.outbox_rows(conn, kinds=["crisis_alert"])
    assert row["crisis_level"] == "crisis"
    assert alerts and alerts[-1]["payload"]["session_id"] == session.id


def test_the_queue_is_ordered_by_risk_then_by_waiting_time(desk: Desk, clock: Clock) -> None:
    sam = add_staff(desk.service.db, "sam@example.org")
    online(desk, sam)
    ask_for_person(desk, name="Old")
    clock.advance(5)
    desk.heartbeat(sam.id)
    worried = Visitor(desk.service)
    worried.start()
    worried.say("I want to kill myself")
    worried.say("New")
    worried.say("real person")
    clock.advance(5)
    desk.heartbeat(sam.id)
    ask_for_person(desk, name="Newer")
    with desk.service.db.read() as conn:
        ordered = queue_order(live_db.requests_with_status(conn, ["waiting"]))
    names = [row["display"]["first_name"] for row in ordered]
    assert names == ["New", "Old", "Newer"]


# --- the visitor moves on -------------------------------------------------------------------


def test_a_visitor_who_starts_over_is_no_longer_waiting(desk: Desk) -> None:
    sam = add_staff(desk.service.db, "sam@example.org")
    online(desk, sam)
    visitor, _ = ask_for_person(desk)
    request = request_of(desk, visitor)
    visitor.send(type="restart")
    assert desk.sweep() == 1
    assert request_of(desk, visitor).outcome == "left"
    assert desk.accept(request.id, sam) == "gone"


def test_asking_again_after_starting_over_closes_the_earlier_request(desk: Desk) -> None:
    online(desk, add_staff(desk.service.db, "sam@example.org"))
    visitor, _ = ask_for_person(desk)
    visitor.send(type="restart")
    visitor.say("Ana")
    visitor.say("real person")
    with desk.service.db.read() as conn:
        requests = live_db.requests_for_session(conn, visitor.session().id)
    assert [(r.status, r.outcome) for r in requests] == [("done", "left"), ("waiting", None)]


# --- console routes per persona -------------------------------------------------------------


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    yield build_console(
        Path(tmp_path_factory.mktemp("live-console")),
        office_hours="always",
        rate_limit_per_address=0,
        rate_limit_per_session=0,
    )


def console_service(console: Console) -> Service:
    service: Service = runtime(console.app).service
    return service


def console_desk(console: Console) -> Desk:
    desk: Desk = runtime(console.app).desk
    return desk


def waiting_visitor(console: Console, name: str = "Ana") -> tuple[Visitor, int]:
    """A visitor of the shipped intake flow who asked for a person while someone accepts."""
    desk = console_desk(console)
    desk.set_accepting(console.people["coordinator"].id, True)
    visitor = Visitor(console_service(console))
    visitor.start()
    visitor.send(type="reply", choice="accept")
    visitor.send(type="reply", choice="referral")
    visitor.say(name)
    events = visitor.say("talk to a person")
    assert events[-1].get("node") == "live:finding", events
    with console.db.read() as conn:
        request = live_db.open_request_for_session(conn, visitor.session().id)
    assert request is not None
    return visitor, request.id


DESK = ("admin", "coordinator")
ROUTES: list[tuple[str, str, dict[str, str], int]] = [
    ("GET", "/staff/live/", {}, 200),
    ("GET", "/staff/live/{q}", {}, 200),
    ("GET", "/staff/live/999999", {}, 404),
    ("POST", "/staff/live/availability", {"accepting": "1"}, 303),
    ("POST", "/staff/live/999999/accept", {}, 303),  # back to the queue, saying why
    ("POST", "/staff/live/{q}/messages", {"text": "Hello"}, 409),  # not their live chat
    ("POST", "/staff/live/{q}/end", {}, 409),
    ("POST", "/staff/live/{q}/bot", {}, 409),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "template", "form", "ok"), ROUTES)
def test_each_live_route_answers_each_persona_as_its_role_allows(
    console: Console, persona: str, method: str, template: str, form: dict[str, str], ok: int
) -> None:
    _, request_id = waiting_visitor(console)
    client, csrf = console.client(persona)
    path = template.format(q=request_id)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={**form, "csrf_token": csrf})
    body = response.get_data(as_text=True)
    if persona == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/login")
    elif persona == "editor":  # an editor cannot see or touch live chats
        assert response.status_code == 403 and "not allowed" in body.lower()
        assert "Ana" not in body
    else:
        assert response.status_code == ok, body[:400]


def test_every_live_route_is_in_the_persona_table(console: Console) -> None:
    covered = {template.replace("{q}", "<int:request_id>") for _, template, *_ in ROUTES}
    covered |= {"/staff/live/<int:request_id>/accept"}
    rules = {
        rule.rule
        for rule in console.app.url_map.iter_rules()
        if rule.endpoint.startswith("live.") and rule.endpoint != "live.socket"
    }
    assert rules - covered == set()
    for endpoint, view in console.app.view_functions.items():
        if endpoint.startswith("live.") and endpoint != "live.socket":
            assert set(view.required_roles) == set(DESK), endpoint  # type: ignore[attr-defined]


def test_a_post_without_the_csrf_token_is_refused(console: Console) -> None:
    _, request_id = waiting_visitor(console)
    client, _ = console.client("coordinator")
    response = client.post(f"/staff/live/{request_id}/accept")
    assert response.status_code == 400
    assert request_status(console, request_id) == "waiting"


def request_status(console: Console, request_id: int) -> str:
    with console.db.read() as conn:
        found = live_db.get_request(conn, request_id)
    assert found is not None
    return found.status


def test_the_editor_has_no_live_chat_menu_and_no_live_socket_attribute(console: Console) -> None:
    editor, _ = console.client("editor")
    page = editor.get("/staff/account").get_data(as_text=True)
    assert "/staff/live/" not in page and "data-live-url" not in page
    coordinator, _ = console.client("coordinator")
    assert 'href="/staff/live/"' in coordinator.get("/staff/account").get_data(as_text=True)


def test_accept_from_the_queue_opens_the_chat_and_a_second_accept_is_told(
    console: Console,
) -> None:
    visitor, request_id = waiting_visitor(console)
    coordinator, csrf = console.client("coordinator")
    queue = coordinator.get("/staff/live/").get_data(as_text=True)
    assert f'<tr data-request="{request_id}"' in queue
    taken = coordinator.post(f"/staff/live/{request_id}/accept", data={"csrf_token": csrf})
    assert taken.status_code == 303 and taken.headers["Location"] == f"/staff/live/{request_id}"
    admin, admin_csrf = console.client("admin")
    again = admin.post(
        f"/staff/live/{request_id}/accept",
        data={"csrf_token": admin_csrf},
        headers={"Accept": "application/json"},
    )
    assert again.status_code == 409 and again.json == {
        "error": {"code": "taken", "message": "Someone else has already accepted this chat."}
    }
    no_js = admin.post(f"/staff/live/{request_id}/accept", data={"csrf_token": admin_csrf})
    page = admin.get(no_js.headers["Location"]).get_data(as_text=True)
    assert "Someone else has already accepted this chat." in page
    assert visitor.log()[-1]["node"] == "live:joined"


def test_the_chat_page_sends_messages_and_hands_back(console: Console) -> None:
    visitor, request_id = waiting_visitor(console, name="Ana")
    client, csrf = console.client("coordinator")
    client.post(f"/staff/live/{request_id}/accept", data={"csrf_token": csrf})
    page = client.get(f"/staff/live/{request_id}").get_data(as_text=True)
    assert 'id="reply-form"' in page and "Hand back to the assistant" in page
    sent = client.post(
        f"/staff/live/{request_id}/messages",
        data={"csrf_token": csrf, "text": "  Hello Ana  "},
        headers={"Accept": "application/json"},
    )
    assert sent.status_code == 200 and sent.json["event"]["text"] == "Hello Ana"
    assert visitor.log()[-1]["type"] == "staff"
    too_long = client.post(
        f"/staff/live/{request_id}/messages", data={"csrf_token": csrf, "text": "x" * 2001}
    )
    assert too_long.status_code == 400
    back = client.post(f"/staff/live/{request_id}/bot", data={"csrf_token": csrf})
    assert back.status_code == 303
    assert visitor.log()[-1]["type"] == "ask"
    after = client.get(f"/staff/live/{request_id}").get_data(as_text=True)
    assert "Handed back to the assistant" in after and 'id="reply-form"' not in after


def test_visitor_words_are_escaped_on_the_queue_and_chat_pages(console: Console) -> None:
    name = '<img src=x onerror="alert(1)">'
    visitor, request_id = waiting_visitor(console, name=name)
    client, csrf = console.client("coordinator")
    queue = client.get("/staff/live/")
    assert name not in queue.get_data(as_text=True)
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in queue.get_data(as_text=True)
    client.post(f"/staff/live/{request_id}/accept", data={"csrf_token": csrf})
    visitor.say("<script>alert('hi')</script>")
    chat = client.get(f"/staff/live/{request_id}")
    html = chat.get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;hi&#39;)" in html
    assert "script-src 'self'" in chat.headers["Content-Security-Policy"]
    assert chat.headers["X-Frame-Options"] == "DENY"
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline scripts


def test_the_chat_page_shows_a_safety_alert_raised_during_the_live_chat(console: Console) -> None:
    visitor, request_id = waiting_visitor(console)
    client, csrf = console.client("coordinator")
    client.post(f"/staff/live/{request_id}/accept", data={"csrf_token": csrf})
    visitor.say("I want to kill myself")
    html = client.get(f"/staff/live/{request_id}").get_data(as_text=True)
    alerts = html.split('id="chat-alerts"')[1].split("</div>")[0]
    assert "Safety alert" in alerts and "suicide self harm" in alerts


def test_viewing_accepting_and_toggling_are_audited(console: Console) -> None:
    visitor, request_id = waiting_visitor(console)
    client, csrf = console.client("coordinator")
    client.post("/staff/live/availability", data={"csrf_token": csrf, "accepting": "0"})
    client.post(f"/staff/live/{request_id}/accept", data={"csrf_token": csrf})
    client.get(f"/staff/live/{request_id}")
    with console.db.read() as conn:
        actions = [row["action"] for row in chat_db.audit_entries(conn)]
        accepting = live_db.is_accepting(conn, console.people["coordinator"].id)
    assert {"live.accepting", "live.accept", "live.view"} <= set(actions)
    assert accepting is False


@pytest.mark.parametrize(
    ("persona", "origin", "status"),
    [
        ("anonymous", None, 401),
        ("editor", None, 403),
        ("coordinator", "http://evil.example", 403),
    ],
)
def test_the_live_socket_is_refused_before_the_upgrade(
    console: Console, persona: str, origin: str | None, status: int
) -> None:
    client, _ = console.client(persona)
    headers = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    }
    if origin:
        headers["Origin"] = origin
    assert client.get("/staff/live/ws", headers=headers).status_code == status


# --- real server, real sockets --------------------------------------------------------------

STAFF_TOKEN = "live-test-staff-session-token-0123456789abcdef"
CSRF = "live-test-csrf-token"


class StaffClient:
    """A signed-in coordinator talking to the real server: HTTP with the session cookie, and
    the console's live socket."""

    def __init__(self, server: LiveServer, name: str = "Sam") -> None:
        self.server = server
        db = Database(f"sqlite:///{server.data_dir / 'intake-chat.sqlite3'}")
        with db.transaction() as conn:
            staff_id = staff_db.create_staff(
                conn,
                email=f"{name.lower()}@example.org",
                role="coordinator",
                name=name,
                password_hash="unused",
            )
            add_web_session(conn, staff_id, STAFF_TOKEN + name, CSRF)
        db.dispose()
        self.cookie = f"intake_staff={STAFF_TOKEN + name}"

    def post(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        body = "&".join(
            f"{k}={urllib.request.quote(v)}" for k, v in {**form, "csrf_token": CSRF}.items()
        ).encode()
        req = urllib.request.Request(self.server.url + path, data=body, method="POST")
        req.add_header("Cookie", self.cookie)
        req.add_header("Accept", "application/json")
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(req, timeout=10) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def open_socket(self, query: str = "") -> StaffSocket:
        """The console's live socket, as any console page opens it (``?chat=…`` on a chat page)."""
        import websocket

        url = self.server.url.replace("http://", "ws://") + "/staff/live/ws" + query
        socket = StaffSocket(
            websocket.create_connection(url, timeout=10, cookie=self.cookie, origin=self.server.url)
        )
        assert socket.recv()["type"] == "hello"
        return socket


class StaffSocket:
    def __init__(self, ws: Any) -> None:
        self.ws = ws

    def recv(self) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self.ws.recv())
        return message

    def wait_for(self, kind: str, test: Any = None, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.recv()
            if message["type"] == kind and (test is None or test(message)):
                return message
        raise AssertionError(f"no {kind} message within {timeout} s")

    def close(self) -> None:
        self.ws.close()


def to_person(visitor: WsVisitor) -> list[dict[str, Any]]:
    visitor.send({"type": "start", "flow": "intake"})
    visitor.send({"type": "reply", "choice": "accept"})
    visitor.ws.send(json.dumps({"type": "reply", "choice": "person"}))
    events = [visitor.recv(), visitor.recv()]  # visitor, then a message or the handoff
    while events[-1]["type"] != "handoff":
        events.append(visitor.recv())
    return events


def test_a_websocket_visitor_and_a_staff_member_chat_live_through_the_real_server(
    make_live_server: Any,
) -> None:
    server = make_live_server(env={"INTAKE_OFFICE_HOURS": "always"})
    staff = StaffClient(server, "Sam")
    console = staff.open_socket()  # any console page
    assert staff.post("/staff/live/availability", {"accepting": "1"})[0] == 200
    visitor = WsVisitor(server.ws_url)
    events = to_person(visitor)
    assert events[1]["type"] == "handoff" and events[1]["mode"] == "live"
    finding = visitor.recv()
    assert finding["node"] == "live:finding"
    queue = console.wait_for("queue", lambda m: m["waiting"])
    [item] = queue["waiting"]
    status, body = staff.post(f"/staff/live/{item['id']}/accept", {})
    assert status == 200 and body["url"] == f"/staff/live/{item['id']}"
    joined = visitor.recv()  # pushed to the visitor's socket
    assert (joined["type"], joined["mode"]) == ("handoff", "live")
    assert joined["referral"] == events[1]["referral"]
    assert joined["text"] == "Sam from our team has joined the chat."
    chat = staff.open_socket(f"?chat={item['id']}&after={joined['seq']}")  # the chat page
    status, _ = staff.post(f"/staff/live/{item['id']}/messages", {"text": "Hi, this is Sam."})
    assert status == 200
    said = visitor.recv()
    assert (said["type"], said["name"], said["text"]) == ("staff", "Sam", "Hi, this is Sam.")
    visitor.ws.send(json.dumps({"type": "reply", "text": "Hello Sam"}))
    assert visitor.recv()["type"] == "visitor"
    line = chat.wait_for("chat", lambda m: any(x["who"] == "visitor" for x in m["lines"]))
    assert [x["text"] for x in line["lines"] if x["who"] == "visitor"] == ["Hello Sam"]
    visitor.ws.send(json.dumps({"type": "reply", "text": "I want to kill myself"}))
    assert [visitor.recv()["type"], visitor.recv()["type"]] == ["visitor", "crisis"]
    alert = console.wait_for("alert")  # the staff member's socket, on whatever page
    assert (alert["level"], alert["category"], alert["request"]) == (
        "crisis",
        "suicide_self_harm",
        item["id"],
    )
    assert chat.wait_for("alert")["request"] == item["id"]
    raised = chat.wait_for("chat_state", lambda m: m["risk"] == "crisis")
    assert (raised["status"], raised["mine"]) == ("live", True)
    assert staff.post(f"/staff/live/{item['id']}/end", {})[0] == 200
    end = visitor.recv()
    assert (end["type"], end["node"]) == ("end", "live:ended")
    state = chat.wait_for("chat_state", lambda m: m["status"] == "done")
    assert (state["status"], state["outcome"], state["mine"]) == ("done", "ended", False)
    for client in (visitor, console, chat):
        client.close()


def test_nobody_accepting_in_time_queues_the_visitor_with_the_crisis_lines(
    make_live_server: Any,
) -> None:
    server = make_live_server(
        env={"INTAKE_OFFICE_HOURS": "always", "INTAKE_HANDOFF_WAIT_SECONDS": "2"}
    )
    staff = StaffClient(server, "Kim")
    console = staff.open_socket()
    staff.post("/staff/live/availability", {"accepting": "1"})
    visitor = WsVisitor(server.ws_url)
    events = to_person(visitor)
    assert visitor.recv()["node"] == "live:finding"
    started = time.monotonic()
    queued = visitor.recv()  # pushed by the server's timer, nobody asked for it
    waited = time.monotonic() - started
    assert (queued["type"], queued["mode"], queued["reason"]) == ("handoff", "queued", "timeout")
    assert queued["referral"] == events[1]["referral"]
    assert 1.0 <= waited <= 6.0
    assert "If you need help right now: Call 988" in queued["text"]
    assert {"tel:988", "tel:911"} <= {r["href"] for r in queued["resources"]}
    assert console.wait_for("queue", lambda m: not m["waiting"])["waiting"] == []
    db = Database(f"sqlite:///{server.data_dir / 'intake-chat.sqlite3'}")
    with db.read() as conn:
        referral = chat_db.get_referral(conn, queued["referral"])
    db.dispose()
    assert referral is not None and referral["mode"] == "queued"
    visitor.close()
    console.close()


def test_outside_office_hours_the_visitor_is_queued_at_once(make_live_server: Any) -> None:
    today = utcnow().weekday()
    other = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(today + 2) % 7]
    server = make_live_server(
        env={"INTAKE_OFFICE_HOURS": f"{other} 09:00-10:00", "INTAKE_TIMEZONE": "UTC"}
    )
    staff = StaffClient(server, "Lee")
    console = staff.open_socket()
    staff.post("/staff/live/availability", {"accepting": "1"})  # someone is there, but it's closed
    visitor = WsVisitor(server.ws_url)
    started = time.monotonic()
    events = to_person(visitor)
    assert time.monotonic() - started < 3
    handoff = next(event for event in events if event["type"] == "handoff")
    assert (handoff["mode"], handoff["reason"]) == ("queued", "closed")
    day = {
        "mon": "Monday",
        "tue": "Tuesday",
        "wed": "Wednesday",
        "thu": "Thursday",
        "fri": "Friday",
        "sat": "Saturday",
        "sun": "Sunday",
    }[other]
    assert f"when we open again on {day} at 9:00 AM UTC" in handoff["text"]
    assert "Call 988" in handoff["text"]
    visitor.close()
    console.close()


def test_the_server_refuses_a_bad_office_hours_setting_naming_it(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "bad", env={"INTAKE_OFFICE_HOURS": "weekdays 9 to 5"})
    server.data_dir.mkdir(parents=True)
    with pytest.raises(RuntimeError, match="INTAKE_OFFICE_HOURS"):
        server.start(timeout=10)
    server.stop()


def test_the_runtime_database_is_the_desks_database(console: Console) -> None:
    assert console_desk(console).service.db is runtime(console.app).db
