"""Topics: what a visitor may ask at any step, matched against each topic's example questions.

Placeholder until the matcher lands; ``overlap`` keeps test files apart from the examples.
"""

from __future__ import annotations

from collections.abc import Iterable

from .flows import Flow
from .textfmt import words

__all__ = ["overlap"]


def _examples(flow: Flow) -> Iterable[str]:
    for topic in flow.data.get("topics", []):
        for texts in topic.get("examples", {}).values():
            yield from texts
    for intent in flow.intents.values():
        for texts in intent.get("match", {}).values():
            yield from texts


def overlap(flow: Flow, texts: Iterable[str]) -> list[str]:
    """The texts that are also, once normalised, an example or phrase of the flow."""
    known = {" ".join(words(t)) for t in _examples(flow)}
    return [t for t in texts if " ".join(words(t)) in known]
