"""Screening instruments as data: finding an instrument file and scoring answers against its
scale and bands (docs/questionnaires.md). Reading and checking one is the loader's (flows.py).

Pure: an instrument is the plain dict of its file. Imports nothing from Flask or the database,
nor other modules of this package. Scores and bands are for staff only; nothing here produces
text for the visitor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "answer_key",
    "band_for",
    "find_instrument",
    "is_risk_answer",
    "item_points",
    "max_total",
    "min_total",
    "result",
    "results",
]


def answer_key(node_id: str, item_id: str) -> str:
    """Where an item's answer is stored: ``<questionnaire node>:<item>``, never a flow variable."""
    return f"{node_id}:{item_id}"


def find_instrument(name: str, folders: Iterable[Path]) -> Path | None:
    """``<folder>/<name>.json`` in the first folder that has it (the practice's, then shipped)."""
    for folder in folders:
        candidate = Path(folder) / f"{name}.json"
        if candidate.is_file():
            return candidate
    return None


# --- scoring


def _scale_points(instrument: Mapping[str, Any]) -> dict[str, int]:
    return {str(o["value"]): int(o["points"]) for o in instrument["scale"]}


def max_total(instrument: Mapping[str, Any]) -> int:
    """The highest total: every item at the top of the scale."""
    top = max(int(o["points"]) for o in instrument["scale"])
    return top * len(instrument["items"])


def min_total(instrument: Mapping[str, Any]) -> int:
    """The lowest total: every item at the bottom of the scale (0 on the usual scales)."""
    low = min(int(o["points"]) for o in instrument["scale"])
    return low * len(instrument["items"])


def item_points(instrument: Mapping[str, Any], item: Mapping[str, Any], value: Any) -> int | None:
    """The points one answer adds (reverse items count from the top); None for no answer."""
    scale = _scale_points(instrument)
    if not isinstance(value, str) or value not in scale:
        return None
    points = scale[value]
    if item.get("reverse"):
        low, high = min(scale.values()), max(scale.values())
        points = high + low - points
    return points


def is_risk_answer(instrument: Mapping[str, Any], item_id: str, value: Any) -> bool:
    """A risk item answered with anything above the lowest option of the scale."""
    item = next((i for i in instrument["items"] if i["id"] == item_id), None)
    if item is None or not item.get("risk"):
        return False
    scale = _scale_points(instrument)
    return isinstance(value, str) and value in scale and scale[value] > min(scale.values())


def band_for(instrument: Mapping[str, Any], total: int) -> Mapping[str, Any] | None:
    """The band whose range holds ``total`` (the linter makes sure exactly one does)."""
    bands: list[Mapping[str, Any]] = instrument["bands"]
    return next((b for b in bands if int(b["min"]) <= total <= int(b["max"])), None)


def _text(value: Any, locales: Sequence[str]) -> str:
    if isinstance(value, Mapping):
        for locale in (*locales, *value):
            if isinstance(value.get(locale), str) and value[locale]:
                return str(value[locale])
    return value if isinstance(value, str) else ""


def result(
    instrument: Mapping[str, Any],
    node_id: str,
    answers: Mapping[str, Any],
    locales: Sequence[str] = ("en",),
) -> dict[str, Any] | None:
    """What staff see for one questionnaire, or None when the visitor never began it.

    A total is only banded when every item was answered: a skipped item would make the band
    read lower than the visitor's answers may be, so staff get the partial total and the count.
    """
    keys = [answer_key(node_id, item["id"]) for item in instrument["items"]]
    if not any(key in answers for key in keys):
        return None
    labels = {str(o["value"]): _text(o["label"], locales) for o in instrument["scale"]}
    items, risk = [], []
    total = answered = 0
    for item, key in zip(instrument["items"], keys, strict=True):
        value = answers.get(key)
        points = item_points(instrument, item, value)
        row = {
            "id": item["id"],
            "key": key,
            "text": _text(item["text"], locales),
            "value": value if points is not None else None,
            "label": labels.get(str(value), "") if points is not None else "",
            "points": points,
            "risk": bool(item.get("risk")),
        }
        items.append(row)
        if points is not None:
            total += points
            answered += 1
        if is_risk_answer(instrument, item["id"], value):
            risk.append(row)
    complete = answered == len(items)
    band = band_for(instrument, total) if complete else None
    return {
        "node": node_id,
        "instrument": instrument["id"],
        "version": instrument["version"],
        "title": instrument["title"],
        "source": instrument["source"],
        "demonstration": bool(instrument.get("demonstration")),
        "items": items,
        "answered": answered,
        "count": len(items),
        "complete": complete,
        "total": total,
        "max": max_total(instrument),
        "band": {"id": band["id"], "label": band["label"]} if band else None,
        "risk": risk,
    }


def results(flow: Mapping[str, Any], answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every questionnaire of a flow document (with its instruments inlined, as the loader stores
    it) that the answers began, in flow order."""
    inlined = flow.get("instruments")
    if not isinstance(inlined, Mapping):
        return []
    locales = [loc for loc in flow.get("locales", []) if isinstance(loc, str)] or ["en"]
    found = []
    sections = flow.get("sections")
    for section in sections.values() if isinstance(sections, Mapping) else ():
        for node in section.get("nodes", []) if isinstance(section, Mapping) else ():
            if not isinstance(node, Mapping) or node.get("type") != "questionnaire":
                continue
            instrument = inlined.get(node.get("instrument"))
            if isinstance(instrument, Mapping):
                scored = result(instrument, str(node["id"]), answers, locales)
                if scored is not None:
                    found.append(scored)
    return found
