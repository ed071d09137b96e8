"""What changed between two versions of a flow, node by node, in words a practice editor reads:
added, removed, moved and changed nodes (text per language, options, where answers lead, settings).

Works on plain flow dicts (any shape: drafts may be broken); imports nothing from Flask or the DB.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["diff_flows", "text_segments"]

TARGET_KEYS = frozenset({"next", "default", "target", "on_max_retries", "section"})
_LOCALE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")

Path = tuple[str | int, ...]

_FIELD_NAMES = {
    "text": "Text",
    "notice": "Notice",
    "invalid": "Invalid-answer text",
    "placeholder": "Placeholder",
    "confirm": "Confirm button",
    "label": "Label",
    "next": "Goes next to",
    "default": "Otherwise goes to",
    "target": "Jumps to",
    "on_max_retries": "After too many invalid answers goes to",
    "section": "Runs section",
    "input": "Answer kind",
    "var": "Stores the answer in",
    "required": "Answer required",
    "personal": "Personal information",
    "max_retries": "Invalid answers allowed",
    "intents": "Phrase matching",
    "expects": "Answer looks like",
    "examples": "Examples",
    "answer": "Answer",
    "related": "Related topics",
    "fact": "Practice fact",
    "mode": "Handoff mode",
    "fields": "Referral fields",
    "optional_fields": "Optional referral fields",
    "values": "Sets",
    "type": "Node kind",
    "section_title": "Section title",
    "validation": "Validation",
    "message": "Message",
    "min_length": "shortest answer",
    "max_length": "longest answer",
    "pattern": "pattern",
    "min": "minimum",
    "max": "maximum",
    "when": "condition",
    "match": "Phrases",
    "action": "Action",
    "return": "Comes back afterwards",
}


def _is_text(value: Any) -> bool:
    """A localized text object: every key a locale code, every value a string."""
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(k, str) and _LOCALE.match(k) for k in value)
        and all(isinstance(v, str) for v in value.values())
    )


def _keyed(items: list[Any], key: str) -> dict[str, Any] | None:
    """A list of objects with unique string ``key`` values as a dict by that key, else None."""
    out: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get(key), str) or item[key] in out:
            return None
        out[item[key]] = item
    return out


def _leaves(value: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    """(path, value) per comparable piece: texts per locale, options by value, fields by var."""
    if _is_text(value):
        for locale, text in value.items():
            yield (*path, locale), text
        return
    if isinstance(value, dict):
        if not value:
            yield path, {}
        for key, item in value.items():
            yield from _leaves(item, (*path, str(key)))
        return
    if isinstance(value, list):
        last = path[-1] if path else ""
        by = {"options": "value", "fields": "var", "intents": "id", "topics": "id"}.get(str(last))
        keyed = _keyed(value, by) if by else None
        if keyed is not None:
            for name, item in keyed.items():
                yield from _leaves({k: v for k, v in item.items() if k != by}, (*path, name))
            return
        if last == "cases":
            for index, item in enumerate(value):
                yield from _leaves(item, (*path, index))
            return
        yield path, value  # a plain list (handoff fields, intent phrases): compared whole
        return
    yield path, value


def _flat(value: Any) -> dict[Path, Any]:
    return dict(_leaves(value, ()))


def text_segments(old: str, new: str) -> list[list[str]]:
    """Word-level changes for highlighting: ``[["same"|"del"|"ins", text], ...]``."""
    a, b = re.findall(r"\s*\S+\s*|\s+", old), re.findall(r"\s*\S+\s*|\s+", new)
    out: list[list[str]] = []

    def add(kind: str, words: list[str]) -> None:
        text = "".join(words)
        if not text:
            return
        if out and out[-1][0] == kind:
            out[-1][1] += text
        else:
            out.append([kind, text])

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            add("same", a[i1:i2])
        else:
            add("del", a[i1:i2])
            add("ins", b[j1:j2])
    return out


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value) if value else "(none)"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _name(part: str | int) -> str:
    if isinstance(part, int):
        return f"case {part + 1}"
    return _FIELD_NAMES.get(part, part.replace("_", " "))


def _kind(path: Path, old: Any, new: Any) -> str:
    parts = [p for p in path if isinstance(p, str)]
    texts = isinstance(old, str) or isinstance(new, str)
    if len(parts) >= 2 and _LOCALE.match(parts[-1]) and texts and parts[-2] != "match":
        return "text"
    if parts and parts[-1] in TARGET_KEYS:
        return "target"
    return "setting"


_NOUNS = {"options": "Option", "fields": "Summary field", "intents": "Intent", "topics": "Topic"}


def _label(path: Path, kind: str) -> str:
    """``("options", "email", "label", "es")`` → ``Option "email": Label (es)``."""
    parts = list(path)
    head = ""
    if len(parts) >= 2 and parts[0] in _NOUNS and isinstance(parts[1], str):
        noun = _NOUNS[str(parts[0])]
        head = f'{noun} "{parts[1]}": '
        parts = parts[2:]
    elif len(parts) >= 2 and parts[0] == "cases" and isinstance(parts[1], int):
        head = f"Case {parts[1] + 1}: "
        parts = parts[2:]
    locale = ""
    if parts and isinstance(parts[-1], str) and _LOCALE.match(parts[-1]) and len(parts) > 1:
        locale = f" ({parts[-1]})"
        parts = parts[:-1]
    words = " › ".join(_name(p) for p in parts) or "Value"
    return head + words[0].upper() + words[1:] + locale


def _changes(old: Any, new: Any) -> list[dict[str, Any]]:
    """Leaf-by-leaf differences of two nodes (or two settings objects), in reading order."""
    a, b = _flat(old), _flat(new)
    out: list[dict[str, Any]] = []
    seen_groups: set[tuple[str, str]] = set()
    for path in list(a) + [p for p in b if p not in a]:
        before, after = a.get(path), b.get(path)
        if path in a and path in b and before == after:
            continue
        group = _option_group(path, a, b)
        if group is not None:
            if group in seen_groups:
                continue
            seen_groups.add(group)
            out.append(_group_change(group, old, new))
            continue
        kind = _kind(path, before, after)
        change: dict[str, Any] = {
            "kind": kind,
            "label": _label(path, kind),
            "path": _path_text(path),
            "change": "added" if path not in a else "removed" if path not in b else "changed",
            "old": _shown(before) if path in a else None,
            "new": _shown(after) if path in b else None,
        }
        if kind == "text" and isinstance(before, str) and isinstance(after, str):
            change["segments"] = text_segments(before, after)
        out.append(change)
    return out


def _option_group(path: Path, a: dict[Path, Any], b: dict[Path, Any]) -> tuple[str, str] | None:
    """An option or summary field that exists on one side only is one change, not one per leaf."""
    if len(path) < 2 or path[0] not in ("options", "fields") or not isinstance(path[1], str):
        return None
    key = (str(path[0]), path[1])
    in_a = any(p[:2] == key for p in a)
    in_b = any(p[:2] == key for p in b)
    return key if in_a != in_b else None


def _group_change(group: tuple[str, str], old: Any, new: Any) -> dict[str, Any]:
    list_name, key = group
    by = "value" if list_name == "options" else "var"
    noun = "Option" if list_name == "options" else "Summary field"

    def find(node: Any) -> Any:
        items = node.get(list_name) if isinstance(node, dict) else None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get(by) == key:
                return item
        return None

    before, after = find(old), find(new)
    item = after if after is not None else before
    label = item.get("label") if isinstance(item, dict) else None
    words = " / ".join(str(v) for v in label.values()) if isinstance(label, dict) else key
    if isinstance(item, dict) and isinstance(item.get("next"), str):
        words += f" → {item['next']}"
    return {
        "kind": "option",
        "label": f'{noun} "{key}"',
        "path": f"{list_name}[{key}]",
        "change": "added" if before is None else "removed",
        "old": words if before is not None else None,
        "new": words if after is not None else None,
    }


def _path_text(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# --- nodes ----------------------------------------------------------------------------------


def _nodes(data: Mapping[str, Any]) -> dict[str, tuple[str, int, dict[str, Any]]]:
    """node id → (section, position, node); the first of duplicate ids wins (drafts may break)."""
    out: dict[str, tuple[str, int, dict[str, Any]]] = {}
    sections = data.get("sections")
    if not isinstance(sections, dict):
        return out
    for name, body in sections.items():
        nodes = body.get("nodes") if isinstance(body, dict) else None
        for index, node in enumerate(nodes if isinstance(nodes, list) else []):
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                out.setdefault(node["id"], (str(name), index, node))
    return out


def _preview(node: Mapping[str, Any]) -> str:
    text = node.get("text")
    if not isinstance(text, dict) or not _is_text(text):
        return ""
    first = str(next(iter(text.values())))
    return first if len(first) <= 90 else first[:89].rstrip() + "…"


def _moved(
    old: dict[str, tuple[str, int, dict[str, Any]]], new: dict[str, tuple[str, int, dict[str, Any]]]
) -> set[str]:
    """Nodes whose section changed, or that left the longest common order within a section."""
    moved = {i for i in old if i in new and old[i][0] != new[i][0]}
    sections = {s for s, _, _ in new.values()}
    for section in sections:
        a = [
            i
            for i, v in sorted(old.items(), key=lambda kv: kv[1][1])
            if v[0] == section and i in new and new[i][0] == section
        ]
        b = [
            i
            for i, v in sorted(new.items(), key=lambda kv: kv[1][1])
            if v[0] == section and i in old and old[i][0] == section
        ]
        kept: set[str] = set()
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        for block in matcher.get_matching_blocks():
            kept.update(a[block.a : block.a + block.size])
        moved.update(set(a) - kept)
    return moved


def diff_flows(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Everything that differs from ``old`` to ``new``: ``nodes`` (in the new file's order, then
    removed ones), ``flow`` (settings, intents, messages, sections) and ``counts``."""
    a, b = _nodes(old), _nodes(new)
    moved = _moved(a, b)
    nodes: list[dict[str, Any]] = []
    for node_id, (section, index, node) in b.items():
        if node_id not in a:
            nodes.append(_node_entry(node_id, "added", section, index, node, []))
            continue
        before = a[node_id]
        details = _changes(before[2], node)
        if node_id in moved:
            where = (
                f'from section "{before[0]}" to "{section}"'
                if before[0] != section
                else f"to position {index + 1} in its section"
            )
            details.insert(
                0,
                {
                    "kind": "moved",
                    "label": "Moved",
                    "path": "",
                    "change": "moved",
                    "old": f"{before[0]} #{before[1] + 1}",
                    "new": f"{section} #{index + 1}",
                    "words": where,
                },
            )
        if details:
            nodes.append(_node_entry(node_id, "changed", section, index, node, details))
    for node_id, (section, index, node) in a.items():
        if node_id not in b:
            nodes.append(_node_entry(node_id, "removed", section, index, node, []))
    flow = _flow_changes(old, new)
    counts = {
        kind: sum(1 for n in nodes if n["change"] == kind)
        for kind in ("added", "removed", "changed")
    }
    return {"nodes": nodes, "flow": flow, "counts": counts, "same": not nodes and not flow}


