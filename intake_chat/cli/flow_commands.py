"""``intake-chat flow …``: check and draw flow files; export and import the database's flows."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..app import publishing
from ..core.errors import EditRefused, FlowError, Problem
from ..core.flows import (
    load_flow,
    load_flows,
    read_flow_file,
    schema_problems,
    with_found_instruments,
)
from ..core.graph import to_mermaid
from ..core.lint import Finding, Severity, lint
from ..core.topic_eval import Thresholds, evaluate, failures, format_report, parse_cases
from ..core.topics import overlap
from ..safety.detection import check_rules_file
from .db_commands import open_database

SAFETY_FILE = "safety.json"


@click.group("flow")
def group() -> None:
    """Check, draw and manage conversation flows."""


@group.command("check")
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json gives one object for scripts and editors.",
)
@click.option(
    "--base",
    type=click.Path(exists=True, dir_okay=False),
    help="The published version of the one flow FILE: also warn (L025) where one language's "
    "text changed since it and another's did not.",
)
def check(files: tuple[str, ...], fmt: str, base: str | None) -> None:
    """Check flow files (and the safety rules file) for mistakes.

    FILES may include folders: every *.json directly inside is checked. Reports JSON syntax and
    schema errors first; when a file matches the schema, runs the linter (codes in
    docs/lint-codes.md). Exits 1 if any file has an error, 0 if there are only warnings.
    """
    paths = _expand(files)
    if base is not None and len(paths) != 1:
        raise click.UsageError("--base compares one flow file with its published version")
    try:
        base_data = read_flow_file(base) if base is not None else None
    except FlowError as exc:
        _fail(exc.problems)
    results = [(str(path), check_file(path, base_data)) for path in paths]
    errors = sum(f.severity == "error" for _, found in results for f in found)
    warnings = sum(f.severity == "warning" for _, found in results for f in found)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "files": [name for name, _ in results],
                    "findings": [
                        {"file": name, **f.to_dict()} for name, found in results for f in found
                    ],
                    "errors": errors,
                    "warnings": warnings,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for name, found in results:
            for f in found:
                tail = f" — {f.fix}" if f.fix else ""
                click.echo(f"{name}: {f.code} {f.severity} [{f.where}]: {f.message}{tail}")
        click.echo(
            f"{_plural(len(results), 'file')} checked: {_plural(errors, 'error')}, "
            f"{_plural(warnings, 'warning')}"
        )
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


@group.command("test")
@click.argument("flow_file")
@click.option("--tests", "tests_file", required=True, help="Labelled lines (JSON Lines).")
@click.option("--min-topic", type=float, help="Least share of questions answered on topic.")
@click.option("--max-taken", type=float, help="Largest share of questions taken as an answer.")
@click.option("--min-answers", type=float, help="Least share of real answers kept as answers.")
@click.option("--max-negations", type=int, help="Most negated actions that may run.")
@click.option("--min-f1", type=float, help="Least macro F1 over the topics.")
@click.option("--summary", is_flag=True, help="Print the rates only (no per-topic table).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def test_flow(
    flow_file: str,
    tests_file: str,
    min_topic: float | None,
    max_taken: float | None,
    min_answers: float | None,
    max_negations: int | None,
    min_f1: float | None,
    summary: bool,
    as_json: bool,
) -> None:
    """Type every line of a test file at its step through the real engine and score the result.

    Like ``rasa test nlu``: per-topic precision, recall and F1, the confusions, and what happened
    to each kind of line. Exits 1 when a threshold is missed or the test file shares a line with
    the flow's examples (a test must not be learnt by heart).
    """
    try:
        flow = load_flow(flow_file)
        cases = parse_cases(Path(tests_file).read_text(encoding="utf-8").splitlines())
    except FlowError as exc:
        _fail(exc.problems)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{tests_file}: {exc}") from exc
    shared = overlap(flow, [c.text for c in cases])
    report = evaluate(flow, cases)
    bar = Thresholds(min_topic, max_taken, min_answers, max_negations, min_f1)
    missed = failures(report, bar)
    if shared:
        missed.append(f"{len(shared)} test lines are also examples of the flow (T001)")
    if as_json:
        click.echo(json.dumps({**report.to_dict(), "failures": missed}, ensure_ascii=False))
    else:
        text = format_report(report)
        click.echo(_shown(text, summary))
        for line in missed:
            click.echo(f"FAIL {line}")
    if missed:
        raise SystemExit(1)


def _shown(text: str, summary: bool) -> str:
    """The summary is the outcome counts and the rates: the first lines of the report."""
    if not summary:
        return text
    lines = text.splitlines()
    cut = next(i for i, line in enumerate(lines) if line.startswith("topic "))
    return "\n".join(lines[:cut])


def _expand(names: Iterable[str]) -> list[Path]:
    """Files as given; a folder stands for the JSON files directly in it (not the schema folder)."""
    out: list[Path] = []
    for name in names:
        path = Path(name)
        out.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return out


def check_file(path: Path, base: dict[str, Any] | None = None) -> list[Finding]:
    """Every finding for one file: unreadable or schema-invalid files stop before the linter.
    ``base``: the published version, for L025."""
    try:
        data = read_flow_file(path)
    except FlowError as exc:
        return [_from_problem(p, "F001") for p in exc.problems]
    if is_safety_file(path, data):
        return check_safety_file(path)
    problems = schema_problems(data, str(path))
    if problems:
        return [_from_problem(p, "F002") for p in problems]
    return lint(with_found_instruments(data, [path.parent / "instruments"]), str(path), base)


def is_safety_file(path: Path, data: dict[str, Any]) -> bool:
    schema = data.get("$schema")
    return path.name == SAFETY_FILE or (isinstance(schema, str) and "safety" in schema)


def check_safety_file(path: Path) -> list[Finding]:
    """The safety rules have their own schema and checks, owned by ``safety.detection``."""
    try:
        found = check_rules_file(str(path))
    except FlowError as exc:
        return [_from_problem(p, "F002") for p in exc.problems]
    return [_adapt(item) for item in found]


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
    return Finding(
        str(get("code", "S000")),
        severity,
        str(node) if node else None,
        str(get("path", "$")),
        str(get("message", item)),
        str(get("fix", "")),
    )


def _from_problem(problem: Problem, code: str) -> Finding:
    return Finding(code, "error", None, problem.path, problem.message, problem.fix)


def _fail(problems: list[Problem]) -> None:
    for p in problems:
        click.echo(str(p), err=True)
    raise SystemExit(1)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --- the database's flows (flow editor): export and import ----------------------------------


@group.command("export")
@click.argument("flow_id")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--draft", is_flag=True, help="The working draft instead of the live version.")
@click.option("--version", "number", type=int, help="Published version N instead of the live one.")
def export_flow(flow_id: str, file: str, draft: bool, number: int | None) -> None:
    """Write a flow from the database to FILE ('-': standard output), ready for version control
    and for 'intake-chat flow check'."""
    with _flow_database() as db:
        try:
            text = publishing.export_document(db, flow_id, draft=draft, number=number)
        except EditRefused as exc:
            raise click.ClickException(exc.message) from exc
    if file == "-":
        click.echo(text, nl=False)
        return
    Path(file).write_text(text, encoding="utf-8")
    what = "the draft" if draft else f"version {number}" if number else "the live version"
    click.echo(f"Wrote {what} of {flow_id} to {file}.", err=True)


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_flow(file: str) -> None:
    """Put FILE into its flow's draft in the database (a new id starts a new flow). The file must
    pass 'intake-chat flow check'; it goes live after review and publishing in the console."""
    try:
        data = read_flow_file(file)
    except FlowError as exc:
        _fail(exc.problems)
    with _flow_database() as db:
        try:
            draft = publishing.import_flow(
                db, data, actor=publishing.Actor("cli", "command line"), file=file
            )
        except EditRefused as exc:
            for f in exc.detail.get("findings", {}).get("findings", []):  # type: ignore[attr-defined]
                click.echo(
                    f"{file}: {f['code']} {f['severity']} [{f['node'] or f['path']}]: "
                    f"{f['message']} — {f['fix']}",
                    err=True,
                )
            raise click.ClickException(exc.message) from exc
    click.echo(
        f"Imported {file} into the draft of {draft.flow_id} (revision {draft.revision}). "
        f"Review and publish it in the console: /staff/flows/{draft.flow_id}/review"
    )


@contextmanager
def _flow_database() -> Iterator[Any]:
    """The server's database, with the shipped flows published first on a fresh install (the same
    rule the server applies at start-up)."""
    db, config = open_database()
    try:
        try:
            publishing.seed_database(db, load_flows(config.flows_dir))
        except FlowError as exc:
            click.echo(f"note: the shipped flows were not loaded ({exc.problems[0]})", err=True)
        yield db
    finally:
        db.dispose()
