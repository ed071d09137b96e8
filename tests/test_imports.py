"""The pure modules import nothing from Flask, flask-sock, SQLAlchemy or the service layers,
directly or through another module of the package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "intake_chat"
PURE = (
    "flows", "textfmt", "answers", "engine", "lint", "graph", "safety", "protocol",
    "normalize", "safety_rules", "safety_floor", "safety_tripwire", "safety_eval", "flowdiff",
    "passwords",
    "referral_view", "handoff", "handoff_text", "widget_text",
)
FORBIDDEN = (
    "flask",
    "flask_sock",
    "sqlalchemy",
    "intake_chat.storage",
    "intake_chat.service",
    "intake_chat.chat",
)


def module_file(name: str) -> Path | None:
    for candidate in (PACKAGE / f"{name}.py", PACKAGE / name / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def imports_of(path: Path, package: str = "intake_chat") -> set[str]:
    """Absolute names of every module ``path`` imports, anywhere in the file, not only on top."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = f"{package}.{base}".rstrip(".")
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def is_forbidden(name: str) -> bool:
    return any(name == bad or name.startswith(f"{bad}.") for bad in FORBIDDEN)


def reachable(start: str) -> dict[str, set[str]]:
    """Package modules reachable from ``start`` with what each imports."""
    seen: dict[str, set[str]] = {}
    todo = [start]
    while todo:
        name = todo.pop()
        path = module_file(name)
        if name in seen or path is None:
            continue
        seen[name] = imports_of(path)
        for imported in seen[name]:
            if imported.startswith("intake_chat."):
                todo.append(imported.removeprefix("intake_chat.").split(".")[0])
    return seen


@pytest.mark.parametrize("name", PURE)
def test_a_pure_module_imports_no_web_framework_database_or_service(name: str) -> None:
    if module_file(name) is None:
        pytest.skip(f"intake_chat/{name}.py is not written yet")
    bad = {
        f"{module} imports {imported}"
        for module, imported_names in reachable(name).items()
        for imported in imported_names
        if is_forbidden(imported)
    }
    assert bad == set()


def test_the_walker_sees_imports_inside_functions_and_relative_ones(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f():\n    import flask\n\nfrom .storage import chat\nfrom . import service\n",
        encoding="utf-8",
    )
    names = imports_of(sample)
    assert {"flask", "intake_chat.storage", "intake_chat.service"} <= names
    assert all(
        is_forbidden(n) for n in ("flask", "intake_chat.storage.chat", "intake_chat.service")
    )
    assert not is_forbidden("flasky")
