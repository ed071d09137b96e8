"""The funnel report as plain data: counts per day and flow version in, the bars, the per-day
table, the drop-off per step and the CSV tables out. The counts come from storage/analytics.py;
the page, the chart and the CLI read what this returns. Imports nothing from Flask or the DB.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .funnel import MILESTONES, STAGES
from .referral_view import localized

__all__ = ["LABELS", "Bar", "DayCounts", "DropOff", "Report", "StepCount", "build"]

LABELS = {
    "started": "Conversations started",
    "consented": "Consent given",
    "referral_started": "Referral started",
    "submitted": "Referral submitted",
    "handoff": "Handed to a person",
    "crisis": "Crisis flag",
    "concern": "Concern flag",
}
COUNTED = ("started", *MILESTONES)
WORDS_MAX = 90  # characters of a step's own wording shown beside its id


@dataclass(frozen=True)
class DayCounts:
    """Conversations started on ``day`` on one flow version, and how many reached each milestone."""

    day: date
    flow_id: str
    flow_version: int
    started: int = 0
    consented: int = 0
    referral_started: int = 0
    submitted: int = 0
    handoff: int = 0
    crisis: int = 0
    concern: int = 0

    def count(self, name: str) -> int:
        return int(getattr(self, name))


@dataclass(frozen=True)
class StepCount:
    """Conversations of one flow version that stopped at ``node`` without a referral or person."""

    flow_id: str
    flow_version: int
    node: str | None
    count: int


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    count: int
    share: float  # of the conversations started (0 when none started)
    funnel: bool  # a stage of the funnel (else something that can happen at any step)


@dataclass(frozen=True)
class DropOff:
    flow_id: str
    flow_version: int
    node: str
    kind: str  # the step's node type ("question", "end" …; "" when the version is unknown)
    words: str  # the flow's own wording of the step, shortened
    count: int
    share: float  # of the conversations started (in the report's filter)


@dataclass(frozen=True)
class Report:
    started: int
    bars: list[Bar]
    days: list[DayCounts]  # one per day, all versions in the filter added up
    by_version: list[DayCounts]  # as stored: per day and flow version
    drop_off: list[DropOff]

    def day_table(self) -> tuple[list[str], list[list[Any]]]:
        """The CSV download: one row per day and flow version."""
        header = ["day", "flow", "flow_version", *COUNTED]
        rows = [
            [row.day.isoformat(), row.flow_id, row.flow_version, *(row.count(n) for n in COUNTED)]
            for row in self.by_version
        ]
        return header, rows

    def drop_off_table(self) -> tuple[list[str], list[list[Any]]]:
        header = ["flow", "flow_version", "step", "step_type", "step_words", "stopped", "share"]
        rows = [
            [d.flow_id, d.flow_version, d.node, d.kind, d.words, d.count, percent(d.share)]
            for d in self.drop_off
        ]
        return header, rows


def percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _share(count: int, started: int) -> float:
    return count / started if started else 0.0


def _by_day(rows: Iterable[DayCounts]) -> list[DayCounts]:
    totals: dict[date, dict[str, int]] = {}
    for row in rows:
        day = totals.setdefault(row.day, dict.fromkeys(COUNTED, 0))
        for name in COUNTED:
            day[name] += row.count(name)
    return [DayCounts(day, "", 0, **counts) for day, counts in sorted(totals.items())]


def _words(node: Mapping[str, Any]) -> str:
    text = " ".join(localized(node.get("text"), ()).split())
    return text if len(text) <= WORDS_MAX else text[: WORDS_MAX - 1].rstrip() + "…"


def build(
    rows: list[DayCounts],
    steps: list[StepCount],
    outlines: Mapping[tuple[str, int], Mapping[str, Mapping[str, Any]]],
) -> Report:
    """The report for the counted rows; ``outlines`` gives each flow version's steps by id (for
    their type and wording; a version missing from it shows ids only)."""
    totals = {name: sum(row.count(name) for row in rows) for name in COUNTED}
    started = totals["started"]
    bars = [
        Bar(name, LABELS[name], totals[name], _share(totals[name], started), name in STAGES)
        for name in COUNTED
    ]
    drop = []
    for step in sorted(steps, key=lambda s: (-s.count, s.flow_id, -s.flow_version, s.node or "")):
        node = outlines.get((step.flow_id, step.flow_version), {}).get(step.node or "", {})
        drop.append(
            DropOff(
                flow_id=step.flow_id,
                flow_version=step.flow_version,
                node=step.node or "(before the first step)",
                kind=str(node.get("type", "")),
                words=_words(node),
                count=step.count,
                share=_share(step.count, started),
            )
        )
    return Report(started, bars, _by_day(rows), list(rows), drop)
