"""Service.handle: one turn at a time with the real engine, the real safety rules and a real
database (SQLite file; PostgreSQL too when INTAKE_TEST_DATABASE_URL is set). No Flask, no
sockets."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flow_helpers import CHAT_FLOW, fresh_flow, text

from intake_chat.app.hub import Hub
from intake_chat.app.service import (
    STAFF_CHANNEL,
    SafetyHit,
    Service,
    hash_token,
    safety_from_rules,
)
from intake_chat.core.config import Config
from intake_chat.core.errors import StorageError
from intake_chat.core.flows import Flow
from intake_chat.storage import Database, utcnow
from intake_chat.storage import conversations as store

FLOW_DATA = CHAT_FLOW


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_service(
    db: Database,
    tmp_path: Path,
    rules: Any,
    clock: Clock | None = None,
    flow: Flow | None = None,
    **settings: Any,
) -> Service:
    base = {"rate_limit_per_session": 0, "rate_limit_per_address": 0, "default_flow": "chat_test"}
    config = Config.from_env({}, data_dir=tmp_path, secret_key="x", **{**base, **settings})
    flow = flow or fresh_flow(FLOW_DATA)
    return Service(
        db, {flow.id: flow}, config, safety=safety_from_rules(rules), now=clock or utcnow
    )


@pytest.fixture
def service(db: Database, tmp_path: Path, rules: Any, clock: Clock) -> Service:
    return make_service(db, tmp_path, rules, clock)


class Visitor:
    """Drives one session through Service.handle the way a transport does."""

    def __init__(self, service: Service, client: str = "10.0.0.1") -> None:
        self.service = service
        self.client = client
        self.token: str | None = None

    def start(self, **frame: Any) -> list[dict[str, Any]]:
        outcome = self.service.handle(
            None, json.dumps({"type": "start", **frame}), client=self.client
        )
        self.token = outcome.token
        return outcome.events

    def send(self, **frame: Any) -> list[dict[str, Any]]:
        raw = json.dumps(frame, ensure_ascii=False)
        return self.service.handle(self.token, raw, client=self.client).events

    def reply(self, **fields: Any) -> list[dict[str, Any]]:
        return self.send(type="reply", **fields)

    def resume(self, after: int) -> list[dict[str, Any]]:
        return self.send(type="resume", token=self.token, after=after)


def types(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


def session_of(service: Service, visitor: Visitor) -> store.SessionRow:
    assert visitor.token is not None
    with service.db.read() as conn:
        session = store.find_session(conn, hash_token(visitor.token))
    assert session is not None
    return session


def all_events(service: Service, visitor: Visitor) -> list[dict[str, Any]]:
    with service.db.read() as conn:
        return store.events_after(conn, session_of(service, visitor).id, 0)


# --- start, turns and the log ---------------------------------------------------------------------


def test_start_sends_the_session_first_then_numbered_events(service: Service) -> None:
    visitor = Visitor(service)
    events = visitor.start()
    assert types(events) == ["session", "message", "ask"]
    assert events[0]["seq"] == 0 and len(events[0]["token"]) >= 43  # 256 bits, url-safe
    assert [e["seq"] for e in events[1:]] == [1, 2]
    assert events[2]["node"] == "colour"


def test_the_token_is_stored_only_as_a_hash(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    assert visitor.token is not None
    with service.db.read() as conn:
        rows = conn.execute(sa.select(store.sessions.c.token_hash)).scalars().all()
    assert rows == [hash_token(visitor.token)]
    assert visitor.token not in rows


def test_a_turn_logs_the_visitors_answer_and_continues_the_seq(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    events = visitor.reply(choice="blue", id="f1")
    assert types(events) == ["visitor", "ask"]
    assert events[0] == {
        "type": "visitor",
        "seq": 3,
        "action": "reply",
        "choice": "blue",
        "label": "Blue",
        "id": "f1",
    }
    assert events[1]["node"] == "name"
    session = session_of(service, visitor)
    assert (session.last_seq, session.status) == (4, "asking")
    assert session.state is not None and session.state["answers"]["colour"] == "blue"


def test_the_start_locale_is_kept_and_an_unknown_one_falls_back(service: Service) -> None:
    spanish = Visitor(service).start(locale="es")
    assert spanish[0]["locale"] == "es" and spanish[1]["text"] == "(es) Hello."
    unknown = Visitor(service).start(locale="fr")
    assert unknown[0]["locale"] == "en"


def test_starting_an_unknown_flow_is_refused(service: Service) -> None:
    events = Visitor(service).start(flow="nope")
    assert types(events) == ["error"] and events[0]["code"] == "bad_field"


def test_a_whole_conversation_submits_one_referral_with_outbox_and_audit(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")
    visitor.reply(text="Ana")
    events = visitor.reply(skip=True)
    assert types(events) == ["visitor", "handoff"]
    handoff = events[-1]
    assert handoff["text"] == "Thank you, Ana." and handoff["mode"] == "queued"
    session = session_of(service, visitor)
    with service.db.read() as conn:
        referrals = store.referrals_for_session(conn, session.id)
        outbox = store.outbox_rows(conn)
        audit = [
            row["action"] for row in store.audit_entries(conn, subject=f"session:{session.id}")
        ]
    assert [r["id"] for r in referrals] == [handoff["referral"]]
    assert referrals[0]["answers"] == {"first_name": "Ana", "colour": "red"}
    assert referrals[0]["display"]["colour"] == "Red"
    assert [(row["kind"], row["payload"]["referral_id"]) for row in outbox] == [
        ("referral_new", handoff["referral"])
    ]
    assert audit == ["session.start", "referral.submit"]
    assert session.status == "handoff"


# --- resume ---------------------------------------------------------------------------------------


def test_resume_replays_what_was_missed_and_nothing_twice(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")  # seq 3 visitor, 4 ask(name)
    events = visitor.resume(after=2)
    assert types(events) == ["session", "visitor", "ask"]
    assert [e["seq"] for e in events] == [2, 3, 4]
    assert not any(e.get("resent") for e in events)  # the pending ask was in the replay


def test_resume_from_the_end_re_sends_the_pending_ask_marked_resent(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")
    events = visitor.resume(after=4)
    assert types(events) == ["session", "ask"]
    assert events[1]["seq"] == 4 and events[1]["resent"] is True and events[1]["node"] == "name"


def test_resume_from_zero_gives_the_whole_conversation_for_a_reload(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")
    events = visitor.resume(after=0)
    assert [e["seq"] for e in events] == [0, 1, 2, 3, 4]
    assert events == [events[0], *all_events(service, visitor)]


def test_resume_after_the_handoff_sends_no_ask(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")
    visitor.reply(text="Ana")
    visitor.reply(skip=True)
    events = visitor.resume(after=99)
    assert types(events) == ["session"] and events[0]["status"] == "handoff"


def test_resume_with_an_unknown_token_is_refused(service: Service) -> None:
    visitor = Visitor(service)
    visitor.token = "x" * 43
    events = visitor.resume(after=0)
    assert types(events) == ["error"] and events[0]["code"] == "unknown_token"


def test_idle_sessions_expire(service: Service, clock: Clock) -> None:
    visitor = Visitor(service)
    visitor.start()
    clock.now += timedelta(minutes=service.config.session_idle_minutes + 1)
    assert visitor.reply(choice="red")[0]["code"] == "expired"
    assert visitor.resume(after=0)[0]["code"] == "expired"


def test_activity_keeps_a_session_alive(service: Service, clock: Clock) -> None:
    visitor = Visitor(service)
    visitor.start()
    clock.now += timedelta(minutes=service.config.session_idle_minutes - 1)
    visitor.reply(choice="red")
    clock.now += timedelta(minutes=service.config.session_idle_minutes - 1)
    assert types(visitor.reply(text="Ana")) == ["visitor", "ask"]


# --- idempotency ----------------------------------------------------------------------------------


def test_a_resent_frame_id_replays_its_events_and_applies_nothing(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    first = visitor.reply(choice="red", id="frame-7")
    again = visitor.reply(choice="red", id="frame-7")
    assert [{k: v for k, v in e.items() if k != "resent"} for e in again] == first
    assert all(e["resent"] for e in again)
    assert [e["seq"] for e in all_events(service, visitor)] == [1, 2, 3, 4]
    session = session_of(service, visitor)
    assert session.state is not None and session.state["node"] == "name"


def test_a_new_frame_id_is_applied(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red", id="a")
    events = visitor.reply(text="Ana", id="b")
    assert types(events) == ["visitor", "ask"] and events[1]["node"] == "note"


# --- what the engine refuses ----------------------------------------------------------------------


def test_frames_before_a_session_are_not_expected(service: Service) -> None:
    events = service.handle(None, '{"type":"reply","text":"hi"}', client="c").events
    assert events[0]["code"] == "not_expected"


def test_an_impossible_frame_changes_nothing(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")
    visitor.reply(text="Ana")
    visitor.reply(skip=True)  # handoff: there is no question to go back to
    before = all_events(service, visitor)
    events = visitor.send(type="back")
    assert types(events) == ["error"] and events[0]["code"] == "not_expected"
    assert all_events(service, visitor) == before


def test_goto_is_refused_for_visitors_and_allowed_in_previews(
    db: Database, tmp_path: Path, rules: Any
) -> None:
    visitor_service = make_service(db, tmp_path, rules)
    visitor = Visitor(visitor_service)
    visitor.start()
    assert visitor.send(type="goto", node="name")[0]["code"] == "unknown_type"
    preview_service = make_service(db, tmp_path, rules)
    preview_service.allow_preview = True
    preview = Visitor(preview_service)
    preview.start()
    assert preview.send(type="goto", node="name")[-1]["node"] == "name"


def test_back_restart_skip_and_intents_reach_the_engine(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")
    back = visitor.send(type="back")
    assert types(back) == ["visitor", "ask"] and back[1]["node"] == "colour"
    assert back[1]["input"]["value"] == "red"
    restart = visitor.send(type="restart")
    assert restart[-1]["node"] == "colour"
    human = visitor.send(type="intent", intent="human")
    # nobody accepts chats here, so the live handoff is queued at once (tests/test_live.py)
    assert human[-1]["type"] == "handoff" and human[-1]["mode"] == "queued"
    assert visitor.send(type="intent", intent="nope")[0]["code"] == "unknown_intent"


# --- safety ---------------------------------------------------------------------------------------


def test_the_resources_shown_again_on_request_raise_no_second_alert(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")
    visitor.reply(text="I want to kill myself")
    again = visitor.send(type="intent", intent="care_resources")
    assert types(again) == ["visitor", "crisis", "message"] and again[-1]["node"] == "care"
    with service.db.read() as conn:
        alerts = store.outbox_rows(conn, kinds=["crisis_alert"])
    assert len(alerts) == 1


def test_crisis_text_is_answered_first_flagged_and_the_question_asked_again(
    service: Service,
) -> None:
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")
    events = visitor.reply(text="I want to kill myself")
    # No intake question right after a crisis: the flow pauses and asks what the visitor wants.
    assert types(events) == ["visitor", "crisis", "message"]
    crisis = events[1]
    assert crisis["level"] == "crisis" and crisis["resources"] and "rule" not in crisis
    assert events[2]["node"] == "care"
    assert [a["intent"] for a in events[2]["actions"]] == ["care_continue", "care_resources"]
    again = visitor.send(type="intent", intent="care_continue")
    assert types(again) == ["visitor", "ask"] and again[-1]["node"] == "name"
    session = session_of(service, visitor)
    assert session.urgent and session.crisis_level == "crisis"
    assert session.crisis_category == "suicide_self_harm" and session.crisis_rule
    assert session.state is not None and "first_name" not in session.state["answers"]
    with service.db.read() as conn:
        alerts = store.outbox_rows(conn, kinds=["crisis_alert"])
        audit = store.audit_entries(conn, subject=f"session:{session.id}")
    assert [a["payload"]["level"] for a in alerts] == ["crisis"]
    assert any(row["action"] == "safety.crisis" and row["detail"]["rule"] for row in audit)


def test_a_later_referral_carries_the_crisis_flag(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")
    visitor.reply(text="I want to kill myself")
    visitor.reply(text="Ana")
    handoff = visitor.reply(skip=True)[-1]
    with service.db.read() as conn:
        referral = store.get_referral(conn, handoff["referral"])
    assert referral is not None
    assert (referral["urgent"], referral["crisis_level"]) == (True, "crisis")


def test_a_crisis_after_the_referral_flags_the_referral_too(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")
    visitor.reply(text="Ana")
    handoff = visitor.reply(skip=True)[-1]
    events = visitor.reply(text="I want to kill myself")  # during the handoff
    assert types(events) == ["visitor", "crisis"]
    with service.db.read() as conn:
        referral = store.get_referral(conn, handoff["referral"])
        alerts = store.outbox_rows(conn, kinds=["crisis_alert"])
    assert referral is not None and referral["urgent"] and referral["crisis_level"] == "crisis"
    assert alerts[0]["payload"]["referral_ids"] == [handoff["referral"]]


def test_two_concerns_escalate_to_a_crisis(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")
    first = visitor.reply(text="I feel so hopeless")
    assert first[1]["type"] == "crisis" and first[1]["level"] == "concern"
    assert session_of(service, visitor).concern_count == 1
    second = visitor.reply(text="I feel hopeless lately")
    assert second[1]["level"] == "crisis"
    session = session_of(service, visitor)
    assert session.crisis_level == "crisis" and session.urgent


def test_advice_requests_are_deflected_without_flags(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")
    events = visitor.reply(text="should I stop taking my medication")
    assert types(events) == ["visitor", "message", "ask"]
    assert events[1]["node"] == "safety:advice" and events[2]["node"] == "name"
    session = session_of(service, visitor)
    assert not session.urgent and session.crisis_level is None


def test_button_choices_are_not_scanned_but_every_typed_text_is(
    db: Database, tmp_path: Path, rules: Any
) -> None:
    scanned: list[str] = []
    service = make_service(db, tmp_path, rules)

    def spy(text: str, locale: str, prior: int) -> SafetyHit | None:
        scanned.append(text)
        return None

    service.safety = spy
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")
    visitor.reply(text="Ana")
    visitor.reply(text="more")
    assert scanned == ["Ana", "more"]


# --- limits and failures --------------------------------------------------------------------------


def test_the_per_session_rate_limit_answers_rate_limited(
    db: Database, tmp_path: Path, rules: Any
) -> None:
    service = make_service(db, tmp_path, rules, rate_limit_per_session=3)
    visitor = Visitor(service)
    visitor.start()
    codes = [visitor.reply(text="x")[0].get("code") for _ in range(5)]
    assert codes[:3] == [None, None, None] and codes[3:] == ["rate_limited"] * 2
    refused = visitor.reply(text="x")[0]
    assert refused["retry_after"] > 0
    assert Visitor(service).start()[0]["type"] == "session"  # other sessions are not affected


def test_the_per_address_rate_limit_answers_rate_limited(
    db: Database, tmp_path: Path, rules: Any
) -> None:
    service = make_service(db, tmp_path, rules, rate_limit_per_address=2)
    assert Visitor(service, "1.1.1.1").start()[0]["type"] == "session"
    assert Visitor(service, "1.1.1.1").start()[0]["type"] == "session"
    assert Visitor(service, "1.1.1.1").start()[0]["code"] == "rate_limited"
    assert Visitor(service, "2.2.2.2").start()[0]["type"] == "session"


def test_a_locked_database_answers_storage_unavailable_and_writes_nothing(
    tmp_path: Path, rules: Any
) -> None:
    path = tmp_path / "locked.sqlite3"
    db = Database(f"sqlite:///{path}", busy_timeout_ms=100)
    db.migrate()
    service = make_service(db, tmp_path, rules)
    visitor = Visitor(service)
    visitor.start()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        events = visitor.reply(choice="red")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert types(events) == ["error"]
    assert events[0]["code"] == "storage_unavailable" and events[0]["retry_after"] > 0
    assert [e["seq"] for e in all_events(service, visitor)] == [1, 2]
    assert types(visitor.reply(choice="red")) == ["visitor", "ask"]  # and it recovers
    db.dispose()


# --- flow versions --------------------------------------------------------------------------------


def test_a_visitor_keeps_the_flow_version_they_started_with(
    db: Database, tmp_path: Path, rules: Any
) -> None:
    old = make_service(db, tmp_path, rules)
    visitor = Visitor(old)
    visitor.start()
    changed = json.loads(json.dumps(FLOW_DATA))
    changed["sections"]["main"]["nodes"][2]["text"] = text("What should we call you?")
    new = make_service(db, tmp_path, rules, flow=fresh_flow(changed))  # as after a restart
    visitor.service = new
    assert visitor.reply(choice="red")[-1]["input"]["label"] == "Your first name?"
    newcomer = Visitor(new)
    newcomer.start()
    assert newcomer.reply(choice="red")[-1]["input"]["label"] == "What should we call you?"
    with db.read() as conn:
        versions = [
            store.get_flow_version(conn, "chat_test", s.flow_digest)
            for s in (session_of(new, visitor), session_of(new, newcomer))
        ]
    assert [v.version for v in versions if v] == [1, 2]


# --- staff messages and wake-ups ------------------------------------------------------------------


def test_a_staff_message_is_logged_and_wakes_subscribers(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    session = session_of(service, visitor)
    woken: list[str] = []
    service.hub.subscribe(session.id, woken.append)
    event = service.post_staff_message(session.id, name="Sam", text="Hi, I'm Sam.", actor="staff:1")
    assert event == {"type": "staff", "seq": 3, "name": "Sam", "text": "Hi, I'm Sam."}
    assert woken == [session.id]
    assert visitor.resume(after=2)[1:] == [
        event,
        {**all_events(service, visitor)[1], "resent": True},
    ]


def test_a_long_poll_returns_as_soon_as_a_staff_message_is_committed(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    assert visitor.token is not None
    session = session_of(service, visitor)
    staff = {"name": "Sam", "text": "Hello", "actor": "staff:1"}
    timer = threading.Timer(0.3, service.post_staff_message, args=(session.id,), kwargs=staff)
    began = time.monotonic()
    timer.start()
    outcome = service.wait_for_events(visitor.token, 2, timeout=10)
    assert time.monotonic() - began < 5
    assert types(outcome.events) == ["staff"]


def test_a_long_poll_with_nothing_new_waits_then_returns_empty(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    assert visitor.token is not None
    began = time.monotonic()
    assert service.wait_for_events(visitor.token, 2, timeout=0.3).events == []
    assert time.monotonic() - began >= 0.3


def test_the_staff_channel_hears_of_referrals_and_crises(service: Service) -> None:
    heard: list[str] = []
    service.hub.subscribe(STAFF_CHANNEL, heard.append)
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")
    assert heard == []
    visitor.reply(text="I want to kill myself")
    assert heard == [STAFF_CHANNEL]


def test_the_hub_skips_the_publishing_listener() -> None:
    hub = Hub()
    mine, theirs = object(), object()
    calls: list[str] = []
    hub.subscribe("s", lambda key: calls.append("mine"), owner=mine)
    unsubscribe = hub.subscribe("s", lambda key: calls.append("theirs"), owner=theirs)
    hub.publish("s", source=mine)
    assert calls == ["theirs"]
    unsubscribe()
    hub.publish("s")
    assert calls == ["theirs", "mine"]


def test_concurrent_visitors_each_get_their_own_gapless_log(service: Service) -> None:
    failures: list[str] = []

    def converse() -> None:
        visitor = Visitor(service)
        visitor.start()
        for frame in ({"choice": "red"}, {"text": "Ana"}, {"skip": True}):
            if visitor.reply(**frame)[0]["type"] == "error":
                failures.append("refused")
        seqs = [e["seq"] for e in all_events(service, visitor)]
        if seqs != list(range(1, len(seqs) + 1)):
            failures.append(f"gap {seqs}")

    threads = [threading.Thread(target=converse) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with service.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store.referrals)).scalar() == 8


def test_two_frames_racing_on_one_session_are_both_applied_once_in_order(
    service: Service,
) -> None:
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")  # now at the free-text name question
    gate = threading.Barrier(2)
    answers: list[list[dict[str, Any]]] = []

    def send(text: str) -> None:
        gate.wait()
        answers.append(visitor.reply(text=text))

    threads = [threading.Thread(target=send, args=(t,)) for t in ("Ana", "more")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(a[0]["type"] == "visitor" for a in answers)
    log = all_events(service, visitor)
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1))
    assert sorted(e["text"] for e in log if e["type"] == "visitor" and "text" in e) == [
        "Ana",
        "more",
    ]


def test_sessions_from_before_migration_2_still_resume_and_deduplicate(
    tmp_path: Path, rules: Any
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    db.migrate()
    service = make_service(db, tmp_path, rules)
    visitor = Visitor(service)
    visitor.start()
    first = visitor.reply(choice="red", id="old-1")
    with db.transaction() as conn:  # the database as release 1 left it
        conn.exec_driver_sql("ALTER TABLE sessions DROP COLUMN pending_ask")
        conn.exec_driver_sql("ALTER TABLE sessions DROP COLUMN recent_frames")
        conn.exec_driver_sql("UPDATE schema_versions SET version = 1 WHERE area = 'chat'")
    db.dispose()
    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    assert db.migrate()["chat"] == 2
    service = make_service(db, tmp_path, rules)
    visitor.service = service
    again = visitor.reply(choice="red", id="old-1")
    assert [{k: v for k, v in e.items() if k != "resent"} for e in again] == first
    resumed = visitor.resume(after=4)
    assert resumed[1]["resent"] and resumed[1]["node"] == "name"
    assert types(visitor.reply(text="Ana", id="old-2")) == ["visitor", "ask"]
    db.dispose()


def test_a_full_disk_answers_storage_unavailable_and_stores_nothing_of_the_turn(
    tmp_path: Path, rules: Any
) -> None:
    from sqlalchemy import event

    db = Database(f"sqlite:///{tmp_path / 'full.sqlite3'}")
    db.migrate()
    service = make_service(db, tmp_path, rules)
    visitor = Visitor(service)
    visitor.start()
    with db.read() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    def cap(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    event.listen(db.engine, "connect", cap)
    db.engine.dispose()  # every connection from now on may not grow the file
    for size in (3000, 300, 10):  # fill what is left, down to the last crumbs
        with pytest.raises(StorageError):
            for _ in range(10_000):
                with db.transaction() as conn:
                    store.append_audit(
                        conn, actor="test", action="fill", subject="-", detail={"pad": "x" * size}
                    )
    events = visitor.reply(text="é" * 2000)  # 4 KB: more than any page has left
    assert types(events) == ["error"] and events[0]["code"] == "storage_unavailable"
    assert events[0]["retry_after"] > 0
    event.remove(db.engine, "connect", cap)
    db.engine.dispose()
    assert [e["seq"] for e in all_events(service, visitor)] == [1, 2]
    assert types(visitor.reply(choice="red")) == ["visitor", "ask"]
    db.dispose()


def test_after_a_handoff_an_advice_question_is_answered_and_still_reaches_staff(
    service: Service,
) -> None:
    visitor = Visitor(service)
    visitor.start()
    visitor.reply(choice="red")
    visitor.reply(text="Ana")
    assert types(visitor.reply(skip=True)) == ["visitor", "handoff"]
    heard: list[str] = []
    service.hub.subscribe(STAFF_CHANNEL, heard.append)
    events = visitor.reply(text="should I stop taking my medication?")
    assert types(events)[0] == "visitor"
    assert any(e.get("node") == "safety:advice" for e in events)  # the kind deflection
    assert heard == [STAFF_CHANNEL]  # and the staff who will follow up hear of the message
