"""Linting the built-in safety data (``intake-chat safety check``): word lists defined twice or
never used, and every floor rule's examples and negatives run through the real detector.

A rule's ``examples`` must be detected at the rule's level or higher, and its ``negatives`` (near
misses: a homophone, an idiom, someone else's past) must get no response at all. Findings use the
``Finding`` shape of the rules-file checker, codes D001.. Pure: imports nothing from Flask or the
database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .detection import Finding, Rules, default_rules, detect
from .ruledata import DATA_DIR, DataError, raw_data, word_lists

__all__ = ["check_data", "rule_cases"]

_RANK = {None: 0, "advice": 1, "concern": 2, "crisis": 3}
_REF = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_WORDS = str(DATA_DIR / "words.json")


def rule_cases() -> Iterator[tuple[str, str, str, str, str]]:
    """("file:rule id:level", "example" | "negative", locale, text, key) of every floor rule."""
    data = raw_data()
    sources: list[tuple[str, list[dict[str, Any]]]] = [
        ("floor.json", [r for c in data["floor.json"]["categories"].values() for r in c["rules"]]),
        ("tripwire.json", [r for rs in data["tripwire.json"]["rules"].values() for r in rs]),
    ]
    for file, rules in sources:
        for rule in rules:
            for key, kind in (("examples", "example"), ("negatives", "negative")):
                for locale, texts in rule.get(key, {}).items():
                    for text in texts:
                        yield f"{file}:{rule['id']}:{rule['level']}", kind, locale, text, key


def check_data(rules: Rules | None = None) -> list[Finding]:
    """Everything wrong with the shipped safety data; [] when it is clean."""
    try:
        raw_data()
    except DataError as exc:
        return [Finding(str(DATA_DIR), "$", "D000", "error", str(exc))]
    rules = rules or default_rules()
    return [*_word_findings(), *_case_findings(rules)]


def _word_findings() -> list[Finding]:
    """D001 a word twice in one list, D002 two lists with the same words, D003 a list no
    pattern, list or phrase names."""
    lists = word_lists()
    out: list[Finding] = []
    seen: dict[frozenset[str], str] = {}
    for name, words in lists.items():
        where = f"$.words.{name}"
        twice = sorted({w for w in words if words.count(w) > 1})
        if twice:
            out.append(
                Finding(_WORDS, where, "D001", "error", f"'{twice[0]}' is in '{name}' twice")
            )
        key = frozenset(words)
        if key in seen:
            out.append(
                Finding(
                    _WORDS,
                    where,
                    "D002",
                    "error",
                    f"'{name}' has the same words as '{seen[key]}'",
                    f"use {{{seen[key]}}} and remove '{name}'",
                )
            )
        seen.setdefault(key, name)
    used = _names_used()
    for name in lists:
        if name not in used:
            out.append(
                Finding(_WORDS, f"$.words.{name}", "D003", "warning", f"'{name}' is never used")
            )
    return out


def _names_used() -> set[str]:
    used: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            used.update(_REF.findall(value))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for doc in raw_data().values():
        walk(doc)
    return used


def _case_findings(rules: Rules) -> list[Finding]:
    """D004 an example detected below its rule's level, D005 a negative that gets a response."""
    out: list[Finding] = []
    for where, kind, locale, text, key in rule_cases():
        file, rule_id, level = where.split(":")
        got = detect(text, locale, rules)
        path = f"{rule_id}.{key}.{locale}"
        if kind == "example" and _RANK[got.level] < _RANK[level]:
            out.append(
                Finding(
                    file,
                    path,
                    "D004",
                    "error",
                    f"the example '{text}' is not detected as {level} "
                    f"(got {got.level or 'nothing'})",
                    "widen the rule or fix the example",
                )
            )
        if kind == "negative" and got.level is not None:
            out.append(
                Finding(
                    file,
                    path,
                    "D005",
                    "error",
                    f"the negative '{text}' is detected as {got.level} by {got.rule}",
                    "add an exemption or narrow the rule",
                )
            )
    return out
