"""The chat wire protocol: the shapes that cross module borders (client frames, the events the
engine and the service emit, the engine's effects and state, one step result) and turning one raw
client frame into a checked, normalised frame.

Every refusal is a ``ProtocolError`` with a stable ``code`` (documented in docs/protocol.md).
Pure: imports nothing from Flask, flask-sock or the database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired, Required, TypedDict, cast

from .errors import ProtocolError

DEFAULT_MAX_BYTES = 8192
DEFAULT_MAX_TEXT = 2000
MAX_ID_CHARS = 64
MAX_CHOICE_CHARS = 200
MAX_CHOICES = 50
MAX_SEQ = 2**53 - 1  # what JavaScript counts exactly; far larger ones overflow database integers


# --- the shapes (docs/protocol.md and docs/architecture.md describe each field) ------------------

ClientType = Literal[
    "start", "resume", "reply", "back", "restart", "intent", "goto", "erase", "locale"
]


class _Answer(TypedDict, total=False):
    """What a visitor's frame carries to the engine: shared by client frames and engine events."""

    locale: str
    text: str
    choice: str
    choices: list[str]
    skip: bool
    intent: str
    node: str


class ClientFrame(_Answer, total=False):
    """One checked client frame: ``type`` plus the fields that type takes (``check_frame``)."""

    type: Required[ClientType]
    id: str  # the client's frame id, for resends
    flow: str
    token: str
    after: int


EngineType = Literal["start", "reply", "back", "restart", "intent", "reask", "care", "goto"]


class EngineEvent(_Answer, total=False):
    """What the service hands the engine: a visitor's frame (or ``reask``) plus today's date."""

    type: Required[EngineType]
    today: str  # YYYY-MM-DD, the service's clock in the practice's time zone


BotEventType = Literal[
    "session",
    "message",
    "ask",
    "invalid",
    "visitor",
    "crisis",
    "handoff",
    "staff",
    "end",
    "error",
    "erased",
]


class Option(TypedDict):
    value: str
    label: str


class AskInput(TypedDict, total=False):
    """The ``input`` of an ``ask``: always kind, label, required and can_back."""

    kind: Required[str]
    label: Required[str]
    required: Required[bool]
    can_back: Required[bool]
    options: list[Option]
    fields: list[dict[str, Any]]
    notice: str
    placeholder: str
    value: Any
    validation: dict[str, Any]


class BotEvent(TypedDict, total=False):
    """One event sent to the widget; ``seq`` is added by the service when it is logged."""

    type: Required[BotEventType]
    seq: int
    node: str
    text: str
    input: AskInput
    code: str  # error
    retry_after: float  # error
    mode: str  # handoff: live | queued
    referral: str | None  # handoff
    queued_text: str  # handoff, engine to service only: the live node's words when no one can join
    reason: str  # handoff (queued)
    resources: list[dict[str, str]]  # crisis, handoff (queued)
    level: str  # crisis
    category: str  # crisis
    name: str  # staff
    token: str  # session
    action: str  # visitor
    choice: str  # visitor
    choices: list[str]  # visitor
    label: str  # visitor
    id: str  # visitor: the client's frame id
    redacted: bool  # visitor
    resent: bool  # a copy of an already-logged event, sent again
    actions: list[dict[str, str]]  # crisis, topic messages: buttons that send an intent frame
    topic: str  # message: the topic answered (docs/topics.md)
    labels: list[str]  # visitor: the labels of chosen options
    skip: bool  # visitor
    intent: str  # visitor
    offer_locale: str  # visitor: the text reads clearly as another of the flow's languages
    flow: str  # session
    locale: str  # session
    status: str  # session: asking | handoff | ended
    last_seq: int  # session: where the log ends now


EffectType = Literal[
    "submit_referral",
    "request_staff",
    "visitor_message",
    "consent_declined",
    "crisis_resources",
    "topic_answered",
    "topic_unanswered",
]


class Effect(TypedDict, total=False):
    """Something the service does after it has stored the turn (the engine never acts)."""

    type: Required[EffectType]
    node: Required[str]
    mode: str  # submit_referral: live | queued
    locale: str  # submit_referral
    fields: dict[str, Any]  # submit_referral: stored values
    display: dict[str, str]  # submit_referral: plain text for staff
    text: str  # visitor_message
    topic: str  # topic_answered
    again: bool  # crisis_resources: shown again on request, no new alert
    category: str  # crisis_resources: why (risk_item: a questionnaire's risk item); default help


