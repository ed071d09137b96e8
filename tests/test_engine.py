"""The pure engine: every event and node kind on small fixture flows, text formatting, no drift from
the schema, and random walks (hypothesis) through every flow file that never raise or get stuck."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake_chat.core.engine import MAX_AUTO_STEPS, NODE_KEYS, Step, holds, step
from intake_chat.core.errors import FlowError
from intake_chat.core.flows import Flow, load_flow, load_schema, parse_flow
from intake_chat.core.textfmt import (
    DEFAULT_MESSAGES,
    interpolate,
    localize,
    normalize,
    render_value,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KITCHEN = HERE / "flows" / "kitchen.json"
MINI = HERE / "flows" / "mini.json"
TODAY = "2026-03-15"
Event = dict[str, Any]


@pytest.fixture(scope="module")
def kitchen() -> Flow:
    return load_flow(KITCHEN)


class Chat:
    """One visitor talking to the engine, keeping the state between steps as the service does."""

    def __init__(self, flow: Flow, locale: str = "en", today: str = TODAY) -> None:
        self.flow = flow
        self.today = today
        self.state: dict[str, Any] | None = None
        self.result = Step(state={})
        self.send({"type": "start", "locale": locale})

    def send(self, event: Event) -> list[Event]:
        before = copy.deepcopy(self.state)
        self.result = step(self.flow, self.state, {**event, "today": self.today})
        assert self.state == before, "step must not change the state it was given"
        json.dumps(self.result.state)
        self.state = self.result.state
        return self.result.events

    def reply(self, **reply: Any) -> list[Event]:
        return self.send({"type": "reply", **reply})

    @property
    def events(self) -> list[Event]:
        return self.result.events

    @property
    def effects(self) -> list[Event]:
        return self.result.effects

    @property
    def ask(self) -> Event:
        asks = [e for e in self.events if e["type"] == "ask"]
        assert asks, f"expected an ask, got {self.events}"
        return asks[-1]

    @property
    def node(self) -> str:
        assert self.state is not None
        return str(self.state["node"])

    def types(self) -> list[str]:
        return [e["type"] for e in self.events]

    def texts(self) -> list[str]:
        return [e["text"] for e in self.events if "text" in e]


def to_contact(chat: Chat, dob: str = "1990-04-28") -> None:
    chat.reply(choice="accept")
    chat.reply(text="Ana")
    chat.reply(text=dob)
    assert chat.node == "contact"


def to_review(chat: Chat) -> None:
    to_contact(chat)
    chat.reply(choice="email")
    chat.reply(text="Ana@Example.com")
    chat.reply(choices=["grief"])
    chat.reply(skip=True)
    chat.reply(choice="yes")
    chat.reply(text="Feeling stuck")
    assert chat.node == "review"


# --- text formatting


def test_localize_falls_back_to_the_default_then_any_language() -> None:
    assert localize({"en": "Hi", "es": "Hola"}, "es", "en") == "Hola"
    assert localize({"en": "Hi"}, "es", "en") == "Hi"
    assert localize({"fr": "Salut"}, "es", "en") == "Salut"
    assert localize(None, "es", "en") == ""
    assert localize({}, "es", "en") == ""


def test_interpolate_fills_answers_as_plain_text() -> None:
    labels = {"insurance": {"self_pay": "Self-pay"}, "days": {"mon": "Monday", "tue": "Tuesday"}}
    answers = {"name": "<b>Ana</b>", "insurance": "self_pay", "days": ["mon", "tue"], "n": 2.0}
    template = "{name} / {insurance} / {days} / {n} / {missing} / {{name}} / {Name} / {"
    assert interpolate(template, answers, labels) == (
        "<b>Ana</b> / Self-pay / Monday, Tuesday / 2 /  / {name} / {Name} / {"
    )


def test_render_value_reads_booleans_through_labels() -> None:
    assert render_value(True, {"true": "Sí"}) == "Sí"
    assert render_value(False) == "no"
    assert render_value(None) == ""
    assert render_value(3.5) == "3.5"


def test_normalize_drops_case_accents_and_punctuation() -> None:
    assert normalize("  ¿Cuánto   CUESTA?!  ") == "cuanto cuesta"
    assert normalize("talk_to-a person") == "talk to a person"


# --- start, locale, state


def test_start_says_the_welcome_then_asks_the_first_question(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    assert chat.types() == ["message", "ask"]
    assert chat.events[0] == {
        "type": "message",
        "node": "hello",
        "text": "Hi! Braces look like {this}.",
    }
    ask = chat.ask
    assert ask["node"] == "consent"
    assert ask["input"] == {
        "kind": "consent",
        "label": "May we store what you type?",
        "required": True,
        "can_back": False,
        "options": [
            {"value": "accept", "label": "Yes, store it"},
            {"value": "decline", "label": "No, thank you"},
        ],
        "notice": "Only our team reads it.",
    }
    assert chat.state == {
        "v": 1,
        "flow": "kitchen",
        "locale": "en",
        "node": "consent",
        "status": "asking",
        "answers": {},
        "history": [],
        "stack": [],
        "retries": 0,
        "editing": None,
    }


@pytest.mark.parametrize(
    ("asked", "got"), [("es", "es"), ("es-MX", "es"), ("fr", "en"), (None, "en")]
)
def test_start_picks_the_locale_or_the_default(kitchen: Flow, asked: str | None, got: str) -> None:
    chat = Chat(kitchen, locale=asked)  # type: ignore[arg-type]
    assert chat.state is not None and chat.state["locale"] == got


def test_start_on_an_existing_state_starts_over(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    to_contact(chat)
    chat.send({"type": "start", "locale": "es"})
    assert chat.state is not None
    assert (chat.node, chat.state["answers"], chat.state["locale"]) == ("consent", {}, "es")


@pytest.mark.parametrize(
    "broken",
    [
        {"v": 2},
        "not a dict",
        {"v": 1, "flow": "other"},
        {
            "v": 1,
            "flow": "kitchen",
            "locale": "en",
            "node": "gone",
            "status": "asking",
            "answers": {},
            "history": [],
            "stack": [],
            "retries": 0,
            "editing": None,
        },
        {
            "v": 1,
            "flow": "kitchen",
            "locale": "en",
            "node": "bye",
            "status": "asking",
            "answers": {},
            "history": [],
            "stack": [],
            "retries": 0,
            "editing": None,
        },
        {
            "v": 1,
            "flow": "kitchen",
            "locale": "en",
            "node": "name",
            "status": "asking",
            "answers": {},
            "history": [3],
            "stack": [],
            "retries": 0,
            "editing": None,
        },
    ],
)
def test_a_state_that_does_not_fit_the_flow_starts_over(kitchen: Flow, broken: Any) -> None:
    result = step(kitchen, broken, {"type": "reply", "text": "hi", "today": TODAY})
    assert [e["type"] for e in result.events] == ["message", "ask"]
    assert result.state["node"] == "consent"


def test_an_unknown_event_type_is_an_error_event_not_an_exception(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.send({"type": "dance"})
    assert chat.events == [
        {"type": "error", "code": "not_expected", "text": "Sorry, I can't do that right now."}
    ]
    assert chat.node == "consent"


# --- replies


def test_a_valid_reply_is_stored_and_the_flow_goes_on(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.reply(choice="accept")
    chat.reply(text="Ana")
    assert chat.events[0] == {"type": "message", "node": "greet", "text": "Nice to meet you, Ana."}
    assert chat.ask["node"] == "dob"
    assert chat.state is not None
    assert chat.state["answers"] == {"consent": True, "first_name": "Ana"}
    assert [h["node"] for h in chat.state["history"]] == ["consent", "name"]


def test_an_invalid_reply_says_why_and_asks_again_counting_retries(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.reply(choice="accept")
    chat.reply(text="A")
    assert chat.types() == ["invalid", "ask"]
    assert chat.events[0] == {
        "type": "invalid",
        "node": "name",
        "text": "Please write at least 2 characters.",
    }
    assert chat.ask["node"] == "name"
    assert chat.state is not None and chat.state["retries"] == 1
    chat.reply(text="Al")
    assert chat.state["retries"] == 0


def test_too_many_invalid_replies_go_to_the_person_node(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.reply(text="hmm")
    chat.reply(text="what")
    assert chat.types() == ["invalid", "handoff"]
    assert chat.events[1]["node"] == "to_person"
    assert {"type": "request_staff", "node": "to_person"} in chat.effects


def test_too_many_invalid_replies_take_on_max_retries(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    to_contact(chat)
    chat.reply(choice="phone")
    for _ in range(2):
        chat.reply(text="12")
        assert chat.events[0]["text"] == "That phone number looks short."
    chat.reply(text="12")
    assert chat.types() == ["invalid", "end"]
    assert chat.events[1] == {"type": "end", "node": "bye", "text": "Take care."}


def test_validation_message_is_interpolated_and_wins(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.reply(choice="accept")
    chat.reply(text="Ana")
    chat.reply(text="2099-01-01")
    assert chat.events[0]["text"] == "Please give a real birth date, Ana."


def test_builtin_messages_speak_the_visitors_language(kitchen: Flow) -> None:
    chat = Chat(kitchen, "es")
    chat.reply(text="quizás")
    assert chat.events[0]["text"] == DEFAULT_MESSAGES["consent"]["es"]
    assert chat.ask["input"]["options"][0]["label"] == "Sí, guárdelo"


def test_typed_answers_match_labels_in_the_visitors_words(kitchen: Flow) -> None:
    chat = Chat(kitchen, "es")
    chat.reply(text="Sí, guárdelo")
    chat.reply(text="Lucía")
    chat.reply(text="12/03/1985")
    chat.reply(text="teléfono")
    assert chat.node == "ask_phone"
    chat.reply(text="+1 (508) 555-0199")
    chat.reply(text="ansiedad y otra cosa")
    assert chat.state is not None
    assert chat.state["answers"]["phone"] == "+15085550199"
    assert chat.state["answers"]["topics"] == ["anxiety", "other"]


def test_an_optional_question_can_be_skipped(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    to_contact(chat)
    chat.reply(choice="email")
    chat.reply(text="a@b.co")
    chat.reply(choices=["anxiety"])
    assert chat.ask["input"]["required"] is False
    chat.reply(skip=True)
    assert chat.state is not None and chat.state["answers"]["visits"] is None
    assert chat.node == "first_time"


def test_a_skip_on_a_required_question_is_invalid(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.reply(choice="accept")
    chat.reply(skip=True)
    assert chat.events[0]["text"] == "Please answer this question to continue."


# --- back and restart


def test_back_returns_to_the_previous_question_with_its_answer(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.reply(choice="accept")
    chat.reply(text="Ana")
    chat.send({"type": "back"})
    assert chat.types() == ["ask"]
    assert chat.ask["node"] == "name"
    assert chat.ask["input"]["value"] == "Ana"
    assert chat.ask["input"]["can_back"] is True
    chat.send({"type": "back"})
    assert chat.ask["node"] == "consent"
    assert chat.ask["input"]["value"] == "accept"
    assert chat.ask["input"]["can_back"] is False
    chat.send({"type": "back"})
    assert chat.ask["node"] == "consent"
    chat.reply(choice="decline")
    assert chat.types() == ["end"]


def test_back_shows_yes_no_answers_as_their_button_value(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    to_review(chat)
    chat.send({"type": "back"})
    assert chat.ask["node"] == "reason" and chat.ask["input"]["value"] == "Feeling stuck"
    chat.send({"type": "back"})
    assert chat.ask["node"] == "first_time" and chat.ask["input"]["value"] == "yes"


def test_back_into_an_included_section_returns_from_it_again(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.reply(choice="accept")
    chat.reply(text="Ana")
    chat.reply(text="06/15/2012")
    chat.reply(text="Maria Lopez")
    assert chat.node == "contact"
    assert chat.state is not None and chat.state["stack"] == []
    chat.send({"type": "back"})
    assert chat.ask["input"]["value"] == "Maria Lopez"
    assert chat.ask["node"] == "guardian_name"
    assert chat.state["stack"] == [{"kind": "include", "node": "guardian_inc"}]
    chat.reply(text="Maria")
    assert chat.node == "contact"
    assert chat.state["stack"] == []


def test_restart_clears_answers_and_keeps_the_language(kitchen: Flow) -> None:
    chat = Chat(kitchen, "es")
    to_contact(chat)
    chat.send({"type": "restart"})
    assert chat.state is not None
    assert (chat.node, chat.state["answers"], chat.state["locale"]) == ("consent", {}, "es")
    assert chat.types() == ["message", "ask"]


# --- node kinds


def test_include_runs_a_section_and_comes_back(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.reply(choice="accept")
    chat.reply(text="Ana")
    chat.reply(text="06/15/2012")
    assert chat.texts()[0] == "Since you are under 18, we need a parent or guardian."
    assert chat.ask["node"] == "guardian_name"
    chat.reply(text="Maria Lopez")
    assert chat.ask["node"] == "contact"


def test_an_adult_skips_the_included_section(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    to_contact(chat)
    assert chat.state is not None and "guardian_name" not in chat.state["answers"]


def test_option_next_overrides_the_section_order(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    to_contact(chat)
    chat.reply(choice="phone")
    assert chat.node == "ask_phone"


def test_set_stores_values_and_branches_read_them(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    to_contact(chat)
    chat.reply(choice="email")
    chat.reply(text="a@b.co")
    chat.reply(choices=["anxiety"])
    chat.reply(text="3")
    assert chat.node == "reason"
    assert chat.state is not None
    assert chat.state["answers"]["first_time"] is False
    assert chat.state["answers"]["source"] == "chat"
    assert chat.state["answers"]["flagged"] is None


def test_a_multi_answer_branches_with_in(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    to_contact(chat)
    chat.reply(choice="email")
    chat.reply(text="a@b.co")
    chat.reply(choices=["anxiety", "grief"])
    assert chat.texts()[0] == "We have clinicians who focus on grief."
    chat2 = Chat(kitchen)
    to_contact(chat2)
    chat2.reply(choice="email")
    chat2.reply(text="a@b.co")
    chat2.reply(choices=["anxiety", "grief", "other"])
    assert chat2.events[0]["text"] == "Please pick no more than 2."


def test_a_goto_node_jumps(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.send({"type": "intent", "intent": "hours"})
    chat.reply(choice="continue")
    assert chat.ask["node"] == "name"


def test_end_without_text_says_nothing_and_then_only_restart_works(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.send({"type": "goto", "node": "quiet_end"})
    assert chat.events == [{"type": "end", "node": "quiet_end", "text": ""}]
    for event in (
        {"type": "reply", "text": "hi"},
        {"type": "back"},
        {"type": "intent", "intent": "cost"},
    ):
        chat.send(event)
        assert chat.types() == ["error"] and chat.events[0]["code"] == "not_expected"
    chat.send({"type": "reask"})
    assert chat.events == []
    chat.send({"type": "intent", "intent": "again"})
    assert chat.ask["node"] == "consent"


def test_reask_repeats_the_pending_question(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    first = chat.ask
    chat.send({"type": "reask"})
    assert chat.events == [first]


def test_goto_preview_jumps_anywhere_and_refuses_unknown_nodes(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.send({"type": "goto", "node": "topics"})
    assert chat.ask["node"] == "topics"
    chat.send({"type": "goto", "node": "nowhere"})
    assert chat.events[0]["code"] == "unknown_node"
    assert chat.node == "topics"


def test_a_jump_into_an_included_section_returns_after_its_only_include(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.send({"type": "goto", "node": "guardian_name"})
    chat.reply(text="Maria")
    assert chat.ask["node"] == "contact"


def test_a_preview_jump_into_a_section_no_include_runs_comes_back(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.send({"type": "goto", "node": "faq_more"})
    assert chat.texts() == ["Ask us anything, any time."]
    assert chat.ask["node"] == "consent"
    chat.send({"type": "goto", "node": "bye"})
    chat.send({"type": "goto", "node": "faq_cost"})
    assert chat.types() == ["message", "message", "message", "ask"]
    assert chat.ask["node"] == "consent"


def test_a_preview_jump_into_a_dead_end_is_an_error_event_and_changes_nothing() -> None:
    flow = broken_flow(
        [
            {"id": "a", "type": "question", "input": "text", "var": "a", "text": {"en": "A?"}},
            {"id": "done", "type": "end"},
            {"id": "b", "type": "message", "text": {"en": "B"}, "next": "c"},
            {"id": "c", "type": "goto", "target": "b"},
        ]
    )
    chat = Chat(flow)
    chat.send({"type": "goto", "node": "b"})
    assert chat.types() == ["error"]
    assert chat.events[0]["code"] == "dead_end"
    assert "loops through b, c" in chat.events[0]["text"]
    assert chat.node == "a"


# --- the summary


def test_the_summary_lists_asked_fields_and_offers_changes(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    to_review(chat)
    ask = chat.ask["input"]
    assert ask["kind"] == "summary"
    assert ask["label"] == "Here is what you told us:"
    assert ask["fields"] == [
        {"var": "first_name", "label": "First name", "value": "Ana"},
        {"var": "dob", "label": "Date of birth", "value": "1990-04-28"},
        {"var": "contact_method", "label": "Contact", "value": "Email"},
        {"var": "email", "label": "Email", "value": "ana@example.com"},
        {"var": "topics", "label": "Topics", "value": "Grief"},
        {"var": "visits", "label": "Earlier therapy", "value": "(skipped)"},
        {"var": "first_time", "label": "First time", "value": "Yes"},
        {"var": "reason", "label": "Reason", "value": "Feeling stuck"},
        {"var": "source", "label": "Source", "value": "chat"},
    ]
    values = [o["value"] for o in ask["options"]]
    assert values[0] == "confirm" and ask["options"][0]["label"] == "Send it"
    assert "edit:visits" in values and "edit:source" not in values and "edit:phone" not in values
    assert {"value": "edit:email", "label": "Change Email"} in ask["options"]


def test_changing_a_field_reasks_it_then_returns_to_the_summary(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    to_review(chat)
    chat.reply(choice="edit:first_name")
    assert chat.ask["node"] == "name" and chat.ask["input"]["value"] == "Ana"
    assert chat.state is not None and chat.state["editing"] == {"summary": "review"}
    chat.reply(text="X")
    assert chat.types() == ["invalid", "ask"] and chat.ask["node"] == "name"
    chat.reply(text="Ann")
    assert chat.ask["node"] == "review"
    assert chat.ask["input"]["fields"][0]["value"] == "Ann"
    assert chat.state["editing"] is None


def test_back_while_changing_a_field_returns_to_the_summary(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    to_review(chat)
    chat.reply(text="change email")
    assert chat.ask["node"] == "ask_email"
    chat.send({"type": "back"})
    assert chat.ask["node"] == "review"


def test_the_summary_takes_typed_confirmations_and_refuses_nonsense(kitchen: Flow) -> None:
    chat = Chat(kitchen, "es")
    chat.reply(choice="accept")
    chat.reply(text="Ana")
    chat.reply(text="1990-01-01")
    chat.reply(choice="email")
    chat.reply(text="a@b.co")
    chat.reply(choices=["anxiety"])
    chat.reply(text="0")
    chat.reply(text="no")
    chat.reply(text="")
    assert chat.node == "review"
    chat.reply(text="sí, pero cambie el correo")
    assert chat.types() == ["invalid", "ask"]
    assert chat.events[0]["text"] == DEFAULT_MESSAGES["choice"]["es"]
    chat.reply(text="Sí")
    assert chat.types() == ["handoff"]


def test_confirming_the_summary_hands_off_with_the_referral_fields(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    to_review(chat)
    chat.reply(choice="confirm")
    assert chat.events == [
        {
            "type": "handoff",
            "mode": "queued",
            "node": "done",
            "referral": None,
            "text": "Thank you, Ana. We will be in touch about Grief.",
        }
    ]
    assert chat.effects == [
        {
            "type": "submit_referral",
            "node": "done",
            "mode": "queued",
            "locale": "en",
            "fields": {
                "first_name": "Ana",
                "dob": "1990-04-28",
                "contact_method": "email",
                "consent": True,
                "email": "ana@example.com",
                "topics": ["grief"],
                "first_time": True,
                "reason": "Feeling stuck",
            },
            "display": {
                "first_name": "Ana",
                "dob": "1990-04-28",
                "contact_method": "Email",
                "consent": "Yes, store it",
                "email": "ana@example.com",
                "topics": "Grief",
                "first_time": "Yes",
                "reason": "Feeling stuck",
            },
        }
    ]
    assert chat.state is not None and chat.state["status"] == "handoff"


def test_after_a_handoff_text_goes_to_staff_and_little_else_works(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    to_review(chat)
    chat.reply(choice="confirm")
    chat.reply(text="one more thing")
    assert chat.events == []
    assert chat.effects == [{"type": "visitor_message", "node": "done", "text": "one more thing"}]
    chat.reply(text="   ")
    assert chat.effects == []
    chat.send({"type": "back"})
    assert chat.events[0]["code"] == "not_expected"
    chat.send({"type": "reask"})
    assert chat.events == []
    chat.send({"type": "restart"})
    assert chat.ask["node"] == "consent"


# --- intents


def test_an_intent_with_return_answers_then_asks_the_pending_question_again(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    to_contact(chat)
    chat.reply(text="How much does it cost?")
    assert chat.texts()[:2] == ["Our fees depend on your insurance.", "Ask us anything, any time."]
    assert chat.ask["node"] == "contact"
    assert chat.state is not None and chat.state["stack"] == []
    chat.reply(choice="email")
    assert chat.node == "ask_email"


def test_an_intent_frame_works_by_id(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.send({"type": "intent", "intent": "human"})
    assert [(e["type"], e.get("mode")) for e in chat.events] == [("handoff", "live")]
    assert chat.effects[0]["fields"] == {}
    assert chat.effects[1] == {"type": "request_staff", "node": "to_person"}


def test_an_unknown_intent_is_an_error_event(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.send({"type": "intent", "intent": "nope"})
    assert chat.events[0]["code"] == "unknown_intent"


def test_restart_and_back_intents_act_like_their_events(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.reply(choice="accept")
    chat.reply(text="Ana")
    chat.reply(text="go back please")
    assert chat.ask["node"] == "name"
    chat.reply(text="start over")
    assert chat.ask["node"] == "consent"
    assert chat.state is not None and chat.state["answers"] == {}


def test_an_intent_without_return_forgets_return_points(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.reply(choice="accept")
    chat.reply(text="Ana")
    chat.reply(text="06/15/2012")
    assert chat.state is not None and chat.state["stack"] == [
        {"kind": "include", "node": "guardian_inc"}
    ]
    chat.reply(text="opening hours")
    assert chat.ask["node"] == "hours_menu"
    assert chat.state["stack"] == []


INTENT_TEXTS: list[tuple[str, str, str, bool]] = [
    ("contact", "en", "can I talk to a real person", True),
    ("contact", "en", "talk person", False),
    ("contact", "en", "I am human", True),
    ("contact", "en", "humanity", False),
    ("contact", "es", "quiero hablar con una persona", True),
    ("contact", "es", "human", False),
    ("name", "en", "human", True),
    ("name", "en", "I would really like to talk to a person now", False),
    ("reason", "en", "human", False),
    ("hours_menu", "en", "start again please", False),
]


@pytest.mark.parametrize(("at", "locale", "text", "hands_off"), INTENT_TEXTS)
def test_intent_phrases_match_whole_words_in_order_where_allowed(
    kitchen: Flow, at: str, locale: str, text: str, hands_off: bool
) -> None:
    chat = Chat(kitchen, locale)
    chat.send({"type": "goto", "node": at})
    chat.reply(text=text)
    assert ("handoff" in chat.types()) is hands_off


def test_an_exact_option_is_an_answer_even_when_an_intent_matches_it(kitchen: Flow) -> None:
    data = copy.deepcopy(kitchen.data)
    data["intents"][0]["match"]["en"].append("email")
    chat = Chat(parse_flow(data))
    to_contact(chat)
    chat.reply(text="Email")
    assert chat.node == "ask_email"
    chat.send({"type": "back"})
    chat.reply(text="email me")
    assert "handoff" in chat.types()


def test_an_intent_frame_still_works_where_phrase_matching_is_off(kitchen: Flow) -> None:
    chat = Chat(kitchen)
    chat.send({"type": "goto", "node": "reason"})
    chat.reply(text="how much")
    assert chat.state is not None and chat.state["answers"]["reason"] == "how much"
    chat.send({"type": "goto", "node": "reason"})
    chat.send({"type": "intent", "intent": "cost"})
    assert chat.texts()[0] == "Our fees depend on your insurance."
    assert chat.ask["node"] == "reason"


# --- conditions


ANSWERS = {"n": 5, "s": "b", "multi": ["x", "y"], "yes": True, "none": None, "dob": "2008-03-16"}
CONDITIONS: list[tuple[dict[str, Any], bool]] = [
    ({"var": "n", "op": "eq", "value": 5}, True),
    ({"var": "n", "op": "ne", "value": 5}, False),
    ({"var": "n", "op": "lt", "value": 6}, True),
    ({"var": "n", "op": "le", "value": 5}, True),
    ({"var": "n", "op": "gt", "value": 5}, False),
    ({"var": "n", "op": "ge", "value": 5}, True),
    ({"var": "s", "op": "lt", "value": "c"}, True),
    ({"var": "s", "op": "lt", "value": 3}, False),
    ({"var": "missing", "op": "gt", "value": 3}, False),
    ({"var": "yes", "op": "gt", "value": 0}, False),
    ({"var": "yes", "op": "eq", "value": True}, True),
    ({"var": "s", "op": "in", "value": ["a", "b"]}, True),
    ({"var": "s", "op": "not_in", "value": ["a", "b"]}, False),
    ({"var": "multi", "op": "in", "value": ["y", "z"]}, True),
    ({"var": "multi", "op": "in", "value": ["z"]}, False),
    ({"var": "multi", "op": "not_in", "value": ["z"]}, True),
    ({"var": "missing", "op": "in", "value": [None]}, False),
    ({"var": "missing", "op": "not_in", "value": ["a"]}, True),
    ({"var": "s", "op": "answered"}, True),
    ({"var": "none", "op": "answered"}, False),
    ({"var": "none", "op": "not_answered"}, True),
    ({"var": "missing", "op": "not_answered"}, True),
    ({"age_of": "dob", "op": "lt", "value": 18}, True),
    ({"age_of": "dob", "op": "eq", "value": 17}, True),
    ({"age_of": "s", "op": "lt", "value": 18}, False),
    ({"age_of": "missing", "op": "ge", "value": 0}, False),
    ({"all": [{"var": "n", "op": "eq", "value": 5}, {"var": "s", "op": "eq", "value": "b"}]}, True),
    (
        {"all": [{"var": "n", "op": "eq", "value": 5}, {"var": "s", "op": "eq", "value": "c"}]},
        False,
    ),
    ({"any": [{"var": "n", "op": "eq", "value": 4}, {"var": "s", "op": "eq", "value": "b"}]}, True),
    ({"not": {"var": "n", "op": "eq", "value": 5}}, False),
]


@pytest.mark.parametrize(("condition", "expected"), CONDITIONS)
def test_every_condition_form(condition: dict[str, Any], expected: bool) -> None:
    assert holds(condition, ANSWERS, dt.date(2026, 3, 15)) is expected


def test_age_turns_on_the_birthday() -> None:
    condition = {"age_of": "dob", "op": "ge", "value": 18}
    assert holds(condition, {"dob": "2008-03-15"}, dt.date(2026, 3, 15)) is True
    assert holds(condition, {"dob": "2008-03-16"}, dt.date(2026, 3, 15)) is False
    assert holds(condition, {"dob": "2008-03-15"}, None) is False


def test_without_a_date_in_the_event_age_branches_take_the_default(kitchen: Flow) -> None:
    chat = Chat(kitchen, today="not a date")
    chat.reply(choice="accept")
    chat.reply(text="Ana")
    chat.reply(text="06/15/2012")
    assert chat.node == "contact"


# --- broken flows raise FlowError, never anything else


def broken_flow(nodes: list[dict[str, Any]], **extra_sections: Any) -> Flow:
    data = json.loads(MINI.read_text(encoding="utf-8"))
    data["start"] = nodes[0]["id"]
    data["sections"]["main"]["nodes"] = nodes
    data["sections"].update(extra_sections)
    return parse_flow(data, "broken.json")


def test_a_loop_without_a_question_raises_flow_error_naming_it() -> None:
    flow = broken_flow(
        [
            {"id": "a", "type": "message", "text": {"en": "A", "es": "A"}},
            {"id": "b", "type": "goto", "target": "a"},
            {"id": "done", "type": "end"},
        ]
    )
    with pytest.raises(FlowError) as caught:
        step(flow, None, {"type": "start", "today": TODAY})
    [problem] = caught.value.problems
    assert f"more than {MAX_AUTO_STEPS} steps" in problem.message
    assert "a, b" in problem.message or "b, a" in problem.message


def test_an_include_that_includes_itself_raises_flow_error() -> None:
    flow = broken_flow(
        [{"id": "start_here", "type": "include", "section": "main"}, {"id": "done", "type": "end"}]
    )
    with pytest.raises(FlowError, match="loops through start_here"):
        step(flow, None, {"type": "start", "today": TODAY})


def test_a_section_that_runs_out_raises_flow_error_naming_the_node() -> None:
    flow = broken_flow(
        [
            {"id": "a", "type": "message", "text": {"en": "A", "es": "A"}},
            {"id": "b", "type": "message", "text": {"en": "B", "es": "B"}},
        ]
    )
    with pytest.raises(FlowError) as caught:
        step(flow, None, {"type": "start", "today": TODAY})
    [problem] = caught.value.problems
    assert problem.path == "$.sections.main.nodes[1]"
    assert 'runs out after node "b"' in problem.message


# --- no drift between the schema and the engine


def test_the_engine_knows_exactly_the_node_keys_of_the_schema() -> None:
    defs = load_schema()["$defs"]
    kinds = defs["node"]["properties"]["type"]["enum"]
    assert set(NODE_KEYS) == set(kinds)
    for kind in kinds:
        assert set(defs[f"{kind}_node"]["properties"]) == NODE_KEYS[kind], kind


def test_every_message_key_has_a_default_in_both_languages_and_a_schema_entry() -> None:
    schema_keys = set(load_schema()["$defs"]["messages"]["properties"])
    assert schema_keys == set(DEFAULT_MESSAGES)
    assert all(set(text) == {"en", "es"} for text in DEFAULT_MESSAGES.values())


def test_every_input_kind_of_the_schema_is_parsed() -> None:
    from intake_chat.core.answers import _PARSERS, _PARSERS_WITH_OPTIONS

    kinds = set(load_schema()["$defs"]["question_node"]["properties"]["input"]["enum"])
    assert kinds == set(_PARSERS) | set(_PARSERS_WITH_OPTIONS) | {"multi"}


# --- random walks through every flow file


FLOW_FILES = sorted(p for p in (ROOT / "flows").glob("*.json") if p.name != "safety.json")
WALKED = FLOW_FILES + sorted((HERE / "flows").glob("*.json"))
GARBAGE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "yes",
            "no",
            "sí",
            "1",
            "2",
            "99",
            "3/5/1990",
            "2012-06-15",
            "02/30/2001",
            "a@b.co",
            "+1 774 555 0123",
            "talk to a person",
            "how much does it cost",
            "start over",
            "go back",
            "confirm",
            "{first_name}",
            "<script>",
            "\u0000",
            "é" * 300,
        ]
    ),
)


GOOD_TEXT = {
    "text": ["Ana", "she/her", "I would like some support with stress at work these days"],
    "email": ["ana@example.com"],
    "phone": ["(774) 555-0123", "+44 20 7946 0958"],
    "date": ["04/28/1990", "2012-06-15", "1950-01-01"],
    "number": ["0", "3", "12"],
}


def _good_reply(data: st.DataObject, node: dict[str, Any]) -> Event:
    """A reply the pending question accepts (mostly), so walks reach deep into the flow."""
    if node["type"] == "summary":
        edits = [f"edit:{f['var']}" for f in node["fields"]]
        return {"type": "reply", "choice": data.draw(st.sampled_from(["confirm"] * 3 + edits))}
    kind = node["input"]
    values = [o["value"] for o in node.get("options", [])]
    if kind == "choice":
        return {"type": "reply", "choice": data.draw(st.sampled_from(values))}
    if kind == "multi":
        return {
            "type": "reply",
            "choices": data.draw(st.lists(st.sampled_from(values), min_size=1)),
        }
    if kind in ("yesno", "consent"):
        buttons = ["yes", "no"] if kind == "yesno" else ["accept", "accept", "decline"]
        return {"type": "reply", "choice": data.draw(st.sampled_from(buttons))}
    if not node.get("required", True) and data.draw(st.booleans()):
        return {"type": "reply", "skip": True}
    return {"type": "reply", "text": data.draw(st.sampled_from(GOOD_TEXT[kind]))}


def _random_event(data: st.DataObject, flow: Flow, state: dict[str, Any]) -> Event:
    pending = flow.nodes[state["node"]]
    if state["status"] != "asking":
        kind = data.draw(st.sampled_from(["restart", "text", "back", "reask", "intent"]))
    else:
        kind = data.draw(
            st.sampled_from(
                ["good"] * 8
                + ["text", "text", "choice", "choices", "skip", "back", "restart", "intent"]
                + ["reask", "odd"]
            )
        )
    options = [o["value"] for o in pending.get("options", [])] or ["yes", "accept", "confirm", "x"]
    if kind == "good":
        return _good_reply(data, pending)
    if kind == "text":
        return {"type": "reply", "text": data.draw(GARBAGE)}
    if kind == "choice":
        return {"type": "reply", "choice": data.draw(st.sampled_from([*options, "x"]))}
    if kind == "choices":
        return {"type": "reply", "choices": data.draw(st.lists(st.sampled_from(options)))}
    if kind == "skip":
        return {"type": "reply", "skip": True}
    if kind == "intent":
        return {"type": "intent", "intent": data.draw(st.sampled_from([*flow.intents, "nope"]))}
    if kind == "odd":
        odd = [
            {"type": "reply"},
            {"type": "goto"},
            {"type": 3},
            {},
            {"type": "reply", "choices": 3},
        ]
        odd.append({"type": "goto", "node": data.draw(st.sampled_from(list(flow.nodes)))})
        return data.draw(st.sampled_from(odd))
    return {"type": kind}


def _walk(flow: Flow, data: st.DataObject) -> None:
    locale = data.draw(st.sampled_from([*flow.locales, "fr", None]))
    today = data.draw(st.sampled_from([TODAY, "2030-12-31", None]))
    state: dict[str, Any] | None = None
    event: Event = {"type": "start", "locale": locale}
    for _ in range(data.draw(st.integers(min_value=1, max_value=60))):
        result = step(flow, state, {**event, "today": today})
        state = json.loads(json.dumps(result.state))
        assert state is not None
        _assert_resting(flow, state, result)
        event = _random_event(data, flow, state)


def _assert_resting(flow: Flow, state: dict[str, Any], result: Step) -> None:
    """Every step ends at a question or summary waiting for input, a handoff, or an end."""
    node = flow.nodes[state["node"]]
    expected = {"asking": ("question", "summary"), "handoff": ("handoff",), "ended": ("end",)}
    assert node["type"] in expected[state["status"]]
    types = [e["type"] for e in result.events]
    if state["status"] == "asking" and "ask" in types:
        assert types[-1] == "ask" and result.events[-1]["node"] == state["node"]
    for event in result.events:
        assert isinstance(event.get("text", ""), str)
    json.dumps(result.events)
    json.dumps(result.effects)


@pytest.mark.parametrize("path", WALKED, ids=lambda p: p.name)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_walks_never_raise_and_always_come_to_rest(path: Path, data: st.DataObject) -> None:
    _walk(_flow(path), data)


_FLOWS: dict[Path, Flow] = {}


def _flow(path: Path) -> Flow:
    if path not in _FLOWS:
        _FLOWS[path] = load_flow(path)
    return _FLOWS[path]


def test_a_message_that_asks_for_crisis_resources_says_so_as_an_effect() -> None:
    data = json.loads(MINI.read_text())
    first = data["sections"][next(iter(data["sections"]))]["nodes"][0]
    assert first["type"] == "message", "mini.json should open with a message"
    first["crisis_resources"] = True
    flow = parse_flow(data, "mini-with-resources")
    result = step(flow, None, {"type": "start", "locale": "en", "today": TODAY})
    assert {"type": "crisis_resources", "node": first["id"]} in result.effects
    plain = step(load_flow(MINI), None, {"type": "start", "locale": "en", "today": TODAY})
    assert not [e for e in plain.effects if e["type"] == "crisis_resources"]
