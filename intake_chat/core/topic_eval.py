"""Scoring typed messages against a flow: what the real engine does with each line of a test file.

A line names a step, a locale, what the visitor types and what should happen (``topic:<id>``,
``answer`` or ``not:<id>``). The scorer walks the flow with valid answers to that step, sends the
text through ``engine.step`` and classifies what happened: a topic answered in place (or an
action taken), the text taken as the step's answer, or neither (a retry, a "did you mean", the
fallback). Pure: the caller reads the file and prints the report.
"""

from __future__ import annotations

import json
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .answers import BUTTONS
from .engine import step
from .errors import FlowError
from .flows import Flow

__all__ = [
    "TODAY",
    "Case",
    "Outcome",
    "Thresholds",
    "classify",
    "evaluate",
    "failures",
    "format_report",
    "parse_cases",
    "reach",
]

TODAY = "2026-12-07"  # a fixed date keeps dates of birth (and so the guardian steps) reproducible
FALLBACK = "fallback"
ANSWER = "answer"


@dataclass(frozen=True)
class Case:
    """One labelled line: ``expect`` is ``topic:<id>``, ``answer`` or ``not:<id>``."""

    text: str
    locale: str
    step: str
    expect: str


@dataclass(frozen=True)
class Outcome:
    """What the engine did: ``kind`` is topic, answer or fallback; ``topic`` names the topic."""

    kind: str
    topic: str | None = None

    @property
    def label(self) -> str:
        return self.topic if self.kind == "topic" and self.topic else self.kind


@dataclass(frozen=True)
class Thresholds:
    """The bar a flow's test file must clear; ``None`` leaves a figure unchecked."""

    min_topic_in_place: float | None = None
    max_taken_as_answer: float | None = None
    min_answers_kept: float | None = None
    max_negations_run: int | None = None
    min_macro_f1: float | None = None


