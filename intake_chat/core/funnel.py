"""The analytics funnel's vocabulary: which milestones one conversation turn reached, read from
step ids, the flow's own values and the engine's effects, never from anything a visitor typed.
Pure: imports nothing from Flask or the database (the service stores what this returns).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .flows import Flow, consent_vars

__all__ = ["FLAGS", "MILESTONES", "STAGES", "Reached", "reached", "referral_questions"]

# The funnel in order (each a share of "started"), then what can happen at any step.
STAGES = ("started", "consented", "referral_started", "submitted")
MILESTONES = ("consented", "referral_started", "submitted", "handoff", "crisis", "concern")
FLAGS = ("crisis", "concern")


@dataclass(frozen=True)
class Reached:
    """What one turn newly reached: the step the conversation now waits at (None: the same as
    before) and the milestones this turn passed (once reached they stay; docs/analytics.md)."""

    last_node: str | None
    consented: bool = False
    referral_started: bool = False
    submitted: bool = False
    handoff: bool = False
    crisis: bool = False
    concern: bool = False

    def milestones(self) -> dict[str, bool]:
        """Only the milestones this turn reached, as column values to set."""
        return {name: True for name in MILESTONES if getattr(self, name)}

    @property
    def changed(self) -> bool:
        """Whether the conversation's analytics row needs writing for this turn."""
        return self.last_node is not None or any(getattr(self, name) for name in MILESTONES)


@lru_cache(maxsize=32)
def referral_questions(flow: Flow) -> frozenset[str]:
    """Questions whose answer a handoff sends on (its ``fields`` or ``optional_fields``), other
    than consent: the first of them asked is where a referral starts."""
    sent: set[str] = set()
    for node in flow.nodes.values():
        if node["type"] == "handoff":
            sent.update(node.get("fields", []), node.get("optional_fields", []))
    sent -= consent_vars(flow)
    return frozenset(
        node_id
        for node_id, node in flow.nodes.items()
        if node["type"] == "question" and node["var"] in sent
    )


def _consented(flow: Flow, state: Mapping[str, Any] | None) -> bool:
    answers = (state or {}).get("answers") or {}
    return any(answers.get(var) is True for var in consent_vars(flow))


def _submits_referral(flow: Flow, effect: Mapping[str, Any]) -> bool:
    """A handoff that requires answers (its ``fields`` is not empty) sends a referral form; one
    that requires none (a "talk to a person" step) is a hand-off only."""
    node = flow.nodes.get(str(effect.get("node")))
    return node is not None and bool(node.get("fields"))


def reached(
    flow: Flow,
    before: Mapping[str, Any] | None,
    state: Mapping[str, Any] | None,
    events: Iterable[Mapping[str, Any]],
    effects: Iterable[Mapping[str, Any]],
    flags: Mapping[str, Any],
) -> Reached:
    """The milestones one turn newly reached: ``before`` and ``state`` are the engine's state
    before and after it (None: no state yet, or the turn left it as it was), ``events`` the bot
    events it logs, ``effects`` the engine's effects and ``flags`` the safety flags it raised.
    ``last_node`` is None when the turn did not move the conversation to another step."""
    had = _consented(flow, before)
    node = None if state is None else state.get("node")
    moved = node is not None and node != (before or {}).get("node")
    asked = referral_questions(flow)
    effect_types = [(effect.get("type"), effect) for effect in effects]
    level = flags.get("crisis_level")
    return Reached(
        last_node=node if moved else None,
        consented=not had and _consented(flow, state),
        referral_started=any(
            event.get("type") == "ask" and event.get("node") in asked for event in events
        ),
        submitted=any(
            kind == "submit_referral" and _submits_referral(flow, effect)
            for kind, effect in effect_types
        ),
        handoff=any(kind == "request_staff" for kind, _effect in effect_types),
        crisis=level == "crisis",
        concern=level == "concern" or "concern_count" in flags,
    )
