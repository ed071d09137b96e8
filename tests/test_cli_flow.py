"""``intake-chat flow check`` and ``flow graph``: output lines, exit codes, JSON, safety files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from intake_chat.cli import flow_commands as flow_cli
from intake_chat.cli import main
from intake_chat.core.lint import Finding

HERE = Path(__file__).resolve().parent
BAD = HERE / "flows_bad"
ROOT = HERE.parent
CLEAN = str(BAD / "clean.json")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["flow", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_a_clean_flow_exits_0_with_a_count_line() -> None:
    code, out = run("check", CLEAN)
    assert code == 0
    assert out == "1 file checked: 0 errors, 0 warnings\n"


def test_an_error_exits_1_and_names_file_code_and_node() -> None:
    path = str(BAD / "L001_unknown_target.json")
    code, out = run("check", path)
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"{path}: L001 error [menu]: Option 'refer' of menu points to 'nmae'")
    assert " — Change it to the id of an existing node" in first
    assert out.endswith("1 file checked: 1 error, 0 warnings\n")


def test_only_warnings_exit_0() -> None:
    code, out = run("check", str(BAD / "L012_clinical_advice.json"))
    assert code == 0
    assert "L012 warning [faq_cost]" in out
    assert "0 errors, 5 warnings" in out


def test_several_files_are_checked_and_counted_together() -> None:
    code, out = run(
        "check", CLEAN, str(BAD / "L012_clinical_advice.json"), str(BAD / "L002_duplicate_id.json")
    )
    assert code == 1
    assert out.splitlines()[-1] == "3 files checked: 1 error, 5 warnings"


def test_json_output_is_one_object_for_scripts() -> None:
    path = str(BAD / "L007_handoff_field_missing.json")
    code, out = run("check", "--format", "json", path, CLEAN)
    assert code == 1
    report = json.loads(out)
    assert report["files"] == [path, CLEAN]
    assert report["errors"] == 1 and report["warnings"] == 0
    (finding,) = report["findings"]
    assert finding["file"] == path
    assert finding["code"] == "L007" and finding["node"] == "done"
    assert finding["path"] == "$.sections.main.nodes[12].fields"
    assert set(finding) == {"file", "code", "severity", "node", "path", "message", "fix"}


def test_a_json_syntax_error_stops_before_the_linter(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "id": "x",\n  "start": "a"\n  "locales": ["en"]\n}\n', encoding="utf-8")
    code, out = run("check", str(broken))
    assert code == 1
    assert f"{broken}: F001 error [line 4, column 3]: invalid JSON" in out


def test_schema_errors_are_all_reported_and_the_linter_does_not_run(tmp_path: Path) -> None:
    data = json.loads((BAD / "L001_unknown_target.json").read_text(encoding="utf-8"))
    data["locales"] = "en"
    del data["sections"]["main"]["nodes"][0]["text"]
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out = run("check", str(path))
    assert code == 1
    lines = out.splitlines()[:-1]
    assert len(lines) >= 2 and all(": F002 error [$." in line for line in lines)
    assert "L001" not in out


def test_a_missing_file_is_an_error_not_a_crash() -> None:
    code, out = run("check", "no/such/flow.json")
    assert code == 1
    assert "no/such/flow.json: F001 error [$]: the file does not exist" in out


def test_a_safety_file_goes_to_the_safety_checker(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "safety.json"
    path.write_text('{"$schema": "./schema/safety.schema.json", "rules": []}', encoding="utf-8")
    seen: list[str] = []

    def checker(name: str) -> list[object]:
        seen.append(name)
        return [
            Finding("S003", "warning", "self_harm", "$.rules[0]", "thin rule", "add words"),
            {
                "code": "S001",
                "severity": "error",
                "path": "$.rules[1].match",
                "message": "bad",
                "fix": "fix it",
            },
        ]

    monkeypatch.setattr(flow_cli, "check_rules_file", checker)
    code, out = run("check", str(path))
    assert seen == [str(path)]
    assert code == 1
    assert f"{path}: S003 warning [self_harm]: thin rule — add words" in out
    assert f"{path}: S001 error [$.rules[1].match]: bad — fix it" in out


def test_a_real_safety_file_with_a_broken_rule_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "safety.json"
    path.write_text('{"$schema": "./schema/safety.schema.json", "rules": 7}', encoding="utf-8")
    code, out = run("check", str(path))
    assert code == 1
    assert f"{path}: " in out and "error" in out


def test_graph_prints_mermaid_for_a_flow() -> None:
    code, out = run("graph", CLEAN)
    assert code == 0
    assert out.startswith("flowchart TD\n")
    assert '  n_consent_check -->|"consent = true"| n_menu\n' in out


def test_graph_refuses_a_file_that_does_not_match_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"id": "x"}', encoding="utf-8")
    result = CliRunner().invoke(main, ["flow", "graph", str(path)])
    assert result.exit_code == 1
    assert "flowchart" not in result.output
    assert "$schema" in result.output or "required" in result.output


def test_the_shipped_flow_checks_clean_and_draws() -> None:
    path = str(ROOT / "flows" / "intake.json")
    code, out = run("check", path)
    assert (code, out) == (0, "1 file checked: 0 errors, 0 warnings\n")
    code, out = run("graph", path)
    assert code == 0 and out.startswith("flowchart TD\n")


def test_a_folder_stands_for_its_json_files(tmp_path: Path) -> None:
    for name in ("clean.json", "L012_clinical_advice.json"):
        (tmp_path / name).write_bytes((BAD / name).read_bytes())
    (tmp_path / "notes.txt").write_text("not a flow", encoding="utf-8")
    code, out = run("check", str(tmp_path))
    assert code == 0
    assert out.splitlines()[-1] == "2 files checked: 0 errors, 5 warnings"


def test_base_compares_one_file_with_its_published_version() -> None:
    stale = str(BAD / "L025_stale_translation.json")
    assert run("check", stale) == (0, "1 file checked: 0 errors, 0 warnings\n")
    code, out = run("check", stale, "--base", CLEAN)
    assert code == 0
    assert f"{stale}: L025 warning [welcome]: the en text changed" in out
    assert out.endswith("1 file checked: 0 errors, 1 warning\n")
    code, out = run("check", stale, CLEAN, "--base", CLEAN)
    assert code == 2 and "--base compares one flow file" in out
