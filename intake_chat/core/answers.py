"""Parsing and validating one visitor reply for a question node, per input kind.

Returns a stored value or an error key (the engine picks the localized text). Never raises on
visitor input. Imports nothing from Flask or the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from .textfmt import normalize

__all__ = [
    "BUTTONS",
    "MAX_TEXT_LENGTH",
    "PATTERN_INPUT_LIMIT",
    "Parsed",
    "is_required",
    "parse_answer",
    "parse_date",
    "pattern_problem",
]

MAX_TEXT_LENGTH = 2000  # a text answer without its own max_length; a frame limit sits above this
PATTERN_INPUT_LIMIT = 200  # a staff pattern never sees more; bounds polynomial backtracking

# Button values of the kinds whose options the engine supplies.
BUTTONS: dict[str, tuple[tuple[str, bool], ...]] = {
    "yesno": (("yes", True), ("no", False)),
    "consent": (("accept", True), ("decline", False)),
}
_WORDS: dict[str, dict[bool, frozenset[str]]] = {
    "yesno": {
        True: frozenset({"yes", "y", "yeah", "yep", "true", "si", "s", "claro", "ok", "okay"}),
        False: frozenset({"no", "n", "nope", "false", "nah"}),
    },
    "consent": {
        True: frozenset(
            {
                "accept",
                "i accept",
                "agree",
                "i agree",
                "yes",
                "y",
                "ok",
                "okay",
                "si",
                "acepto",
                "de acuerdo",
                "estoy de acuerdo",
                "true",
            }
        ),
        False: frozenset(
            {
                "decline",
                "i decline",
                "no",
                "n",
                "i do not agree",
                "i don t agree",
                "disagree",
                "no acepto",
                "rechazo",
                "no gracias",
                "no thanks",
                "no thank you",
                "false",
            }
        ),
    },
}


@dataclass(frozen=True)
class Parsed:
    """A reply turned into a stored value, or the key of what was wrong with it."""

    value: Any = None
    error: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def _bad(key: str, **params: Any) -> Parsed:
    return Parsed(error=key, params=params)


def is_required(node: Mapping[str, Any]) -> bool:
    """The node's ``required`` wins over ``validation.required``; both default to true."""
    if "required" in node:
        return bool(node["required"])
    return bool(node.get("validation", {}).get("required", True))


def parse_answer(
    node: Mapping[str, Any],
    reply: Mapping[str, Any],
    options: Sequence[Mapping[str, Any]] | None = None,
    today: dt.date | None = None,
    locale: str = "en",
) -> Parsed:
    """Parse ``reply`` (a reply event: ``text``, ``choice``, ``choices`` or ``skip``) for ``node``.

    ``options`` are the choices offered: the node's own for choice/multi; for yesno/consent the
    engine passes the buttons with their labels so a typed label matches. ``today`` resolves the
    "today" bound of a date.
    """
    kind = str(node.get("input", "text"))
    if _is_skip(reply):
        return Parsed(None) if not is_required(node) else _bad("required")
    if kind == "multi":
        return _parse_multi(node, reply, options or node.get("options", []))
    raw = _single(reply)
    if raw is None:
        return _bad(_KIND_ERRORS.get(kind, "required"))
    if kind in ("choice", "yesno", "consent"):
        return _PARSERS_WITH_OPTIONS[kind](node, raw, options or node.get("options", []))
    if kind == "date":
        return _parse_date(node, raw, today, day_first=_day_first(locale))
    return _PARSERS[kind](node, raw, today)


def _day_first(locale: str) -> bool:
    """US English writes month/day; Spanish and most other locales write day/month."""
    return locale.split("-")[0].lower() not in {"en"} or locale.lower() in {"en-gb", "en-ie"}


def _is_skip(reply: Mapping[str, Any]) -> bool:
    if reply.get("skip") is True:
        return True
    text = reply.get("text")
    has_other = "choice" in reply or "choices" in reply
    return isinstance(text, str) and not text.strip() and not has_other


def _single(reply: Mapping[str, Any]) -> str | None:
    for key in ("choice", "text"):
        value = reply.get(key)
        if isinstance(value, str):
            return value.strip()
    return None


_KIND_ERRORS = {
    "choice": "choice",
    "yesno": "yesno",
    "consent": "consent",
    "email": "email",
    "phone": "phone",
    "date": "date",
    "number": "number",
}


# --- choices


def match_option(text: str, options: Sequence[Mapping[str, Any]]) -> str | None:
    """The value of the option ``text`` names: by value, by label in any language, or by number."""
    wanted = normalize(text)
    if not wanted:
        return None
    for option in options:
        if text == option["value"] or wanted == normalize(str(option["value"])):
            return str(option["value"])
    for option in options:
        labels = option.get("label", {})
        if any(wanted == normalize(label) for label in labels.values()):
            return str(option["value"])
    number = re.fullmatch(r"#?\s*(\d{1,3})\s*[.)]?", text.strip())
    if number and 1 <= int(number.group(1)) <= len(options):
        return str(options[int(number.group(1)) - 1]["value"])
    return None


