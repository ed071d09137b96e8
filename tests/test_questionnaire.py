"""The demo check-in end to end, over a real WebSocket to the app on a loopback port: asked item
by item in English and Spanish, skip, back and resume mid-way, a risk item routed as a crisis, and
the score shown to staff only (referral page, CSV, FHIR)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server import INTAKE_ANSWERS, ThreadServer, WsVisitor, ends_turn
from staff_helpers import Console, build_console, cheap_hashes  # noqa: F401  (autouse fixture)
from test_fhir import resources, validated

from intake_chat.core import engine
from intake_chat.core.flows import load_flow
from intake_chat.storage import conversations as chat_db

ROOT = Path(__file__).resolve().parent.parent
DEMO = json.loads((ROOT / "flows" / "instruments" / "checkin-demo.json").read_text())
ITEMS = [item["id"] for item in DEMO["items"]]
POINTS = {option["value"]: option["points"] for option in DEMO["scale"]}
BAND_LABELS = [band["label"] for band in DEMO["bands"]]
# total 2+1+3+0+0 = 6: the "some" band (4-7); the risk item at its lowest option
CALM = {"enjoyment": "most_days", "mood": "a_few_days", "worry": "every_day", "rest": "not_at_all"}
CALM["self_harm"] = "not_at_all"
TODAY = "2026-11-26"


@pytest.fixture
def console(tmp_path: Path, database_url: str) -> Iterator[Console]:
    built = build_console(tmp_path, database_url=database_url)
    yield built
    built.db.dispose()


@pytest.fixture
def live(console: Console) -> Iterator[ThreadServer]:
    with ThreadServer(console.app) as server:
        yield server


def reply_for(ask: dict[str, Any], items: dict[str, str], locale: str) -> dict[str, Any]:
    node = ask["node"]
    if node.startswith("checkin:"):
        return {"type": "reply", "choice": items[node.split(":", 1)[1]]}
    if node == "checkin_offer":
        return {"type": "reply", "choice": "yes" if items else "no"}
    if node == "ask_dob" and locale == "es":
        return {"type": "reply", "text": "1990-04-28"}  # DD/MM is the Spanish order
    return {"type": "reply", **INTAKE_ANSWERS[node]}


def chat(
    visitor: WsVisitor, items: dict[str, str], locale: str = "en", until: str | None = None
) -> list[dict[str, Any]]:
    """The intake flow to its hand-off (or until ``until`` is asked), the check-in answered with
    ``items`` (declined when empty); after a crisis pause, "keep going"."""
    events = visitor.send({"type": "start", "locale": locale})
    for _ in range(80):
        last = events[-1]
        if last["type"] == "message" and last.get("node") == "care":
            events += visitor.send({"type": "intent", "intent": "care_continue"})
            continue
        if last["type"] != "ask" or last["node"] == until:
            return events
        events += visitor.send(reply_for(last, items, locale))
    raise AssertionError("the chat did not finish")


def referral_of(console: Console, events: list[dict[str, Any]]) -> dict[str, Any]:
    [handoff] = [e for e in events if e["type"] == "handoff"]
    with console.db.read() as conn:
        found = chat_db.get_referral(conn, handoff["referral"])
    assert found is not None
    return found


def assert_no_score_shown(events: list[dict[str, Any]]) -> None:
    """Nothing the visitor received carries a total, a band or a points value."""
    said = json.dumps(events, ensure_ascii=False)
    for word in (*BAND_LABELS, "demo band", '"total"', '"band"', '"points"', "validated"):
        assert word not in said, word


@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_check_in_is_asked_item_by_item_and_scored_for_staff_only(
    console: Console, live: ThreadServer, locale: str
) -> None:
    visitor = WsVisitor(live.ws_url)
    events = chat(visitor, CALM, locale)
    visitor.close()
    asks = [e for e in events if e["type"] == "ask" and e["node"].startswith("checkin:")]
    assert [a["node"] for a in asks] == [f"checkin:{item}" for item in ITEMS]
    for ask, item in zip(asks, DEMO["items"], strict=True):
        assert ask["input"]["label"] == item["text"][locale]
        assert ask["input"]["notice"] == DEMO["recall"][locale]
        labels = [option["label"] for option in ask["input"]["options"]]
        assert labels == [option["label"][locale] for option in DEMO["scale"]]
        assert ask["input"]["required"] is False  # every item offers a skip
    intro = next(e for e in events if e.get("node") == "checkin")
    assert intro["text"] == DEMO["intro"][locale]
    assert not [e for e in events if e["type"] == "crisis"]
    assert_no_score_shown(events)

    referral = referral_of(console, events)
    assert referral["answers"]["checkin:worry"] == "every_day" and not referral["urgent"]
    client, _ = console.client("coordinator")
    page = client.get(f"/staff/referrals/{referral['id']}").text
    assert "Check-in (demonstration only, not a validated instrument)" in page
    assert "Instrument checkin-demo, version 1" in page
    assert "6 of 15" in page and "Some difficulties (demo band)" in page
    for item in DEMO["items"]:
        assert item["text"]["en"] in page
    assert "Not raised" in page
    table = list(csv.reader(io.StringIO(client.get("/staff/referrals/export.csv").text)))
    [row] = [line for line in table[1:] if line[0] == referral["id"]]
    cells = dict(zip(table[0], row, strict=True))
    assert (
        cells["checkin:total"] == "6" and cells["checkin:band"] == "Some difficulties (demo band)"
    )
    assert cells["checkin:instrument"] == "checkin-demo v1"
    assert cells["checkin:worry"] == "Almost every day"
    bundle = json.loads(client.get(f"/staff/referrals/{referral['id']}/fhir.json").data)
    validated(bundle)
    found = resources(bundle)
    [group] = [i for i in found["QuestionnaireResponse"]["item"] if i["linkId"] == "checkin"]
    answers = {child["linkId"]: child["answer"][0] for child in group["item"]}
    assert answers["checkin:total"] == {"valueInteger": 6}
    assert answers["checkin:band"] == {"valueString": "Some difficulties (demo band)"}
    assert answers["checkin:worry"]["valueCoding"]["code"] == "every_day"
    [form_group] = [i for i in found["Questionnaire"]["item"] if i["linkId"] == "checkin"]
    assert form_group["code"][0]["code"] == "checkin-demo"
    assert form_group["code"][0]["version"] == "1"


@pytest.mark.parametrize("answer", [v for v, p in POINTS.items() if p > min(POINTS.values())])
def test_each_answer_above_the_lowest_of_the_risk_item_raises_the_crisis_path(
    console: Console, live: ThreadServer, answer: str
) -> None:
    visitor = WsVisitor(live.ws_url)
    events = chat(visitor, CALM, until="checkin:self_harm")
    turn = visitor.send({"type": "reply", "choice": answer})
    kinds = [e["type"] for e in turn]
    assert kinds[0] == "visitor" and "crisis" in kinds
    crisis = next(e for e in turn if e["type"] == "crisis")
    assert crisis["level"] == "crisis" and crisis["resources"]
    assert any("988" in str(r) for r in crisis["resources"])
    assert crisis["actions"]  # the offer of a person
    assert turn[-1]["type"] == "message" and turn[-1]["node"] == "care"  # then care after crisis
    assert not [e for e in turn if e["type"] == "ask"]  # no next question until they say so
    assert_no_score_shown(turn)
    with console.db.read() as conn:
        session = chat_db.get_session(conn, live_session_id(console, visitor))
        alerts = [row for row in chat_db.outbox_rows(conn) if row["kind"] == "crisis_alert"]
    assert session is not None and session.urgent and session.crisis_level == "crisis"
    assert session.crisis_category == "risk_item"
    assert session.crisis_rule == "flow:checkin:self_harm"
    assert len(alerts) == 1
    onward = visitor.send({"type": "intent", "intent": "care_continue"})
    assert onward[-1]["type"] == "ask" and onward[-1]["node"] == "ask_state"
    rest = events + turn + onward
    while rest[-1]["type"] == "ask":
        rest += visitor.send(reply_for(rest[-1], CALM, "en"))
    visitor.close()
    referral = referral_of(console, rest)
    assert referral["urgent"] and referral["crisis_category"] == "risk_item"
    client, _ = console.client("coordinator")
    page = client.get(f"/staff/referrals/{referral['id']}").text
    assert "Answered above the lowest option:" in page
    assert "flagged crisis (risk_item)" in page
    assert "Flagged crisis: risk_item" in page and "Flagged crisis: default" not in page  # timeline


def live_session_id(console: Console, visitor: WsVisitor) -> str:
    assert visitor.token is not None
    with console.app.app_context():
        from intake_chat.web.context import runtime

        session_id = runtime().service.events_since(visitor.token, 0).session_id
    assert session_id is not None
    return session_id


def test_the_lowest_answer_of_the_risk_item_raises_nothing(
    console: Console, live: ThreadServer
) -> None:
    visitor = WsVisitor(live.ws_url)
    chat(visitor, CALM, until="checkin:self_harm")
    turn = visitor.send({"type": "reply", "choice": "not_at_all"})
    visitor.close()
    assert [e["type"] for e in turn] == ["visitor", "message", "ask"]  # thanks, next question
    with console.db.read() as conn:
        session = chat_db.get_session(conn, live_session_id(console, visitor))
    assert session is not None and not session.urgent and session.crisis_level is None


def test_skip_back_and_a_reload_mid_questionnaire_keep_every_answer(
    console: Console, live: ThreadServer
) -> None:
    visitor = WsVisitor(live.ws_url)
    chat(visitor, CALM, until="checkin:enjoyment")
    visitor.send({"type": "reply", "choice": "most_days"})
    skipped = visitor.send({"type": "reply", "skip": True})
    assert skipped[-1]["node"] == "checkin:worry"
    back = visitor.send({"type": "back"})
    assert back[-1]["node"] == "checkin:mood" and "value" not in back[-1]["input"]  # skipped
    again = visitor.send({"type": "back"})
    assert again[-1]["node"] == "checkin:enjoyment"
    assert again[-1]["input"]["value"] == "most_days"  # its answer kept, offered for editing
    visitor.send({"type": "reply", "choice": "every_day"})
    visitor.send({"type": "reply", "skip": True})  # mood skipped again
    position = visitor.seen[-1]["seq"]
    token = visitor.token
    visitor.close()  # the page is reloaded: a new socket resumes the same session

    reloaded = WsVisitor(live.ws_url)
    resumed = reloaded.send({"type": "resume", "token": token, "after": position})
    assert resumed[0]["type"] == "session" and resumed[-1]["type"] == "ask"
    assert resumed[-1]["node"] == "checkin:worry" and resumed[-1].get("resent")
    events = resumed
    for item in ("worry", "rest", "self_harm"):
        events += reloaded.send({"type": "reply", "choice": CALM[item]})
    while not ends_turn(events[-1]) or events[-1]["type"] == "ask":
        events += reloaded.send(reply_for(events[-1], CALM, "en"))
    reloaded.close()
    referral = referral_of(console, events)
    assert referral["answers"]["checkin:enjoyment"] == "every_day"
    assert referral["answers"]["checkin:mood"] is None
    client, _ = console.client("coordinator")
    page = client.get(f"/staff/referrals/{referral['id']}").text
    assert "not banded: 4 of 5 items answered" in page and "Skipped" in page
    assert "6 of 15 (partial)" in page  # 3 + 3 + 0 + 0 from the four answered items


def test_declining_the_check_in_is_one_click_and_changes_nothing_else(
    console: Console, live: ThreadServer
) -> None:
    visitor = WsVisitor(live.ws_url)
    declined = chat(visitor, {})
    visitor.close()
    offer = next(e for e in declined if e["type"] == "ask" and e["node"] == "checkin_offer")
    assert [o["value"] for o in offer["input"]["options"]] == ["yes", "no"]
    label = offer["input"]["label"]
    assert "Only our intake team and your clinician see your answers" in label
    assert "nothing else changes" in label
    after = declined.index(offer) + 2  # the visitor's click, then the next question
    assert declined[after]["type"] == "ask" and declined[after]["node"] == "ask_state"
    referral = referral_of(console, declined)
    assert not [key for key in referral["answers"] if key.startswith("checkin:")]
    client, _ = console.client("coordinator")
    assert "Instrument checkin-demo" not in client.get(f"/staff/referrals/{referral['id']}").text


def test_nothing_said_to_the_visitor_depends_on_the_score() -> None:
    """The real engine through the shipped flow: the lowest and the highest possible totals (the
    risk item at its lowest both times) say exactly the same words after every answer."""
    flow = load_flow(ROOT / "flows" / "intake.json")

    def said(points: int) -> list[list[Any]]:
        choice = next(v for v, p in POINTS.items() if p == points)
        items = {item: choice for item in ITEMS} | {"self_harm": "not_at_all"}
        result = engine.step(flow, None, {"type": "start", "locale": "en", "today": TODAY})
        turns = []
        while result.events[-1]["type"] == "ask":
            reply = reply_for(result.events[-1], items, "en")
            result = engine.step(flow, result.state, {**reply, "today": TODAY})
            turns.append([(e["type"], e.get("text"), e.get("input")) for e in result.events])
        return turns

    lowest, highest = said(min(POINTS.values())), said(max(POINTS.values()))
    assert len(lowest) == len(highest) > len(ITEMS)
    for low, high in zip(lowest, highest, strict=True):
        assert _without_values(low) == _without_values(high)


def _without_values(turn: list[list[Any]]) -> list[Any]:
    """A turn's words, without the ``value`` an ask echoes back (the summary's own answers)."""
    return [
        (kind, text, {k: v for k, v in (ask or {}).items() if k != "value"})
        for kind, text, ask in turn
    ]
