"""Scoring the safety layer through the real chat protocol (no pytest in here: the CI gate and
bench/safety_protocol.py share it).

Each labelled line is typed by a fresh visitor of the shipped intake flow, in the line's own
language, at a step chosen at random (seeded): the real ``Service`` on a real SQLite file with
the shipped flows and safety rules. What the visitor got back decides the outcome: a ``crisis``
event (at its level), the advice message (``safety:advice``), or nothing. Scored with the same
``caught`` as ``intake-chat safety eval``, so direct and protocol figures compare.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from server import INTAKE_ANSWERS

from intake_chat.app.service import Service, safety_from_rules
from intake_chat.core.config import Config
from intake_chat.core.flows import load_flows
from intake_chat.safety.detection import practice_rules
from intake_chat.safety.evaluation import Example, Report, score_outcome
from intake_chat.storage import Database

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"


class ProtocolRun:
    """One service on one SQLite file; ``outcome`` types one line at one step of a new session."""

    def __init__(self, data_dir: Path) -> None:
        self.db = Database(f"sqlite:///{data_dir / 'safety-protocol.sqlite3'}")
        self.db.migrate()
        config = Config.from_env(
            {},
            data_dir=data_dir,
            secret_key="x",
            rate_limit_per_session=0,
            rate_limit_per_address=0,
            default_flow="intake",
        )
        self.service = Service(
            self.db, load_flows(FLOWS), config, safety=safety_from_rules(practice_rules(FLOWS))
        )
        self.steps = {locale: self._walk(locale) for locale in ("en", "es")}

    def close(self) -> None:
        self.db.dispose()

    def _send(self, token: str | None, frame: dict[str, Any]) -> tuple[str | None, list[Any]]:
        outcome = self.service.handle(token, json.dumps(frame, ensure_ascii=False), client="t")
        return outcome.token or token, outcome.events

    def _start(self, locale: str) -> tuple[str | None, list[dict[str, Any]]]:
        return self._send(None, {"type": "start", "flow": "intake", "locale": locale})

    def _walk(self, locale: str) -> list[str]:
        """The question nodes a visitor meets, in order, answering as the test visitor does."""
        token, events = self._start(locale)
        asked: list[str] = []
        while events and events[-1]["type"] == "ask" and len(asked) < 40:
            node = events[-1]["node"]
            if node in asked:
                break
            asked.append(node)
            token, events = self._send(token, {"type": "reply", **INTAKE_ANSWERS[node]})
        return asked

    def outcome(self, text: str, locale: str, step: int) -> str | None:
        """The level the visitor was answered at after typing ``text`` at question ``step``."""
        steps = self.steps[locale if locale in self.steps else "en"]
        token, events = self._start(locale)
        for node in steps[:step]:
            token, events = self._send(token, {"type": "reply", **INTAKE_ANSWERS[node]})
        token, events = self._send(token, {"type": "reply", "text": text})
        return level_of(events)


def level_of(events: Sequence[dict[str, Any]]) -> str | None:
    """crisis / concern from a crisis event, advice from the deflection message, else None."""
    for event in events:
        if event.get("type") == "crisis":
            return str(event["level"])
    for event in events:
        if event.get("type") == "message" and event.get("node") == "safety:advice":
            return "advice"
    return None


def score_protocol(
    examples: Sequence[Example], data_dir: Path, seed: int = 14, swap: bool = False
) -> Report:
    """Every example through the chat protocol at a random step; a ``Report`` of the outcomes
    (families and levels filled in; the per-category detail is the direct eval's job).
    ``swap`` types each line in the other language's flow (a visitor who writes Spanish in the
    English flow, or the reverse)."""
    rng = random.Random(seed)
    run = ProtocolRun(data_dir)
    report = Report(total=len(examples))
    try:
        for example in examples:
            locale = example.locale if example.locale in run.steps else "en"
            if swap:
                locale = "es" if locale == "en" else "en"
            got = run.outcome(example.text, locale, rng.randrange(len(run.steps[locale])))
            score_outcome(report, example, got)
    finally:
        run.close()
    return report
