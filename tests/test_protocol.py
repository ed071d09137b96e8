"""protocol.parse_frame: every client frame shape and every refusal code; no app, no database."""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from server import INTAKE_ANSWERS

from intake_chat.core import engine
from intake_chat.core.errors import ProtocolError
from intake_chat.core.flows import load_flow
from intake_chat.core.protocol import (
    ERROR_TEXTS,
    AskInput,
    BotEvent,
    BotEventType,
    Effect,
    EffectType,
    State,
    error_event,
    parse_frame,
)

ROOT = Path(__file__).resolve().parent.parent


def code_of(raw: str | bytes, **kwargs: Any) -> str:
    with pytest.raises(ProtocolError) as info:
        parse_frame(raw, **kwargs)
    return info.value.code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"type":"start"}', {"type": "start"}),
        (
            '{"type":"start","flow":"intake","locale":"es"}',
            {"type": "start", "flow": "intake", "locale": "es"},
        ),
        (
            '{"type":"resume","token":"abc_DEF-1"}',
            {"type": "resume", "token": "abc_DEF-1", "after": 0},
        ),
        ('{"type":"resume","token":"t","after":7}', {"type": "resume", "token": "t", "after": 7}),
        ('{"type":"reply","text":"hello"}', {"type": "reply", "text": "hello"}),
        ('{"type":"reply","choice":"yes"}', {"type": "reply", "choice": "yes"}),
        ('{"type":"reply","choices":["a","b"]}', {"type": "reply", "choices": ["a", "b"]}),
        ('{"type":"reply","skip":true}', {"type": "reply", "skip": True}),
        ('{"type":"back"}', {"type": "back"}),
        ('{"type":"restart","id":"f-1"}', {"type": "restart", "id": "f-1"}),
        ('{"type":"intent","intent":"cost"}', {"type": "intent", "intent": "cost"}),
        ('{"type":"reply","text":"hi","id":42}', {"type": "reply", "text": "hi", "id": "42"}),
        ('{"type":"back","extra":"ignored"}', {"type": "back"}),
    ],
)
def test_it_accepts_every_documented_frame(raw: str, expected: dict[str, Any]) -> None:
    assert parse_frame(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("not json", "bad_json"),
        ('{"type": "reply", "text": "unterminated', "bad_json"),
        ('{"type":"reply","text":NaN}', "bad_json"),
        pytest.param("[" * 4000 + "]" * 4000, "bad_json", id="deeply-nested"),
        ("[1, 2]", "not_object"),
        ('"text"', "not_object"),
        ("null", "not_object"),
        ("{}", "unknown_type"),
        ('{"type":"shout"}', "unknown_type"),
        ('{"type":7}', "unknown_type"),
        ('{"type":"goto","node":"x"}', "unknown_type"),
        ('{"type":"reply"}', "bad_field"),
        ('{"type":"reply","text":"a","choice":"b"}', "bad_field"),
        ('{"type":"reply","text":5}', "bad_field"),
        ('{"type":"reply","choice":""}', "bad_field"),
        ('{"type":"reply","choice":3}', "bad_field"),
        ('{"type":"reply","choice":true}', "bad_field"),
        ('{"type":"reply","choices":"a"}', "bad_field"),
        ('{"type":"reply","choices":[1]}', "bad_field"),
        ('{"type":"reply","skip":false}', "bad_field"),
        ('{"type":"resume"}', "bad_field"),
        ('{"type":"resume","token":"t","after":-1}', "bad_field"),
        ('{"type":"resume","token":"t","after":true}', "bad_field"),
        ('{"type":"resume","token":"no spaces"}', "bad_field"),
        ('{"type":"start","flow":"../etc"}', "bad_field"),
        ('{"type":"start","locale":5}', "bad_field"),
        ('{"type":"intent"}', "bad_field"),
        ('{"type":"back","id":true}', "bad_field"),
        ('{"type":"back","id":""}', "bad_field"),
        ('{"type":"back","id":"' + "x" * 65 + '"}', "bad_field"),
        ('{"type":"reply","text":"\\ud800"}', "bad_utf8"),
    ],
)
def test_it_refuses_bad_frames_with_a_stable_code(raw: str, code: str) -> None:
    assert code_of(raw) == code


