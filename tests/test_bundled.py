"""The files that ship with the package (flows, schemas, safety rules, static assets) are found
through core/bundled.py, overridable by INTAKE_FLOWS_DIR / INTAKE_STATIC_DIR; ``intake-chat init``
copies the flows out; ``safety eval`` needs a corpus named. The wheel itself is checked end to
end by .ci/wheel_check.py."""

from __future__ import annotations

import tomllib
from pathlib import Path

from click.testing import CliRunner

from intake_chat import Config
from intake_chat.cli import main
from intake_chat.core import bundled
from intake_chat.core.flows import SCHEMA_PATH
from intake_chat.safety import detection

ROOT = Path(__file__).resolve().parent.parent


def test_the_packages_listed_in_pyproject_are_the_package_folders() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    folders = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "intake_chat").rglob("__init__.py")
    }
    mapped = set(config["package-dir"])
    assert listed == folders | mapped
    assert config["package-dir"] == {"intake_chat.flows": "flows", "intake_chat.static": "static"}


def test_defaults_point_at_the_bundled_files() -> None:
    config = Config.from_env({})
    assert config.flows_dir == bundled.flows_dir() and (config.flows_dir / "intake.json").is_file()
    assert config.static_dir == bundled.static_dir()
    assert (config.static_dir / "widget.js").is_file()
    assert bundled.flow_schema_path() == SCHEMA_PATH and SCHEMA_PATH.is_file()
    assert detection.DEFAULT_RULES_PATH.parent == bundled.flows_dir()
    assert detection.SCHEMA_PATH.parent == SCHEMA_PATH.parent


def test_environment_variables_override_the_bundled_folders(tmp_path: Path) -> None:
    config = Config.from_env(
        {"INTAKE_FLOWS_DIR": str(tmp_path / "f"), "INTAKE_STATIC_DIR": str(tmp_path / "s")}
    )
    assert (config.flows_dir, config.static_dir) == (tmp_path / "f", tmp_path / "s")


def test_init_copies_the_bundled_flows_out_for_editing(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["init", str(tmp_path)])
    assert done.exit_code == 0, done.output
    copied = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.json"))
    assert "flows/intake.json" in copied and "flows/schema/flow.schema.json" in copied
    assert "flows/safety.json" in copied
    assert "INTAKE_FLOWS_DIR=" in done.output
    again = runner.invoke(main, ["init", str(tmp_path)])
    assert again.exit_code == 1 and "--force" in again.output
    assert runner.invoke(main, ["init", "--force", str(tmp_path)]).exit_code == 0
    checked = runner.invoke(main, ["flow", "check", str(tmp_path / "flows")])
    assert checked.exit_code == 0, checked.output


def test_safety_eval_needs_a_corpus_named() -> None:
    done = CliRunner().invoke(main, ["safety", "eval"])
    assert done.exit_code == 2
    assert "Name a labelled corpus" in done.output
