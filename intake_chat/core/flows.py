"""Loading flows: syntax errors with line and column, schema errors with JSON path; all at once.

Owns ``Flow`` (the raw dict plus indexes the engine needs). Imports nothing from Flask or the DB.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from . import bundled, instruments, lint
from .answers import pattern_problem
from .errors import FlowError, Problem

SCHEMA_PATH = bundled.flow_schema_path()
SCHEMA_ID = "urn:intake-chat:schema:flow:1"
SKIPPED_FILES = frozenset({"safety.json"})

__all__ = [
    "RESERVED_TOPICS",
    "SCHEMA_ID",
    "SCHEMA_PATH",
    "Flow",
    "check_instrument",
    "consent_vars",
    "load_flow",
    "load_flows",
    "load_instrument",
    "load_schema",
    "parse_flow",
    "parse_json",
    "read_flow_file",
]


@dataclass(frozen=True, eq=False)
class Flow:
    """A checked flow: ``data`` is the file as loaded; the rest are indexes built once at load time.

    Equality and hashing go by ``digest`` so a Flow can key a cache; every field is plain data.
    """

    id: str
    file: str
    data: dict[str, Any]
    digest: str
    locales: tuple[str, ...]
    nodes: dict[str, dict[str, Any]]
    section_of: dict[str, str]
    next_in_section: dict[str, str | None]
    order: tuple[str, ...]
    sections: dict[str, tuple[str, ...]]
    intents: dict[str, dict[str, Any]]
    topics: dict[str, dict[str, Any]]
    question_of_var: dict[str, str]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Flow) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    @property
    def start(self) -> str:
        return str(self.data["start"])

    @property
    def default_locale(self) -> str:
        return self.locales[0]

    @property
    def settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = self.data.get("settings", {})
        return settings

    @property
    def max_retries(self) -> int:
        return int(self.settings.get("max_retries", 3))

    @property
    def person_node(self) -> str | None:
        node = self.settings.get("person_node")
        return str(node) if node is not None else None

    @property
    def messages(self) -> dict[str, dict[str, str]]:
        messages: dict[str, dict[str, str]] = self.data.get("messages", {})
        return messages

    def node(self, node_id: str) -> dict[str, Any]:
        return self.nodes[node_id]

    def following(self, node_id: str) -> str | None:
        """Where a node goes naming no other target: its ``next``, else the section's next."""
        explicit = self.nodes[node_id].get("next")
        if explicit is not None:
            return str(explicit)
        return self.next_in_section[node_id]


# --- reading


class _Object(dict[str, Any]):
    """A JSON object that remembers keys written twice, which ``json`` would silently drop."""

    duplicates: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    seen: list[str] = []
    for key, value in pairs:
        if key in obj:
            seen.append(key)
        obj[key] = value
    if seen:
        obj.duplicates = tuple(seen)
    return obj


def _plain(value: Any, path: str, found: list[tuple[str, str]]) -> Any:
    """Copy ``value`` into plain dicts and lists, noting every object that had a duplicate key."""
    if isinstance(value, dict):
        for key in getattr(value, "duplicates", ()):
            found.append((path, key))
        return {k: _plain(v, _join(path, k), found) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, _join(path, i), found) for i, v in enumerate(value)]
    return value


def read_flow_file(path: str | Path) -> dict[str, Any]:
    """Read one JSON file; a syntax error names the line, the column and shows the line itself."""
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FlowError([Problem(name, "$", "the file does not exist", "check the path")]) from None
    except UnicodeDecodeError as exc:
        problem = Problem(
            name, f"byte {exc.start}", "the file is not UTF-8 text", "save it as UTF-8"
        )
        raise FlowError([problem]) from exc
    except OSError as exc:
        raise FlowError([Problem(name, "$", f"the file cannot be read ({exc.strerror})")]) from exc
    return parse_json(text, name)


