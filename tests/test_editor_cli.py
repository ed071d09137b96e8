"""``intake-chat flow export`` / ``flow import``: flows move between the database and files that
pass ``intake-chat flow check``, so they can live in version control."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flow_helpers import node

from intake_chat.cli import main
from intake_chat.storage import Database
from intake_chat.storage import conversations as chat_db
from intake_chat.storage import drafts as flow_store


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"INTAKE_DATA_DIR": str(tmp_path / "data"), "INTAKE_SECRET_KEY": "test-secret"}


def run(env: dict[str, str], *args: str) -> Any:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def database(env: dict[str, str]) -> Database:
    return Database(f"sqlite:///{Path(env['INTAKE_DATA_DIR']) / 'intake-chat.sqlite3'}")


def test_export_on_a_fresh_install_writes_the_shipped_flow_and_it_passes_check(
    env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "intake.json"
    result = run(env, "flow", "export", "intake", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    flows = Path(__file__).parent.parent / "flows"
    shipped = json.loads((flows / "intake.json").read_text())
    # a published version carries the instruments it was published with (docs/questionnaires.md)
    instruments = data.pop("instruments")
    assert data == shipped
    assert instruments == {
        path.stem: json.loads(path.read_text()) for path in (flows / "instruments").glob("*.json")
    }
    checked = run(env, "flow", "check", str(out))
    assert checked.exit_code == 0 and "0 errors" in checked.output


def test_import_puts_the_file_into_the_draft_not_live(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "intake.json"
    run(env, "flow", "export", "intake", str(out))
    data = json.loads(out.read_text())
    node(data, "ask_first_name")["text"]["en"] = "From version control"
    out.write_text(json.dumps(data, indent=2))
    result = run(env, "flow", "import", str(out))
    assert result.exit_code == 0, result.output
    assert "/staff/flows/intake/review" in result.output
    db = database(env)
    with db.read() as conn:
        draft = flow_store.get_draft(conn, "intake")
        live = flow_store.current_publication(conn, "intake")
        audit = chat_db.audit_entries(conn, subject="flow:intake")
    db.dispose()
    assert draft is not None and live is not None
    assert node(json.loads(draft.json), "ask_first_name")["text"]["en"] == "From version control"
    assert node(json.loads(live.json), "ask_first_name")["text"]["en"] == "What is your first name?"
    assert audit[-1]["action"] == "flow.import" and audit[-1]["actor"] == "cli"
    drafted = run(env, "flow", "export", "intake", "-", "--draft")
    assert "From version control" in drafted.output


def test_import_of_a_file_with_errors_prints_them_and_exits_1(
    env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "intake.json"
    run(env, "flow", "export", "intake", str(out))
    data = json.loads(out.read_text())
    node(data, "consent_check")["default"] = "ask_first_name"
    out.write_text(json.dumps(data))
    result = CliRunner().invoke(main, ["flow", "import", str(out)], env=env)
    assert result.exit_code == 1
    assert "L010 error [ask_first_name]" in result.output


def test_import_of_invalid_json_names_the_line(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "id": "intake",\n  "title": \n}')
    result = CliRunner().invoke(main, ["flow", "import", str(bad)], env=env)
    assert result.exit_code == 1 and "line 4" in result.output


def test_export_of_an_unknown_flow_or_version_is_a_clear_error(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, ["flow", "export", "nope", str(tmp_path / "x.json")], env=env)
    assert result.exit_code == 1 and 'There is no flow for "nope"' in result.output
    result = CliRunner().invoke(main, ["flow", "export", "intake", "-", "--version", "9"], env=env)
    assert result.exit_code == 1 and "version 9" in result.output
