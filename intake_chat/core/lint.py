"""The flow linter: mistakes the JSON Schema cannot see (codes listed in docs/lint-codes.md).

Works on the plain flow dict so the console's editor can lint a draft before it is loaded; it must
not import Flask, the database or the engine, and it never raises on odd input.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, TypeVar

from .answers import pattern_problem

__all__ = [
    "CODES",
    "Finding",
    "Severity",
    "lint",
    "lint_instrument",
    "readability_grade",
    "split_placeholders",
]

Severity = Literal["error", "warning"]

#: code -> (severity, short title). docs/lint-codes.md explains each; a test keeps the two in step.
CODES: dict[str, tuple[Severity, str]] = {
    "L001": ("error", "unknown target"),
    "L002": ("error", "duplicate id"),
    "L003": ("error", "unreachable node"),
    "L004": ("error", "no way forward"),
    "L005": ("error", "loop with no exit"),
    "L006": ("error", "variable read before any path sets it"),
    "L007": ("error", "handoff field not collected on every path"),
    "L008": ("error", "duplicate option value"),
    "L009": ("error", "missing or empty translation"),
    "L010": ("error", "personal question reachable before consent"),
    "L011": ("error", "no retry limit or no way out to a person"),
    "L012": ("warning", "text reads like clinical advice"),
    "L013": ("warning", "hard-to-read text"),
    "L014": ("error", "unknown variable"),
    "L015": ("warning", "intent phrase used by two intents"),
    "L016": ("error", "section includes itself"),
    "L017": ("warning", "translations use different variables"),
    "L018": ("error", "broken {placeholder}"),
    "L019": ("error", "summary field that cannot be changed"),
    "L020": ("error", "condition that can never match"),
    "L021": ("error", "validation pattern the engine refuses"),
    "L022": ("warning", "topic example used by two topics"),
    "L023": ("warning", "topic with too few examples in a locale"),
    "L024": ("error", "topic id taken or unknown"),
    "L025": ("warning", "one language changed since the published version, another did not"),
    "L026": ("error", "questionnaire with a risk item but no crisis route"),
    "L027": ("error", "questionnaire instrument missing or without a flow language"),
    "I001": ("error", "instrument items incomplete"),
    "I002": ("error", "instrument answer scale incomplete"),
    "I003": ("error", "instrument text missing a language"),
    "I004": ("error", "instrument bands do not cover every total once"),
}

# Node kinds that wait for the visitor (a questionnaire asks its items one by one).
ASKING = frozenset({"question", "questionnaire"})

MIN_TOPIC_EXAMPLES = 10  # fewer, and ordinary wordings of the question are missed
MAX_RETRY_LIMIT = 20  # as in the schema: more keeps a struggling visitor looping for too long
MAX_SENTENCE_WORDS = 30
MAX_TEXT_CHARS = 600
MAX_GRADE = 9.0  # Flesch-Kincaid grade for English text of at least GRADE_MIN_WORDS words
GRADE_MIN_WORDS = 25

# The placeholders the engine fills in its own messages (docs/flow-format.md, "Built-in messages").
_LIMITS = frozenset({"min", "max"})
_MESSAGE_PLACEHOLDERS = {
    **{
        k: _LIMITS
        for k in (
            "too_short",
            "too_long",
            "too_early",
            "too_late",
            "too_small",
            "too_large",
            "too_few",
            "too_many",
        )
    },
    "summary_change": frozenset({"label"}),
}

_RETURN = "^"  # bottom-of-stack marker: this section was entered by an intent that returns
_VAR = re.compile(r"[a-z][a-z0-9_]*\Z")


@dataclass(frozen=True)
class Finding:
    """One problem in a flow, worded for the person who edits it (``fix`` says what to do)."""

    code: str
    severity: Severity
    node: str | None  # the node id, when the problem belongs to a node
    path: str  # JSON path of the offending value, e.g. ``$.sections.main.nodes[3].next``
    message: str
    fix: str

    @property
    def where(self) -> str:
        return self.node or self.path

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def lint(
    data: Mapping[str, Any], file: str = "", base: Mapping[str, Any] | None = None
) -> list[Finding]:
    """Every finding for one flow dict, errors and warnings, sorted by code then file position.

    ``file`` is accepted for symmetry with the loader; findings do not repeat it. Something that
    is not an object at all is the schema's to report, so it gives no findings here. ``base`` is
    the published version this one changes (the editor's live version, ``flow check --base``):
    with it, L025 compares the two.
    """
    del file
    if not isinstance(data, Mapping):
        return []
    flow = _Index(data)
    out = _Linter(flow)
    out.run()
    if isinstance(base, Mapping):
        out.findings.extend(stale_translations(flow, _Index(base)))
    order = {n.id: n.order for n in flow.nodes.values()}
    return sorted(
        dict.fromkeys(out.findings),
        key=lambda f: (f.code, order.get(f.node or "", 1 << 30), f.path, f.message),
    )


def _finding(code: str, node: str | None, path: str, message: str, fix: str) -> Finding:
    return Finding(code, CODES[code][0], node, path, message, fix)


# ------------------------------------------------------------------------------------------
# The index: nodes by id, sections, locales — built defensively from whatever dict we were given.


@dataclass(frozen=True)
class _Node:
    id: str
    type: str
    section: str
    index: int
    order: int
    path: str
    data: Mapping[str, Any]


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class _Index:
    """The flow as lookups for the rules; duplicates keep the first node (L002 reports the rest)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.locales = [x for x in _list(data.get("locales")) if isinstance(x, str)] or ["en"]
        self.default_locale = self.locales[0]
        self.settings = _dict(data.get("settings"))
        self.start = _str(data.get("start"))
        self.person_node = _str(self.settings.get("person_node"))
        self.intents = [i for i in _list(data.get("intents")) if isinstance(i, Mapping)]
        self.nodes: dict[str, _Node] = {}
        self.duplicates: list[_Node] = []
        self.sections: dict[str, list[_Node]] = {}
        order = 0
        for name, section in _dict(data.get("sections")).items():
            members: list[_Node] = []
            for i, raw in enumerate(_list(_dict(section).get("nodes"))):
                raw = _dict(raw)
                node = _Node(
                    _str(raw.get("id")) or f"#{order}",
                    _str(raw.get("type")) or "",
                    str(name),
                    i,
                    order,
                    f"$.sections.{name}.nodes[{i}]",
                    raw,
                )
                order += 1
                members.append(node)
                if node.id in self.nodes:
                    self.duplicates.append(node)
                else:
                    self.nodes[node.id] = node
            self.sections[str(name)] = members
        self.questions = [n for n in self.nodes.values() if n.type == "question"]
        self.defined_vars = self._defined_vars()

    def _defined_vars(self) -> set[str]:
        out: set[str] = set()
        for node in self.nodes.values():
            if node.type == "question" and _str(node.data.get("var")):
                out.add(node.data["var"])
            if node.type == "set":
                out.update(k for k in _dict(node.data.get("values")) if isinstance(k, str))
        return out

    def follow(self, node: _Node) -> tuple[bool, str | None]:
        """Where ``next`` (or the following node) leads: (known, target); (True, None) falls off."""
        nxt = node.data.get("next")
        if nxt is not None:
            return (isinstance(nxt, str) and nxt in self.nodes), _str(nxt)
        members = self.sections.get(node.section, [])
        if node.index + 1 < len(members):
            return True, members[node.index + 1].id
        return True, None

    def section_first(self, name: str) -> str | None:
        members = self.sections.get(name) or []
        return members[0].id if members else None

    def questions_for(self, var: str) -> list[_Node]:
        return [q for q in self.questions if q.data.get("var") == var]


def _required(node: _Node) -> bool:
    req = node.data.get("required", _dict(node.data.get("validation")).get("required", True))
    return req is not False


# ------------------------------------------------------------------------------------------
# Conditions: what a branch case (or its failure) guarantees about the answers.

Atom = tuple[str, str]  # ("a", var) answered, ("t", var) is true, ("nf", var) is not false


def _implied(cond: Any, positive: bool) -> frozenset[Atom]:
    """Facts that hold whenever ``cond`` is ``positive`` (True) or has failed (False)."""
    c = _dict(cond)
    if "all" in c or "any" in c:
        parts = [_implied(x, positive) for x in _list(c.get("all", c.get("any")))]
        union = ("all" in c) == positive  # all passed / any failed: every part holds
        if not parts:
            return frozenset()
        if union:
            return frozenset().union(*parts)
        return frozenset.intersection(*parts)
    if "not" in c:
        return _implied(c.get("not"), not positive)
    if "age_of" in c:
        var = _str(c.get("age_of"))
        return frozenset({("a", var)}) if var and positive else frozenset()
    var, op, value = _str(c.get("var")), c.get("op"), c.get("value")
    if not var:
        return frozenset()
    if not positive:  # a failed comparison says nothing, except for these exact opposites
        op = {
            "eq": "ne",
            "ne": "eq",
            "answered": "not_answered",
            "not_answered": "answered",
            "in": "not_in",
            "not_in": "in",
        }.get(str(op), "")
    if op == "answered":
        return frozenset({("a", var)})
    if op == "eq" and value is not None:
        facts = {("a", var)}
        if value is True:
            facts |= {("t", var), ("nf", var)}
        elif value is not False:
            facts.add(("nf", var))
        return frozenset(facts)
    if op == "ne" and value is False:
        return frozenset({("nf", var)})
    if op == "in" and isinstance(value, list) and value:
        facts = {("a", var)}
        if all(v is True for v in value):
            facts |= {("t", var), ("nf", var)}
        return frozenset(facts)
    if op in ("lt", "le", "gt", "ge"):
        return frozenset({("a", var)})
    return frozenset()


def _condition_atoms(cond: Any, path: str) -> Iterator[tuple[Mapping[str, Any], str]]:
    """Every leaf condition with its JSON path."""
    c = _dict(cond)
    for key in ("all", "any"):
        if key in c:
            for i, sub in enumerate(_list(c.get(key))):
                yield from _condition_atoms(sub, f"{path}.{key}[{i}]")
            return
    if "not" in c:
        yield from _condition_atoms(c.get("not"), f"{path}.not")
        return
    yield c, path


# ------------------------------------------------------------------------------------------
# The state graph: (node, include stack). Includes are calls; an intent with ``return`` starts a
# context whose stack bottom is _RETURN, so running off its section returns to the pending question.

State = tuple[str, tuple[str, ...]]
Kind = Literal["flow", "retry", "intent", "change"]


@dataclass(frozen=True)
class _Edge:
    src: State
    dst: State | None  # None: the visitor leaves this part of the flow (returned or dead end)
    kind: Kind
    kill: frozenset[str] = frozenset()  # variables whose facts this edge forgets (re-answered)
    gen: frozenset[Atom] = frozenset()  # facts this edge guarantees
    sets: frozenset[str] = frozenset()  # variables that hold some value after this edge
    dead_end: bool = False
    clears: bool = False  # a restart: every answer is forgotten


@dataclass
class _Graph:
    states: set[State] = field(default_factory=set)
    edges: list[_Edge] = field(default_factory=list)
    dead_ends: dict[str, str] = field(default_factory=dict)  # node id -> how it was entered
    include_cycles: dict[str, str] = field(default_factory=dict)  # include node id -> section


_StaticEdge = tuple[str | None, Kind, frozenset[str], frozenset[Atom], frozenset[str], str | None]


def _node_edges(flow: _Index, node: _Node) -> list[_StaticEdge]:
    """The node's own ways on: (target or None=falls off, kind, kill, gen, sets, pushed include)."""
    d, out = node.data, []
    empty: frozenset[Any] = frozenset()

    def add(
        target: str | None,
        ok: bool = True,
        kind: Kind = "flow",
        kill: frozenset[str] = empty,
        gen: frozenset[Atom] = empty,
        sets: frozenset[str] = empty,
        push: str | None = None,
    ) -> None:
        if ok:
            out.append((target, kind, kill, gen, sets, push))

    def known(target: Any) -> bool:
        return isinstance(target, str) and target in flow.nodes

    if node.type in ("handoff", "end"):
        return []
    if node.type == "goto":
        add(_str(d.get("target")), known(d.get("target")))
    elif node.type == "branch":
        failed: set[Atom] = set()
        for case in _list(d.get("cases")):
            case = _dict(case)
            add(
                _str(case.get("next")),
                known(case.get("next")),
                gen=frozenset(failed | _implied(case.get("when"), True)),
            )
            failed |= _implied(case.get("when"), False)
        if "default" in d:
            add(_str(d.get("default")), known(d.get("default")), gen=frozenset(failed))
        else:
            ok, target = flow.follow(node)
            add(target, ok, gen=frozenset(failed))
    elif node.type == "include":
        section = _str(d.get("section"))
        if section in flow.sections:
            add(flow.section_first(section) if flow.sections[section] else None, push=node.id)
    elif node.type == "question":
        var = _str(d.get("var")) or ""
        kill, sets = frozenset({var}), frozenset({var})
        answered = frozenset({("a", var)})
        plain = True
        if d.get("input") in ("choice", "multi"):
            options = [_dict(o) for o in _list(d.get("options"))]
            for opt in options:
                if "next" in opt:
                    add(
                        _str(opt.get("next")),
                        known(opt.get("next")),
                        kill=kill,
                        gen=answered,
                        sets=sets,
                    )
            plain = not options or any("next" not in o for o in options) or not _required(node)
        if plain:
            ok, target = flow.follow(node)
            add(target, ok, kill=kill, gen=answered if _required(node) else frozenset(), sets=sets)
        retry = d.get("on_max_retries", flow.person_node)
        add(_str(retry), known(retry), kind="retry")
    elif node.type == "questionnaire":  # its items are choice questions with the usual way out
        ok, target = flow.follow(node)
        add(target, ok)
        add(flow.person_node, known(flow.person_node), kind="retry")
    elif node.type == "set":
        values = {k: v for k, v in _dict(d.get("values")).items() if isinstance(k, str)}
        gen: set[Atom] = set()
        for k, v in values.items():
            if v is not None:
                gen.add(("a", k))
            if v is True:
                gen.add(("t", k))
            if v is not False and v is not None:
                gen.add(("nf", k))
        ok, target = flow.follow(node)
        add(target, ok, kill=frozenset(values), gen=frozenset(gen), sets=frozenset(values))
    else:  # message, summary and anything unknown go on to the next node
        ok, target = flow.follow(node)
        add(target, ok)
    if node.type == "summary":  # "change" re-asks a question and comes back with the new answer
        for item in _list(d.get("fields")):
            field_var = _str(_dict(item).get("var")) or ""
            asks = flow.questions_for(field_var)
            if asks:
                again = frozenset({("a", field_var)}) if all(map(_required, asks)) else frozenset()
                add(
                    node.id,
                    kind="change",
                    kill=frozenset({field_var}),
                    sets=frozenset({field_var}),
                    gen=again,
                )
    return out


def _intent_dsts(flow: _Index) -> list[tuple[State, bool]]:
    """Where each intent leads from a question, and whether it forgets the answers (restart)."""
    out: list[tuple[State, bool]] = []
    for intent in flow.intents:
        action = intent.get("action")
        target = _str(intent.get("target"))
        if action == "goto" and target in flow.nodes:
            out.append(((target, (_RETURN,) if intent.get("return") is True else ()), False))
        elif action == "handoff" and flow.person_node in flow.nodes:
            out.append(((str(flow.person_node), ()), False))
        elif action == "restart" and flow.start in flow.nodes:
            out.append(((str(flow.start), ()), True))
    return out


MAX_INCLUDE_DEPTH = 12


def _build_graph(flow: _Index) -> _Graph:
    g = _Graph()
    if flow.start not in flow.nodes:
        return g
    static = {n.id: _node_edges(flow, n) for n in flow.nodes.values()}
    intent_dsts = _intent_dsts(flow)
    start: State = (str(flow.start), ())
    todo = [start]
    g.states.add(start)
    while todo:
        state = todo.pop()
        node_id, stack = state
        for target, kind, kill, gen, sets, push in static[node_id]:
            for dst, how in _resolve(flow, g, node_id, target, stack, push):
                g.edges.append(_Edge(state, dst, kind, kill, gen, sets, dead_end=how == "dead"))
                if dst is not None and dst not in g.states:
                    g.states.add(dst)
                    todo.append(dst)
        if flow.nodes[node_id].type in ASKING:
            for dst, clears in intent_dsts:
                g.edges.append(_Edge(state, dst, "intent", clears=clears))
                if dst not in g.states:
                    g.states.add(dst)
                    todo.append(dst)
    return g


def _resolve(
    flow: _Index,
    g: _Graph,
    node_id: str,
    target: str | None,
    stack: tuple[str, ...],
    push: str | None,
) -> list[tuple[State | None, str]]:
    """Apply include calls and section returns to one static edge."""
    if push is not None:
        if push in stack or len(stack) >= MAX_INCLUDE_DEPTH:
            g.include_cycles[push] = str(flow.nodes[push].data.get("section"))
            return []
        stack = (*stack, push)
        if target is not None:
            return [((target, stack), "go")]
    elif target is not None:
        return [((target, stack), "go")]
    # Ran off the end of a section: return to whoever entered it.
    while True:
        if not stack:
            g.dead_ends.setdefault(node_id, "dead")
            return [(None, "dead")]
        top, stack = stack[-1], stack[:-1]
        if top == _RETURN:
            return [(None, "returned")]
        ok, after = flow.follow(flow.nodes[top])
        if not ok:
            return []
        if after is not None:
            return [((after, stack), "go")]


# ------------------------------------------------------------------------------------------
# Data flow over the state graph.


def _out_edges(g: _Graph) -> dict[State, list[_Edge]]:
    out: dict[State, list[_Edge]] = defaultdict(list)
    for e in g.edges:
        out[e.src].append(e)
    return out


F = TypeVar("F")


def _fixpoint(
    g: _Graph,
    start: State,
    transfer: Callable[[_Edge, frozenset[F]], frozenset[F]],
    join: Callable[[frozenset[F], frozenset[F]], frozenset[F]],
) -> dict[State, frozenset[F]]:
    """Facts per state by the worklist algorithm; states never reached stay absent."""
    facts: dict[State, frozenset[F]] = {start: frozenset()}
    out_edges = _out_edges(g)
    todo = [start]
    while todo:
        s = todo.pop()
        for e in out_edges[s]:
            if e.dst is None:
                continue
            new = transfer(e, facts[s])
            old = facts.get(e.dst)
            merged = new if old is None else join(old, new)
            if merged != old:
                facts[e.dst] = merged
                todo.append(e.dst)
    return facts


def _may_set(g: _Graph, start: State) -> dict[State, frozenset[str]]:
    """Variables that hold a value on at least one path into each state."""
    return _fixpoint(
        g,
        start,
        lambda e, held: e.sets | (frozenset() if e.clears else held),
        frozenset.union,
    )


def _must_hold(g: _Graph, start: State) -> dict[State, frozenset[Atom]]:
    """Facts that hold on every path into each state (greatest fixpoint; unseen states absent)."""

    def transfer(e: _Edge, held: frozenset[Atom]) -> frozenset[Atom]:
        kept = frozenset() if e.clears else held
        return frozenset(a for a in kept if a[1] not in e.kill) | e.gen

    return _fixpoint(g, start, transfer, frozenset.intersection)


def _consented(facts: frozenset[Atom], consent_vars: set[str]) -> bool:
    return any(("t", v) in facts or {("a", v), ("nf", v)} <= facts for v in consent_vars)


# ------------------------------------------------------------------------------------------
# Text: every visitor-facing string with its path.

_NODE_TEXT_KEYS = ("text", "notice", "invalid", "placeholder", "confirm", "title")


def _topics(flow: _Index) -> list[Mapping[str, Any]]:
    return [t for t in _list(flow.data.get("topics")) if isinstance(t, Mapping)]


def _texts(flow: _Index) -> Iterator[tuple[str | None, str, Any]]:
    """(node id, JSON path, localized text value) for every visitor-facing string."""
    if "title" in flow.data:
        yield None, "$.title", flow.data.get("title")
    for key, text in _dict(flow.data.get("messages")).items():
        yield None, f"$.messages.{key}", text
    for i, intent in enumerate(flow.intents):
        if "label" in intent:
            yield None, f"$.intents[{i}].label", intent["label"]
    for i, topic in enumerate(_topics(flow)):
        yield None, f"$.topics[{i}].label", topic.get("label")
        for j, message in enumerate(_list(topic.get("answer"))):
            yield None, f"$.topics[{i}].answer[{j}]", message
    for name, section in _dict(flow.data.get("sections")).items():
        if "title" in _dict(section):
            yield None, f"$.sections.{name}.title", _dict(section).get("title")
    for node in [*flow.nodes.values(), *flow.duplicates]:
        d = node.data
        for key in _NODE_TEXT_KEYS:
            if key in d:
                yield node.id, f"{node.path}.{key}", d[key]
        validation = _dict(d.get("validation"))
        if "message" in validation:
            yield node.id, f"{node.path}.validation.message", validation["message"]
        for key in ("options", "fields"):
            if node.type in ("question", "summary"):
                for i, item in enumerate(_list(d.get(key))):
                    if isinstance(item, Mapping) and "label" in item:
                        yield node.id, f"{node.path}.{key}[{i}].label", item["label"]


def _text_key(flow: _Index, node: str | None, path: str) -> tuple[str, str]:
    """Where a text lives, stable when steps or topics move: the node or topic id and the rest."""
    if node is not None and node in flow.nodes:
        return node, path.removeprefix(flow.nodes[node].path)
    match = re.match(r"\$\.topics\[(\d+)\]", path)
    if match:
        topics, at = _topics(flow), int(match.group(1))
        topic_id = topics[at].get("id") if at < len(topics) else None
        return f"topic:{topic_id}", path[match.end() :]
    return "", path


def stale_translations(flow: _Index, base: _Index) -> list[Finding]:
    """L025: a text whose wording changed in some locales and stayed as published in others,
    which then say something else (an office manager fixes the English; the Spanish is stale)."""
    published = {
        _text_key(base, node, path): text
        for node, path, text in _texts(base)
        if isinstance(text, Mapping)
    }
    found: list[Finding] = []
    for node, path, text in _texts(flow):
        old = published.get(_text_key(flow, node, path))
        if not isinstance(text, Mapping) or not isinstance(old, Mapping):
            continue
        shared = [loc for loc in flow.locales if loc in text and loc in old]
        changed = [loc for loc in shared if text[loc] != old[loc]]
        same = [loc for loc in shared if text[loc] == old[loc] and text[loc]]
        if changed and same:
            found.append(
                _finding(
                    "L025",
                    node,
                    path,
                    f"the {', '.join(changed)} text changed since the published version but the "
                    f"{', '.join(same)} text did not",
                    f"update the {', '.join(same)} text to say the same, or acknowledge this "
                    "warning if it already does",
                )
            )
    return found


def split_placeholders(text: str) -> tuple[list[str], list[str]]:
    """The ``{variable}`` names in a string, and the broken pieces (lone braces, bad names)."""
    names: list[str] = []
    broken: list[str] = []
    for m in re.finditer(r"\{\{|\}\}|\{([^{}]*)\}|[{}]", text):
        token = m.group(0)
        if token in ("{{", "}}"):
            continue
        if m.group(1) is not None and _VAR.match(m.group(1)):
            names.append(m.group(1))
        else:
            broken.append(token)
    return names, broken


def _fold(text: str) -> str:
    """Lower case without accents, so "diagnóstico" and "diagnostico" are one word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Phrases that sound like a clinician speaking to this visitor. Written accent-free, lower case.
_ADVICE = [
    r"you should (?:take|stop|start|try|increase|decrease|reduce|avoid|"
    r"see a (?:doctor|psychiatrist))",
    r"you (?:have|suffer from|are suffering from) (?:an? )?(?:depression|anxiety|ptsd|bipolar|adhd|"
    r"ocd|trauma|panic|insomnia|(?:\w+ )?disorder|mental illness|burnout)",
    r"you are (?:depressed|bipolar|traumati[sz]ed|mentally ill)",
    r"diagnos\w*",
    r"dos(?:e|es|age|ages|ing)",
    r"medication (?:you|for you)",
    r"(?:your|this|a|the) medication",
    r"prescri(?:be|bed|bes|ption)\w*",
    r"try (?:breathing|deep breathing|meditat\w*|grounding|journaling)",
    r"breathing exercises?",
    r"it (?:sounds|seems|looks) like you (?:have|are|might|may)",
    r"you need to",
    r"you must",
    r"i (?:recommend|suggest|advise)",
    # Spanish
    r"(?:usted )?tiene (?:depresion|ansiedad|trauma|tdah|toc|trastorno\w*|un trastorno\w*|bipolar)",
    r"(?:tu |usted )?tienes (?:depresion|ansiedad|trauma|tdah|toc|un trastorno\w*|bipolar)",
    r"deberia(?:s)? (?:tomar|dejar|empezar|probar|aumentar|reducir)",
    r"diagnostic\w*",
    r"dosis",
    r"medicamentos? (?:que|para usted)",
    r"(?:su|tu|este) medicamento",
    r"receta\w*",
    r"recet(?:ar|amos|a)",
    r"prueb[ae] (?:a )?respirar",
    r"ejercicios? de respiracion",
    r"respiracion profunda",
    r"parece que (?:usted )?(?:tiene|tienes|sufre|esta)",
    r"(?:usted )?necesita (?:tomar|dejar|empezar)",
    r"tiene que tomar",
    r"le recomiendo",
    r"te recomiendo",
]
_ADVICE_RE = re.compile(r"\b(?:" + "|".join(_ADVICE) + r")\b")
# A match is allowed when one of these appears earlier in the same sentence, within a few words:
# "we can't diagnose", "our therapists do not prescribe", "no damos diagnósticos".
_NEGATION_RE = re.compile(
    r"\b(?:not|no|never|cannot|can't|cant|won't|wont|don't|dont|doesn't|doesnt|isn't|aren't|"
    r"nor|without|unable|nunca|ni|sin|tampoco|jamas)\b|n't\b"
)
_NEGATION_WINDOW = 6  # words before the match


def _advice_hits(text: str) -> list[str]:
    folded = _fold(text).replace("\u2019", "'")
    hits = []
    for m in _ADVICE_RE.finditer(folded):
        before = re.split(r"[.!?;:]", folded[: m.start()])[-1].split()[-_NEGATION_WINDOW:]
        if _NEGATION_RE.search(" ".join(before)):
            continue
        hits.append(text[m.start() : m.end()] if len(text) == len(folded) else m.group(0))
    return hits


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _syllables(word: str) -> int:
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 0
    groups = re.findall(r"[aeiouy]+", w)
    n = len(groups)
    if w.endswith("e") and not w.endswith(("le", "ee")) and n > 1:
        n -= 1
    return max(1, n)


def readability_grade(text: str) -> float:
    """Flesch-Kincaid grade level of English text; rough, but enough to flag dense paragraphs."""
    words = re.findall(r"[A-Za-z']+", text)
    if not words:
        return 0.0
    sentences = max(1, len(_sentences(text)))
    syllables = sum(_syllables(w) for w in words)
    return 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59


# ------------------------------------------------------------------------------------------
# The rules.


class _Linter:
    def __init__(self, flow: _Index) -> None:
        self.flow = flow
        self.findings: list[Finding] = []
        self.graph = _build_graph(flow)
        start: State = (str(flow.start), ())
        known = flow.start in flow.nodes
        self.may = _may_set(self.graph, start) if known else {}
        self.must = _must_hold(self.graph, start) if known else {}

    def add(self, code: str, node: str | None, path: str, message: str, fix: str) -> None:
        self.findings.append(_finding(code, node, path, message, fix))

    def run(self) -> None:
        for rule in (
            self.targets,
            self.duplicates,
            self.reachability,
            self.dead_ends,
            self.loops,
            self.variables,
            self.handoff_fields,
            self.options,
            self.translations,
            self.consent,
            self.retries,
            self.wording,
            self.intent_phrases,
            self.topic_examples,
            self.topic_ids,
            self.include_cycles,
            self.summaries,
            self.conditions,
            self.patterns,
            self.questionnaires,
        ):
            rule()

    # L001 ------------------------------------------------------------------------------------
    def targets(self) -> None:
        f = self.flow

        def check(target: Any, node: str | None, path: str, what: str) -> None:
            if not isinstance(target, str) or target not in f.nodes:
                self.add(
                    "L001",
                    node,
                    path,
                    f"{what} points to '{target}', which is not a node id",
                    "Change it to the id of an existing node (ids are case-sensitive), or add "
                    "the missing node.",
                )

        check(f.data.get("start"), None, "$.start", "The flow's start")
        if "person_node" in f.settings:
            check(f.person_node, None, "$.settings.person_node", "settings.person_node")
        for i, intent in enumerate(f.intents):
            path = f"$.intents[{i}]"
            if intent.get("action") == "goto":
                check(intent.get("target"), None, f"{path}.target", f"Intent '{intent.get('id')}'")
            if intent.get("action") == "handoff" and f.person_node is None:
                self.add(
                    "L001",
                    None,
                    path,
                    f"Intent '{intent.get('id')}' hands off to a person, but "
                    "settings.person_node is not set",
                    'Add "person_node" to settings with the id of your talk-to-a-person '
                    "handoff node.",
                )
        for node in f.nodes.values():
            d, p = node.data, node.path
            if "next" in d:
                check(d.get("next"), node.id, f"{p}.next", f"'next' of {node.id}")
            if node.type == "goto":
                check(d.get("target"), node.id, f"{p}.target", f"The goto in {node.id}")
            if node.type == "branch":
                for i, case in enumerate(_list(d.get("cases"))):
                    check(
                        _dict(case).get("next"),
                        node.id,
                        f"{p}.cases[{i}].next",
                        f"Case {i + 1} of {node.id}",
                    )
                if "default" in d:
                    check(d.get("default"), node.id, f"{p}.default", f"The default of {node.id}")
            if node.type == "question":
                for i, opt in enumerate(_list(d.get("options"))):
                    if "next" in _dict(opt):
                        check(
                            _dict(opt).get("next"),
                            node.id,
                            f"{p}.options[{i}].next",
                            f"Option '{_dict(opt).get('value')}' of {node.id}",
                        )
                if "on_max_retries" in d:
                    check(
                        d.get("on_max_retries"),
                        node.id,
                        f"{p}.on_max_retries",
                        f"on_max_retries of {node.id}",
                    )
            if node.type == "include" and _str(d.get("section")) not in f.sections:
                self.add(
                    "L001",
                    node.id,
                    f"{p}.section",
                    f"{node.id} includes section '{d.get('section')}', which does not exist",
                    'Use the name of a section under "sections", or add that section.',
                )

    # L002 ------------------------------------------------------------------------------------
    def duplicates(self) -> None:
        for node in self.flow.duplicates:
            self.add(
                "L002",
                node.id,
                f"{node.path}.id",
                f"Node id '{node.id}' is used more than once",
                "Give each node its own id; rename this one and update anything that points to it.",
            )
        seen: set[str] = set()
        for i, intent in enumerate(self.flow.intents):
            iid = _str(intent.get("id"))
            if iid in seen:
                self.add(
                    "L002",
                    None,
                    f"$.intents[{i}].id",
                    f"Intent id '{iid}' is used more than once",
                    "Give each intent its own id, or merge their phrases into one intent.",
                )
            if iid:
                seen.add(iid)

    # L003 ------------------------------------------------------------------------------------
    def reachability(self) -> None:
        if self.flow.start not in self.flow.nodes:
            return  # L001 already says why nothing can be reached
        reached = {s[0] for s in self.graph.states}
        for node in self.flow.nodes.values():
            if node.id not in reached:
                self.add(
                    "L003",
                    node.id,
                    node.path,
                    f"No conversation can reach {node.id}",
                    "Point a 'next', option, branch case, goto or intent at it, or delete it "
                    "if it is no longer needed.",
                )

    # L004 ------------------------------------------------------------------------------------
    def dead_ends(self) -> None:
        f = self.flow
        reached = {s[0] for s in self.graph.states}
        entered = {str(n.data.get("section")) for n in f.nodes.values() if n.type == "include"}
        for intent in f.intents:
            target = _str(intent.get("target"))
            if intent.get("return") is True and target in f.nodes:
                entered.add(f.nodes[target].section)
        for node in f.nodes.values():
            if node.id in self.graph.dead_ends:
                why = "can be reached without an include or a returning intent"
            elif node.id not in reached and node.section not in entered and self._falls_off(node):
                why = "is in a section that no include or returning intent enters"
            else:
                continue
            self.add(
                "L004",
                node.id,
                node.path,
                f"{node.id} is the last step of section '{node.section}' and has no 'next'; "
                f"the section {why}, so the visitor would be stuck",
                "Add a 'next' (or a goto) to where the conversation should continue, or end "
                "the section with an end or handoff node.",
            )

    def _falls_off(self, node: _Node) -> bool:
        return any(t is None and push is None for t, *_, push in _node_edges(self.flow, node))

    # L005 ------------------------------------------------------------------------------------
    def loops(self) -> None:
        g, f = self.graph, self.flow
        flow_edges = [e for e in g.edges if e.kind == "flow"]
        succ: dict[State, list[State | None]] = defaultdict(list)
        for e in flow_edges:
            succ[e.src].append(e.dst)
        # States that can finish: reach an end, a handoff, or leave their section.
        done = {s for s in g.states if f.nodes[s[0]].type in ("end", "handoff")}
        done |= {e.src for e in flow_edges if e.dst is None}
        changed = True
        while changed:
            changed = False
            for s in g.states - done:
                if any(d in done for d in succ[s] if d is not None):
                    done.add(s)
                    changed = True
        stuck = g.states - done
        reported: set[frozenset[str]] = set()
        for comp in _cycles(stuck, succ):
            ids = frozenset(s[0] for s in comp)
            if ids in reported:
                continue
            reported.add(ids)
            names = sorted(ids, key=lambda i: f.nodes[i].order)
            asks = any(f.nodes[i].type in ASKING for i in ids)
            detail = "" if asks else " without asking anything, so the chat would hang"
            self.add(
                "L005",
                names[0],
                f.nodes[names[0]].path,
                f"These steps go round in a circle{detail} and never reach an end or handoff: "
                + " → ".join(names),
                "Give one of these steps a way out: an answer or branch case that leads on "
                "to the rest of the flow, an end, or a handoff.",
            )
        # A circle without a question spins forever even if a branch might leave it later.
        for comp in _cycles(g.states, succ):
            ids = frozenset(s[0] for s in comp)
            if ids in reported or any(f.nodes[i].type in ASKING for i in ids):
                continue
            exits = any(d not in comp for s in comp for d in succ[s])
            if not exits:
                reported.add(ids)
                names = sorted(ids, key=lambda i: f.nodes[i].order)
                self.add(
                    "L005",
                    names[0],
                    f.nodes[names[0]].path,
                    "These steps go round in a circle without asking anything: "
                    + " → ".join(names),
                    "Break the circle: point one step onward.",
                )

    # L006 / L014 -------------------------------------------------------------------------------
    def _reads(self, node: _Node) -> Iterator[tuple[str, str, str]]:
        """(variable, JSON path, what reads it) for everything the node reads."""
        d, p = node.data, node.path
        for nid, path, text in _texts(self.flow):
            if nid == node.id and path.startswith(p + "."):
                for value in _dict(text).values():
                    if isinstance(value, str):
                        for name in split_placeholders(value)[0]:
                            yield name, path, "the text"
        if node.type == "branch":
            for i, case in enumerate(_list(d.get("cases"))):
                for atom, apath in _condition_atoms(
                    _dict(case).get("when"), f"{p}.cases[{i}].when"
                ):
                    var = _str(atom.get("var")) or _str(atom.get("age_of"))
                    if var:
                        yield var, apath, "a branch condition"
        if node.type == "summary":
            for i, item in enumerate(_list(d.get("fields"))):
                var = _str(_dict(item).get("var"))
                if var:
                    yield var, f"{p}.fields[{i}].var", "the summary"
        if node.type == "handoff":
            for key in ("fields", "optional_fields"):
                for i, var in enumerate(_list(d.get(key))):
                    if isinstance(var, str):
                        yield var, f"{p}.{key}[{i}]", "the referral"

    def variables(self) -> None:
        f = self.flow
        self.message_placeholders()
        may = self.may
        by_node: dict[str, frozenset[str]] = {}
        for state, vars_ in may.items():
            by_node[state[0]] = by_node.get(state[0], frozenset()) | vars_
        for node in [*f.nodes.values(), *f.duplicates]:
            for var, path, what in self._reads(node):
                if var not in f.defined_vars:
                    self.add(
                        "L014",
                        node.id,
                        path,
                        f"{what[0].upper() + what[1:]} of {node.id} uses the variable "
                        f"'{var}', but no question or set step stores it",
                        "Check the spelling against the 'var' of the question that asks it, "
                        "or remove it.",
                    )
                elif (
                    node.id in by_node
                    and var not in by_node[node.id]
                    and f.nodes.get(node.id) is node
                ):
                    self.add(
                        "L006",
                        node.id,
                        path,
                        f"{what[0].upper() + what[1:]} of {node.id} uses '{var}', but no path "
                        f"to {node.id} asks for it first",
                        f"Move {node.id} after the question that stores '{var}', or stop "
                        "using it here.",
                    )

    def message_placeholders(self) -> None:
        """The engine's own wording fills in its limits, never the visitor's answers."""
        for key, text in _dict(self.flow.data.get("messages")).items():
            allowed = _MESSAGE_PLACEHOLDERS.get(str(key), frozenset())
            for loc, value in _dict(text).items():
                names = split_placeholders(value)[0] if isinstance(value, str) else []
                for name in names:
                    if name not in allowed:
                        can = ", ".join(f"{{{n}}}" for n in sorted(allowed)) or "none"
                        self.add(
                            "L014",
                            None,
                            f"$.messages.{key}.{loc}",
                            f"The built-in message '{key}' cannot fill in {{{name}}}",
                            f"Use only the placeholders this message knows ({can}).",
                        )

    # L007 ------------------------------------------------------------------------------------
    def handoff_fields(self) -> None:
        f = self.flow
        must = self.must
        missing: dict[str, set[str]] = defaultdict(set)
        for state, facts in must.items():
            node = f.nodes[state[0]]
            if node.type != "handoff":
                continue
            for var in _list(node.data.get("fields")):
                if isinstance(var, str) and ("a", var) not in facts and var in f.defined_vars:
                    missing[node.id].add(var)
        for nid, vars_ in missing.items():
            node = f.nodes[nid]
            names = ", ".join(sorted(vars_))
            self.add(
                "L007",
                nid,
                f"{node.path}.fields",
                f"The referral from {nid} needs {names}, but some paths reach it without "
                "that answer",
                "Make sure every path to this handoff asks a required question for each "
                "field (or branches on it being answered), or move the field to "
                "optional_fields.",
            )

    # L008 ------------------------------------------------------------------------------------
    def options(self) -> None:
        for node in [*self.flow.nodes.values(), *self.flow.duplicates]:
            seen: set[str] = set()
            for i, opt in enumerate(_list(node.data.get("options"))):
                value = _dict(opt).get("value")
                key = repr(value)
                if key in seen:
                    self.add(
                        "L008",
                        node.id,
                        f"{node.path}.options[{i}].value",
                        f"{node.id} has two options with the value {value!r}",
                        "Give every option its own value; the value is what is stored and "
                        "what branches compare.",
                    )
                seen.add(key)

    # L021 ------------------------------------------------------------------------------------
    def patterns(self) -> None:
        """The loader refuses these patterns; catching them here keeps ``flow check`` honest."""
        for node in self.flow.nodes.values():
            pattern = _dict(node.data.get("validation")).get("pattern")
            if not isinstance(pattern, str):
                continue
            reason = pattern_problem(pattern)
            if reason:
                self.add(
                    "L021",
                    node.id,
                    f"{node.path}.validation.pattern",
                    f"The pattern of {node.id} cannot be used: {reason}",
                    "Write a simpler pattern: no repeat inside a repeat such as (a+)+, no "
                    "alternatives inside a repeat such as (ab|a)+, no back-references.",
                )

    # L009 / L017 / L018 -------------------------------------------------------------------------
    def translations(self) -> None:
        locales = self.flow.locales
        for nid, path, text in _texts(self.flow):
            if not isinstance(text, Mapping):
                self.add(
                    "L009",
                    nid,
                    path,
                    "This text is not translated (it should be an object "
                    f"with one entry per language: {', '.join(locales)})",
                    'Write it as {"' + '": "…", "'.join(locales) + '": "…"}.',
                )
                continue
            names: dict[str, set[str]] = {}
            for loc in locales:
                value = text.get(loc)
                if not isinstance(value, str) or not value.strip():
                    state = "missing" if value is None else "empty"
                    self.add(
                        "L009",
                        nid,
                        f"{path}.{loc}",
                        f"The '{loc}' translation is {state}",
                        f"Add the text in '{loc}' (every language in \"locales\" needs "
                        "every string).",
                    )
                    continue
                found, broken = split_placeholders(value)
                names[loc] = set(found)
                for piece in broken:
                    self.add(
                        "L018",
                        nid,
                        f"{path}.{loc}",
                        f"'{piece}' in the '{loc}' text is not a valid {{variable}}",
                        "Write a variable as {name} in lower case letters, digits and _; "
                        "write a literal brace as {{ or }}.",
                    )
            if len({frozenset(v) for v in names.values()}) > 1:
                detail = "; ".join(
                    f"{k}: {', '.join(sorted(v)) or 'none'}" for k, v in names.items()
                )
                self.add(
                    "L017",
                    nid,
                    path,
                    f"The translations do not use the same {{variables}} ({detail})",
                    "Use the same {variables} in every language.",
                )
        for i, intent in enumerate(self.flow.intents):
            match = _dict(intent.get("match"))
            if intent.get("action") is None or not match:
                continue
            for loc in locales:
                phrases = [p for p in _list(match.get(loc)) if isinstance(p, str) and p.strip()]
                if not phrases:
                    self.add(
                        "L009",
                        None,
                        f"$.intents[{i}].match.{loc}",
                        f"Intent '{intent.get('id')}' has no phrases in '{loc}'",
                        f"Add the words a visitor writing in '{loc}' would use.",
                    )

    # L010 ------------------------------------------------------------------------------------
    def consent(self) -> None:
        f = self.flow
        must = self.must
        consent_vars = {
            str(q.data.get("var")) for q in f.questions if q.data.get("input") == "consent"
        }
        bad = {
            s[0]
            for s, facts in must.items()
            if f.nodes[s[0]].type == "question"
            and f.nodes[s[0]].data.get("personal") is True
            and not _consented(facts, consent_vars)
        }
        for nid in bad:
            self.add(
                "L010",
                nid,
                f.nodes[nid].path,
                f"Personal question {nid} can be reached before the visitor has agreed to the "
                "privacy notice",
                "Ask the consent question first and continue to personal questions only "
                "through a branch where consent is true, e.g. "
                '{"var": "consent", "op": "eq", "value": true}.',
            )

    # L011 ------------------------------------------------------------------------------------
    def retries(self) -> None:
        f = self.flow
        default = f.settings.get("max_retries", 3)
        for q in f.questions:
            limit = q.data.get("max_retries", default)
            ok = isinstance(limit, int) and not isinstance(limit, bool)
            if not ok or not 1 <= limit <= MAX_RETRY_LIMIT:
                self.add(
                    "L011",
                    q.id,
                    f"{q.path}.max_retries",
                    f"{q.id} has no usable retry limit ({limit!r}), so a visitor whose "
                    "answer is not accepted could be asked forever",
                    f"Set max_retries to a number from 1 to {MAX_RETRY_LIMIT} (3 is usual), "
                    "or remove it to use the flow's setting.",
                )
            if "on_max_retries" not in q.data and f.person_node is None:
                self.add(
                    "L011",
                    q.id,
                    q.path,
                    f"{q.id} has nowhere to go after too many invalid answers",
                    "Set settings.person_node to your talk-to-a-person handoff, or give the "
                    "question an on_max_retries target.",
                )
        person = f.nodes.get(f.person_node or "")
        if person is not None and not self._reaches_handoff(person.id):
            self.add(
                "L011",
                person.id,
                "$.settings.person_node",
                f"settings.person_node ({person.id}) does not lead to a handoff, so asking "
                "for a person never reaches one",
                'Point settings.person_node at a handoff node (mode "live" or "queued").',
            )

    def _reaches_handoff(self, start: str) -> bool:
        seen, todo = {start}, [start]
        while todo:
            node = self.flow.nodes[todo.pop()]
            if node.type == "handoff":
                return True
            for target, kind, *_ in _node_edges(self.flow, node):
                if target is not None and kind == "flow" and target not in seen:
                    seen.add(target)
                    todo.append(target)
        return False

    # L012 / L013 -----------------------------------------------------------------------------
    def wording(self) -> None:
        english = [loc for loc in self.flow.locales if loc.split("-")[0] == "en"]
        for nid, path, text in _texts(self.flow):
            for loc, value in _dict(text).items():
                if not isinstance(value, str):
                    continue
                for hit in _advice_hits(value):
                    self.add(
                        "L012",
                        nid,
                        f"{path}.{loc}",
                        f"The '{loc}' text says \"{hit}\", which can read like clinical "
                        "advice or a diagnosis",
                        "Reword it so the assistant informs rather than advises: describe "
                        "what the practice does, and leave assessment to a clinician.",
                    )
                self._readability(nid, f"{path}.{loc}", value, loc in english)

    def _readability(self, nid: str | None, path: str, text: str, english: bool) -> None:
        longest = max((len(s.split()) for s in _sentences(text)), default=0)
        if longest > MAX_SENTENCE_WORDS:
            self.add(
                "L013",
                nid,
                path,
                f"A sentence has {longest} words (aim for at most {MAX_SENTENCE_WORDS})",
                "Split it into shorter sentences.",
            )
        if len(text) > MAX_TEXT_CHARS:
            self.add(
                "L013",
                nid,
                path,
                f"This text is {len(text)} characters long (aim for at most "
                f"{MAX_TEXT_CHARS} in one message)",
                "Split it over two message steps, or cut it down.",
            )
        words = len(re.findall(r"[A-Za-z']+", text))
        if english and words >= GRADE_MIN_WORDS:
            grade = readability_grade(text)
            if grade > MAX_GRADE:
                self.add(
                    "L013",
                    nid,
                    path,
                    f"This text reads at school grade {grade:.0f} (aim for {MAX_GRADE:.0f} "
                    "or below)",
                    "Use shorter sentences and everyday words.",
                )

    # L015 ------------------------------------------------------------------------------------
    def intent_phrases(self) -> None:
        owner: dict[tuple[str, str], str] = {}
        for i, intent in enumerate(self.flow.intents):
            iid = str(intent.get("id"))
            for loc, phrases in _dict(intent.get("match")).items():
                for j, phrase in enumerate(_list(phrases)):
                    if not isinstance(phrase, str):
                        continue
                    key = (loc, " ".join(re.findall(r"\w+", _fold(phrase))))
                    other = owner.setdefault(key, iid)
                    if other != iid:
                        self.add(
                            "L015",
                            None,
                            f"$.intents[{i}].match.{loc}[{j}]",
                            f"The phrase \"{phrase}\" is in both intents '{other}' and "
                            f"'{iid}'; only the first will ever match it",
                            "Keep the phrase in the intent it belongs to and remove it from "
                            "the other.",
                        )

    # L022, L023 -------------------------------------------------------------------------------
    def topic_examples(self) -> None:
        owner: dict[tuple[str, str], str] = {}
        for i, topic in enumerate(_topics(self.flow)):
            tid = str(topic.get("id"))
            examples = _dict(topic.get("examples"))
            for loc in self.flow.locales:
                found = [e for e in _list(examples.get(loc)) if isinstance(e, str) and e.strip()]
                if len(found) < MIN_TOPIC_EXAMPLES:
                    self.add(
                        "L023",
                        None,
                        f"$.topics[{i}].examples",
                        f"Topic '{tid}' has {len(found)} examples in '{loc}' "
                        f"(ordinary wordings need at least {MIN_TOPIC_EXAMPLES})",
                        f"Add questions the way visitors writing in '{loc}' type them: short, "
                        "long, misspelt, without punctuation or accents.",
                    )
                for j, example in enumerate(found):
                    key = (loc, " ".join(re.findall(r"\w+", _fold(example))))
                    other = owner.setdefault(key, tid)
                    if other != tid:
                        self.add(
                            "L022",
                            None,
                            f"$.topics[{i}].examples.{loc}[{j}]",
                            f"The example \"{example}\" is in both topics '{other}' and '{tid}', "
                            "so neither can be told apart by it",
                            "Keep the example in the topic it belongs to and remove it from the "
                            "other.",
                        )

    # L024 ------------------------------------------------------------------------------------
    def topic_ids(self) -> None:
        topics = _topics(self.flow)
        ids = [str(t.get("id")) for t in topics]
        known = set(ids) | {str(i.get("id")) for i in self.flow.intents}
        for i, tid in enumerate(ids):
            if ids.index(tid) != i or tid in ("something_else", "keep_answer"):
                self.add(
                    "L024",
                    None,
                    f"$.topics[{i}].id",
                    f"The topic id '{tid}' is used twice or is one of the engine's own buttons",
                    "Give each topic its own id (not something_else or keep_answer).",
                )
        menu = _list(_dict(self.flow.data.get("settings")).get("topic_menu"))
        refs = [(f"$.settings.topic_menu[{n}]", r) for n, r in enumerate(menu)]
        for i, topic in enumerate(topics):
            refs += [
                (f"$.topics[{i}].related[{n}]", r)
                for n, r in enumerate(_list(topic.get("related")))
            ]
        for path, ref in refs:
            if ref not in known:
                self.add(
                    "L024",
                    None,
                    path,
                    f"'{ref}' is not a topic of this flow",
                    "Use the id of a topic in this file.",
                )

    # L026 / L027 ----------------------------------------------------------------------------
    def questionnaires(self) -> None:
        f = self.flow
        inlined = _dict(f.data.get("instruments"))
        for node in f.nodes.values():
            if node.type != "questionnaire":
                continue
            name = _str(node.data.get("instrument")) or ""
            instrument = _dict(inlined.get(name))
            if not instrument:
                self.add(
                    "L027",
                    node.id,
                    f"{node.path}.instrument",
                    f'{node.id} names the instrument "{name}", which is not installed',
                    "Install it with `intake-chat questionnaire add FILE`, or fix the name.",
                )
                continue
            for finding in lint_instrument(instrument):
                where = f'$.instruments["{name}"]{finding.path[1:]}'
                self.add(finding.code, node.id, where, finding.message, finding.fix)
            missing = [loc for loc in f.locales if loc not in _list(instrument.get("locales"))]
            if missing:
                self.add(
                    "L027",
                    node.id,
                    f"{node.path}.instrument",
                    f'the instrument "{name}" has no wording in {", ".join(missing)}, which this '
                    "flow offers",
                    "Add those languages to the instrument file, or use another instrument.",
                )
            risky = [
                _dict(i).get("id") for i in _list(instrument.get("items")) if _dict(i).get("risk")
            ]
            person = f.nodes.get(f.person_node or "")
            if risky and (person is None or not self._reaches_handoff(person.id)):
                self.add(
                    "L026",
                    node.id,
                    node.path,
                    f"{node.id} asks the risk item {risky[0]}, but the flow has no crisis "
                    "route: the crisis response offers a person, and settings.person_node does "
                    "not lead to a handoff",
                    "Set settings.person_node to your talk-to-a-person handoff.",
                )

    # L016 ------------------------------------------------------------------------------------
    def include_cycles(self) -> None:
        for nid, section in self.graph.include_cycles.items():
            self.add(
                "L016",
                nid,
                f"{self.flow.nodes[nid].path}.section",
                f"{nid} includes section '{section}' while that section is already running, "
                "so it would repeat forever",
                "Use a goto instead, or remove the include from inside the section.",
            )

    # L019 ------------------------------------------------------------------------------------
    def summaries(self) -> None:
        f = self.flow
        for node in f.nodes.values():
            if node.type != "summary":
                continue
            for i, item in enumerate(_list(node.data.get("fields"))):
                var = _str(_dict(item).get("var"))
                if var and var in f.defined_vars and not f.questions_for(var):
                    self.add(
                        "L019",
                        node.id,
                        f"{node.path}.fields[{i}].var",
                        f"The summary offers to change '{var}', but no question asks for it",
                        "Show only answers that a question collects, or add that question.",
                    )

    # L020 ------------------------------------------------------------------------------------
    def conditions(self) -> None:
        f = self.flow
        for node in f.nodes.values():
            if node.type != "branch":
                continue
            for i, case in enumerate(_list(node.data.get("cases"))):
                for atom, path in _condition_atoms(
                    _dict(case).get("when"), f"{node.path}.cases[{i}].when"
                ):
                    for problem in self._impossible(atom):
                        self.add(
                            "L020",
                            node.id,
                            path,
                            problem,
                            "Compare with a value the question can actually store (option "
                            "values for choices, true/false for yes/no and consent).",
                        )

    def _impossible(self, atom: Mapping[str, Any]) -> Iterable[str]:
        f = self.flow
        if "age_of" in atom:
            var = _str(atom.get("age_of")) or ""
            kinds = {str(q.data.get("input")) for q in f.questions_for(var)}
            if kinds and kinds != {"date"}:
                yield f"'age_of' needs a date question, but '{var}' is not asked as a date"
            return
        var, op, value = _str(atom.get("var")) or "", atom.get("op"), atom.get("value")
        questions = f.questions_for(var)
        if not questions or op in ("answered", "not_answered"):
            return
        kinds = {str(q.data.get("input")) for q in questions}
        values = [value] if op in ("eq", "ne") else _list(value) if op in ("in", "not_in") else []
        if kinds <= {"choice", "multi"}:
            allowed = {
                repr(_dict(o).get("value")) for q in questions for o in _list(q.data.get("options"))
            }
            for v in values:
                if repr(v) not in allowed:
                    yield f"'{var}' is never {v!r}: it is not one of the question's option values"
        elif kinds <= {"yesno", "consent"}:
            for v in values:
                if not isinstance(v, bool):
                    yield f"'{var}' is a yes/no answer (true or false), never {v!r}"
        if op in ("lt", "le", "gt", "ge") and kinds <= {
            "choice",
            "multi",
            "yesno",
            "consent",
            "text",
            "email",
            "phone",
        }:
            yield f"'{var}' is not a number or date, so '{op}' cannot compare it"


def _cycles(nodes: set[State], succ: Mapping[State, list[State | None]]) -> list[set[State]]:
    """Strongly connected components of ``nodes`` that contain a cycle (Tarjan, iterative)."""
    index: dict[State, int] = {}
    low: dict[State, int] = {}
    on_stack: set[State] = set()
    stack: list[State] = []
    out: list[set[State]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work: list[tuple[State, Iterator[State | None]]] = [(root, iter(succ.get(root, [])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w is None or w not in nodes:
                    continue
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ.get(w, []))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                comp: set[State] = set()
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.add(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in succ.get(v, []):
                    out.append(comp)
    return out


# ------------------------------------------------------------------------------------------
# Instruments (I001-I004): linted on their own (``intake-chat questionnaire check``) and by the
# loader before a flow may use one.


def lint_instrument(data: Mapping[str, Any]) -> list[Finding]:
    """I001-I004 for one instrument dict (after its schema check); never raises on odd input."""
    if not isinstance(data, Mapping):
        return []
    locales = [x for x in _list(data.get("locales")) if isinstance(x, str)] or ["en"]
    out: list[Finding] = []

    def missing(value: Any) -> list[str]:
        text = _dict(value)
        return [loc for loc in locales if not _str(text.get(loc)) or not text[loc].strip()]

    items = [_dict(i) for i in _list(data.get("items"))]
    seen: set[str] = set()
    for n, item in enumerate(items):
        path = f"$.items[{n}]"
        if item.get("id") in seen:
            out.append(
                _finding(
                    "I001",
                    None,
                    f"{path}.id",
                    f'the item id "{item.get("id")}" is used twice',
                    "Give each item its own id.",
                )
            )
        seen.add(str(item.get("id")))
        if gaps := missing(item.get("text")):
            out.append(
                _finding(
                    "I001",
                    None,
                    f"{path}.text",
                    f"item {item.get('id')} has no wording in {', '.join(gaps)}",
                    "Write the item in every language of the instrument.",
                )
            )
    if not items:
        out.append(
            _finding(
                "I001", None, "$.items", "the instrument has no items", "List the items in order."
            )
        )
    scale = [_dict(o) for o in _list(data.get("scale"))]
    values = [o.get("value") for o in scale]
    if len(set(values)) != len(values):
        out.append(
            _finding(
                "I002",
                None,
                "$.scale",
                "two answer options share a value",
                "Give each option its own value.",
            )
        )
    numeric = all(isinstance(o.get("points"), int) for o in scale)
    points = [int(o["points"]) for o in scale] if numeric else []
    if not numeric or any(a >= b for a, b in zip(points, points[1:], strict=False)):
        out.append(
            _finding(
                "I002",
                None,
                "$.scale",
                "the options' points do not rise from the first option to the last",
                "List the options lowest first, each worth more than the one before.",
            )
        )
    if len(scale) < 2:
        out.append(
            _finding(
                "I002",
                None,
                "$.scale",
                "the scale has fewer than two options",
                "List every answer option.",
            )
        )
    for n, option in enumerate(scale):
        if gaps := missing(option.get("label")):
            out.append(
                _finding(
                    "I002",
                    None,
                    f"$.scale[{n}].label",
                    f"option {option.get('value')} has no label in {', '.join(gaps)}",
                    "Label every option in every language.",
                )
            )
    for key in ("intro", "recall"):
        if gaps := missing(data.get(key)):
            out.append(
                _finding(
                    "I003",
                    None,
                    f"$.{key}",
                    f"the {key} text has no wording in {', '.join(gaps)}",
                    "Write it in every language of the instrument.",
                )
            )
    if numeric and points and items:
        out.extend(_band_findings(data, len(items) * min(points), len(items) * max(points)))
    return out


def _band_findings(data: Mapping[str, Any], low: int, high: int) -> list[Finding]:
    """I004: every total from ``low`` to ``high`` in exactly one band, and no band outside."""
    bands = [_dict(b) for b in _list(data.get("bands"))]
    if not all(isinstance(b.get("min"), int) and isinstance(b.get("max"), int) for b in bands):
        return []  # the schema reports it
    ranges = [(int(b["min"]), int(b["max"]), n) for n, b in enumerate(bands)]
    out: list[Finding] = []
    for a, b, n in ranges:
        if a > b or a < low or b > high:
            out.append(
                _finding(
                    "I004",
                    None,
                    f"$.bands[{n}]",
                    f"the band {a}-{b} lies outside the totals {low}-{high} or runs backwards",
                    f"Keep every band within {low}-{high}, min before max.",
                )
            )
    for total in range(low, high + 1):
        holding = [n for a, b, n in ranges if a <= total <= b]
        if len(holding) != 1:
            what = "no band" if not holding else f"{len(holding)} bands"
            out.append(
                _finding(
                    "I004",
                    None,
                    "$.bands",
                    f"a total of {total} falls in {what}",
                    f"Make the bands cover {low}-{high} with no gap and no overlap.",
                )
            )
            break
    ids = [b.get("id") for b in bands]
    if len(set(ids)) != len(ids):
        out.append(
            _finding("I004", None, "$.bands", "two bands share an id", "Give each band its own id.")
        )
    return out
