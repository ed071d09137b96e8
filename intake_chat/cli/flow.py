"""``intake-chat flow …``: check and draw flow files."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from ..errors import FlowError, Problem
from ..flows import read_flow_file, schema_problems
from ..graph import to_mermaid
from ..lint import Finding, Severity, lint

SAFETY_FILE = "safety.json"


@click.group("flow")
def group() -> None:
    """Check, draw and manage conversation flows."""


@group.command("check")
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json gives one object for scripts and editors.")
def check(files: tuple[str, ...], fmt: str) -> None:
    """Check flow files (and the safety rules file) for mistakes.

    FILES may include folders: every *.json directly inside is checked. Reports JSON syntax and
    schema errors first; when a file matches the schema, runs the linter (codes in
    docs/lint-codes.md). Exits 1 if any file has an error, 0 if there are only warnings.
    """
    results = [(str(path), check_file(path)) for path in _expand(files)]
    errors = sum(f.severity == "error" for _, found in results for f in found)
    warnings = sum(f.severity == "warning" for _, found in results for f in found)
    if fmt == "json":
        click.echo(json.dumps({
            "files": [name for name, _ in results],
            "findings": [{"file": name, **f.to_dict()} for name, found in results for f in found],
            "errors": errors,
            "warnings": warnings,
        }, indent=2, ensure_ascii=False))
    else:
        for name, found in results:
            for f in found:
                tail = f" — {f.fix}" if f.fix else ""
                click.echo(f"{name}: {f.code} {f.severity} [{f.where}]: {f.message}{tail}")
        click.echo(f"{_plural(len(results), 'file')} checked: {_plural(errors, 'error')}, "
                   f"{_plural(warnings, 'warning')}")
    if errors:
        raise SystemExit(1)


@group.command("graph")
@click.argument("file")
@click.option("--locale", help="Language of the labels (default: the flow's first locale).")
def graph(file: str, locale: str | None) -> None:
    """Print the flow as a Mermaid diagram (paste it into any Mermaid viewer)."""
    try:
        data = read_flow_file(file)
    except FlowError as exc:
        _fail(exc.problems)
    problems = schema_problems(data, file)
    if problems:
        _fail(problems)
    click.echo(to_mermaid(data, locale), nl=False)


def _expand(names: Iterable[str]) -> list[Path]:
    """Files as given; a folder stands for the JSON files directly in it (not the schema folder)."""
    out: list[Path] = []
    for name in names:
        path = Path(name)
        out.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return out


def check_file(path: Path) -> list[Finding]:
    """Every finding for one file: unreadable or schema-invalid files stop before the linter."""
    try:
        data = read_flow_file(path)
    except FlowError as exc:
        return [_from_problem(p, "F001") for p in exc.problems]
    if is_safety_file(path, data):
        return check_safety_file(path)
    problems = schema_problems(data, str(path))
    if problems:
        return [_from_problem(p, "F002") for p in problems]
    return lint(data, str(path))


def is_safety_file(path: Path, data: dict[str, Any]) -> bool:
    schema = data.get("$schema")
    return path.name == SAFETY_FILE or (isinstance(schema, str) and "safety" in schema)


def check_safety_file(path: Path) -> list[Finding]:
    """The safety rules have their own schema and checks, owned by ``intake_chat.safety``."""
    checker = _safety_checker()
    if checker is None:
        return [Finding("F003", "error", None, "$",
                        "This looks like a safety rules file, but this version cannot check those",
                        "Update intake-chat, or check the file with the safety tools.")]
    try:
        found = checker(str(path))
    except FlowError as exc:
        return [_from_problem(p, "F002") for p in exc.problems]
    return [_adapt(item) for item in found]


def _safety_checker() -> Callable[[str], Iterable[Any]] | None:
    try:
        from .. import safety  # type: ignore[attr-defined,unused-ignore]
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__.rpartition('.')[0]}.safety":
            raise  # the module exists but is broken: say so rather than hide it
        return None
    checker = getattr(safety, "check_rules_file", None)
    return checker if callable(checker) else None


def _adapt(item: Any) -> Finding:
    """Turn whatever the safety checker reports (Finding, Problem, dict) into a Finding."""
    if isinstance(item, Finding):
        return item
    if isinstance(item, Problem):
        return _from_problem(item, "S000")

    def get(key: str, default: Any) -> Any:
        value = item.get(key, default) if isinstance(item, dict) else getattr(item, key, default)
        return default if value is None else value

    severity: Severity = "warning" if get("severity", "error") == "warning" else "error"
    node = get("node", "") or get("rule", "") or None
    return Finding(str(get("code", "S000")), severity, str(node) if node else None,
                   str(get("path", "$")), str(get("message", item)), str(get("fix", "")))


def _from_problem(problem: Problem, code: str) -> Finding:
    return Finding(code, "error", None, problem.path, problem.message, problem.fix)


def _fail(problems: list[Problem]) -> None:
    for p in problems:
        click.echo(str(p), err=True)
    raise SystemExit(1)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
