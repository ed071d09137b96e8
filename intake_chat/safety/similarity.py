"""The second net: a message that reads like a bank example of a crisis or a concern is a concern.

The phrase rules name words; a paraphrase that avoids every named word slips past them. This net
compares the whole message with reviewed examples (``data/similarity.json``) using the topic
matcher's machinery (``core.topics.Index``: normalising, typo fixing, stems, TF-IDF cosine), one
index per locale built once per process. Every locale's index runs, as every locale's rules do.

It only ever says "concern" (similarity alone is not proof of a crisis), and ``detection`` asks
it only when the patterns found less. A near-miss negative closer than the nearest alarm example
(an idiom, someone else's death told as history, a professional at work) keeps the net quiet; it
never lowers what a pattern decided. Pure: imports nothing from Flask or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ..core.topics import Index
from .ruledata import raw_data

__all__ = ["RULE_ID", "Bank", "Similar", "bank", "bank_cases", "nearest"]

RULE_ID = "net:concern"
_NEGATIVE = "negative"


@dataclass(frozen=True)
class Similar:
    """The nearest alarm example to a message, and why the net did or did not fire."""

    fired: bool
    score: float  # cosine similarity to the nearest alarm example (0 when none shares a word)
    negative: float  # ... and to the nearest near-miss negative
    level: str | None = None  # the level the nearest alarm example was written at
    category: str | None = None
    example: str = ""  # the nearest alarm example, for staff
    locale: str = ""


@dataclass(frozen=True)
class _Entry:
    level: str  # "crisis", "concern" or "negative"
    category: str | None
    text: str


class Bank:
    """The examples of one data document, one ``Index`` per locale, each example its own
    document (scored alone: the nearest example decides, not a whole category)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.fire = float(doc["thresholds"]["fire"])
        self.lead = float(doc["thresholds"]["lead"])
        by_locale: dict[str, list[_Entry]] = {}
        for level, categories in doc["banks"].items():
            for category, texts in categories.items():
                for locale, lines in texts.items():
                    by_locale.setdefault(locale, []).extend(
                        _Entry(level, category, t) for t in lines
                    )
        for locale, lines in doc["negatives"].items():
            by_locale.setdefault(locale, []).extend(_Entry(_NEGATIVE, None, t) for t in lines)
        self.entries = {locale: entries for locale, entries in sorted(by_locale.items())}
        self.shared = int(doc["thresholds"]["shared"])
        self.indexes = {
            locale: Index([(str(n), e.text) for n, e in enumerate(entries)], locale)
            for locale, entries in self.entries.items()
        }
        self.stems = {
            locale: [_stems(self.indexes[locale].bag(e.text)) for e in entries]
            for locale, entries in self.entries.items()
        }

    def nearest(self, text: str) -> Similar:
        """The best reading over every locale: fired if any locale's fires, else the closest."""
        readings = [self._nearest(text, locale) for locale in self.indexes]
        return max(readings, key=lambda s: (s.fired, s.score), default=Similar(False, 0.0, 0.0))

    def _nearest(self, text: str, locale: str) -> Similar:
        entries, index = self.entries[locale], self.indexes[locale]
        terms = index.bag(text)
        said = _stems(terms)
        best: tuple[float, int] | None = None
        negative = 0.0
        for doc_id, score in index.ranked_bag(terms):
            number = int(doc_id)
            if entries[number].level == _NEGATIVE:
                negative = max(negative, score)
            elif best is None:
                best = (score, number)
            if best is not None and negative:
                break  # ranked best first: both nearest found
        if best is None:
            return Similar(False, 0.0, negative, locale=locale)
        score, number = best
        entry = entries[number]
        # one shared word is a coincidence however rare ("mucho" and "much" stem alike): the
        # message must share informative words with the example, not only its small words
        own = self.stems[locale][number]
        enough = len(said & own) >= min(self.shared, len(own))
        fired = enough and score >= self.fire and score - negative >= self.lead
        return Similar(fired, score, negative, entry.level, entry.category, entry.text, locale)


def _stems(terms: dict[str, int]) -> frozenset[str]:
    """The single informative stems of an ``Index.bag`` (its pairs have a space)."""
    return frozenset(term for term in terms if " " not in term)


@cache
def bank() -> Bank:
    """The shipped bank, indexed once per process (about 20 ms)."""
    return Bank(raw_data()["similarity.json"]["similarity"])


def nearest(text: str) -> Similar:
    """Whether ``text`` reads like an alarm example of the shipped bank, and which one."""
    return bank().nearest(text)


def bank_cases() -> list[tuple[str, str, str | None, str]]:
    """(level or "negative", locale, category, text) of every bank line: the tests and
    ``intake-chat safety check`` run each one."""
    return [
        (e.level, locale, e.category, e.text) for locale, es in bank().entries.items() for e in es
    ]
