"""The conversation engine: ``step(flow, state, event) -> Step`` (new state, bot events, effects).

Pure: no Flask, no database, no clock, no randomness (the date comes in ``event["today"]``). It
never raises on visitor input; only a broken flow (the loader and linter catch those first) raises
FlowError.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from .answers import BUTTONS, Parsed, is_required, match_option, parse_answer, parse_date
from .errors import FlowError, Problem
from .flows import Flow
from .instruments import is_risk_answer
from .protocol import AskInput, BotEvent, Effect, Option, Step
from .textfmt import DEFAULT_MESSAGES, interpolate, localize, render_value, words
from .topics import (
    CLOSE,
    CONFIDENT,
    SYNONYM_WEIGHT,
    Match,
    asks,
    change_named,
    declines,
    informative,
    is_question,
    match,
    named_options,
    negated,
    not_a_name,
    not_pronouns,
    only_pronouns,
    respelt,
    yes_or_no,
)
from .topics import (
    DEFAULT as DEFAULT_BAR,
)

__all__ = ["MAX_AUTO_STEPS", "NODE_KEYS", "STATE_VERSION", "Step", "holds", "new_state", "step"]

STATE_VERSION = 1
MAX_AUTO_STEPS = 200  # steps without a question in between before a flow counts as looping
MAX_STACK = 20  # return points kept; the oldest go first
MAX_HISTORY = 200  # answered questions kept for "back"
CARE_CONTINUE = "care_continue"  # the buttons of the pause after a crisis or concern
CARE_RESOURCES = "care_resources"
INTENT_MAX_WORDS = 6  # on text questions, longer messages are answers, not intents
SHORT_COMMAND_WORDS = 3  # on long-answer questions, an action this short is a command
LONG_QUESTION_WORDS = 14  # on long-answer questions, a longer question may be the answer too
STATUSES = ("asking", "handoff", "ended")

# Every node key the engine knows, read or deliberately ignored (section_title is for the editor,
# personal for the linter). tests/test_engine.py checks this equals the schema: no drift.
_COMMON = frozenset({"id", "type", "next", "section_title"})
NODE_KEYS: dict[str, frozenset[str]] = {
    "message": _COMMON | {"text", "crisis_resources"},
    "question": _COMMON
    | {"input", "var", "text", "options", "notice", "required", "validation", "invalid"}
    | {"max_retries", "on_max_retries", "personal", "placeholder", "intents", "expects"},
    "branch": _COMMON | {"cases", "default"},
    "set": _COMMON | {"values"},
    "goto": _COMMON | {"target"},
    "include": _COMMON | {"section"},
    "summary": _COMMON | {"text", "fields", "confirm"},
    "handoff": _COMMON | {"text", "queued_text", "mode", "fields", "optional_fields"},
    "end": _COMMON | {"text"},
    "questionnaire": _COMMON | {"instrument", "required"},
}


def new_state(flow: Flow, locale: str) -> dict[str, Any]:
    """A fresh state before the first node has run."""
    return {
        "v": STATE_VERSION,
        "flow": flow.id,
        "locale": locale,
        "node": None,
        "status": "asking",
        "answers": {},
        "history": [],
        "stack": [],
        "retries": 0,
        "editing": None,
    }


class _Turn:
    """The working set of one step: the flow, a private copy of the state, what has been said."""

    def __init__(self, flow: Flow, state: dict[str, Any], today: dt.date | None) -> None:
        self.flow = flow
        self.state = state
        self.today = today
        self.events: list[BotEvent] = []
        self.effects: list[Effect] = []
        self.waiting = False

    @property
    def locale(self) -> str:
        return str(self.state["locale"])

    @property
    def answers(self) -> dict[str, Any]:
        answers: dict[str, Any] = self.state["answers"]
        return answers

    def say(self, text: Mapping[str, str] | None) -> str:
        """Flow text in the visitor's language with their answers filled in."""
        template = localize(text, self.locale, self.flow.default_locale)
        return interpolate(template, self.answers, _labels(self.flow, self.locale))

    def wording(self, key: str) -> dict[str, str]:
        return self.flow.messages.get(key) or DEFAULT_MESSAGES[key]

    def message(self, key: str, **params: Any) -> str:
        """A built-in message (or the flow's override of it) with its ``{min}``-style values."""
        template = localize(self.wording(key), self.locale, self.flow.default_locale)
        return interpolate(template, params)

    def emit(self, event: BotEvent) -> None:
        self.events.append(event)

    def error(self, code: str) -> None:
        self.emit({"type": "error", "code": code, "text": self.message("not_expected")})


# --- entry point


def step(flow: Flow, state: Mapping[str, Any] | None, event: Mapping[str, Any]) -> Step:
    """Apply one event. ``state`` is None for a new session; a state that does not fit restarts."""
    event = event if isinstance(event, Mapping) else {}
    today = parse_date(event["today"]) if isinstance(event.get("today"), str) else None
    current = _usable(flow, state)
    kind = event.get("type")
    if current is None or kind == "start":
        locale = _locale(flow, event.get("locale"), current)
        turn = _Turn(flow, new_state(flow, locale), today)
        _run(turn, flow.start)
    else:
        turn = _Turn(flow, current, today)
        handler = _EVENTS.get(str(kind))
        if handler is None:
            turn.error("not_expected")
        else:
            handler(turn, event)
    return Step(turn.state, turn.events, turn.effects)


