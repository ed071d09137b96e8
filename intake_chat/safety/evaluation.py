"""Scoring the safety rules against a labelled corpus: per-category recall and precision, the
confusion list, and every missed crisis. Pure: imports nothing from Flask or the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import FlowError, Problem
from .detection import Detection, Rules, detect

__all__ = ["CategoryScore", "Example", "Report", "evaluate", "load_corpus"]

_LEVELS = (None, "advice", "concern", "crisis")


@dataclass(frozen=True)
class Example:
    """One labelled utterance: what a careful reader says it is (level None: nothing to act on)."""

    text: str
    locale: str
    level: str | None
    category: str | None
    note: str = ""


@dataclass
class CategoryScore:
    expected: int = 0  # utterances labelled with this category
    found: int = 0  # utterances the rules put in this category
    agreed: int = 0  # both

    @property
    def recall(self) -> float:
        return self.agreed / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.agreed / self.found if self.found else 1.0


@dataclass
class Report:
    total: int = 0
    categories: dict[str, CategoryScore] = field(default_factory=dict)
    confusions: list[tuple[Example, Detection]] = field(default_factory=list)
    # crisis-labelled and no alarm at all: a true miss (the eval command exits 1 on any)
    crisis_misses: list[tuple[Example, Detection]] = field(default_factory=list)
    # crisis-labelled and caught as a concern: the resources shown and staff flagged, one level low
    crises_lower: list[tuple[Example, Detection]] = field(default_factory=list)
    concern_misses: list[tuple[Example, Detection]] = field(default_factory=list)
    false_alarms: int = 0  # labelled nothing, detected something
    negatives: int = 0
    crises: int = 0
    crises_alarmed: int = 0  # crisis-labelled and detected at least as a concern
    concerns: int = 0

    @property
    def misses(self) -> list[tuple[Example, Detection]]:
        """Crisis- and concern-labelled utterances that raised no alarm at all."""
        return [*self.crisis_misses, *self.concern_misses]

    @property
    def level_agreement(self) -> float:
        return 1 - len(self.confusions) / self.total if self.total else 1.0


def load_corpus(path: str | Path) -> list[Example]:
    """Read a JSON Lines corpus (or a JSON list); a bad line is a ``FlowError`` naming the line."""
    name = str(path)
    text = Path(path).read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        rows = json.loads(text)
        lines = [(i + 1, row) for i, row in enumerate(rows)]
    else:
        lines = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip() and not line.lstrip().startswith("//"):
                try:
                    lines.append((number, json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise FlowError([Problem(name, f"line {number}", exc.msg)]) from exc
    examples: list[Example] = []
    for number, row in lines:
        level = row.get("level")
        if level == "none":  # some writers spell "nothing to act on" as a word
            level = None
        if level not in _LEVELS or not isinstance(row.get("text"), str):
            raise FlowError(
                [
                    Problem(
                        name,
                        f"line {number}",
                        "needs text and a level of crisis, concern, advice or null",
                    )
                ]
            )
        examples.append(
            Example(
                row["text"],
                row.get("locale", "en"),
                level,
                row.get("category") if level else None,
                row.get("note", ""),
            )
        )
    return examples


def evaluate(examples: list[Example], rules: Rules) -> Report:
    """Run every example through ``detect`` (no session history) and score the result."""
    report = Report(total=len(examples))
    for example in examples:
        got = detect(example.text, example.locale, rules)
        if example.category:
            report.categories.setdefault(example.category, CategoryScore()).expected += 1
        if got.category:
            report.categories.setdefault(got.category, CategoryScore()).found += 1
        if example.category and example.category == got.category:
            report.categories[example.category].agreed += 1
        if example.level is None:
            report.negatives += 1
            report.false_alarms += got.level is not None
        if (example.level, example.category) != (got.level, got.category):
            report.confusions.append((example, got))
        if example.level == "crisis":
            report.crises += 1
            report.crises_alarmed += got.alarm
            if not got.alarm:
                report.crisis_misses.append((example, got))
            elif got.level != "crisis":
                report.crises_lower.append((example, got))
        if example.level == "concern":
            report.concerns += 1
            if not got.alarm:
                report.concern_misses.append((example, got))
    return report
