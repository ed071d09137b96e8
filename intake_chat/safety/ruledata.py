"""Reading the safety data files shipped in ``intake_chat/safety/data``: the floor's rules,
wording and resources, the tripwire's rules, the named word lists and phrase sets they share, and
the engine's own word knowledge. Pure: imports nothing from the rest of the package.

The rules are reviewed data, not code: a word list is written once (``words.json``) and named in a
pattern as ``{name}`` (its words joined with ``|``; write ``({name})`` for one slot of them); a
named phrase set is spliced into a locale's list with ``"$phrases:name"`` or stands for a whole
``{"en": [...], "es": [...]}`` value as ``{"$phrases": ["a", "b"]}``. ``load_floor`` expands all of
that into the plain rules-file shape the pattern compiler reads. Every file is checked against
``safety-data.schema.json`` first, and a duplicate key (a word list defined twice) is an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

__all__ = [
    "DATA_DIR",
    "DataError",
    "engine_words",
    "expand_words",
    "load_floor",
    "raw_data",
    "word_lists",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
SCHEMA_FILE = "safety-data.schema.json"
DATA_FILES = ("words.json", "floor.json", "tripwire.json", "engine.json", "similarity.json")
_REF = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_SPLICE = "$phrases:"


class DataError(ValueError):
    """A safety data file that cannot be used: the package itself is broken."""


def _no_duplicates(name: str) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise DataError(f"{name}: '{key}' is defined twice")
            out[key] = value
        return out

    return hook


def read_data_file(path: Path) -> dict[str, Any]:
    """One data file, with a duplicate key anywhere an error (JSON would keep the last)."""
    loaded = json.loads(
        path.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicates(path.name)
    )
    if not isinstance(loaded, dict):
        raise DataError(f"{path.name}: not a JSON object")
    return loaded


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads((DATA_DIR / SCHEMA_FILE).read_text(encoding="utf-8")))


@cache
def raw_data() -> dict[str, dict[str, Any]]:
    """Every data file as written (references not expanded), by file name; schema-checked."""
    out: dict[str, dict[str, Any]] = {}
    for name in DATA_FILES:
        doc = read_data_file(DATA_DIR / name)
        errors = sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.path)))
        if errors:
            where = "/".join(map(str, errors[0].absolute_path)) or "$"
            raise DataError(f"{name}: {where}: {errors[0].message}")
        out[name] = doc
    return out


def word_lists() -> dict[str, list[str]]:
    """The named word lists as written (a word may name another list)."""
    return {n: list(w["words"]) for n, w in raw_data()["words.json"]["words"].items()}


def expand_words(text: str, lists: dict[str, list[str]] | None = None) -> str:
    """``text`` with every ``{name}`` replaced by that list's words joined with ``|``."""
    lists = word_lists() if lists is None else lists

    def one(name: str, seen: tuple[str, ...]) -> str:
        if name not in lists:
            raise DataError(f"no word list '{name}'")
        if name in seen:
            raise DataError(f"the word list '{name}' names itself")
        return "|".join(_REF.sub(lambda m: one(m.group(1), (*seen, name)), w) for w in lists[name])

    return _REF.sub(lambda m: one(m.group(1), ()), text)


class _Expander:
    def __init__(self) -> None:
        data = raw_data()
        self.lists = word_lists()
        self.locales = frozenset(data["floor.json"]["locales"])
        self.phrases: dict[str, dict[str, list[str]]] = {
            n: {k: v for k, v in p.items() if k != "why"}
            for n, p in data["words.json"]["phrases"].items()
        }

    def text(self, text: str) -> str:
        return expand_words(text, self.lists)

    def phrase_set(self, names: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name in names:
            for locale, items in self._set(name).items():
                out.setdefault(locale, []).extend(self.text(p) for p in items)
        return out

    def _set(self, name: str) -> dict[str, list[str]]:
        if name not in self.phrases:
            raise DataError(f"no phrase set '{name}'")
        return self.phrases[name]

    def value(self, value: Any, locale: str | None = None) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            if set(value) == {"$phrases"}:
                return self.phrase_set(value["$phrases"])
            return {k: self.value(v, k if k in self.locales else locale) for k, v in value.items()}
        if isinstance(value, list):
            out: list[Any] = []
            for item in value:
                if isinstance(item, str) and item.startswith(_SPLICE):
                    if locale is None:
                        raise DataError(f"'{item}' outside a locale's list")
                    out += [self.text(p) for p in self._set(item[len(_SPLICE) :]).get(locale, [])]
                else:
                    out.append(self.value(item, locale))
            return out
        return value


@cache
def load_floor() -> dict[str, Any]:
    """The floor in the rules-file shape: floor.json with the tripwire's rules after each
    category's own, every word list and phrase set expanded. Raises ``DataError``."""
    data = raw_data()
    expander = _Expander()
    floor = {k: v for k, v in data["floor.json"].items() if k != "$schema"}
    tripwire = data["tripwire.json"]["rules"]
    categories = {}
    for name, category in floor["categories"].items():
        rules = [*category.get("rules", []), *tripwire.get(name, [])]
        categories[name] = {**category, "rules": rules}
    expanded: dict[str, Any] = expander.value({**floor, "categories": categories})
    return expanded


@cache
def engine_words() -> dict[str, Any]:
    """The pattern compiler's and detector's own word knowledge (engine.json), as written."""
    return {k: v for k, v in raw_data()["engine.json"].items() if k != "$schema"}