def _locale(flow: Flow, wanted: Any, current: dict[str, Any] | None) -> str:
    if isinstance(wanted, str):
        if wanted in flow.locales:
            return wanted
        language = wanted.split("-")[0].lower()
        if language in flow.locales:
            return language
    if current is not None:
        return str(current["locale"])
    return flow.default_locale


def _usable(flow: Flow, state: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A private copy of ``state`` if it fits this flow, else None (the visitor starts over)."""
    if not isinstance(state, Mapping):
        return None
    try:
        fits = (
            state["v"] == STATE_VERSION
            and state["flow"] == flow.id
            and state["locale"] in flow.locales
            and state["status"] in STATUSES
            and state["node"] in flow.nodes
            and isinstance(state["answers"], dict)
            and isinstance(state["retries"], int)
            and _waits_at(flow, state)
            and all(_frame_fits(flow, f) for f in state["stack"])
            and all(
                h["node"] in flow.nodes and isinstance(h["stack"], list) for h in state["history"]
            )
            and all(_frame_fits(flow, f) for h in state["history"] for f in h["stack"])
            and (state["editing"] is None or state["editing"]["summary"] in flow.nodes)
        )
    except (KeyError, TypeError, AttributeError):
        return None
    return _copy(dict(state)) if fits else None


def _copy(value: Any) -> Any:
    """A deep copy of JSON-shaped data; several times faster than ``copy.deepcopy`` for it."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _waits_at(flow: Flow, state: Mapping[str, Any]) -> bool:
    wanted = {"asking": ("question", "summary"), "handoff": ("handoff",), "ended": ("end",)}
    return flow.node(state["node"])["type"] in wanted[state["status"]]


def _frame_fits(flow: Flow, frame: Any) -> bool:
    return frame["kind"] in ("include", "return") and frame["node"] in flow.nodes


# --- events


def _on_restart(turn: _Turn, event: Mapping[str, Any]) -> None:
    locale = _locale(turn.flow, event.get("locale"), turn.state)
    turn.state = new_state(turn.flow, locale)
    _run(turn, turn.flow.start)


def _on_reask(turn: _Turn, event: Mapping[str, Any]) -> None:
    if turn.state["status"] == "asking":
        _emit_pending(turn)


def _on_reply(turn: _Turn, event: Mapping[str, Any]) -> None:
    status = turn.state["status"]
    if status == "handoff":
        _relay(turn, event)
        return
    if status != "asking":
        turn.error("not_expected")
        return
    node = turn.flow.node(turn.state["node"])
    text = event.get("text")
    turn.state.pop("offer", None)
    if isinstance(text, str) and turn.flow.topics:
        if _topic_turn(turn, node, event, text):
            return
    elif isinstance(text, str) and (intent := _intent_in(turn, node, text)) is not None:
        _run_intent(turn, intent)
        return
    if node["type"] == "summary":
        _reply_summary(turn, node, event)
    else:
        _reply_question(turn, node, event)


def _relay(turn: _Turn, event: Mapping[str, Any]) -> None:
    text = event.get("text")
    if isinstance(text, str) and text.strip():
        turn.effects.append({"type": "visitor_message", "node": turn.state["node"], "text": text})


def _on_back(turn: _Turn, event: Mapping[str, Any]) -> None:
    if turn.state["status"] != "asking":
        turn.error("not_expected")
        return
    if _back_to_summary(turn):
        return
    history = turn.state["history"]
    if not history:
        _emit_pending(turn)
        return
    entry = history.pop()
    turn.state["stack"] = entry["stack"]
    _run(turn, entry["node"])


def _on_care(turn: _Turn, event: Mapping[str, Any]) -> None:
    """After a crisis or concern message (the service sends this instead of ``reask``): pause
    and ask what the visitor wants before any further intake question. Typing an answer instead
    of pressing a button simply answers the pending step."""
    if turn.state["status"] == "asking":
        _care_check(turn)


def _care_check(turn: _Turn) -> None:
    actions = [{"intent": CARE_CONTINUE, "label": turn.message("care_continue")}]
    person = [tid for tid, t in turn.flow.topics.items() if t.get("action") == "handoff"]
    actions += _buttons(turn, person[:1])
    actions.append({"intent": CARE_RESOURCES, "label": turn.message("care_resources")})
    turn.emit(
        {"type": "message", "node": "care", "text": turn.message("care_check"), "actions": actions}
    )


def _care_button(turn: _Turn, wanted: str) -> bool:
    if wanted == CARE_CONTINUE:
        _emit_pending(turn)
    elif wanted == CARE_RESOURCES:
        # "again": the service shows the panel without raising a second alert to staff.
        turn.effects.append({"type": "crisis_resources", "node": turn.state["node"], "again": True})
        _care_check(turn)
    else:
        return False
    return True


def _back_to_summary(turn: _Turn) -> bool:
    """While a summary field is being changed, an answer (or back) returns to the summary."""
    editing = turn.state["editing"]
    if editing is None:
        return False
    turn.state["editing"] = None
    _run(turn, editing["summary"])
    return True


def _on_intent(turn: _Turn, event: Mapping[str, Any]) -> None:
    wanted = str(event.get("intent"))
    if turn.state["status"] == "asking" and _care_button(turn, wanted):
        return
    if turn.flow.topics and _topic_button(turn, wanted):
        return
    intent = turn.flow.intents.get(wanted)
    if intent is None:
        turn.error("unknown_intent")
    elif turn.state["status"] != "asking" and intent["action"] != "restart":
        turn.error("not_expected")
    else:
        _run_intent(turn, intent)


def _on_goto(turn: _Turn, event: Mapping[str, Any]) -> None:
    """Preview only (the service refuses it for visitors): jump to any node.

    A section that no include runs (an FAQ reached by intents) returns to the pending question, or
    to the start, when it runs out, as if an intent with return had led there.
    """
    target = event.get("node")
    if not isinstance(target, str) or target not in turn.flow.nodes:
        turn.error("unknown_node")
        return
    saved = _copy(turn.state)
    pending = turn.state["node"] if turn.state["status"] == "asking" else turn.flow.start
    turn.state.update(status="asking", stack=[], editing=None, retries=0)
    if not _includers(turn.flow).get(turn.flow.section_of[target]):
        _push(turn, {"kind": "return", "node": pending})
    try:
        _run(turn, target)
    except FlowError as exc:
        # A jump into a section only reachable with a return point; tell the previewer, stay put.
        turn.state = saved
        turn.events.clear()
        turn.effects.clear()
        turn.emit({"type": "error", "code": "dead_end", "text": str(exc.problems[0])})


_EVENTS: dict[str, Callable[[_Turn, Mapping[str, Any]], None]] = {
    "restart": _on_restart,
    "reply": _on_reply,
    "back": _on_back,
    "intent": _on_intent,
    "reask": _on_reask,
    "care": _on_care,
    "goto": _on_goto,
}


# --- intents


@lru_cache(maxsize=32)
def _phrases(flow: Flow) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Per locale: (normalised phrase words, intent id), built once per flow version."""
    found: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for intent in flow.intents.values():
        for locale, phrases in intent["match"].items():
            for phrase in phrases:
                if tokens := tuple(words(phrase)):
                    found.setdefault(locale, []).append((tokens, intent["id"]))
    return found


def _in_order(phrase: tuple[str, ...], said: list[str]) -> bool:
    remaining = iter(said)
    return all(word in remaining for word in phrase)


def _intent_in(turn: _Turn, node: dict[str, Any], text: str) -> dict[str, Any] | None:
    """The intent typed text asks for, if matching is allowed on this question at all."""
    if node.get("intents") is False:
        return None
    said = words(text)
    if not said:
        return None
    if node["type"] == "question" and node["input"] == "text" and len(said) > INTENT_MAX_WORDS:
        return None
    if match_option(text, _choices(turn, node)) is not None:
        return None  # an exact option is an answer, even when it sounds like an intent
    for phrase, intent_id in _phrases(turn.flow).get(turn.locale, []):
        if _in_order(phrase, said):
            return turn.flow.intents[intent_id]
    return None


def _run_intent(turn: _Turn, intent: dict[str, Any]) -> None:
    action = intent["action"]
    if action == "restart":
        _on_restart(turn, {})
    elif action == "back":
        _on_back(turn, {})
    elif action == "handoff":
        turn.state["editing"] = None
        _run(turn, str(turn.flow.person_node))
    elif intent.get("return"):
        _push(turn, {"kind": "return", "node": turn.state["node"]})
        _run(turn, intent["target"])
    else:
        turn.state.update(stack=[], editing=None)
        _run(turn, intent["target"])


# --- topics: a typed message that asks something instead of answering the step


def _answer_kind(node: dict[str, Any]) -> str:
    """How a step's answer looks: choice (buttons), form (date, email…), name, pronouns, free or
    text (a short answer)."""
    if node["type"] == "summary" or node["input"] in ("choice", "multi", *BUTTONS):
        return "choice"
    if node["input"] != "text":
        return "form"
    return str(node.get("expects", "text"))


def _takes(turn: _Turn, node: dict[str, Any], event: Mapping[str, Any]) -> bool:
    """Whether the step itself accepts the reply (an option, a date, an email…)."""
    if node["type"] == "summary":
        raw = str(event.get("text", ""))
        options = _summary_options(turn, node)
        return (
            match_option(raw, options) is not None
            or _confirms(raw)
            or change_named(raw, options[1:], turn.locale) is not None
        )
    return parse_answer(node, event, _choices(turn, node), turn.today, turn.locale).ok


def _topic_turn(turn: _Turn, node: dict[str, Any], event: Mapping[str, Any], text: str) -> bool:
    """Safety has run (in the service); now topics, before the step's own answer.

    Returns True when the message was handled as a topic, an offer or a retry; False lets the
    step take it as its answer (or refuse it in its own words).
    """
    if node.get("intents") is False or not words(text):
        return False
    kind = _answer_kind(node)
    if kind in ("choice", "form") and _takes(turn, node, event):
        return False
    plainly = is_question(text, turn.locale, strict=True)
    asked = asks(text, turn.locale) if kind == "free" else is_question(text, turn.locale)
    if kind == "choice" and not plainly and (meant := _meant(turn, node, text, asked)) is not None:
        _reply_question(turn, node, meant)  # "me lo recomendó una amiga": an option, named
        return True
    optional = not is_required(node) and kind not in ("choice", "free")  # free: kept as typed
    if not asked and optional and declines(text, turn.locale):
        _reply_question(turn, node, {"skip": True})  # "no thanks", "I'd rather not say"
        return True
    if kind == "free" and not asked:
        return _command(turn, text)  # a long answer that mentions a topic word is the answer
    if kind == "name" and not not_a_name(text, turn.locale):
        return _topic_word(turn, text)  # Hope, Grace, Paz: real names that are also words
    if kind == "pronouns" and "?" not in text and only_pronouns(text, turn.locale):
        return False  # "she/her please", not "do they take insurance"
    found = _usable_match(turn, match(turn.flow, text, turn.locale), text)
    if kind == "pronouns" and not asked and not _clear(turn, found):
        if not_pronouns(text, turn.locale):
            turn.emit({"type": "invalid", "node": node["id"], "text": turn.message("short_answer")})
            _emit_pending(turn)
            return True
        return False  # "no preference", "use my name"
    if kind == "free" and found.outcome == CONFIDENT and _long(text):
        found = Match(CLOSE, found.topic, found.score, found.example, None, 0.0)  # unsure: ask
    sure = (
        asked
        or kind in ("name", "pronouns", "form")  # not a valid date or email: not an answer
        or (kind == "choice" and _clear(turn, found))
    )
    if found.outcome == CONFIDENT and found.topic is not None and sure:
        _answer_topic(turn, found.topic)
        return True
    if not asked:
        if kind == "name":
            turn.emit({"type": "invalid", "node": node["id"], "text": turn.message("short_answer")})
            _emit_pending(turn)
            return True
        return False  # a long or short answer stays the answer; a choice or date its own retry
    if found.outcome in (CONFIDENT, CLOSE) and found.topic is not None:
        _offer(turn, found, text if kind in ("free", "text") else None)
    else:
        _fallback(turn)
    return True


def _command(turn: _Turn, text: str) -> bool:
    """On a long answer, a bare action of up to three words ("start over", "go back",
    "empezar de nuevo") is that action; anything longer is the visitor's answer."""
    if len(words(text)) > SHORT_COMMAND_WORDS:
        return False
    found = _usable_match(turn, match(turn.flow, text, turn.locale), text)
    topic = turn.flow.topics.get(found.topic or "", {})
    if found.outcome != CONFIDENT or found.topic is None or "action" not in topic:
        return False
    _answer_topic(turn, found.topic)
    return True


def _topic_word(turn: _Turn, text: str) -> bool:
    """At a name, one or two words that are plainly a topic ("insurance", "medicamentos"):
    a topic (not an action), scoring twice the bar; no name tried scores that (docs/topics.md).
    A word that matches only once spelling-corrected is kept as the name ("Consuelo")."""
    if len(words(text)) > 2 or respelt(turn.flow, text, turn.locale):
        return False
    found = match(turn.flow, text, turn.locale)
    topic = turn.flow.topics.get(found.topic or "", {})
    if found.outcome != CONFIDENT or "action" in topic or not _clear(turn, found):
        return False
    _answer_topic(turn, str(found.topic))
    return True


def _meant(
    turn: _Turn, node: dict[str, Any], text: str, maybe_asked: bool = False
) -> dict[str, Any] | None:
    """The option a typed answer names in its own words ("video works for me"), as a reply.

    ``maybe_asked``: it opens as a question may ("que se hace en la terapia"); then only an
    option's own synonym counts ("me lo recomendó una amiga"), not a shared label word, and a
    yes or no read in it ("si" is also "if") does not.
    """
    if node["type"] == "summary":
        return None
    if node["input"] in BUTTONS:
        said = yes_or_no(text, turn.locale, plain=maybe_asked)
        buttons = BUTTONS[node["input"]]
        return None if said is None else {"choice": buttons[0 if said else 1][0]}
    named = named_options(text, _choices(turn, node), turn.locale)
    if maybe_asked and named and named[0][1] < SYNONYM_WEIGHT:
        return None
    if node["input"] == "multi":
        return {"choices": [value for value, _ in named]} if named else None
    if named and (len(named) == 1 or named[0][1] > named[1][1]):
        return {"choice": named[0][0]}
    return None


def _long(text: str) -> bool:
    """A question with more around it ("do you treat ADHD? I think that's it") may be an answer."""
    sentences = [part for part in re.split(r"[.?!¿¡]+", text) if part.strip()]
    return len(sentences) > 1 or len(words(text)) > LONG_QUESTION_WORDS


def _clear(turn: _Turn, found: Match) -> bool:
    """A statement (no question) is taken as a topic only when it is an action ("connect me to
    staff") or scores twice the confident bar."""
    topic = turn.flow.topics.get(found.topic or "", {})
    if "action" in topic:
        return found.outcome == CONFIDENT
    return found.score >= 2 * DEFAULT_BAR.confident


def _usable_match(turn: _Turn, found: Match, text: str) -> Match:
    """A negated action ("I don't want to talk to a person") is no request for it; nor is a
    longer message that shares one word with it ("my cat sat on the keyboard again")."""
    topic = turn.flow.topics.get(found.topic or "")
    if topic is not None and "action" in topic:
        if negated(text, turn.locale):
            return Match("low", None, 0.0, None, None, 0.0)
        thin = found.shared < 2 and len(informative(text, turn.locale)) > 2
        if found.outcome == CONFIDENT and (found.score < DEFAULT_BAR.action or thin):
            return Match(CLOSE, found.topic, found.score, None, found.runner_up, found.runner_score)
    return found


def _answer_topic(turn: _Turn, topic_id: str) -> None:
    """Say the topic's answer and ask the pending step again, everything else kept; or run the
    topic's action (start over, go back, talk to a person)."""
    topic = turn.flow.topics[topic_id]
    if "action" in topic:
        _run_intent(turn, {"action": topic["action"]})
        return
    answer = topic["answer"]
    for number, text in enumerate(answer, 1):
        said: BotEvent = {"type": "message", "node": f"topic:{topic_id}", "topic": topic_id}
        said["text"] = turn.say(text)
        if number == len(answer) and topic.get("related"):
            said["actions"] = _buttons(turn, topic["related"])
        turn.emit(said)
    turn.effects.append({"type": "topic_answered", "node": turn.state["node"], "topic": topic_id})
    _emit_pending(turn)


def _buttons(turn: _Turn, topic_ids: list[str]) -> list[dict[str, str]]:
    """Topics as buttons: the intent to send and the label in the visitor's language."""
    return [
        {"intent": tid, "label": turn.say(turn.flow.topics[tid]["label"])}
        for tid in topic_ids
        if tid in turn.flow.topics
    ]


def _offer(turn: _Turn, found: Match, held: str | None) -> None:
    """Did you mean …? Both close topics as buttons, then "something else" (or, on a free-text
    step, "that was my answer", which keeps the typed text as the answer: nothing is lost)."""
    choices = [t for t in (found.topic, found.runner_up) if t is not None]
    if found.runner_up is None or found.runner_score < found.score * 0.75:
        choices = choices[:1]
    actions = _buttons(turn, choices)
    if held is not None:
        turn.state["offer"] = {"node": turn.state["node"], "text": held}
        actions.append({"intent": "keep_answer", "label": turn.message("topic_keep_answer")})
    else:
        actions.append({"intent": "something_else", "label": turn.message("topic_something_else")})
    turn.emit(
        {
            "type": "message",
            "node": "topic:did_you_mean",
            "text": turn.message("topic_did_you_mean"),
            "actions": actions,
        }
    )
    _emit_pending(turn)


def _fallback(turn: _Turn) -> None:
    """Nothing matched: say so kindly, offer the topic menu and a person, ask the step again."""
    menu = list(turn.flow.settings.get("topic_menu", []))
    menu += [t["id"] for t in turn.flow.topics.values() if t.get("action") == "handoff"]
    turn.emit(
        {
            "type": "message",
            "node": "topic:fallback",
            "text": turn.message("topic_fallback"),
            "actions": _buttons(turn, menu),
        }
    )
    turn.effects.append({"type": "topic_unanswered", "node": turn.state["node"]})
    _emit_pending(turn)


def _topic_button(turn: _Turn, wanted: str) -> bool:
    """A topic button (or an offer's "something else" / "that was my answer") was pressed."""
    offer = turn.state.pop("offer", None)
    if turn.state["status"] != "asking":
        topic = turn.flow.topics.get(wanted)
        return (
            False if topic is None or topic.get("action") != "restart" else _pressed(turn, wanted)
        )
    if wanted == "keep_answer" and isinstance(offer, dict) and offer["node"] == turn.state["node"]:
        _reply_question(turn, turn.flow.node(offer["node"]), {"text": offer["text"]})
        return True
    if wanted == "something_else":
        _fallback(turn)
        return True
    return wanted in turn.flow.topics and _pressed(turn, wanted)


def _pressed(turn: _Turn, topic_id: str) -> bool:
    _answer_topic(turn, topic_id)
    return True


# --- answering


def _choices(turn: _Turn, node: dict[str, Any]) -> list[dict[str, Any]]:
    """The options a reply is matched against, with labels in every language."""
    if node["type"] == "summary":
        return _summary_options(turn, node)
    if node["input"] in BUTTONS:
        return [
            {"value": value, "label": turn.wording(value)} for value, _ in BUTTONS[node["input"]]
        ]
    options: list[dict[str, Any]] = node.get("options", [])
    return options


def _reply_question(turn: _Turn, node: dict[str, Any], event: Mapping[str, Any]) -> None:
    parsed = parse_answer(node, event, _choices(turn, node), turn.today, turn.locale)
    if not parsed.ok:
        _invalid(turn, node, parsed)
        return
    turn.answers[node["var"]] = parsed.value
    if node["input"] == "consent" and parsed.value is False:
        # The service forgets what was typed so far (and stores no later typing) for this visitor.
        turn.effects.append({"type": "consent_declined", "node": node["id"]})
    if _back_to_summary(turn):
        return
    history = turn.state["history"]
    history.append({"node": node["id"], "stack": _copy(turn.state["stack"])})
    del history[:-MAX_HISTORY]
    said = len(turn.events)
    _run(turn, _after_answer(turn.flow, node, parsed.value))
    if node.get("risk") and _risk_answer(turn.flow, node, parsed.value):
        _risk_response(turn, node, said)


def _risk_answer(flow: Flow, node: dict[str, Any], value: Any) -> bool:
    questionnaire = flow.node(node["questionnaire"])
    instrument = flow.data["instruments"][questionnaire["instrument"]]
    return is_risk_answer(instrument, node["id"].split(":", 1)[1], value)


def _risk_response(turn: _Turn, node: dict[str, Any], said: int) -> None:
    """A risk item answered above its lowest option: the crisis response a crisis message gets
    (the service shows the safety file's panel, flags the session urgent and alerts staff,
    category ``risk_item``), then the same pause before any further question. The visitor is
    told nothing about the answer itself."""
    turn.effects.append({"type": "crisis_resources", "node": node["id"], "category": "risk_item"})
    if turn.state["status"] != "asking":
        return
    asked = [n for n, e in enumerate(turn.events) if n >= said and e["type"] == "ask"]
    if asked:
        del turn.events[asked[-1]]  # the next question waits until the visitor says go on
    _care_check(turn)


def _after_answer(flow: Flow, node: dict[str, Any], value: Any) -> str | None:
    chosen = value if isinstance(value, list) else [value]
    for option in node.get("options", []):
        if option["value"] in chosen and "next" in option:
            return str(option["next"])
    return flow.following(node["id"])


def _invalid(turn: _Turn, node: dict[str, Any], parsed: Parsed) -> None:
    custom = node.get("validation", {}).get("message") or node.get("invalid")
    text = turn.say(custom) if custom else turn.message(str(parsed.error), **parsed.params)
    turn.emit({"type": "invalid", "node": node["id"], "text": text})
    retries = turn.state["retries"] + 1
    if retries >= node.get("max_retries", turn.flow.max_retries):
        way_out = node.get("on_max_retries") or turn.flow.person_node
        if way_out is not None:
            turn.state["editing"] = None
            _run(turn, way_out)
            return
        retries = 0
    turn.state["retries"] = retries
    _emit_pending(turn)


# --- the summary


def _summary_options(turn: _Turn, node: dict[str, Any]) -> list[dict[str, Any]]:
    confirm = node.get("confirm") or turn.wording("summary_confirm")
    options: list[dict[str, Any]] = [{"value": "confirm", "label": confirm}]
    change = turn.wording("summary_change")
    for item in node["fields"]:
        var = item["var"]
        if var in turn.answers and var in turn.flow.question_of_var:
            label = {
                loc: interpolate(template, {"label": localize(item["label"], loc, loc)})
                for loc, template in change.items()
            }
            options.append({"value": f"edit:{var}", "label": label})
    return options


def _reply_summary(turn: _Turn, node: dict[str, Any], event: Mapping[str, Any]) -> None:
    options = _summary_options(turn, node)
    raw = event.get("choice", event.get("text"))
    chosen = match_option(raw, options) if isinstance(raw, str) else None
    if chosen is None and isinstance(raw, str) and _confirms(raw):
        chosen = "confirm"
    if chosen is None and isinstance(raw, str):
        chosen = change_named(raw, options[1:], turn.locale)  # "change my email"
    if chosen is None:
        _invalid(turn, node, Parsed(error="choice"))
    elif chosen == "confirm":
        _run(turn, turn.flow.following(node["id"]))
    else:
        _edit(turn, node, chosen.removeprefix("edit:"))


_CONFIRM_WORDS = frozenset(
    {"yes", "y", "ok", "okay", "confirm", "looks good", "si", "correcto", "esta bien", "listo"}
)
# Words a typed confirmation is made of ("looks good, send it", "sí, todo está correcto").
_CONFIRMING = (
    "yes y yeah yep ok okay confirm confirmed looks look good great fine perfect correct right "
    "all that is it s everything send submit please go ahead thats "
    "si esta todo bien correcto listo perfecto enviar envialo envie enviarlo mandar mandalo "
    "adelante asi por favor vale claro"
)
_CONFIRMING_YES = (
    "yes y yeah yep ok okay confirm good great fine perfect correct right send submit "
    "si bien correcto listo perfecto enviar envialo mandar mandalo vale"
)
_CONFIRM_BAG = frozenset(_CONFIRMING.split())
_CONFIRM_NEEDS = frozenset(_CONFIRMING_YES.split())


def _confirms(raw: str) -> bool:
    """The whole reply says "send it": only confirming words, at least one of them a yes, so
    "yes, but change my email" is not a yes."""
    said = words(raw)
    if " ".join(said) in _CONFIRM_WORDS:
        return True
    return bool(said) and set(said) <= _CONFIRM_BAG and bool(set(said) & _CONFIRM_NEEDS)


def _edit(turn: _Turn, summary: dict[str, Any], var: str) -> None:
    turn.state["editing"] = {"summary": summary["id"]}
    _run(turn, turn.flow.question_of_var[var])


# --- running nodes until one waits for the visitor


def _run(turn: _Turn, node_id: str | None) -> None:
    """Follow automatic nodes from ``node_id`` until a question, summary, handoff or end."""
    turn.waiting = False
    visited: list[str] = []
    for _ in range(MAX_AUTO_STEPS):
        if node_id is None:
            node_id = _section_end(turn, visited[-1] if visited else turn.state["node"])
            continue
        visited.append(node_id)
        node = turn.flow.node(node_id)
        node_id = _NODES[node["type"]](turn, node)
        if turn.waiting:
            return
    raise FlowError([_loop_problem(turn.flow, visited)])


def _section_end(turn: _Turn, last: str) -> str | None:
    """The section of ``last`` ran out: take the newest return point."""
    stack = turn.state["stack"]
    if not stack:
        includers = _includers(turn.flow).get(turn.flow.section_of[last], ())
        if includers:
            # Reached without its include (a preview jump, an intent without return): go on as if
            # the first include of the section had run it.
            return turn.flow.following(includers[0])
        raise FlowError(
            [
                Problem(
                    turn.flow.file,
                    _node_path(turn.flow, last),
                    f'the section "{turn.flow.section_of[last]}" runs out after node "{last}" '
                    "with nothing to return to",
                    'give the node a "next", or end the section with an end or handoff node (L004)',
                )
            ]
        )
    frame = stack.pop()
    if frame["kind"] == "include":
        return turn.flow.following(frame["node"])
    return str(frame["node"])


@lru_cache(maxsize=32)
def _includers(flow: Flow) -> dict[str, tuple[str, ...]]:
    """Per section, the include nodes that run it."""
    found: dict[str, tuple[str, ...]] = {}
    for node in flow.nodes.values():
        if node["type"] == "include":
            found[node["section"]] = (*found.get(node["section"], ()), node["id"])
    return found


def _push(turn: _Turn, frame: dict[str, Any]) -> None:
    stack = turn.state["stack"]
    stack.append(frame)
    del stack[:-MAX_STACK]


def _node_path(flow: Flow, node_id: str) -> str:
    node_id = flow.node(node_id).get("questionnaire", node_id)  # an item: its questionnaire
    section = flow.section_of[node_id]
    return f"$.sections.{section}.nodes[{flow.sections[section].index(node_id)}]"


def _loop_problem(flow: Flow, visited: list[str]) -> Problem:
    cycle = list(dict.fromkeys(visited[-MAX_AUTO_STEPS // 2 :])) or [flow.start]
    return Problem(
        flow.file,
        _node_path(flow, cycle[0]),
        f"more than {MAX_AUTO_STEPS} steps without a question: the flow loops through "
        + ", ".join(cycle[:12]),
        "put a question, handoff or end on the loop, or point one of its nodes elsewhere",
    )


def _wait(turn: _Turn, node: dict[str, Any], status: str) -> None:
    """Stop here; arriving afresh at a node forgets earlier invalid answers."""
    turn.state.update(node=node["id"], status=status, retries=0)
    turn.waiting = True


def _message(turn: _Turn, node: dict[str, Any]) -> str | None:
    turn.emit({"type": "message", "node": node["id"], "text": turn.say(node["text"])})
    if node.get("crisis_resources"):
        # the resources themselves live in the safety file, which a flow cannot remove
        turn.effects.append({"type": "crisis_resources", "node": node["id"]})
    return turn.flow.following(node["id"])


def _pending(turn: _Turn, node: dict[str, Any]) -> None:
    """A question or summary: ask it and wait for the visitor."""
    _wait(turn, node, "asking")
    _emit_pending(turn)


def _branch(turn: _Turn, node: dict[str, Any]) -> str:
    for case in node["cases"]:
        if holds(case["when"], turn.answers, turn.today):
            return str(case["next"])
    return str(node["default"])


def _set(turn: _Turn, node: dict[str, Any]) -> str | None:
    turn.answers.update(node["values"])
    return turn.flow.following(node["id"])


def _goto(turn: _Turn, node: dict[str, Any]) -> str:
    return str(node["target"])


def _questionnaire(turn: _Turn, node: dict[str, Any]) -> str:
    """Say the instrument's introduction (what it is about, the recall period), then ask its
    first item; the items are questions of their own (flows.py builds them)."""
    instrument = turn.flow.data["instruments"][node["instrument"]]
    turn.emit({"type": "message", "node": node["id"], "text": turn.say(instrument["intro"])})
    return f"{node['id']}:{instrument['items'][0]['id']}"


def _include(turn: _Turn, node: dict[str, Any]) -> str:
    _push(turn, {"kind": "include", "node": node["id"]})
    return turn.flow.sections[node["section"]][0]


def _handoff(turn: _Turn, node: dict[str, Any]) -> None:
    mode = node["mode"]
    text = turn.say(node["text"])
    said: BotEvent = {"type": "handoff", "mode": mode, "node": node["id"], "text": text}
    said["referral"] = None
    if mode == "live" and "queued_text" in node:
        said["queued_text"] = turn.say(node["queued_text"])  # the service picks one of the two
    turn.emit(said)
    fields = {var: turn.answers.get(var) for var in node["fields"]}
    for var in node.get("optional_fields", []):
        if _answered(turn.answers.get(var)):
            fields[var] = turn.answers[var]
    # Questionnaire items travel with every referral (a skipped one as null): staff score them.
    fields.update((var, value) for var, value in turn.answers.items() if ":" in var)
    labels = _labels(turn.flow, turn.flow.default_locale)
    display = {var: render_value(value, labels.get(var)) for var, value in fields.items()}
    turn.effects.append(
        {
            "type": "submit_referral",
            "node": node["id"],
            "mode": mode,
            "locale": turn.locale,
            "fields": fields,
            "display": display,
        }
    )
    if mode == "live":
        turn.effects.append({"type": "request_staff", "node": node["id"]})
    turn.state.update(stack=[], editing=None)
    _wait(turn, node, "handoff")


def _end(turn: _Turn, node: dict[str, Any]) -> None:
    turn.emit({"type": "end", "node": node["id"], "text": turn.say(node.get("text"))})
    turn.state.update(stack=[], editing=None)
    _wait(turn, node, "ended")


_NODES: dict[str, Callable[[_Turn, dict[str, Any]], str | None]] = {
    "message": _message,
    "question": _pending,
    "summary": _pending,
    "branch": _branch,
    "set": _set,
    "goto": _goto,
    "include": _include,
    "handoff": _handoff,
    "end": _end,
    "questionnaire": _questionnaire,
}


# --- what the visitor sees while the engine waits


def _emit_pending(turn: _Turn) -> None:
    node = turn.flow.node(turn.state["node"])
    if node["type"] == "summary":
        turn.emit({"type": "ask", "node": node["id"], "input": _summary_input(turn, node)})
    else:
        turn.emit({"type": "ask", "node": node["id"], "input": _question_input(turn, node)})


def _question_input(turn: _Turn, node: dict[str, Any]) -> AskInput:
    kind = node["input"]
    shown: AskInput = {
        "kind": kind,
        "label": turn.say(node["text"]),
        "required": is_required(node),
        "can_back": bool(turn.state["history"]) or turn.state["editing"] is not None,
    }
    options = _choices(turn, node)
    if options:
        shown["options"] = [{"value": o["value"], "label": turn.say(o["label"])} for o in options]
    if "notice" in node:
        shown["notice"] = turn.say(node["notice"])
    if "placeholder" in node:
        shown["placeholder"] = turn.say(node["placeholder"])
    value = turn.answers.get(node["var"])
    if _answered(value):
        shown["value"] = _as_input(kind, value)
    return shown


def _as_input(kind: str, value: Any) -> Any:
    """A stored answer in the shape the input sends it: buttons by their value."""
    if kind in BUTTONS and isinstance(value, bool):
        return dict((stored, name) for name, stored in BUTTONS[kind])[value]
    return value


def _summary_input(turn: _Turn, node: dict[str, Any]) -> AskInput:
    labels = _labels(turn.flow, turn.locale)
    fields = []
    for item in node["fields"]:
        var = item["var"]
        if var not in turn.answers:
            continue
        value = turn.answers[var]
        text = render_value(value, labels.get(var)) if _answered(value) else ""
        fields.append(
            {
                "var": var,
                "label": turn.say(item["label"]),
                "value": text or turn.message("summary_empty"),
            }
        )
    options: list[Option] = [
        {"value": o["value"], "label": turn.say(o["label"])} for o in _summary_options(turn, node)
    ]
    return {
        "kind": "summary",
        "label": turn.say(node["text"]),
        "required": True,
        "fields": fields,
        "options": options,
        "can_back": bool(turn.state["history"]),
    }


def _answered(value: Any) -> bool:
    return value is not None and value != "" and value != []


@lru_cache(maxsize=64)
def _labels(flow: Flow, locale: str) -> dict[str, dict[str, str]]:
    """Per variable, stored value → label in ``locale``, so choices and yes/no read as words."""
    fallback = flow.default_locale
    found: dict[str, dict[str, str]] = {}
    for node in flow.nodes.values():
        if node["type"] != "question":
            continue
        labels = found.setdefault(node["var"], {})
        for option in node.get("options", []):
            labels.setdefault(option["value"], localize(option["label"], locale, fallback))
        for name, stored in BUTTONS.get(node["input"], ()):
            text = flow.messages.get(name) or DEFAULT_MESSAGES[name]
            labels.setdefault("true" if stored else "false", localize(text, locale, fallback))
    return found


# --- conditions


def holds(condition: Mapping[str, Any], answers: Mapping[str, Any], today: dt.date | None) -> bool:
    """Whether a branch condition is true; missing or mistyped answers make comparisons false."""
    if "all" in condition:
        return all(holds(c, answers, today) for c in condition["all"])
    if "any" in condition:
        return any(holds(c, answers, today) for c in condition["any"])
    if "not" in condition:
        return not holds(condition["not"], answers, today)
    if "age_of" in condition:
        age = _age(answers.get(condition["age_of"]), today)
        return age is not None and _compare(condition["op"], age, condition["value"])
    op = str(condition["op"])
    value = answers.get(condition["var"])
    if op in ("answered", "not_answered"):
        return _answered(value) == (op == "answered")
    if op in ("in", "not_in"):
        chosen = value if isinstance(value, list) else [value]
        inside = any(item in condition["value"] for item in chosen if item is not None)
        return inside == (op == "in")
    return _compare(op, value, condition["value"])


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


def _compare(op: str, left: Any, right: Any) -> bool:
    if op in ("eq", "ne"):
        return bool(_ORDER[op](left, right))
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right))
    texts = isinstance(left, str) and isinstance(right, str)
    return (numbers or texts) and bool(_ORDER[op](left, right))


def _age(value: Any, today: dt.date | None) -> int | None:
    born = parse_date(value) if isinstance(value, str) else None
    if born is None or today is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
