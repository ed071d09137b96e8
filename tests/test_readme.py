"""The README's flow example is a real, clean flow, so the first thing a new user copies works."""

from __future__ import annotations

import json
import re
from pathlib import Path

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