def _parse_choice(
    node: Mapping[str, Any], raw: str, options: Sequence[Mapping[str, Any]]
) -> Parsed:
    value = match_option(raw, options)
    return Parsed(value) if value is not None else _bad("choice")


def _parse_buttons(kind: str, raw: str, options: Sequence[Mapping[str, Any]]) -> Parsed:
    buttons = dict(BUTTONS[kind])
    chosen = match_option(raw, options) if options else None
    if chosen in buttons:
        return Parsed(buttons[chosen])
    said = normalize(raw)
    for answer in (True, False):
        if said in _WORDS[kind][answer]:
            return Parsed(answer)
    return _bad(kind)


def _parse_yesno(node: Mapping[str, Any], raw: str, options: Sequence[Mapping[str, Any]]) -> Parsed:
    return _parse_buttons("yesno", raw, options)


def _parse_consent(
    node: Mapping[str, Any], raw: str, options: Sequence[Mapping[str, Any]]
) -> Parsed:
    return _parse_buttons("consent", raw, options)


_PARSERS_WITH_OPTIONS = {"choice": _parse_choice, "yesno": _parse_yesno, "consent": _parse_consent}

_SPLIT = re.compile(r"\s*[,;]\s*")
_AND = re.compile(r"\s+(?:and|y|&)\s+", re.IGNORECASE)


def _multi_values(text: str, options: Sequence[Mapping[str, Any]]) -> list[str] | None:
    whole = match_option(text, options)
    if whole is not None:
        return [whole]
    chosen: list[str] = []
    for part in _SPLIT.split(text.strip()):
        if not part:
            continue
        value = match_option(part, options)
        if value is not None:
            chosen.append(value)
            continue
        for piece in _AND.split(part):
            value = match_option(piece, options)
            if value is None:
                return None
            chosen.append(value)
    return chosen


def _parse_multi(
    node: Mapping[str, Any], reply: Mapping[str, Any], options: Sequence[Mapping[str, Any]]
) -> Parsed:
    choices = reply.get("choices")
    if isinstance(choices, list):
        known = {str(o["value"]) for o in options}
        if not all(isinstance(c, str) and c in known for c in choices):
            return _bad("multi")
        picked: list[str] | None = list(choices)
    else:
        raw = _single(reply)
        picked = _multi_values(raw, options) if raw else None
    if not picked:
        return _bad("required") if picked is not None and is_required(node) else _bad("multi")
    order = [str(o["value"]) for o in options]
    values = sorted(set(picked), key=order.index)
    rules = node.get("validation", {})
    if isinstance(rules.get("min"), int | float) and len(values) < rules["min"]:
        return _bad("too_few", min=_num(rules["min"]))
    if isinstance(rules.get("max"), int | float) and len(values) > rules["max"]:
        return _bad("too_many", max=_num(rules["max"]))
    return Parsed(values)


# --- text kinds


def _check_length(text: str, rules: Mapping[str, Any]) -> Parsed | None:
    limit = int(rules.get("max_length", MAX_TEXT_LENGTH))
    if len(text) > limit:
        return _bad("too_long", max=limit)
    if len(text) < int(rules.get("min_length", 0)):
        return _bad("too_short", min=rules["min_length"])
    return None


def _check_pattern(text: str, rules: Mapping[str, Any]) -> Parsed | None:
    pattern = rules.get("pattern")
    if not isinstance(pattern, str):
        return None
    if len(text) > PATTERN_INPUT_LIMIT:
        return _bad("too_long", max=PATTERN_INPUT_LIMIT)
    compiled = _compile(pattern)
    if compiled is None or compiled.fullmatch(text) is None:
        return _bad("pattern")
    return None


def _parse_text(node: Mapping[str, Any], raw: str, today: dt.date | None) -> Parsed:
    rules = node.get("validation", {})
    return _check_length(raw, rules) or _check_pattern(raw, rules) or Parsed(raw)


_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


_LEAD_WORDS = 5  # "my email is", "mi número de teléfono es": a few words before the value