Status = Literal["asking", "handoff", "ended"]


class State(TypedDict):
    """The engine's whole memory of a conversation, stored by the service as an opaque blob."""

    v: int
    flow: str
    locale: str
    node: str | None
    status: Status
    answers: dict[str, Any]
    history: list[dict[str, Any]]
    stack: list[dict[str, Any]]
    retries: int
    editing: NotRequired[dict[str, Any] | None]


@dataclass(frozen=True)
class Step:
    """What one event did: the state to store, events to send, effects to run once stored."""

    state: dict[str, Any]
    events: list[BotEvent] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)


# The visitor-facing words for each error code. The widget may show its own translation per code.
ERROR_TEXTS: dict[str, str] = {
    "bad_json": "That message could not be read. Please try again.",
    "not_object": "That message could not be read. Please try again.",
    "unknown_type": "That kind of message is not supported.",
    "too_large": "That message is too large to send.",
    "text_too_long": "That message is too long. Please shorten it.",
    "bad_utf8": "That message contains characters that could not be read.",
    "bad_field": "That message is missing something or has a wrong value.",
    "unknown_token": "This conversation could not be found. Please start a new one.",
    "expired": "This conversation has expired. Please start a new one.",
    "rate_limited": "You are sending messages very quickly. Please wait a moment.",
    "not_expected": "That answer was not expected right now.",
    "unknown_intent": "That option is not available in this conversation.",
    "unknown_node": "That step does not exist in this conversation.",
    "storage_unavailable": "We could not save your message just now. Please try again in a moment.",
    "server_busy": "The chat is very busy right now. Please try again in a moment.",
    "internal": "Something went wrong on our side. Please try again.",
    "erase_refused": "Our team already has this conversation, so it cannot be deleted from here. "
    "Please ask the practice, and they will delete it for you.",
}

CLIENT_TYPES = ("start", "resume", "reply", "back", "restart", "intent", "erase", "locale")
PREVIEW_TYPES = ("goto",)

_FLOW_ID = re.compile(r"[a-z][a-z0-9_-]{0,63}")
_LOCALE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_NODE_ID = re.compile(r"[A-Za-z0-9_.-]{1,128}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,128}")
# C0 controls other than tab, newline and carriage return mean nothing in a chat message,
# and PostgreSQL text columns refuse NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def error_event(
    code: str, text: str | None = None, *, seq: int | None = None, retry_after: float | None = None
) -> BotEvent:
    """The ``error`` event for a code; ``text`` defaults to the stable visitor-facing wording."""
    event: BotEvent = {
        "type": "error",
        "code": code,
        "text": text or ERROR_TEXTS.get(code, ERROR_TEXTS["internal"]),
    }
    if seq is not None:
        event["seq"] = seq
    if retry_after is not None:
        event["retry_after"] = retry_after
    return event


def fail(code: str, detail: str | None = None) -> ProtocolError:
    return ProtocolError(code, detail or ERROR_TEXTS[code])


def parse_frame(
    raw: str | bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_text: int = DEFAULT_MAX_TEXT,
    allow_preview: bool = False,
) -> ClientFrame:
    """Check one frame and return it normalised (only known keys, defaults filled in)."""
    data = decode_frame(raw, max_bytes=max_bytes)
    return check_frame(data, max_text=max_text, allow_preview=allow_preview)