def _node_entry(
    node_id: str,
    change: str,
    section: str,
    index: int,
    node: Mapping[str, Any],
    details: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "id": node_id,
        "change": change,
        "section": section,
        "position": index + 1,
        "type": str(node.get("type", "")),
        "summary": _preview(node),
        "details": details,
    }


def _title(section: Any) -> Any:
    return section.get("title") if isinstance(section, dict) else None


_FLOW_KEYS = ("title", "description", "locales", "start", "settings", "messages")


def _flow_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for key in _FLOW_KEYS:
        if old.get(key) != new.get(key):
            for change in _changes(
                {key: old.get(key)} if key in old else {}, {key: new.get(key)} if key in new else {}
            ):
                out.append(change)
    for key in ("intents", "topics"):
        before, after = {key: old.get(key, [])}, {key: new.get(key, [])}
        if before != after:
            out.extend(_changes(before, after))
    old_sections = old.get("sections") if isinstance(old.get("sections"), dict) else {}
    new_sections = new.get("sections") if isinstance(new.get("sections"), dict) else {}
    assert isinstance(old_sections, dict) and isinstance(new_sections, dict)
    for name in list(new_sections) + [s for s in old_sections if s not in new_sections]:
        if name not in old_sections:
            out.append(
                {
                    "kind": "section",
                    "label": f'Section "{name}"',
                    "path": f"sections.{name}",
                    "change": "added",
                    "old": None,
                    "new": name,
                }
            )
        elif name not in new_sections:
            out.append(
                {
                    "kind": "section",
                    "label": f'Section "{name}"',
                    "path": f"sections.{name}",
                    "change": "removed",
                    "old": name,
                    "new": None,
                }
            )
        else:
            before, after = _title(old_sections[name]), _title(new_sections[name])
            if before != after:
                for change in _changes({"title": before}, {"title": after}):
                    change["label"] = f'Section "{name}": ' + change["label"]
                    out.append(change)
    return out