def parse_json(text: str, name: str) -> dict[str, Any]:
    """Flow JSON text as plain data; the editor reads uploads and drafts through it too, so a
    syntax error or a duplicate key reads the same everywhere (FlowError with line and column)."""
    try:
        raw = json.loads(text, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        lines = text.splitlines()
        line = lines[exc.lineno - 1] if 0 < exc.lineno <= len(lines) else ""
        shown = line.strip()
        if len(shown) > 120:
            shown = shown[:117] + "..."
        message = f"invalid JSON: {exc.msg}" + (f" in the line `{shown}`" if shown else "")
        problem = Problem(
            name, f"line {exc.lineno}, column {exc.colno}", message, _json_fix(exc.msg)
        )
        raise FlowError([problem]) from exc
    duplicates: list[tuple[str, str]] = []
    data = _plain(raw, "$", duplicates)
    if duplicates:
        raise FlowError(
            [
                Problem(
                    name,
                    path,
                    f'the key "{key}" is written twice in this object',
                    "keep one; JSON would silently use the last",
                )
                for path, key in duplicates
            ]
        )
    if not isinstance(data, dict):
        found = _describe(data)
        raise FlowError([Problem(name, "$", f"expected a JSON object {{...}}, found {found}")])
    return data


def _json_fix(msg: str) -> str:
    if "delimiter" in msg:
        return "look for a missing comma between items, or an extra one before } or ]"
    if "Expecting property name" in msg:
        return 'keys need double quotes ("key"), and there may be a comma too many before }'
    if "Invalid control character" in msg:
        return r"a string cannot span lines; write \n for a line break"
    if "Unterminated string" in msg:
        return "close the string with a double quote"
    return "compare the line with the JSON around it"


# --- schema


@cache
def load_schema() -> dict[str, Any]:
    """The flow JSON Schema, read once per process."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@cache
def _validator() -> Draft202012Validator:
    # Compiled once: building the validator costs more than most flows take to check.
    return Draft202012Validator(load_schema())


def _sort_key(error: ValidationError) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in error.absolute_path)


def schema_problems(
    data: Any, file: str, validator: Draft202012Validator | None = None
) -> list[Problem]:
    """Every schema error in ``data``, sorted by JSON path, as fixable problems; ``validator``
    is the flow schema's unless another schema (an instrument's) is given."""
    errors = sorted((validator or _validator()).iter_errors(data), key=_sort_key)
    problems: list[Problem] = []
    for error in errors:
        problem = _translate(error, file)
        if problem not in problems:
            problems.append(problem)
    return problems


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _join(path: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    if _IDENT.match(part):
        return f"{path}.{part}"
    return f"{path}[{json.dumps(part)}]"


def json_path(parts: Iterable[str | int]) -> str:
    """``["sections", "main", "nodes", 3]`` → ``$.sections.main.nodes[3]``."""
    path = "$"
    for part in parts:
        path = _join(path, part)
    return path


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {json.dumps(shown, ensure_ascii=False)}" if value else "empty text"
    if isinstance(value, list):
        return (
            f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
            if value
            else "an empty list"
        )
    if isinstance(value, dict):
        if not value:
            return "an empty object"
        keys = ", ".join(sorted(value)[:6])
        return f"an object with keys {keys}"
    return type(value).__name__


_TYPE_NAMES = {
    "string": "text",
    "object": "an object {...}",
    "array": "a list [...]",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def _resolve(schema: Any) -> dict[str, Any]:
    """Follow one local ``$ref`` so messages can quote the target's description."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        ref: str = schema["$ref"]
        if ref.startswith("#/$defs/"):
            target: dict[str, Any] = load_schema()["$defs"].get(ref.removeprefix("#/$defs/"), {})
            return target
    return schema if isinstance(schema, dict) else {}


def _hint(schema: Any) -> str:
    return str(_resolve(schema).get("description", ""))