def decode_frame(raw: str | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """Size, UTF-8 and JSON syntax: everything about a frame before its meaning."""
    if isinstance(raw, str):
        if len(raw) > max_bytes:  # each character is at least one byte
            raise fail("too_large", f"A message may be at most {max_bytes} bytes.")
        try:
            encoded = raw.encode("utf-8")
        except UnicodeEncodeError:
            raise fail("bad_utf8") from None
        text = raw
    else:
        encoded = bytes(raw)
        if len(encoded) > max_bytes:
            raise fail("too_large", f"A message may be at most {max_bytes} bytes.")
        try:
            text = encoded.decode("utf-8")
        except UnicodeDecodeError:
            raise fail("bad_utf8") from None
    if len(encoded) > max_bytes:
        raise fail("too_large", f"A message may be at most {max_bytes} bytes.")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise fail("bad_json") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def check_frame(
    data: Any, *, max_text: int = DEFAULT_MAX_TEXT, allow_preview: bool = False
) -> ClientFrame:
    """Meaning: an object with a known ``type`` and well-formed fields for it."""
    if not isinstance(data, dict):
        raise fail("not_object")
    kind = data.get("type")
    allowed = CLIENT_TYPES + (PREVIEW_TYPES if allow_preview else ())
    if not isinstance(kind, str) or kind not in allowed:
        raise fail("unknown_type", f"Unknown message type {_shown(kind)}.")
    frame: dict[str, Any] = {"type": kind}
    frame.update(_CHECKERS[kind](data, max_text))
    if "id" in data:
        frame["id"] = _frame_id(data["id"])
    return cast(ClientFrame, frame)  # each field was checked by the type's checker above


def _shown(value: Any) -> str:
    return (
        repr(value)[:40]
        if isinstance(value, str)
        else "(missing)"
        if value is None
        else "(not text)"
    )


def _frame_id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise fail("bad_field", "id must be text or a whole number.")
    text = str(value)
    if not 1 <= len(text) <= MAX_ID_CHARS or _CONTROL.search(text):
        raise fail("bad_field", f"id must be 1 to {MAX_ID_CHARS} plain characters.")
    return text


def _clean(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate smuggled in as a JSON \\ud800 escape
        raise fail("bad_utf8") from None
    return _CONTROL.sub("", text)


def _optional(data: dict[str, Any], key: str, pattern: re.Pattern[str]) -> dict[str, Any]:
    if data.get(key) is None:
        return {}
    value = data[key]
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise fail("bad_field", f"{key} is not valid.")
    return {key: value}


def _required(data: dict[str, Any], key: str, pattern: re.Pattern[str]) -> dict[str, Any]:
    if data.get(key) is None:
        raise fail("bad_field", f"{key} is required.")
    return _optional(data, key, pattern)


def _start(data: dict[str, Any], _max_text: int) -> dict[str, Any]:
    return {**_optional(data, "flow", _FLOW_ID), **_optional(data, "locale", _LOCALE)}


def _switch_locale(data: dict[str, Any], _max_text: int) -> dict[str, Any]:
    return _required(data, "locale", _LOCALE)


def _resume(data: dict[str, Any], _max_text: int) -> dict[str, Any]:
    after = data.get("after", 0)
    if after is None:
        after = 0
    if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= MAX_SEQ:
        raise fail("bad_field", "after must be a whole number, 0 or more.")
    return {**_required(data, "token", _TOKEN), "after": after}


def _reply(data: dict[str, Any], max_text: int) -> dict[str, Any]:
    present = [key for key in ("text", "choice", "choices", "skip") if data.get(key) is not None]
    if len(present) != 1:
        raise fail("bad_field", "A reply carries exactly one of text, choice, choices or skip.")
    key = present[0]
    value = data[key]
    if key == "text":
        if not isinstance(value, str):
            raise fail("bad_field", "text must be text.")
        value = _clean(value)
        if len(value) > max_text:
            raise fail("text_too_long", f"A message may be at most {max_text} characters.")
        return {"text": value}
    if key == "choice":
        return {"choice": _choice(value)}
    if key == "choices":
        if not isinstance(value, list) or len(value) > MAX_CHOICES:
            raise fail("bad_field", f"choices must be a list of at most {MAX_CHOICES} values.")
        return {"choices": [_choice(item) for item in value]}
    if value is not True:
        raise fail("bad_field", "skip must be true.")
    return {"skip": True}


def _choice(value: Any) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= MAX_CHOICE_CHARS:
        raise fail("bad_field", "A choice must be one of the offered values.")
    return _clean(value)


def _nothing(_data: dict[str, Any], _max_text: int) -> dict[str, Any]:
    return {}


def _intent(data: dict[str, Any], _max_text: int) -> dict[str, Any]:
    return _required(data, "intent", _NODE_ID)


def _goto(data: dict[str, Any], _max_text: int) -> dict[str, Any]:
    return _required(data, "node", _NODE_ID)


_CHECKERS: dict[str, Callable[[dict[str, Any], int], dict[str, Any]]] = {
    "start": _start,
    "resume": _resume,
    "reply": _reply,
    "back": _nothing,
    "restart": _nothing,
    "intent": _intent,
    "goto": _goto,
    "erase": _nothing,
    "locale": _switch_locale,
}
