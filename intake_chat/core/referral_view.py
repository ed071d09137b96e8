"""How a referral reads for staff: answer labels from its flow version, transcript lines from the
event log, the merged timeline, and CSV cells that spreadsheets cannot run as formulas.

Pure: plain dicts in, plain dicts and strings out. Imports nothing from Flask or the database.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from . import instruments

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and Sheets.
# Full-width forms too (some spreadsheet locales read "＝" as "="), and checked after leading
# whitespace as well, since importers may trim it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

# Bidirectional controls (embeddings, overrides, isolates, marks): typed by a visitor they make
# "Ana\u202egnp.exe" read as "Anaexe.png" to staff. Shown as U+FFFD, visibly there, inert.
BIDI_CONTROLS = (
    "\u202a\u202b\u202c\u202d\u202e"  # LRE RLE PDF LRO RLO
    "\u2066\u2067\u2068\u2069"  # LRI RLI FSI PDI
    "\u200e\u200f"  # LRM RLM
)
_BIDI_TABLE = dict.fromkeys(map(ord, BIDI_CONTROLS), "\ufffd")


def neutral_bidi(text: str) -> str:
    """``text`` with every bidi control replaced (a ``Markup`` stays ``Markup``)."""
    return text.translate(_BIDI_TABLE)


def finalize_output(value: Any) -> Any:
    """Jinja's ``finalize`` for every page: what a template prints is bidi-neutral."""
    return neutral_bidi(value) if isinstance(value, str) else value


def csv_cell(value: Any) -> str:
    """Text for one CSV cell; a leading quote keeps ``=HYPERLINK(...)`` typed by a visitor inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, list | tuple):
        text = ", ".join(str(item) for item in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    text = neutral_bidi(text)
    if text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def localized(value: Any, locales: Sequence[str]) -> str:
    """A flow text in the first of ``locales`` it has (else any), or "" for no text."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for locale in (*locales, *value.keys()):
            found = value.get(locale)
            if isinstance(found, str) and found:
                return found
    return ""


def humanise(var: str) -> str:
    return var.replace("_", " ").strip().capitalize() or var


def answer_labels(flow_document: str | None) -> dict[str, str]:
    """var -> label in the flow's first locale, in flow order; summary labels beat question text."""
    if not flow_document:
        return {}
    try:
        flow = json.loads(flow_document)
    except ValueError:
        return {}
    if not isinstance(flow, dict):
        return {}
    locales = [loc for loc in flow.get("locales", []) if isinstance(loc, str)] or ["en"]
    questions: dict[str, str] = {}
    summary: dict[str, str] = {}
    sections = flow.get("sections") if isinstance(flow.get("sections"), dict) else {}
    for section in (sections or {}).values():
        for node in section.get("nodes", []) if isinstance(section, dict) else []:
            if not isinstance(node, dict):
                continue
            var = node.get("var")
            if isinstance(var, str) and var not in questions:
                questions[var] = localized(node.get("text"), locales)
            for item in node.get("fields", []) if node.get("type") == "summary" else []:
                if isinstance(item, dict) and isinstance(item.get("var"), str):
                    summary[item["var"]] = localized(item.get("label"), locales)
    labels = {var: summary.get(var) or text for var, text in questions.items()}
    return {var: label or humanise(var) for var, label in labels.items()}


def answer_rows(
    display: Mapping[str, Any] | None, answers: Mapping[str, Any] | None, labels: Mapping[str, str]
) -> list[dict[str, str]]:
    """[{var, label, text}] in flow order, then anything the flow no longer names."""
    shown: Mapping[str, Any] = display or answers or {}
    order = [var for var in labels if var in shown] + [var for var in shown if var not in labels]
    order = [var for var in order if ":" not in var]  # questionnaire items: questionnaire_rows
    rows = []
    for var in order:
        value = shown.get(var)
        if value is None and answers:
            value = answers.get(var)
        text = "" if value is None else csv_cell(value) if isinstance(value, list) else str(value)
        rows.append({"var": var, "label": labels.get(var) or humanise(var), "text": text})
    return rows


