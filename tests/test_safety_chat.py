"""The safety layer through the real chat protocol: a visitor on a real WebSocket to the real app
under gunicorn (shipped intake flow, shipped safety rules), typing at every kind of step."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from server import LiveServer, WsVisitor, intake_reply, walk_intake

from intake_chat.safety.detection import default_rules, detect


@pytest.fixture
def visitor(live_server: LiveServer) -> Iterator[WsVisitor]:
    client = WsVisitor(live_server.ws_url)
    yield client
    client.close()


def to_node(visitor: WsVisitor, node: str, locale: str = "en") -> dict[str, Any]:
    """Start the intake flow and answer as the test visitor does until ``node`` is asked."""
    events = visitor.send({"type": "start", "flow": "intake", "locale": locale})
    for _ in range(40):
        ask = events[-1]
        assert ask["type"] == "ask", events
        if ask["node"] == node:
            return ask
        events = visitor.send(intake_reply(ask))
    raise AssertionError(f"never reached {node}")


def say(visitor: WsVisitor, text: str) -> list[dict[str, Any]]:
    return visitor.send({"type": "reply", "text": text})


def keep_going(visitor: WsVisitor) -> list[dict[str, Any]]:
    """Press "keep going" on the pause that follows a crisis or concern."""
    return visitor.send({"type": "intent", "intent": "care_continue"})


def crisis_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    [event] = [e for e in events if e["type"] == "crisis"]
    return event


def test_a_crisis_typed_at_the_menu_is_answered_first_then_the_menu_is_asked_again(
    visitor: WsVisitor,
) -> None:
    to_node(visitor, "menu")
    events = say(visitor, "i dont want to be alive anymore")
    assert [e["type"] for e in events] == ["visitor", "crisis", "message"]
    crisis = events[1]
    assert (crisis["level"], crisis["category"]) == ("crisis", "suicide_self_harm")
    hrefs = [r["href"] for r in crisis["resources"]]
    assert {"tel:988", "sms:988", "sms:741741?body=HOME", "tel:911"} <= set(hrefs)
    assert "rule" not in crisis and "matched" not in crisis
    assert events[2]["node"] == "care"
    assert keep_going(visitor)[-1]["node"] == "menu"


def test_a_crisis_inside_a_question_is_not_taken_as_the_answer(visitor: WsVisitor) -> None:
    to_node(visitor, "ask_first_name")
    events = say(visitor, "my husband hits me and I'm scared to go home")
    crisis = crisis_of(events)
    assert crisis["category"] == "abuse_violence"
    assert "tel:18007997233" in [r["href"] for r in crisis["resources"]]
    assert events[-1]["node"] == "care"
    assert keep_going(visitor)[-1]["node"] == "ask_first_name"
    after = say(visitor, "Ana")
    assert after[-1]["node"] != "ask_first_name"


def test_a_crisis_during_a_validation_retry_still_comes_first(visitor: WsVisitor) -> None:
    to_node(visitor, "ask_dob")
    retry = say(visitor, "not a date")
    assert [e["type"] for e in retry][-2:] == ["invalid", "ask"]
    events = say(visitor, "I took too many pills and my chest hurts")
    crisis = crisis_of(events)
    assert crisis["category"] == "medical_emergency"
    assert crisis["resources"][0]["href"] == "tel:911"
    assert events[-1]["node"] == "care"
    assert keep_going(visitor)[-1]["node"] == "ask_dob"


def test_a_crisis_after_the_handoff_is_still_answered(visitor: WsVisitor) -> None:
    events = walk_intake(visitor.send, visitor.send({"type": "start", "flow": "intake"}))
    assert events[-1]["type"] == "handoff"
    # after a handoff nothing is asked again, so the turn ends with the crisis itself
    visitor.ws.send(json.dumps({"type": "reply", "text": "kms"}))
    after = [visitor.recv(), visitor.recv()]
    assert [e["type"] for e in after] == ["visitor", "crisis"]
    assert after[1]["level"] == "crisis"


def test_the_crisis_button_reaches_a_person(visitor: WsVisitor) -> None:
    to_node(visitor, "ask_first_name")
    crisis = crisis_of(say(visitor, "I want to kill myself"))
    [action] = crisis["actions"]
    events = visitor.send({"type": "intent", "intent": action["intent"]})
    assert events[-1]["type"] == "handoff"
    assert not any(e["type"] == "error" for e in events)


def test_a_second_concern_becomes_a_crisis(visitor: WsVisitor) -> None:
    to_node(visitor, "ask_first_name")
    first = crisis_of(say(visitor, "I feel hopeless"))
    second = crisis_of(say(visitor, "honestly I can't go on like this"))
    assert (first["level"], second["level"]) == ("concern", "crisis")


def test_advice_is_deflected_and_the_question_comes_back(visitor: WsVisitor) -> None:
    to_node(visitor, "ask_reason")
    events = say(visitor, "should I stop taking my antidepressants?")
    assert [e["type"] for e in events] == ["visitor", "message", "ask"]
    assert events[1]["node"] == "safety:advice"
    assert "clinical advice" in events[1]["text"]
    assert events[2]["node"] == "ask_reason"


def test_a_first_message_with_a_means_at_hand_is_a_crisis_at_once(visitor: WsVisitor) -> None:
    # the escalation step: a risk and its means at hand in one message, no earlier concern needed
    to_node(visitor, "ask_first_name")
    crisis = crisis_of(say(visitor, "i have the knife next to me rn"))
    assert (crisis["level"], crisis["category"]) == ("crisis", "suicide_self_harm")


def test_a_question_about_the_practice_is_answered_by_the_flow_not_deflected(
    visitor: WsVisitor,
) -> None:
    to_node(visitor, "ask_reason")
    events = say(visitor, "do you treat adhd in adults? I think that's what is going on")
    assert not [e for e in events if e["type"] == "crisis" or e.get("node") == "safety:advice"]
    # a question with an answer around it: the flow asks which it was, and can keep it as the answer
    offer = next(e for e in events if e.get("node") == "topic:did_you_mean")
    assert [a["intent"] for a in offer["actions"]] == ["conditions_treated", "keep_answer"]
    assert events[-1]["node"] == "ask_reason"
    kept = visitor.send({"type": "intent", "intent": "keep_answer"})
    assert kept[-1]["node"] == "ask_referral_source"


def test_idioms_and_grief_go_through_as_answers(visitor: WsVisitor) -> None:
    to_node(visitor, "ask_reason")
    events = say(visitor, "my mom died last year and work is killing me")
    assert not [e for e in events if e["type"] == "crisis" or e.get("node") == "safety:advice"]
    assert events[-1]["node"] == "ask_referral_source"


def test_a_spanish_visitor_gets_spanish_help(visitor: WsVisitor) -> None:
    to_node(visitor, "menu", locale="es")
    crisis = crisis_of(say(visitor, "ya no quiero vivir"))
    assert "988" in crisis["text"] and "Su seguridad" in crisis["text"]
    assert crisis["actions"][0]["label"] == "Hablar con una persona"


def test_after_a_crisis_the_flow_pauses_before_any_intake_question(visitor: WsVisitor) -> None:
    to_node(visitor, "ask_preferred_name")
    events = say(visitor, "honestly i dont want to be here anymore")
    assert not any(e["type"] == "ask" for e in events[events.index(crisis_of(events)) :])
    care = events[-1]
    assert care["node"] == "care" and care["text"]
    intents = [a["intent"] for a in care["actions"]]
    assert intents[0] == "care_continue" and intents[-1] == "care_resources"
    assert len(intents) == 3  # and a person, through the flow's hand-off topic
    again = visitor.send({"type": "intent", "intent": "care_resources"})
    assert [e["type"] for e in again] == ["visitor", "crisis", "message"]
    assert again[-1]["node"] == "care"
    person = visitor.send({"type": "intent", "intent": intents[1]})
    assert person[-1]["type"] == "handoff"


def test_the_log_never_shows_the_visitor_a_rule(
    live_server: LiveServer, visitor: WsVisitor
) -> None:
    to_node(visitor, "ask_first_name")
    say(visitor, "I want to kill myself")
    rules = default_rules()
    rule = detect("I want to kill myself", "en", rules).rule
    resumed = WsVisitor(live_server.ws_url)
    log = resumed.send({"type": "resume", "token": visitor.token, "after": 0})
    resumed.close()
    assert any(e["type"] == "crisis" for e in log)
    assert rule is not None and rule not in json.dumps(log)


def test_choosing_i_need_help_right_now_shows_the_crisis_panel_and_flags_the_chat(
    visitor: WsVisitor,
) -> None:
    to_node(visitor, "menu")
    events = visitor.send({"type": "reply", "choice": "urgent"})
    crisis = crisis_of(events)
    assert crisis["level"] == "crisis"
    assert {"tel:988", "tel:911"} <= {r["href"] for r in crisis["resources"]}
    assert "rule" not in crisis
    assert [e["type"] for e in events].index("crisis") < [e["type"] for e in events].index("ask")
    assert events[-1]["node"] == "urgent_next"  # the flow goes on: a person, or the menu