@dataclass
class Report:
    """Aggregates only: counts, rates, per-topic figures and the confusion pairs."""

    lines: int = 0
    unreachable: list[str] = field(default_factory=list)
    outcomes: dict[str, Counter[str]] = field(default_factory=dict)
    per_topic: dict[str, dict[str, float]] = field(default_factory=dict)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    rates: dict[str, float] = field(default_factory=dict)
    by_step: dict[str, Counter[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "unreachable": self.unreachable,
            "outcomes": {k: dict(v) for k, v in self.outcomes.items()},
            "rates": self.rates,
            "per_topic": self.per_topic,
            "confusion": [
                {"expected": e, "got": g, "count": n} for (e, g), n in self.confusion.most_common()
            ],
            "by_step": {k: dict(v) for k, v in self.by_step.items()},
        }


def parse_cases(lines: Iterable[str]) -> list[Case]:
    """Test-file lines (JSON Lines); blank lines are skipped; a bad line raises ValueError."""
    cases = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            cases.append(Case(row["text"], row["locale"], row["step"], row["expect"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"line {number}: not a test line ({exc})") from exc
    return cases


# --- reaching a step


def _candidates(node: Mapping[str, Any], locale: str) -> list[dict[str, Any]]:
    """Valid replies to try at a question, most ordinary first (an adult, then a minor)."""
    kind = node.get("input")
    if node["type"] == "summary":
        return [{"type": "reply", "choice": "confirm"}]
    if kind in BUTTONS:
        return [{"type": "reply", "choice": BUTTONS[str(kind)][0][0]}]
    if kind in ("choice",):
        return [{"type": "reply", "choice": o["value"]} for o in node.get("options", [])]
    if kind == "multi":
        return [{"type": "reply", "choices": [node["options"][0]["value"]]}]
    canned = {
        "date": ["04/28/1990", "04/28/2012"] if locale == "en" else ["28/04/1990", "28/04/2012"],
        "email": ["alex@example.com"],
        "phone": ["774-555-0123"],
        "number": ["3"],
    }
    return [{"type": "reply", "text": t} for t in canned.get(str(kind), ["Alex"])]


def reach(flow: Flow, node_id: str, locale: str, today: str = TODAY) -> dict[str, Any] | None:
    """A state waiting at ``node_id``, reached by answering validly from the start; None if none.

    Breadth-first over the questions, so the shortest walk wins and every step is found whatever
    the flow's shape.
    """
    first = step(flow, None, {"type": "start", "locale": locale, "today": today}).state
    queue = deque([first])
    seen: set[tuple[str, str]] = set()
    while queue:
        state = queue.popleft()
        if state["node"] == node_id and state["status"] == "asking":
            return state
        if state["status"] != "asking":
            continue
        node = flow.node(state["node"])
        for reply in _candidates(node, locale):
            try:
                after = step(flow, state, {**reply, "today": today}).state
            except FlowError:
                continue
            key = (str(after["node"]), json.dumps(after["stack"], sort_keys=True))
            if key not in seen and after["node"] != state["node"]:
                seen.add(key)
                queue.append(after)
    return None


# --- classifying one reply


def _intent_topics(flow: Flow) -> dict[str, str]:
    """Section name → id of the flow's older ``intents`` that lead there (FAQ sections)."""
    found = {}
    for intent in flow.intents.values():
        if intent.get("action") == "goto":
            found[flow.section_of[intent["target"]]] = intent["id"]
    return found


def classify(
    flow: Flow,
    before: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    after: Mapping[str, Any],
) -> Outcome:
    """Name what one typed reply did, from the events and the state before and after."""
    for event in events:
        if event.get("topic"):
            return Outcome("topic", str(event["topic"]))
    node = flow.node(str(before["node"]))
    said = [e for e in events if e.get("type") in ("message", "handoff")]
    if any(e.get("node") == flow.start for e in said):
        return Outcome("topic", "start_over")  # a restart runs the flow from its first node
    chose = _stored(node, before, after)
    if after["status"] == "handoff" and after["node"] == flow.person_node and not chose:
        return Outcome("topic", "talk_to_person")
    if len(after["history"]) < len(before["history"]):
        return Outcome("topic", "go_back")
    faq = _intent_topics(flow)
    if said and (topic := faq.get(flow.section_of.get(str(said[0].get("node")), ""))):
        return Outcome("topic", topic)
    if any(e.get("type") in ("invalid", "error") for e in events):
        return Outcome(FALLBACK)
    if after["node"] != before["node"] or _stored(node, before, after):
        return Outcome(ANSWER)
    return Outcome(FALLBACK)


def _stored(node: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    if node["type"] == "summary":
        return False
    var = node.get("var")
    return var in after["answers"] and after["answers"].get(var) != before["answers"].get(var)


# --- scoring a file


def evaluate(flow: Flow, cases: Sequence[Case], today: str = TODAY) -> Report:
    """Run every case through the engine and gather the figures."""
    report = Report(lines=len(cases))
    reached: dict[tuple[str, str], dict[str, Any] | None] = {}
    pairs: list[tuple[str, str]] = []  # (expected label, got label)
    for case in cases:
        key = (case.step, case.locale)
        if key not in reached:
            reached[key] = reach(flow, case.step, case.locale, today)
        state = reached[key]
        if state is None:
            report.unreachable.append(f"{case.step} ({case.locale})")
            continue
        result = step(flow, state, {"type": "reply", "text": case.text, "today": today})
        got = classify(flow, state, result.events, result.state)
        kind = case.expect.split(":", 1)[0]
        report.outcomes.setdefault(kind, Counter())[got.kind] += 1
        report.by_step.setdefault(case.step, Counter())[_verdict(case, got)] += 1
        pairs.append((case.expect, got.label))
    report.unreachable = sorted(set(report.unreachable))
    _figures(report, pairs)
    return report


def _verdict(case: Case, got: Outcome) -> str:
    return "right" if _right(case.expect, got.label) else "wrong"


def _right(expect: str, got: str) -> bool:
    if expect.startswith("topic:"):
        return got == expect[len("topic:") :]
    if expect.startswith("not:"):
        return got != expect[len("not:") :]
    return got == ANSWER


def _figures(report: Report, pairs: list[tuple[str, str]]) -> None:
    topics = sorted({e[6:] for e, _ in pairs if e.startswith("topic:")})
    for topic in topics:
        tp = sum(e == f"topic:{topic}" and g == topic for e, g in pairs)
        fp = sum(e != f"topic:{topic}" and g == topic for e, g in pairs)
        fn = sum(e == f"topic:{topic}" and g != topic for e, g in pairs)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report.per_topic[topic] = {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "support": tp + fn,
        }
    for expect, got in pairs:
        if not _right(expect, got):
            report.confusion[(expect, got)] += 1
    questions = [(e, g) for e, g in pairs if e.startswith("topic:")]
    answers = [(e, g) for e, g in pairs if e == ANSWER]
    negations = [(e, g) for e, g in pairs if e.startswith("not:")]
    report.rates = {
        "topic_in_place": _share(sum(_right(e, g) for e, g in questions), len(questions)),
        "taken_as_answer": _share(sum(g == ANSWER for _, g in questions), len(questions)),
        "answers_kept": _share(sum(g == ANSWER for _, g in answers), len(answers)),
        "negations_run": float(sum(not _right(e, g) for e, g in negations)),
        "macro_f1": _share(sum(t["f1"] for t in report.per_topic.values()), len(report.per_topic)),
    }


def _share(part: float, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def failures(report: Report, bar: Thresholds) -> list[str]:
    """Each threshold the report misses, as a sentence; empty when the flow passes."""
    r = report.rates
    out = []
    checks = [
        ("topic_in_place", bar.min_topic_in_place, "questions answered on topic in place", 1),
        ("taken_as_answer", bar.max_taken_as_answer, "questions taken as the answer", -1),
        ("answers_kept", bar.min_answers_kept, "real answers kept as the answer", 1),
        ("macro_f1", bar.min_macro_f1, "macro F1 over topics", 1),
    ]
    for key, limit, what, sign in checks:
        if limit is not None and (r[key] - limit) * sign < 0:
            out.append(
                f"{what}: {r[key]:.1%} ({'at least' if sign > 0 else 'at most'} {limit:.1%})"
            )
    if bar.max_negations_run is not None and r["negations_run"] > bar.max_negations_run:
        out.append(
            f"negated actions run: {r['negations_run']:.0f} (at most {bar.max_negations_run})"
        )
    if report.unreachable:
        out.append("steps the walk cannot reach: " + ", ".join(report.unreachable))
    return out


def format_report(report: Report, confusions: int = 20) -> str:
    """A plain-text summary: outcome counts, rates, per-topic table, the commonest confusions."""
    lines = [f"{report.lines} lines"]
    for kind, counts in sorted(report.outcomes.items()):
        total = sum(counts.values())
        parts = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        lines.append(f"  expected {kind:<7} {total:4d}: {parts}")
    r = report.rates
    lines.append(
        f"questions answered on topic in place {r['topic_in_place']:.1%}, "
        f"taken as the answer {r['taken_as_answer']:.1%}; real answers kept "
        f"{r['answers_kept']:.1%}; negated actions run {r['negations_run']:.0f}; "
        f"macro F1 {r['macro_f1']:.3f}"
    )
    lines.append(f"{'topic':<22} {'prec':>5} {'rec':>5} {'f1':>5} {'n':>4}")
    for topic, t in sorted(report.per_topic.items()):
        lines.append(
            f"{topic:<22} {t['precision']:5.2f} {t['recall']:5.2f} {t['f1']:5.2f} "
            f"{t['support']:4.0f}"
        )
    if report.confusion:
        lines.append("commonest confusions (expected -> got: count)")
        for (expect, got), n in report.confusion.most_common(confusions):
            lines.append(f"  {expect} -> {got}: {n}")
    if report.unreachable:
        lines.append("unreachable: " + ", ".join(report.unreachable))
    return "\n".join(lines)
