"""The README works as written: its flow example is a real, clean flow, its commands exist, its
configuration list names real settings, and docs/configuration.md is generated from Config."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path

import pytest

from intake_chat.core.config import HELP, Config, settings_markdown, variable
from intake_chat.core.errors import ConfigError
from intake_chat.core.flows import parse_flow
from intake_chat.core.lint import lint

ROOT = Path(__file__).resolve().parent.parent


def readme_flow() -> dict[str, object]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```json\n(.*?)```", text, re.S)
    assert block, "README has no json example"
    data: dict[str, object] = json.loads(block.group(1))
    return data


def test_the_readme_flow_example_loads_and_lints_clean() -> None:
    data = readme_flow()
    flow = parse_flow(data, "README.md")
    assert flow.start == "consent"
    assert lint(data, "README.md") == []


def test_the_readme_names_both_commands_that_ci_runs() -> None:
    text = (ROOT / "README.md").read_text()
    assert "bash scripts/run" in text and "bash scripts/test" in text
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()


def test_docs_configuration_is_generated_from_config() -> None:
    """docs/configuration.md lists every setting of Config; regenerate it (the command is in its
    first lines) when a setting is added."""
    assert (ROOT / "docs" / "configuration.md").read_text() == settings_markdown()
    assert set(HELP) == {f.name for f in fields(Config)} - {"extra"}


def test_the_readme_names_only_real_settings_each_once() -> None:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Configuration") : text.index("## Documentation")]
    named = re.findall(r"`(INTAKE_[A-Z_]+)`", section)
    settings = {variable(f.name) for f in fields(Config)}
    assert set(named) <= settings, set(named) - settings
    assert len(named) == len(set(named))
    assert "INTAKE_DATA_DIR" in named and "docs/configuration.md" in section


def test_the_readme_first_admin_step_runs_without_a_terminal() -> None:
    text = (ROOT / "README.md").read_text()
    assert "--password-stdin" in text


def test_an_unknown_intake_variable_stops_start_up_with_a_suggestion() -> None:
    with pytest.raises(ConfigError, match="INTAKE_PORT is not .* Did you mean INTAKE_SMTP_PORT"):
        Config.from_env({"INTAKE_PORT": "8000"})
    with pytest.raises(ConfigError, match="Did you mean INTAKE_OFFICE_HOURS"):
        Config.from_env({"INTAKE_OFICE_HOURS": "mon-fri 09:00-17:00"})
    # What the test suite itself reads is not refused.
    Config.from_env({"INTAKE_TEST_DATABASE_URL": "x", "INTAKE_MERMAID_MODULES": "y"})
