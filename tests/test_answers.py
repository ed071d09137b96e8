"""Parsing one reply per input kind: what is accepted, how it is stored, which error key."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from intake_chat.core.answers import (
    PATTERN_INPUT_LIMIT,
    Parsed,
    is_required,
    match_option,
    parse_answer,
    parse_date,
    pattern_problem,
)

OPTIONS = [
    {"value": "anxiety", "label": {"en": "Anxiety or worry", "es": "Ansiedad o preocupación"}},
    {"value": "grief", "label": {"en": "Grief", "es": "Duelo"}},
    {"value": "other", "label": {"en": "Something else", "es": "Otra cosa"}},
]
YESNO = [
    {"value": "yes", "label": {"en": "Yes", "es": "Sí"}},
    {"value": "no", "label": {"en": "No"}},
]
CONSENT = [
    {"value": "accept", "label": {"en": "I agree", "es": "Acepto"}},
    {"value": "decline", "label": {"en": "Not now", "es": "Ahora no"}},
]
TODAY = dt.date(2026, 3, 15)


def question(kind: str, **extra: Any) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": "q",
        "type": "question",
        "input": kind,
        "var": "v",
        "text": {"en": "?"},
    }
    if kind in ("choice", "multi"):
        node["options"] = OPTIONS
    node.update(extra)
    return node


def parse(kind: str, reply: dict[str, Any], **extra: Any) -> Parsed:
    buttons = {"yesno": YESNO, "consent": CONSENT}.get(kind)
    return parse_answer(question(kind, **extra), reply, buttons, today=TODAY)


ACCEPTED: list[tuple[str, dict[str, Any], Any]] = [
    ("choice", {"choice": "grief"}, "grief"),
    ("choice", {"text": "grief"}, "grief"),
    ("choice", {"text": "  ANXIETY or Worry. "}, "anxiety"),
    ("choice", {"text": "ansiedad o preocupacion"}, "anxiety"),
    ("choice", {"text": "duelo"}, "grief"),
    ("choice", {"text": "3"}, "other"),
    ("choice", {"text": "2."}, "grief"),
    ("multi", {"choices": ["grief", "anxiety"]}, ["anxiety", "grief"]),
    ("multi", {"choices": ["grief", "grief"]}, ["grief"]),
    ("multi", {"text": "grief, something else"}, ["grief", "other"]),
    ("multi", {"text": "1 and 2"}, ["anxiety", "grief"]),
    ("multi", {"text": "duelo y otra cosa"}, ["grief", "other"]),
    ("multi", {"text": "Anxiety or worry"}, ["anxiety"]),
    ("text", {"text": "  Ana María  "}, "Ana María"),
    ("text", {"choice": "typed into a button"}, "typed into a button"),
    ("email", {"text": " Ana.Lopez+intake@Example.ORG "}, "ana.lopez+intake@example.org"),
    ("email", {"text": "mailto:a@b.co"}, "a@b.co"),
    ("phone", {"text": "(774) 218-5440"}, "7742185440"),
    ("phone", {"text": "774.218.5440"}, "7742185440"),
    ("phone", {"text": "+1 774 218 5440"}, "+17742185440"),
    ("phone", {"text": "+44 20 7946 0958"}, "+442079460958"),
    ("phone", {"text": "218-5440"}, "2185440"),
    ("date", {"text": "1990-03-25"}, "1990-03-25"),
    ("date", {"text": "03/25/1990"}, "1990-03-25"),
    ("date", {"text": "3/5/1990"}, "1990-03-05"),
    ("date", {"text": "2/29/2000"}, "2000-02-29"),
    ("date", {"text": "March 3rd, 1985"}, "1985-03-03"),
    ("date", {"text": "12 October 1990"}, "1990-10-12"),
    ("date", {"text": "sept 30 1969"}, "1969-09-30"),
    ("date", {"text": "3 de marzo de 1985"}, "1985-03-03"),
    ("date", {"text": "2 de febrero del 2001"}, "2001-02-02"),
    ("date", {"text": "1º de mayo de 1990"}, "1990-05-01"),
    ("email", {"text": "my email is Sam.Lee@example.org"}, "sam.lee@example.org"),
    ("email", {"text": "mi correo es: luz@example.com"}, "luz@example.com"),
    ("phone", {"text": "my number is 508 555 0112"}, "5085550112"),
    ("phone", {"text": "es el 401-555-0177"}, "4015550177"),
    ("number", {"text": "42"}, 42),
    ("number", {"text": "-3"}, -3),
    ("number", {"text": "3.5"}, 3.5),
    ("number", {"text": "3,5"}, 3.5),
    ("number", {"text": "1,000"}, 1000),
    ("number", {"text": "2.0"}, 2),
    ("yesno", {"choice": "yes"}, True),
    ("yesno", {"choice": "no"}, False),
    ("yesno", {"text": "Y"}, True),
    ("yesno", {"text": "sí"}, True),
    ("yesno", {"text": "Si!"}, True),
    ("yesno", {"text": "no."}, False),
    ("yesno", {"text": "true"}, True),
    ("yesno", {"text": "FALSE"}, False),
    ("yesno", {"text": "n"}, False),
    ("consent", {"choice": "accept"}, True),
    ("consent", {"choice": "decline"}, False),
    ("consent", {"text": "I agree"}, True),
    ("consent", {"text": "acepto"}, True),
    ("consent", {"text": "yes"}, True),
    ("consent", {"text": "ahora no"}, False),
    ("consent", {"text": "No"}, False),
]


@pytest.mark.parametrize(("kind", "reply", "stored"), ACCEPTED)
def test_it_accepts_and_stores(kind: str, reply: dict[str, Any], stored: Any) -> None:
    result = parse(kind, reply)
    assert result.ok, result
    assert result.value == stored
    assert type(result.value) is type(stored)


REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("choice", {"choice": "nope"}, "choice"),
    ("choice", {"text": "4"}, "choice"),
    ("choice", {"text": "0"}, "choice"),
    ("choice", {"text": "anxious"}, "choice"),
    ("choice", {"choices": ["grief"]}, "choice"),
    ("multi", {"choices": ["grief", "nope"]}, "multi"),
    ("multi", {"choices": "grief"}, "multi"),
    ("multi", {"choices": [1]}, "multi"),
    ("multi", {"text": "grief, cats"}, "multi"),
    ("multi", {"choices": []}, "required"),
    ("email", {"text": "ana@"}, "email"),
    ("email", {"text": "ana@example"}, "email"),
    ("email", {"text": "ana example.com"}, "email"),
    ("email", {"text": "ana@@example.com"}, "email"),
    ("email", {"text": "ana..b@example.com"}, "email"),
    ("email", {"text": "a" * 250 + "@example.com"}, "email"),
    ("phone", {"text": "12345"}, "phone"),
    ("phone", {"text": "1234567890123456"}, "phone"),
    ("phone", {"text": "call me maybe"}, "phone"),
    ("phone", {"text": "774-218-5440 ext 3"}, "phone"),
    ("phone", {"text": "774+2185440"}, "phone"),
    ("date", {"text": "02/30/1990"}, "date"),
    ("date", {"text": "13/01/1990"}, "date"),
    ("date", {"text": "1990-02-30"}, "date"),
    ("date", {"text": "3/5/90"}, "date"),
    ("date", {"text": "March 5"}, "date"),
    ("date", {"text": "March 5 85"}, "date"),
    ("date", {"text": "31 de febrero de 1990"}, "date"),
    ("date", {"text": "born in may 1990 i think, the 5th"}, "date"),
    ("email", {"text": "is a@example.com ok?"}, "email"),
    ("email", {"text": "write to me at a@example.com or b@example.com please thanks"}, "email"),
    ("phone", {"text": "call me at 617 555 0134 or 617 555 0199"}, "phone"),
    ("number", {"text": "forty"}, "number"),
    ("number", {"text": "1e5"}, "number"),
    ("number", {"text": "nan"}, "number"),
    ("number", {"text": "1.2.3"}, "number"),
    ("number", {"text": "--1"}, "number"),
    ("yesno", {"text": "maybe"}, "yesno"),
    ("yesno", {"choice": "perhaps"}, "yesno"),
    ("consent", {"text": "what?"}, "consent"),
    ("text", {"skip": True}, "required"),
    ("text", {"text": "   "}, "required"),
    ("email", {}, "email"),
    ("text", {"text": 5}, "required"),
]


@pytest.mark.parametrize(("kind", "reply", "error"), REFUSED)
def test_it_refuses_with_an_error_key(kind: str, reply: dict[str, Any], error: str) -> None:
    result = parse(kind, reply)
    assert not result.ok
    assert result.error == error
    assert result.value is None


VALIDATION: list[tuple[str, dict[str, Any], str, str | None, dict[str, Any]]] = [
    ("text", {"min_length": 2}, "A", "too_short", {"min": 2}),
    ("text", {"min_length": 2}, "Al", None, {}),
    ("text", {"max_length": 5}, "Alexandra", "too_long", {"max": 5}),
    ("text", {}, "x" * 2001, "too_long", {"max": 2000}),
    ("text", {"pattern": r"\d{5}(-\d{4})?"}, "02139", None, {}),
    ("text", {"pattern": r"\d{5}(-\d{4})?"}, "02139-1234", None, {}),
    ("text", {"pattern": r"\d{5}(-\d{4})?"}, "x02139", "pattern", {}),
    ("text", {"pattern": r"\d{5}"}, "021390", "pattern", {}),
    ("text", {"pattern": r"\d+", "max_length": 1000}, "1" * 201, "too_long", {"max": 200}),
    ("email", {"pattern": r".*@example\.org"}, "a@example.com", "pattern", {}),
    ("phone", {"pattern": r"\+?1?\d{10}"}, "774 218 5440", None, {}),
    ("number", {"min": 0, "max": 120}, "121", "too_large", {"max": 120}),
    ("number", {"min": 0, "max": 120}, "-1", "too_small", {"min": 0}),
    ("number", {"min": 0.5}, "0.5", None, {}),
    (
        "date",
        {"min": "1900-01-01", "max": "today"},
        "2026-03-16",
        "too_late",
        {"max": "2026-03-15"},
    ),
    ("date", {"min": "1900-01-01", "max": "today"}, "2026-03-15", None, {}),
    ("date", {"min": "1900-01-01"}, "12/31/1899", "too_early", {"min": "1900-01-01"}),
    ("multi", {"min": 2}, "grief", "too_few", {"min": 2}),
    ("multi", {"max": 1}, "1, 2", "too_many", {"max": 1}),
]


@pytest.mark.parametrize(("kind", "rules", "text", "error", "params"), VALIDATION)
def test_it_applies_validation(
    kind: str, rules: dict[str, Any], text: str, error: str | None, params: dict[str, Any]
) -> None:
    result = parse(kind, {"text": text}, validation=rules)
    assert result.error == error
    assert result.params == params


@pytest.mark.parametrize("kind", ["text", "choice", "multi", "email", "date", "yesno", "consent"])
def test_an_optional_question_takes_a_skip_or_an_empty_reply_as_null(kind: str) -> None:
    assert parse(kind, {"skip": True}, required=False) == Parsed(None)
    assert parse(kind, {"text": "  "}, required=False) == Parsed(None)


def test_the_node_required_wins_over_validation_required() -> None:
    assert is_required({}) is True
    assert is_required({"validation": {"required": False}}) is False
    assert is_required({"required": True, "validation": {"required": False}}) is True
    assert parse("text", {"skip": True}, validation={"required": False}) == Parsed(None)


@pytest.mark.parametrize(
    ("locale", "typed", "stored"),
    [
        ("en", "03/04/1990", "1990-03-04"),
        ("es", "03/04/1990", "1990-04-03"),
        ("es", "25/03/1990", "1990-03-25"),
        ("es", "1990-03-25", "1990-03-25"),
    ],
)
def test_it_reads_slashed_dates_in_the_visitors_locale_order(
    locale: str, typed: str, stored: str
) -> None:
    parsed = parse_answer(
        {"id": "d", "type": "question", "input": "date", "var": "d"},
        {"text": typed},
        today=TODAY,
        locale=locale,
    )
    assert parsed.value == stored


def test_it_refuses_a_us_order_date_that_is_impossible_day_first() -> None:
    parsed = parse_answer(
        {"id": "d", "type": "question", "input": "date", "var": "d"},
        {"text": "03/25/1990"},
        today=TODAY,
        locale="es",
    )
    assert parsed.error == "date"


def test_parse_date_refuses_impossible_dates() -> None:
    assert parse_date("2023-02-29") is None
    assert parse_date("2024-02-29") == dt.date(2024, 2, 29)
    assert parse_date("04/31/2020") is None
    assert parse_date("0/10/2020") is None


def test_match_option_prefers_values_then_labels_then_numbers() -> None:
    options = [
        {"value": "2", "label": {"en": "Two"}},
        {"value": "one", "label": {"en": "2"}},
    ]
    assert match_option("2", options) == "2"
    assert match_option("one", options) == "one"
    assert match_option("", options) is None
    assert match_option("!!!", options) is None


PATTERNS: list[tuple[str, bool]] = [
    (r"\d{5}(-\d{4})?", True),
    (r"[A-Z]{2}\d{6,9}", True),
    (r"(?:\d{3}-){2}\d{4}", True),
    (r"(a|b)+", True),
    (r"(a+)+", False),
    (r"([a-z]+\s?)+", False),
    (r"(a?a)+b", False),
    (r"(ab|a)+", False),
    (r"(\w)\1", False),
    (r"[", False),
]


@pytest.mark.parametrize(("pattern", "usable"), PATTERNS)
def test_it_refuses_patterns_that_backtrack_badly_or_do_not_compile(
    pattern: str, usable: bool
) -> None:
    assert (pattern_problem(pattern) is None) is usable


def test_a_refused_pattern_never_matches_instead_of_hanging() -> None:
    started = time.perf_counter()
    result = parse("text", {"text": "a" * 40 + "!"}, validation={"pattern": r"(a+)+"})
    assert result.error == "pattern"
    assert time.perf_counter() - started < 0.5


def test_a_long_answer_never_reaches_a_pattern() -> None:
    text = "a" * (PATTERN_INPUT_LIMIT + 1)
    assert parse("text", {"text": text}, validation={"pattern": "a*"}).error == "too_long"