def _close(word: str, choices: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return match[0] if match else None


def _translate(error: ValidationError, file: str) -> Problem:
    path = json_path(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if "propertyNames" in error.schema_path:
        return _bad_key(error, file, path)
    handler = _HANDLERS.get(str(error.validator), _generic)
    message, fix = handler(error, schema)
    return Problem(file, path, message, fix)


def _bad_key(error: ValidationError, file: str, path: str) -> Problem:
    key = error.instance
    hint = str(error.schema.get("description", "")) if isinstance(error.schema, dict) else ""
    message = f"the key {json.dumps(key, ensure_ascii=False)} is not allowed here"
    return Problem(
        file, path, message, f"use {hint[0].lower() + hint[1:]}" if hint else "rename it"
    )


def _type(error: ValidationError, schema: dict[str, Any]) -> tuple[str, str]:
    wanted = schema.get("type")
    names = [wanted] if isinstance(wanted, str) else list(wanted or [])
    expected = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
    hint = schema.get("description", "")
    fix = hint or f"write {expected} here"
    return f"expected {expected}, found {_describe(error.instance)}", fix


def _required(error: ValidationError, schema: dict[str, Any]) -> tuple[str, str]:
    instance = error.instance if isinstance(error.instance, dict) else {}
    missing = [k for k in schema.get("required", []) if k not in instance]
    key = missing[0] if missing else str(error.message).split("'")[1]
    description = str(schema.get("description", ""))
    if description.startswith("A condition") and not set(instance) & {
        "var",
        "age_of",
        "all",
        "any",
        "not",
    }:
        return f"expected a condition, found {_describe(error.instance)}", description
    hint = _hint(schema.get("properties", {}).get(key, {}))
    fix = f'add "{key}"' + (f" ({hint[0].lower() + hint[1:]})" if hint else "")
    return f'missing the key "{key}"', fix


def _additional(error: ValidationError, schema: dict[str, Any]) -> tuple[str, str]:
    allowed = list(schema.get("properties", {}))
    instance = error.instance if isinstance(error.instance, dict) else {}
    extras = [k for k in instance if k not in allowed]
    parts = []
    for key in extras:
        guess = _close(key, allowed)
        parts.append(f'"{key}"' + (f' (did you mean "{guess}"?)' if guess else ""))
    kind = f" of a {instance['type']} node" if isinstance(instance.get("type"), str) else ""
    message = f"unknown key{'s' if len(extras) != 1 else ''} {', '.join(parts)}"
    return message, f"remove or rename it; the allowed keys{kind} are: {', '.join(allowed)}"


def _enum(error: ValidationError, schema: dict[str, Any]) -> tuple[str, str]:
    options = [str(v) for v in schema.get("enum", [])]
    expected = "one of " + ", ".join(json.dumps(o) for o in options)
    guess = _close(str(error.instance), options) if isinstance(error.instance, str) else None
    fix = f'did you mean "{guess}"?' if guess else str(schema.get("description", f"use {expected}"))
    return f"expected {expected}, found {_describe(error.instance)}", fix


def _const(error: ValidationError, schema: dict[str, Any]) -> tuple[str, str]:
    expected = json.dumps(schema.get("const"))
    fix = str(schema.get("description", f"write {expected}"))
    return f"expected {expected}, found {_describe(error.instance)}", fix


def _pattern(error: ValidationError, schema: dict[str, Any]) -> tuple[str, str]:
    hint = str(schema.get("description", ""))
    what = hint.split(":")[0].lower() if hint else f"text matching {schema.get('pattern')}"
    return f"expected {what}, found {_describe(error.instance)}", hint or "change the text"


def _bound(error: ValidationError, schema: dict[str, Any]) -> tuple[str, str]:
    validator = str(error.validator)
    limit = error.validator_value
    words = {
        "minimum": f"at least {limit}",
        "maximum": f"at most {limit}",
        "minItems": f"at least {limit} item{'s' if limit != 1 else ''}",
        "maxItems": f"at most {limit} items",
        "minLength": f"at least {limit} character{'s' if limit != 1 else ''}",
        "maxLength": f"at most {limit} characters",
        "minProperties": f"at least {limit} entr{'ies' if limit != 1 else 'y'}",
    }
    expected = words.get(validator, f"{validator} {limit}")
    fix = str(schema.get("description", "")) or f"make it {expected}"
    return f"expected {expected}, found {_describe(error.instance)}", fix


def _unique(error: ValidationError, schema: dict[str, Any]) -> tuple[str, str]:
    return "expected every item once, found a repeated item", "remove the repeated item"


def _not(error: ValidationError, schema: dict[str, Any]) -> tuple[str, str]:
    hint = str(schema.get("description", "")) or "this combination of keys is not allowed"
    return hint[0].lower() + hint[1:], "remove the key that does not belong"


def _any_of(error: ValidationError, schema: dict[str, Any]) -> tuple[str, str]:
    hint = str(schema.get("description", "")) or "a different value"
    return f"expected {hint[0].lower() + hint[1:]}, found {_describe(error.instance)}", hint


def _generic(error: ValidationError, schema: dict[str, Any]) -> tuple[str, str]:
    return str(error.message), str(schema.get("description", ""))


_HANDLERS = {
    "type": _type,
    "required": _required,
    "additionalProperties": _additional,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "minimum": _bound,
    "maximum": _bound,
    "minItems": _bound,
    "maxItems": _bound,
    "minLength": _bound,
    "maxLength": _bound,
    "minProperties": _bound,
    "uniqueItems": _unique,
    "not": _not,
    "anyOf": _any_of,
}


# --- references


def iter_nodes(data: dict[str, Any]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(section name, index, node) for every node, in file order."""
    for section, body in data.get("sections", {}).items():
        for index, node in enumerate(body.get("nodes", [])):
            yield section, index, node


def node_targets(node: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(JSON path below the node, node id) for every node id a node names."""
    for key in ("next", "target", "default", "on_max_retries"):
        if isinstance(node.get(key), str):
            yield f".{key}", node[key]
    for index, option in enumerate(node.get("options", [])):
        if isinstance(option.get("next"), str):
            yield f".options[{index}].next", option["next"]
    for index, case in enumerate(node.get("cases", [])):
        if isinstance(case.get("next"), str):
            yield f".cases[{index}].next", case["next"]


_PATTERN_FIX = "write a simpler regular expression; see docs/flow-format.md, question node"


def reference_problems(data: dict[str, Any], file: str) -> list[Problem]:
    """Ids the engine would trip over: duplicates, and nodes or sections that do not exist.

    Only for a schema-valid dict. The linter reports the same with codes; the loader refuses them so
    the engine can index without checks.
    """
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for section, index, node in iter_nodes(data):
        path = f"$.sections.{section}.nodes[{index}]"
        if node["id"] in seen:
            problems.append(
                Problem(
                    file,
                    f"{path}.id",
                    f'the node id "{node["id"]}" is used twice (first at {seen[node["id"]]})',
                    "give each node its own id",
                )
            )
        else:
            seen[node["id"]] = path
    ids = set(seen)

    def check(path: str, target: str, what: str) -> None:
        if target not in ids:
            guess = _close(target, ids)
            fix = f'did you mean "{guess}"?' if guess else "use the id of a node in this file"
            problems.append(Problem(file, path, f'{what} "{target}" does not exist', fix))

    check("$.start", data["start"], "the start node")
    person = data.get("settings", {}).get("person_node")
    if person is not None:
        check("$.settings.person_node", person, "the person node")
    for section, index, node in iter_nodes(data):
        path = f"$.sections.{section}.nodes[{index}]"
        for suffix, target in node_targets(node):
            check(path + suffix, target, "the node")
        pattern = node.get("validation", {}).get("pattern")
        if isinstance(pattern, str) and (reason := pattern_problem(pattern)):
            problems.append(Problem(file, f"{path}.validation.pattern", reason, _PATTERN_FIX))
        if node["type"] == "include" and node["section"] not in data["sections"]:
            guess = _close(node["section"], data["sections"])
            fix = f'did you mean "{guess}"?' if guess else "name a section of this file"
            problems.append(
                Problem(
                    file, f"{path}.section", f'the section "{node["section"]}" does not exist', fix
                )
            )
    intent_ids: set[str] = set()
    for index, intent in enumerate(data.get("intents", [])):
        path = f"$.intents[{index}]"
        if intent["id"] in intent_ids:
            problems.append(
                Problem(
                    file,
                    f"{path}.id",
                    f'the intent id "{intent["id"]}" is used twice',
                    "give each intent its own id",
                )
            )
        intent_ids.add(intent["id"])
        if "target" in intent:
            check(f"{path}.target", intent["target"], "the intent target")
        if intent["action"] == "handoff" and person is None:
            problems.append(
                Problem(
                    file,
                    f"{path}.action",
                    "a handoff intent needs settings.person_node",
                    'add "settings": {"person_node": "<id of a handoff node>"}',
                )
            )
    problems.extend(_topic_problems(data, file, person is not None))
    return problems


def _topic_problems(data: dict[str, Any], file: str, has_person: bool) -> list[Problem]:
    """Topic ids used twice, related topics or menu entries that do not exist, a handoff topic
    without a person node: the engine would trip over each."""
    problems: list[Problem] = []
    topics = data.get("topics", [])
    ids = [topic["id"] for topic in topics]
    known = set(ids) | {intent["id"] for intent in data.get("intents", [])}
    for index, topic in enumerate(topics):
        path = f"$.topics[{index}]"
        if ids.index(topic["id"]) != index or topic["id"] in RESERVED_TOPICS:
            problems.append(
                Problem(file, f"{path}.id", f'the topic id "{topic["id"]}" is taken', _ID_FIX)
            )
        for n, related in enumerate(topic.get("related", [])):
            if related not in known:
                problems.append(
                    Problem(file, f"{path}.related[{n}]", f'no topic "{related}"', _TOPIC_FIX)
                )
        if topic.get("action") == "handoff" and not has_person:
            problems.append(
                Problem(
                    file,
                    f"{path}.action",
                    "a handoff topic needs settings.person_node",
                    'add "settings": {"person_node": "<id of a handoff node>"}',
                )
            )
    for n, entry in enumerate(data.get("settings", {}).get("topic_menu", [])):
        if entry not in known:
            problems.append(
                Problem(file, f"$.settings.topic_menu[{n}]", f'no topic "{entry}"', _TOPIC_FIX)
            )
    return problems


# Button ids of the engine's own "did you mean" and fallback offers; no topic may take them.
RESERVED_TOPICS = frozenset({"something_else", "keep_answer"})
_ID_FIX = "give each topic its own id (not something_else or keep_answer)"
_TOPIC_FIX = "use the id of a topic in this file"


# --- building


def canonical_digest(data: dict[str, Any]) -> str:
    """sha256 of canonical JSON: the same content, however formatted, gives the same digest."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_flow(data: Any, file: str = "<flow>", instrument_dirs: Sequence[str | Path] = ()) -> Flow:
    """Check ``data`` against schema and ids, copy in the instruments its questionnaires name
    (from ``instrument_dirs``, then the shipped ones), then index it; FlowError lists all
    problems."""
    problems = schema_problems(data, file)
    if problems:
        raise FlowError(problems)
    problems = reference_problems(data, file)
    if problems:
        raise FlowError(problems)
    return _build(with_instruments(data, file, instrument_dirs), file)


# --- instruments (docs/questionnaires.md)


@cache
def _instrument_validator() -> Draft202012Validator:
    schema = json.loads(bundled.instrument_schema_path().read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def check_instrument(data: Any, file: str) -> list[Problem]:
    """Schema problems, then the linter's errors (I001-I004): an instrument with any of them is
    never used, since a gap in its bands or scale would give staff a wrong picture."""
    problems = schema_problems(data, file, _instrument_validator())
    if problems:
        return problems
    return [
        Problem(file, finding.path, f"{finding.code} {finding.message}", finding.fix)
        for finding in lint.lint_instrument(data)
        if finding.severity == "error"
    ]


def load_instrument(path: str | Path) -> dict[str, Any]:
    """Read and check one instrument file; FlowError lists every problem."""
    data = read_flow_file(path)
    problems = check_instrument(data, str(path))
    if problems:
        raise FlowError(problems)
    return data


def with_instruments(
    data: dict[str, Any], file: str, instrument_dirs: Sequence[str | Path] = ()
) -> dict[str, Any]:
    """``data`` with every instrument its questionnaires name under ``instruments``. One already
    there is kept (a stored version keeps the wording it was published with); the others are
    read from ``instrument_dirs``, then the shipped folder."""
    inlined = dict(data.get("instruments", {}))
    folders = [*map(Path, instrument_dirs), bundled.instruments_dir()]
    problems: list[Problem] = []
    for section, index, node in iter_nodes(data):
        if node["type"] != "questionnaire":
            continue
        path = f"$.sections.{section}.nodes[{index}].instrument"
        name = node["instrument"]
        if name not in inlined:
            found = instruments.find_instrument(name, folders)
            if found is None:
                fix = "install it with `intake-chat questionnaire add FILE`, or fix the name"
                problems.append(Problem(file, path, f'no instrument "{name}" is installed', fix))
                continue
            try:
                inlined[name] = load_instrument(found)
            except FlowError as exc:
                problems.extend(exc.problems)
                continue
        else:
            problems.extend(check_instrument(inlined[name], f"{file} $.instruments.{name}"))
        missing = [loc for loc in data["locales"] if loc not in inlined[name]["locales"]]
        if missing:
            problems.append(
                Problem(
                    file,
                    path,
                    f'the instrument "{name}" has no wording in {", ".join(missing)}',
                    "add those languages to the instrument file",
                )
            )
    if problems:
        raise FlowError(problems)
    return {**data, "instruments": inlined} if inlined else data


def with_found_instruments(
    data: dict[str, Any], instrument_dirs: Sequence[str | Path] = ()
) -> dict[str, Any]:
    """For the linter: ``data`` with every instrument that can be found and read copied in,
    checked or not (the linter reports what is wrong with one, and L027 for one not found)."""
    if not isinstance(data, dict) or not isinstance(data.get("sections"), dict):
        return data
    inlined = dict(data.get("instruments") or {})
    folders = [*map(Path, instrument_dirs), bundled.instruments_dir()]
    for _section, _index, node in iter_nodes(data):
        name = node.get("instrument") if isinstance(node, dict) else None
        if node.get("type") != "questionnaire" or not isinstance(name, str) or name in inlined:
            continue
        found = instruments.find_instrument(name, folders)
        if found is not None:
            try:
                inlined[name] = read_flow_file(found)
            except FlowError:
                continue  # L027 names it as missing; `questionnaire check` says why
    return {**data, "instruments": inlined} if inlined else data


def _item_nodes(node: dict[str, Any], instrument: dict[str, Any]) -> list[dict[str, Any]]:
    """A questionnaire's items as the choice questions the engine asks, one at a time: so skip,
    back, resume, topics and retries work as on any question. Never in the file."""
    options = [{"value": o["value"], "label": o["label"]} for o in instrument["scale"]]
    return [
        {
            "id": instruments.answer_key(node["id"], item["id"]),
            "type": "question",
            "input": "choice",
            "var": instruments.answer_key(node["id"], item["id"]),
            "text": item["text"],
            "notice": instrument["recall"],
            "options": options,
            "required": bool(node.get("required", False)),
            "questionnaire": node["id"],
            "risk": bool(item.get("risk", False)),
        }
        for item in instrument["items"]
    ]


def _build(data: dict[str, Any], file: str) -> Flow:
    nodes: dict[str, dict[str, Any]] = {}
    section_of: dict[str, str] = {}
    next_in_section: dict[str, str | None] = {}
    sections: dict[str, tuple[str, ...]] = {}
    question_of_var: dict[str, str] = {}
    asked: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for name, body in data["sections"].items():
        ids = tuple(node["id"] for node in body["nodes"])
        sections[name] = ids
        for position, node in enumerate(body["nodes"]):
            nodes[node["id"]] = node
            section_of[node["id"]] = name
            next_in_section[node["id"]] = ids[position + 1] if position + 1 < len(ids) else None
            if node["type"] == "question":
                question_of_var.setdefault(node["var"], node["id"])
            elif node["type"] == "questionnaire":
                asked.append((node, _item_nodes(node, data["instruments"][node["instrument"]])))
    for node, items in asked:
        after = node.get("next", next_in_section[node["id"]])
        for position, item in enumerate(items):
            nodes[item["id"]] = item
            section_of[item["id"]] = section_of[node["id"]]
            next_in_section[item["id"]] = (
                items[position + 1]["id"] if position + 1 < len(items) else after
            )
            question_of_var.setdefault(item["var"], item["id"])
    return Flow(
        id=data["id"],
        file=file,
        data=data,
        digest=canonical_digest(data),
        locales=tuple(data["locales"]),
        nodes=nodes,
        section_of=section_of,
        next_in_section=next_in_section,
        order=tuple(nodes),
        sections=sections,
        intents={intent["id"]: intent for intent in data.get("intents", [])},
        topics={topic["id"]: topic for topic in data.get("topics", [])},
        question_of_var=question_of_var,
    )


def load_flow(path: str | Path) -> Flow:
    """Read, check and index one flow file; its questionnaires find their instruments in the
    ``instruments/`` folder beside it, then among the shipped ones."""
    path = Path(path)
    return parse_flow(read_flow_file(path), str(path), [path.parent / "instruments"])


def flow_files(directory: str | Path) -> list[Path]:
    """A folder's ``*.json`` files except the safety rules (the schema sits in a subfolder)."""
    return sorted(p for p in Path(directory).glob("*.json") if p.name not in SKIPPED_FILES)


def load_flows(directory: str | Path) -> dict[str, Flow]:
    """Every flow of a folder by id; problems of all files are reported together."""
    flows: dict[str, Flow] = {}
    problems: list[Problem] = []
    for path in flow_files(directory):
        try:
            flow = load_flow(path)
        except FlowError as exc:
            problems.extend(exc.problems)
            continue
        if flow.id in flows:
            problems.append(
                Problem(
                    str(path),
                    "$.id",
                    f'the flow id "{flow.id}" is also used by {flows[flow.id].file}',
                    "give each flow file its own id",
                )
            )
            continue
        flows[flow.id] = flow
    if problems:
        raise FlowError(problems)
    return flows


@lru_cache(maxsize=32)
def consent_vars(flow: Flow) -> frozenset[str]:
    """The variables of a flow's consent questions (what consent given or declined is read from)."""
    return frozenset(
        node["var"]
        for node in flow.nodes.values()
        if node["type"] == "question" and node["input"] == "consent"
    )
