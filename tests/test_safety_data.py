"""The built-in safety rules are reviewed data: every file matches its schema, each word list is
defined once and used, and every floor and tripwire rule's examples are caught at its level while
its negatives (near misses) get no response, through the real detector."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from intake_chat.cli import main
from intake_chat.safety.datacheck import check_data, rule_cases
from intake_chat.safety.detection import check_rules_file, default_rules, detect
from intake_chat.safety.ruledata import (
    DATA_DIR,
    DataError,
    expand_words,
    load_floor,
    raw_data,
    read_data_file,
)

RULES = default_rules()
CASES = list(rule_cases())
_RANK = {None: 0, "advice": 1, "concern": 2, "crisis": 3}


@pytest.mark.parametrize(
    ("where", "kind", "locale", "text", "key"), CASES, ids=[f"{c[0]}:{c[3][:30]}" for c in CASES]
)
def test_every_rule_example_is_caught_at_its_level_and_no_negative_is(
    where: str, kind: str, locale: str, text: str, key: str
) -> None:
    level = where.rsplit(":", 1)[1]
    got = detect(text, locale, RULES)
    if kind == "example":
        assert _RANK[got.level] >= _RANK[level], (where, text, got)
    else:
        assert got.level is None, (where, text, got)


def test_every_floor_rule_has_a_level_family_why_examples_and_negatives() -> None:
    rules = [r for c in load_floor()["categories"].values() for r in c["rules"]]
    assert len(rules) >= 27
    for rule in rules:
        assert rule["level"] in ("crisis", "concern", "advice"), rule["id"]
        assert rule["family"] and len(rule["why"]) >= 10, rule["id"]
        assert sum(map(len, rule["examples"].values())) >= 1, rule["id"]
        assert sum(map(len, rule["negatives"].values())) >= 1, rule["id"]


def test_the_shipped_data_is_clean() -> None:
    assert check_data(RULES) == []


def test_the_shipped_rules_file_with_its_negatives_is_clean() -> None:
    assert check_rules_file(Path(__file__).resolve().parent.parent / "flows" / "safety.json") == []


def test_a_word_list_defined_twice_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "words.json"
    path.write_text('{"words": {"a": {"words": ["x"]}, "a": {"words": ["y"]}}}', encoding="utf-8")
    with pytest.raises(DataError, match="'a' is defined twice"):
        read_data_file(path)


def test_a_named_list_expands_inside_a_pattern_and_may_name_another() -> None:
    lists = {"verbs": ["hit", "{more}"], "more": ["kick", "shove"]}
    assert expand_words("he ({verbs}) me", lists) == "he (hit|kick|shove) me"
    with pytest.raises(DataError, match="no word list 'nope'"):
        expand_words("{nope}", lists)
    with pytest.raises(DataError, match="names itself"):
        expand_words("{a}", {"a": ["{a}"]})


def test_the_data_files_are_shipped_with_the_package() -> None:
    pyproject = (DATA_DIR.parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"safety/data/*.json"' in pyproject
    assert set(raw_data()) == {
        "words.json",
        "floor.json",
        "tripwire.json",
        "engine.json",
        "similarity.json",
    }
    schema = json.loads((DATA_DIR / "safety-data.schema.json").read_text(encoding="utf-8"))
    assert {"id", "level", "family", "why", "examples", "negatives"} <= set(
        schema["$defs"]["rule"]["required"]
    )


def test_safety_check_reports_a_negative_that_a_rule_catches(tmp_path: Path) -> None:
    clean = CliRunner().invoke(main, ["safety", "check"])
    assert clean.exit_code == 0 and "safety data: clean" in clean.output
    doc = json.loads((DATA_DIR.parents[2] / "flows" / "safety.json").read_text(encoding="utf-8"))
    rule = doc["categories"]["clinical_advice"]["rules"][0]
    rule["negatives"] = {"en": ["I want to kill myself"]}
    bad = tmp_path / "safety.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    found = [f for f in check_rules_file(bad) if getattr(f, "code", "") == "S015"]
    assert found and "I want to kill myself" in found[0].message
