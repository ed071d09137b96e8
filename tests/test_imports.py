"""The layers keep their direction: ``core/`` and ``safety/`` are pure, ``app/`` runs without Flask,
and no module imports another that (through any path, imports inside functions included) imports
it back. Folders are checked, not a hand-kept list, so a new module is covered the day it lands."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "intake_chat"
PACKAGE = "intake_chat"
WEB = ("flask", "flask_sock", "werkzeug", "simple_websocket", "gunicorn")
DATABASE = ("sqlalchemy", "psycopg")
OUTER = ("intake_chat.app", "intake_chat.web", "intake_chat.storage", "intake_chat.cli")
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "core": (*WEB, *DATABASE, *OUTER, "intake_chat.safety"),
    "safety": (*WEB, *DATABASE, *OUTER),
    "app": (*WEB, "intake_chat.web", "intake_chat.cli"),
    "storage": (*WEB, "intake_chat.app", "intake_chat.web", "intake_chat.cli"),
}


def module_name(path: Path, root: Path = PACKAGE_DIR, package: str = PACKAGE) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((package, *parts))


def imports_of(path: Path, module: str, modules: frozenset[str] = frozenset()) -> set[str]:
    """Absolute names of every module ``path`` imports, anywhere in the file, not only on top;
    ``module`` is the file's own dotted name, for resolving relative imports. With ``modules``
    (the package's own), ``from pkg import sub`` names ``pkg.sub`` alone, as Python runs it."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                anchor = parts if is_package else parts[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                if full in modules:
                    found.add(full)
                elif modules and base in modules:
                    found.add(base)
                else:
                    found.update((base, full))
    return found


def package_graph(root: Path = PACKAGE_DIR, package: str = PACKAGE) -> dict[str, set[str]]:
    """Each module of the package with the package modules it imports (names of functions or
    classes taken with ``from x import y`` count as an import of ``x`` only)."""
    files = {module_name(p, root, package): p for p in root.rglob("*.py")}
    known = frozenset(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        graph[name] = {
            imported
            for imported in imports_of(path, name, known)
            if imported in files and imported != name
        }
    return graph


def is_forbidden(name: str, bad: tuple[str, ...]) -> bool:
    return any(name == b or name.startswith(f"{b}.") for b in bad)


def layer_modules(layer: str) -> list[Path]:
    return sorted((PACKAGE_DIR / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_its_direction_forbids(layer: str) -> None:
    modules = layer_modules(layer)
    assert modules, f"intake_chat/{layer}/ has no modules"
    bad = sorted(
        f"{module_name(path)} imports {imported}"
        for path in modules
        for imported in imports_of(path, module_name(path))
        if is_forbidden(imported, FORBIDDEN[layer])
    )
    assert bad == []


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (as a list of modules, first repeated last), or None."""
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        trail.append(name)
        for nxt in sorted(graph.get(name, ())):
            if state.get(nxt) == 1:
                return [*trail[trail.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        trail.pop()
        state[name] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_module_imports_itself_back_through_any_path() -> None:
    assert find_cycle(package_graph()) is None


def test_imports_sit_at_module_top() -> None:
    """An import inside a function hides a dependency from the reader (and from this walk's
    direction checks only by luck); the few that must stay say why in a comment on the line."""
    hidden = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        line = lines[inner.lineno - 1]
                        if "#" not in line:
                            hidden.append(f"{path.relative_to(PACKAGE_DIR)}:{inner.lineno}")
    assert hidden == []


def test_the_walker_sees_imports_inside_functions_and_relative_ones(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f():\n    import flask\n\nfrom ..storage import conversations\n"
        "from . import service\n",
        encoding="utf-8",
    )
    names = imports_of(sample, "intake_chat.app.sample")
    assert {"flask", "intake_chat.storage.conversations", "intake_chat.app.service"} <= names
    assert is_forbidden("flask", FORBIDDEN["core"])
    assert is_forbidden("intake_chat.storage.conversations", FORBIDDEN["core"])
    assert not is_forbidden("flasky", FORBIDDEN["core"])


def test_a_core_module_that_imports_flask_is_caught(tmp_path: Path) -> None:
    """The check itself can fail: a copy of the package whose engine imports Flask in a function."""
    root = tmp_path / "intake_chat"
    (root / "core").mkdir(parents=True)
    (root / "__init__.py").write_text("", encoding="utf-8")
    (root / "core" / "__init__.py").write_text("", encoding="utf-8")
    (root / "core" / "engine.py").write_text("def f():\n    from flask import g\n", "utf-8")
    path = root / "core" / "engine.py"
    imported = imports_of(path, module_name(path, root))
    assert any(is_forbidden(name, FORBIDDEN["core"]) for name in imported)


def test_the_cycle_finder_sees_a_cycle_hidden_in_a_function(tmp_path: Path) -> None:
    root = tmp_path / "intake_chat"
    root.mkdir()
    (root / "__init__.py").write_text("", encoding="utf-8")
    (root / "a.py").write_text("from . import b\n", encoding="utf-8")
    (root / "b.py").write_text("def f():\n    from .a import x\n", encoding="utf-8")
    assert find_cycle(package_graph(root)) == ["intake_chat.a", "intake_chat.b", "intake_chat.a"]


def test_a_package_init_importing_its_subpackages_is_no_cycle(tmp_path: Path) -> None:
    root = tmp_path / "intake_chat"
    (root / "web").mkdir(parents=True)
    (root / "__init__.py").write_text("from .web import chat\n", encoding="utf-8")
    (root / "web" / "__init__.py").write_text("", encoding="utf-8")
    (root / "web" / "chat.py").write_text("from .. import storage\n", encoding="utf-8")
    (root / "storage.py").write_text("X = 1\n", encoding="utf-8")
    assert find_cycle(package_graph(root)) is None