def _within_words(raw: str, found: re.Match[str] | None) -> str | None:
    """The matched value, when what surrounds it is only a few words ("my number is …"), not
    a question or a sentence: the visitor said the value in a short phrase."""
    if found is None or "?" in raw:
        return None
    before, after = raw[found.start() - 1 : found.start()], raw[found.end() : found.end() + 1]
    if (before and not before.isspace() and before != ":") or (
        after and not after.isspace() and after not in ".,!"
    ):
        return None  # part of a longer token: not a value said on its own
    rest = (raw[: found.start()] + " " + raw[found.end() :]).replace(":", " ")
    if len(rest.split()) > _LEAD_WORDS or re.search(r"[^\w\s.,!'’]|\d", rest):
        return None  # a sentence, or more digits ("ext 3") that would be lost
    return found.group(0)


def _parse_email(node: Mapping[str, Any], raw: str, today: dt.date | None) -> Parsed:
    email = raw.strip().removeprefix("mailto:")
    if not _EMAIL.fullmatch(email):
        email = _within_words(email, _EMAIL.search(email)) or email
    if len(email) > 254 or not _EMAIL.fullmatch(email) or ".." in email:
        return _bad("email")
    email = email.lower()
    rules = node.get("validation", {})
    return _check_length(email, rules) or _check_pattern(email, rules) or Parsed(email)


_PHONE_CHARS = re.compile(r"\+?[\d\s().\-/]+")


_PHONE_IN_TEXT = re.compile(r"\+?\(?\d[\d\s().\-/]{5,}\d")


def _parse_phone(node: Mapping[str, Any], raw: str, today: dt.date | None) -> Parsed:
    if not _PHONE_CHARS.fullmatch(raw) and len(raw) <= 80:
        raw = _within_words(raw, _PHONE_IN_TEXT.search(raw)) or raw
    if len(raw) > 40 or not _PHONE_CHARS.fullmatch(raw):
        return _bad("phone")
    digits = re.sub(r"\D", "", raw)
    if not 7 <= len(digits) <= 15:
        return _bad("phone")
    phone = ("+" if raw.startswith("+") else "") + digits
    rules = node.get("validation", {})
    return _check_pattern(phone, rules) or Parsed(phone)


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_US = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")  # 04/28/1990, 04-28-1990, 28.04.1990


def parse_date(text: str, *, day_first: bool = False) -> dt.date | None:
    """``YYYY-MM-DD``, ``MM/DD/YYYY`` (``DD/MM/YYYY`` when ``day_first``), or a month by name
    in English or Spanish ("March 3 1985", "3 de marzo de 1985"), as a date.

    None when absent or impossible. Slashes follow the visitor's locale because a date of birth
    read the wrong way round can silently turn an adult into a minor or the reverse; a month
    named in words is never ambiguous, so it is read whatever the locale.
    """
    text = text.strip()
    iso = _ISO.fullmatch(text)
    us = _US.fullmatch(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif us and day_first:
        day, month, year = (int(g) for g in us.group(1, 3, 4))
    elif us:
        month, day, year = (int(g) for g in us.group(1, 3, 4))
    else:
        named = _named_month_date(text)
        if named is None:
            return None
        year, month, day = named
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "january jan enero ene",
            "february feb febrero",
            "march mar marzo",
            "april apr abril abr",
            "may mayo",
            "june jun junio",
            "july jul julio",
            "august aug agosto ago",
            "september sep sept septiembre setiembre set",
            "october oct octubre",
            "november nov noviembre",
            "december dec diciembre dic",
        ),
        1,
    )
    for name in names.split()
}
_DATE_FILLER = frozenset({"de", "del", "of", "the", "el", "on", "born", "nacido", "nacida"})
_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th|o|ro)?")  # 3rd; 1º and 1ro once normalised


