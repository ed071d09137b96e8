"""Draws a flow as a Mermaid ``flowchart`` so staff can see every path (``intake-chat flow graph``).

Works on the plain flow dict; imports nothing from Flask, the database or the engine.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["describe_condition", "to_mermaid"]

LABEL_WORDS = 6  # words of a node's text shown after its id
EDGE_CHARS = 40  # longer edge labels are cut with an ellipsis

# Mermaid reads "#name;" as an entity, so these characters are written as entities themselves.
_ESCAPES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "|": "#124;",
    "`": "#96;",
    "&": "#amp;",
}
_SHAPES = {
    "question": ('("', '")'),
    "branch": ('{"', '"}'),
    "handoff": ('(["', '"])'),
    "end": ('(["', '"])'),
    "include": ('[["', '"]]'),
    "set": ('[/"', '"/]'),
    "goto": ('>"', '"]'),
}
_OPS = {
    "eq": "=",
    "ne": "≠",
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "in": "in",
    "not_in": "not in",
}


def escape(text: str) -> str:
    """Make text safe inside a quoted Mermaid label: entities for the characters Mermaid parses."""
    flat = " ".join(text.split())
    return re.sub(r'[#"<>|`&]', lambda m: _ESCAPES[m.group(0)], flat)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _words(text: str, count: int) -> str:
    words = text.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, str):
        return value
    return json.dumps(value)


def describe_condition(cond: Any) -> str:
    """A branch condition in words: ``age of dob < 18``, ``consent = true``, ``email answered``."""
    c = cond if isinstance(cond, Mapping) else {}
    if "all" in c or "any" in c:
        joiner = " and " if "all" in c else " or "
        parts = c.get("all", c.get("any"))
        return joiner.join(
            f"({describe_condition(p)})"
            if isinstance(p, Mapping) and ({"all", "any"} & p.keys())
            else describe_condition(p)
            for p in (parts if isinstance(parts, list) else [])
        )
    if "not" in c:
        return f"not ({describe_condition(c.get('not'))})"
    op = str(c.get("op", ""))
    if "age_of" in c:
        return f"age of {c.get('age_of')} {_OPS.get(op, op)} {_value(c.get('value'))}"
    if op in ("answered", "not_answered"):
        return f"{c.get('var')} {op.replace('_', ' ')}"
    return f"{c.get('var')} {_OPS.get(op, op)} {_value(c.get('value'))}"


class _Drawing:
    def __init__(self, data: Mapping[str, Any], locale: str | None) -> None:
        self.data = data
        locales = data.get("locales")
        default = locales[0] if isinstance(locales, list) and locales else "en"
        self.locale = locale or default
        self.default = default
        self.ids: dict[str, str] = {}
        self.sections: dict[str, list[Mapping[str, Any]]] = {}
        for name, section in _mapping(data.get("sections")).items():
            nodes = [n for n in _seq(_mapping(section).get("nodes")) if isinstance(n, Mapping)]
            self.sections[str(name)] = nodes
            for node in nodes:
                nid = str(node.get("id"))
                if nid not in self.ids:
                    self.ids[nid] = self._mermaid_id("n_", nid)
        self.lines: list[str] = ["flowchart TD"]
        self.used: set[str] = set()

    def _mermaid_id(self, prefix: str, raw: str) -> str:
        base = prefix + re.sub(r"[^A-Za-z0-9_]", "_", raw)
        taken = set(self.ids.values())
        out, n = base, 2
        while out in taken:
            out, n = f"{base}_{n}", n + 1
        return out

    def text(self, value: Any) -> str:
        t = _mapping(value)
        found = t.get(self.locale, t.get(self.default))
        return found if isinstance(found, str) else ""

    def edge(self, src: str, dst: Any, label: str = "", dotted: bool = False) -> None:
        if not isinstance(dst, str) or dst not in self.ids:
            return
        arrow = "-.->" if dotted else "-->"
        tail = f'|"{escape(_short(label, EDGE_CHARS))}"|' if label else ""
        self.lines.append(f"  {src} {arrow}{tail} {self.ids[dst]}")

    def draw(self) -> str:
        for name, nodes in self.sections.items():
            title = self.text(_mapping(_mapping(self.data.get("sections")).get(name)).get("title"))
            label = f"{name}: {title}" if title else name
            self.lines.append(f'  subgraph {self._mermaid_id("s_", name)}["{escape(label)}"]')
            self.lines.append("    direction TB")
            for node in nodes:
                self.node_line(node)
            self.lines.append("  end")
        for nodes in self.sections.values():
            for i, node in enumerate(nodes):
                following = nodes[i + 1].get("id") if i + 1 < len(nodes) else None
                self.node_edges(node, following)
        self.intents()
        return "\n".join(self.lines) + "\n"

    def node_line(self, node: Mapping[str, Any]) -> None:
        nid = str(node.get("id"))
        mid = self.ids[nid]
        if mid in self.used:
            return  # a duplicate id (the linter reports it); draw the first only
        self.used.add(mid)
        kind = str(node.get("type"))
        words = _words(self.text(node.get("text")), LABEL_WORDS)
        if kind == "include":
            words = f"include {node.get('section')}"
        elif kind == "goto":
            words = f"go to {node.get('target')}"
        elif kind == "set":
            words = ", ".join(f"{k} = {_value(v)}" for k, v in _mapping(node.get("values")).items())
        elif kind == "handoff":
            words = f"handoff ({node.get('mode')}) {words}".rstrip()
        elif kind == "questionnaire":
            words = f"questionnaire {node.get('instrument')}"
        label = f"{nid}: {words}" if words else nid
        left, right = _SHAPES.get(kind, ('["', '"]'))
        self.lines.append(f"    {mid}{left}{escape(label)}{right}")

    def node_edges(self, node: Mapping[str, Any], following: Any) -> None:
        mid = self.ids.get(str(node.get("id")), "")
        kind = node.get("type")
        onward = node.get("next", following)
        if kind in ("handoff", "end"):
            return
        if kind == "goto":
            self.edge(mid, node.get("target"))
        elif kind == "branch":
            for case in _seq(node.get("cases")):
                case = _mapping(case)
                self.edge(mid, case.get("next"), describe_condition(case.get("when")))
            self.edge(mid, node.get("default", onward), "default")
        elif kind == "include":
            section = self.sections.get(str(node.get("section"))) or []
            if section:
                self.edge(mid, section[0].get("id"), "include", dotted=True)
            self.edge(mid, onward, f"after {node.get('section')}")
        elif kind == "question" and node.get("options"):
            self.option_edges(mid, node, onward)
        else:
            self.edge(mid, onward)
        if kind == "question" and "on_max_retries" in node:
            self.edge(mid, node.get("on_max_retries"), "too many tries", dotted=True)

    def option_edges(self, mid: str, node: Mapping[str, Any], onward: Any) -> None:
        options = [_mapping(o) for o in _seq(node.get("options"))]
        own = [o for o in options if "next" in o]
        for opt in own:
            self.edge(mid, opt.get("next"), self.text(opt.get("label")) or _value(opt.get("value")))
        rest = [o for o in options if "next" not in o]
        if rest or node.get("required") is False:
            label = (
                ""
                if not own
                else (
                    " / ".join(self.text(o.get("label")) or _value(o.get("value")) for o in rest)
                    or "skip"
                )
            )
            self.edge(mid, onward, label)

    def intents(self) -> None:
        intents = [i for i in _seq(self.data.get("intents")) if isinstance(i, Mapping)]
        if not intents:
            return
        self.lines.append('  subgraph intents["Global intents (from any question)"]')
        self.lines.append("    direction TB")
        mids = []
        for intent in intents:
            iid = str(intent.get("id"))
            mid = self._mermaid_id("i_", iid)
            self.ids[f"intent {iid}"] = mid
            phrases = _seq(_mapping(intent.get("match")).get(self.locale))
            first = f": “{phrases[0]}”" if phrases and isinstance(phrases[0], str) else ""
            self.lines.append(f'    {mid}{{{{"{escape(iid + first)}"}}}}')
            mids.append((mid, intent))
        self.lines.append("  end")
        settings = _mapping(self.data.get("settings"))
        for mid, intent in mids:
            action = intent.get("action")
            if action == "goto":
                back = intent.get("return") is True
                self.edge(mid, intent.get("target"), "and return" if back else "", dotted=back)
            elif action == "handoff":
                self.edge(mid, settings.get("person_node"), "handoff")
            elif action == "restart":
                self.edge(mid, self.data.get("start"), "restart")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _seq(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def to_mermaid(data: Mapping[str, Any], locale: str | None = None) -> str:
    """The flow as Mermaid ``flowchart TD`` text; labels in ``locale`` (default: the first)."""
    drawing = _Drawing(data if isinstance(data, Mapping) else {}, locale)
    start = data.get("start") if isinstance(data, Mapping) else None
    out = drawing.draw()
    if isinstance(start, str) and start in drawing.ids:
        out += f'  flow_start(("start")) --> {drawing.ids[start]}\n'
    return out
