"""Scoring the safety rules against a labelled corpus: per-category recall and precision, recall
per level and per phrasing family, the false-alarm and advice-deflection rates, the confusion
list, and every missed crisis. Pure: imports nothing from Flask or the database.

A family score says more than the average: a set of 146 crises at 94% can hide a family of
slang at 40%. ``outcome`` is the one definition of "caught" shared by this module, the chat
protocol bench and the CI gate, so that the figures in docs/safety.md mean the same everywhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import FlowError, Problem
from .detection import Detection, Rules, detect

__all__ = [
    "CategoryScore",
    "Example",
    "FamilyScore",
    "Report",
    "caught",
    "evaluate",
    "load_corpus",
    "score_outcome",
    "summary_lines",
]

_LEVELS = (None, "advice", "concern", "crisis")


@dataclass(frozen=True)
class Example:
    """One labelled utterance: what a careful reader says it is (level None: nothing to act on)."""

    text: str
    locale: str
    level: str | None
    category: str | None
    note: str = ""
    family: str = ""  # the kind of phrasing the line tests (slang_abbrev, idiom, ...)


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
class FamilyScore:
    """How many lines of one (level, family) pair there are and how many came out right."""

    total: int = 0
    caught: int = 0  # right by ``caught``: alarmed, deflected, or left alone for level none
    exact: int = 0  # at exactly the labelled level (a crisis caught as a concern is not exact)
    alarmed: int = 0  # got the crisis panel, at concern or crisis level

    @property
    def alarm_rate(self) -> float:
        return self.alarmed / self.total if self.total else 0.0

    @property
    def rate(self) -> float:
        return self.caught / self.total if self.total else 1.0

    @property
    def exact_rate(self) -> float:
        return self.exact / self.total if self.total else 1.0


def caught(expected: str | None, got: str | None) -> bool:
    """Whether a detected level answers a labelled one well enough for the visitor.

    crisis: the crisis panel at crisis level; concern: the panel at either alarm level (a
    concern read as a crisis errs on the safe side); advice: the advice deflection; nothing:
    no response at all (anything else is a false alarm or a needless deflection).
    """
    if expected == "concern":
        return got in ("concern", "crisis")
    return got == expected


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
    # (level or "none", family or "-") -> score; and the detected level of every example in order
    families: dict[tuple[str, str], FamilyScore] = field(default_factory=dict)
    found_levels: dict[str, int] = field(default_factory=dict)  # detected level -> count
    found_right: dict[str, int] = field(default_factory=dict)  # ... of which labelled that level

    def level_score(self, level: str) -> FamilyScore:
        """All families of one labelled level ("none" for nothing) summed."""
        out = FamilyScore()
        for (lvl, _family), score in self.families.items():
            if lvl == level:
                out.total += score.total
                out.caught += score.caught
                out.exact += score.exact
                out.alarmed += score.alarmed
        return out

    def precision(self, level: str) -> float:
        """Of the messages detected at ``level``, the share labelled that level (for concern and
        crisis: labelled either alarm level, since both show the same panel)."""
        found = self.found_levels.get(level, 0)
        return self.found_right.get(level, 0) / found if found else 1.0

    @property
    def false_alarm_rate(self) -> float:
        """Share of level-none lines that got any response (alarm or advice)."""
        score = self.level_score("none")
        return 1 - score.rate if score.total else 0.0

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
                str(row.get("family", "")),
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
        score_outcome(report, example, got.level)
    return report


def score_outcome(report: Report, example: Example, got: str | None) -> None:
    """Count one example's detected level into the per-family and per-level tallies."""
    key = (example.level or "none", example.family or "-")
    score = report.families.setdefault(key, FamilyScore())
    score.total += 1
    score.caught += caught(example.level, got)
    score.exact += got == example.level
    score.alarmed += got in ("concern", "crisis")
    name = got or "none"
    report.found_levels[name] = report.found_levels.get(name, 0) + 1
    alarm = ("concern", "crisis")
    right = got == example.level or (got in alarm and example.level in alarm)
    report.found_right[name] = report.found_right.get(name, 0) + right


_LEVEL_ORDER = ("crisis", "concern", "advice", "none")
_WHAT = {
    "crisis": "caught as crisis",
    "concern": "alarmed (concern or crisis)",
    "advice": "deflected",
    "none": "left alone",
}


def summary_lines(report: Report) -> list[str]:
    """Recall per level and per family, precision per detected level, the false-alarm rate and
    the advice-deflection rate, as Markdown tables (the same text goes into docs/safety.md)."""
    lines = [
        "| level | family | lines | right | rate | any alarm |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for level in _LEVEL_ORDER:
        total = report.level_score(level)
        if not total.total:
            continue
        lines.append(_row(level, f"**all** ({_WHAT[level]})", total))
        for (lvl, family), score in sorted(report.families.items()):
            if lvl == level and family != "-":
                lines.append(_row(level, family, score))
    crises = report.level_score("crisis")
    lines += [
        "",
        "| detected as | messages | precision |",
        "|---|---:|---:|",
        *(
            f"| {level} | {report.found_levels.get(level, 0)} | {report.precision(level):.1%} |"
            for level in _LEVEL_ORDER
            if level != "none"
        ),
        "",
        f"crisis lines alarmed at any level: {crises.alarmed}/{crises.total}",
        f"false alarms on level-none lines: {report.false_alarm_rate:.1%} "
        f"({report.level_score('none').total - report.level_score('none').caught}"
        f"/{report.level_score('none').total})",
        f"advice deflected: {report.level_score('advice').rate:.1%} "
        f"({report.level_score('advice').caught}/{report.level_score('advice').total})",
    ]
    return lines


def _row(level: str, family: str, score: FamilyScore) -> str:
    return (
        f"| {level} | {family} | {score.total} | {score.caught} | {score.rate:.1%} "
        f"| {score.alarm_rate:.1%} |"
    )