def _named_month_date(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) from "March 3rd, 1985", "12 October 1990", "3 de marzo del 1985": one
    month name, a day of one or two digits and a four-digit year, with nothing else but filler."""
    words = [w for w in normalize(text).split() if w not in _DATE_FILLER]
    if len(words) != 3:
        return None
    months = [w for w in words if w in _MONTHS]
    years = [w for w in words if len(w) == 4 and w.isdigit()]
    days = [m.group(1) for w in words if (m := _DAY.fullmatch(w))]
    if len(months) != 1 or len(years) != 1 or len(days) != 1:
        return None
    return int(years[0]), _MONTHS[months[0]], int(days[0])


def _bound_date(bound: Any, today: dt.date | None) -> dt.date | None:
    if bound == "today":
        return today
    return parse_date(bound) if isinstance(bound, str) else None


def _date_in_words(raw: str, day_first: bool) -> dt.date | None:
    """A date said in a short phrase ("it's 04/28/1990", "mi fecha es 28/04/1990", "nací el 28
    de abril de 1990"): the date, when the rest is a few words without digits or a question."""
    found = _US.search(raw) or _ISO.search(raw)
    if found is not None:
        value = _within_words(raw, found)
        return parse_date(value, day_first=day_first) if value else None
    words = [w for w in normalize(raw).split() if w not in _DATE_FILLER]
    at = [n for n, w in enumerate(words) if w in _MONTHS or w.isdigit() or _DAY.fullmatch(w)]
    rest = len(words) - len(at)
    if "?" in raw or not rest or rest > _LEAD_WORDS or len(at) != 3 or at[-1] - at[0] != 2:
        return None  # the day, month and year together, as one date is said
    return parse_date(" ".join(words[at[0] : at[-1] + 1]))


def _parse_date(
    node: Mapping[str, Any], raw: str, today: dt.date | None, *, day_first: bool = False
) -> Parsed:
    day = parse_date(raw, day_first=day_first) or _date_in_words(raw, day_first)
    if day is None:
        return _bad("date")
    rules = node.get("validation", {})
    low = _bound_date(rules.get("min"), today)
    high = _bound_date(rules.get("max"), today)
    if low is not None and day < low:
        return _bad("too_early", min=low.isoformat())
    if high is not None and day > high:
        return _bad("too_late", max=high.isoformat())
    return Parsed(day.isoformat())


_INT = re.compile(r"[+-]?\d{1,15}")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")
_DECIMAL = re.compile(r"[+-]?\d{0,15}[.,]\d{1,10}")


def _to_number(text: str) -> int | float | None:
    text = text.replace(" ", "")
    if _INT.fullmatch(text):
        return int(text)
    if _THOUSANDS.fullmatch(text):
        return int(text.replace(",", ""))
    if _DECIMAL.fullmatch(text):
        number = float(text.replace(",", "."))
        return int(number) if number.is_integer() else number
    return None


def _num(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _parse_number(node: Mapping[str, Any], raw: str, today: dt.date | None) -> Parsed:
    number = _to_number(raw) if len(raw) <= 40 else None
    if number is None:
        return _bad("number")
    rules = node.get("validation", {})
    low, high = rules.get("min"), rules.get("max")
    if isinstance(low, int | float) and number < low:
        return _bad("too_small", min=_num(low))
    if isinstance(high, int | float) and number > high:
        return _bad("too_large", max=_num(high))
    return Parsed(number)


_PARSERS = {
    "text": _parse_text,
    "email": _parse_email,
    "phone": _parse_phone,
    "date": _parse_date,
    "number": _parse_number,
}


# --- staff patterns


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str] | None:
    return None if pattern_problem(pattern) else re.compile(pattern)


def pattern_problem(pattern: str) -> str | None:
    """Why a staff ``pattern`` cannot be used, or None: it must compile and not backtrack badly.

    Inside a repetition, something of varying length (``(a+)+``, ``(a?a)+``) or an alternation
    (``(ab|a)+``) can take exponential time on a crafted answer, and so can a back-reference;
    Python's ``re`` has no timeout, so such patterns are refused when loading. Single-character
    alternations (``(a|b)+``) are a character class to ``re`` and stay allowed.
    """
    try:
        parsed = sre_parse.parse(pattern)
    except re.error as exc:
        return f"the pattern does not compile: {exc.msg}"
    except (RecursionError, OverflowError):
        return "the pattern is too complex"
    if _nested_repeat(parsed, inside=False):
        return (
            "the pattern repeats something of varying length or an alternation (like (a+)+ or "
            "(ab|a)+), which can take exponential time; use a character class like [ab]+ instead"
        )
    if _has(parsed, {"GROUPREF", "GROUPREF_EXISTS"}):
        return "the pattern uses a back-reference, which can take exponential time"
    return None


_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


def _children(op: str, arg: Any) -> list[Any]:
    """The sub-patterns of one parsed regex item."""
    if op in _REPEATS:
        return [arg[2]]
    if op == "SUBPATTERN":
        return [arg[-1]]
    if op == "BRANCH":
        return list(arg[1])
    if op in ("ASSERT", "ASSERT_NOT"):
        return [arg[1]]
    if op == "ATOMIC_GROUP":
        return [arg]
    if op == "GROUPREF_EXISTS":
        return [a for a in arg[1:] if a is not None]
    return []


def _nested_repeat(items: Any, inside: bool) -> bool:
    """True when a repetition (max > 1) holds a variable-length repetition or an alternation."""
    for op_code, arg in items:
        op = str(op_code)
        if op in _REPEATS:
            low, high = arg[0], arg[1]
            if inside and low != high:
                return True
            if _nested_repeat(arg[2], inside or high > 1):
                return True
            continue
        if inside and op == "BRANCH":
            return True
        if any(_nested_repeat(child, inside) for child in _children(op, arg)):
            return True
    return False


def _has(items: Any, ops: set[str]) -> bool:
    for op_code, arg in items:
        op = str(op_code)
        if op in ops or any(_has(child, ops) for child in _children(op, arg)):
            return True
    return False