def questionnaire_rows(
    flow_document: str | None, answers: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """Each questionnaire the visitor began, scored against the instrument stored with the flow
    version (instruments.result): items, total, band, instrument id and version. Staff only."""
    if not flow_document or not answers:
        return []
    try:
        flow = json.loads(flow_document)
    except ValueError:
        return []
    return instruments.results(flow, answers) if isinstance(flow, dict) else []


def questionnaire_cells(results: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The CSV columns of the scored questionnaires: ``<node>:instrument``, ``:total`` and
    ``:band`` (the items are columns of their own, as answers)."""
    cells: dict[str, Any] = {}
    for result in results:
        node = result["node"]
        cells[f"{node}:instrument"] = f"{result['instrument']} v{result['version']}"
        cells[f"{node}:total"] = result["total"]
        cells[f"{node}:band"] = score_note(result)
    return cells


def score_note(result: Mapping[str, Any]) -> str:
    """The band as staff read it, or why there is none (an item was skipped)."""
    if result["band"] is not None:
        return str(result["band"]["label"])
    return f"not banded: {result['answered']} of {result['count']} items answered"


def _visitor_text(payload: Mapping[str, Any]) -> str:
    action = payload.get("action")
    if payload.get("redacted"):
        return "(removed: the visitor declined consent)"
    if "text" in payload and isinstance(payload["text"], str):
        return payload["text"]
    if "labels" in payload and isinstance(payload["labels"], list):
        return ", ".join(str(item) for item in payload["labels"])
    if "label" in payload:
        return str(payload["label"])
    if payload.get("skip"):
        return "(skipped)"
    return {
        "back": "(went back)",
        "restart": "(started over)",
        "start": "(started the chat)",
        "intent": f"(chose: {payload.get('intent', '')})",
    }.get(str(action), f"({action})")


def transcript_lines(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each logged event as {seq, at, who, kind, text, alert}; who: visitor, assistant or staff."""
    lines: list[dict[str, Any]] = []
    for row in rows:
        kind = str(row.get("type", ""))
        payload = row.get("payload") or {}
        who = "assistant"
        alert = False
        if kind == "visitor":
            who, text = "visitor", _visitor_text(payload)
        elif kind == "ask":
            text = str((payload.get("input") or {}).get("label", ""))
        elif kind == "crisis":
            alert = True
            text = str(payload.get("text", ""))
        elif kind == "staff":
            who = "staff"
            text = f"{payload.get('name', '')}: {payload.get('text', '')}"
        elif kind == "handoff":
            text = str(payload.get("text", ""))
        else:
            text = str(payload.get("text", ""))
        if not text and kind not in ("visitor",):
            text = f"({kind})"
        lines.append(
            {
                "seq": row.get("seq"),
                "at": row.get("created_at"),
                "who": who,
                "kind": kind,
                "text": text,
                "alert": alert,
                "level": payload.get("level") if kind == "crisis" else None,
                "category": payload.get("category") if kind == "crisis" else None,
            }
        )
    return lines


def timeline(
    referral: Mapping[str, Any],
    changes: Iterable[Mapping[str, Any]],
    notes: Iterable[Mapping[str, Any]],
    crisis_lines: Iterable[Mapping[str, Any]],
    staff_labels: Mapping[int, str],
) -> list[dict[str, Any]]:
    """Everything that happened to a referral, oldest first, as {at, who, what}."""
    items: list[dict[str, Any]] = [
        {"at": referral["created_at"], "who": "visitor", "what": "Referral submitted"}
    ]
    for line in crisis_lines:
        items.append(
            {
                "at": line["at"],
                "who": "safety check",
                "what": f"Flagged {line.get('level') or 'crisis'}: {line.get('category') or ''}",
            }
        )
    for change in changes:
        who = change.get("name") or change.get("email") or "system"
        if change["kind"] == "status":
            what = f"Status {change['old_value']} → {change['new_value']}"
        else:
            new = change.get("new_value")
            target = staff_labels.get(int(new), f"staff #{new}") if new else "nobody"
            what = f"Assigned to {target}"
        items.append({"at": change["at"], "who": who, "what": what})
    for note in notes:
        who = note.get("name") or note.get("email") or "staff"
        items.append({"at": note["created_at"], "who": who, "what": "Added a note"})
    return sorted(items, key=lambda item: item["at"] or datetime.min)