def test_it_refuses_invalid_utf8_bytes() -> None:
    assert code_of(b'{"type":"reply","text":"\xff\xfe"}') == "bad_utf8"


def test_it_refuses_frames_over_the_byte_limit_counting_bytes_not_characters() -> None:
    text = "é" * 3000  # 3,000 characters, 6,000 bytes
    raw = json.dumps({"type": "reply", "text": text}, ensure_ascii=False)
    assert code_of(raw, max_bytes=5000, max_text=10000) == "too_large"
    assert code_of(raw.encode(), max_bytes=5000, max_text=10000) == "too_large"
    assert parse_frame(raw, max_bytes=8192, max_text=10000)["text"] == text


def test_it_refuses_text_over_the_character_limit() -> None:
    assert code_of(json.dumps({"type": "reply", "text": "a" * 2001})) == "text_too_long"
    assert parse_frame(json.dumps({"type": "reply", "text": "a" * 2000}))["text"] == "a" * 2000


def test_it_strips_control_characters_but_keeps_newlines() -> None:
    frame = parse_frame(json.dumps({"type": "reply", "text": "a\x00b\x07c\nd\te"}))
    assert frame["text"] == "abc\nd\te"


def test_it_allows_goto_only_for_previews() -> None:
    assert parse_frame('{"type":"goto","node":"n1"}', allow_preview=True) == {
        "type": "goto",
        "node": "n1",
    }


def test_every_error_code_has_visitor_wording() -> None:
    event = error_event("rate_limited", retry_after=2)
    assert event == {
        "type": "error",
        "code": "rate_limited",
        "text": ERROR_TEXTS["rate_limited"],
        "retry_after": 2,
    }
    assert all(text.endswith(".") for text in ERROR_TEXTS.values())


@given(st.binary(max_size=300))
def test_it_never_raises_anything_but_a_protocol_error_on_random_bytes(raw: bytes) -> None:
    try:
        frame = parse_frame(raw)
    except ProtocolError as error:
        assert error.code in ERROR_TEXTS
    else:
        assert frame["type"] in {"start", "resume", "reply", "back", "restart", "intent"}


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_it_never_crashes_on_arbitrary_json(value: Any) -> None:
    for candidate in (
        value,
        {"type": "reply", "text": value},
        {"type": "reply", "choices": value},
        {"type": "resume", "token": value, "after": value},
    ):
        try:
            parse_frame(json.dumps(candidate))
        except ProtocolError as error:
            assert error.code in ERROR_TEXTS


# --- the typed shapes match what the engine really emits -------------------------------------


def _keys(shape: type) -> set[str]:
    return set(typing.get_type_hints(shape))


def test_every_event_and_effect_of_a_whole_referral_fits_the_typed_protocol() -> None:
    """Walks the shipped flow to a submitted referral (with a detour back and a crisis-resources
    step) and checks each bot event and effect against ``BotEvent`` / ``Effect``: a key or type
    the engine starts emitting without the protocol naming it fails here."""
    flow = load_flow(ROOT / "flows" / "intake.json")
    state: dict[str, Any] | None = None
    events: list[Any] = []
    effects: list[Any] = []
    result = engine.step(flow, state, {"type": "start", "locale": "en", "today": "2026-11-26"})
    for _ in range(60):
        state = result.state
        events += result.events
        effects += result.effects
        asks = [e for e in result.events if e["type"] == "ask"]
        if not asks or state["status"] != "asking":
            break
        node = asks[-1]["node"]
        answer = INTAKE_ANSWERS.get(node, {"skip": True})
        result = engine.step(flow, state, {"type": "reply", **answer, "today": "2026-11-26"})
    assert {e["type"] for e in effects} >= {"submit_referral"}
    bot_types = set(typing.get_args(BotEventType))
    effect_types = set(typing.get_args(EffectType))
    for event in events:
        assert event["type"] in bot_types
        assert set(event) <= _keys(BotEvent), event
        if event["type"] == "ask":
            assert set(event["input"]) <= _keys(AskInput), event["input"]
    for effect in effects:
        assert effect["type"] in effect_types
        assert set(effect) <= _keys(Effect), effect
    assert set(state or {}) <= _keys(State)
