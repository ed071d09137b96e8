"""Screening instruments as data (core/instruments.py, the loader, the linter and the CLI): every
total maps to its band, risk items, the codes L026/L027/I001-I004, and a PHQ-9-structured file
written here in the tests' own words, checked and installed with ``intake-chat questionnaire``."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from intake_chat.cli import main as cli
from intake_chat.core import instruments
from intake_chat.core.errors import FlowError
from intake_chat.core.flows import check_instrument, load_flow, parse_flow
from intake_chat.core.lint import lint, lint_instrument

ROOT = Path(__file__).resolve().parent.parent
DEMO_FILE = ROOT / "flows" / "instruments" / "checkin-demo.json"
FREQUENCY = ["none", "some", "half", "most"]  # a 0-3 frequency scale, in the tests' own words


def structured(ident: str, items: int, bands: list[tuple[int, int, str]], risk: int | None) -> Any:
    """An instrument with a published instrument's structure and placeholder wording of our own:
    ``items`` items on a 0-3 scale, ``bands`` (min, max, id), item number ``risk`` a risk item."""
    return {
        "$schema": "../schema/instrument.schema.json",
        "id": ident,
        "version": "test-1",
        "title": f"{ident} (structure only, test wording)",
        "source": "Written by tests/test_instruments.py; the cut-offs are the published ones.",
        "locales": ["en", "es"],
        "intro": {"en": "Some questions about the last two weeks.", "es": "Unas preguntas."},
        "recall": {"en": "In the last two weeks", "es": "En las últimas dos semanas"},
        "scale": [
            {"value": value, "points": n, "label": {"en": f"Answer {n}", "es": f"Respuesta {n}"}}
            for n, value in enumerate(FREQUENCY)
        ],
        "items": [
            {
                "id": f"item{n}",
                "text": {"en": f"Test item number {n}", "es": f"Pregunta de prueba {n}"},
                **({"risk": True} if n == risk else {}),
            }
            for n in range(1, items + 1)
        ],
        "scoring": {"method": "sum"},
        "bands": [{"id": b, "min": low, "max": high, "label": b.title()} for low, high, b in bands],
    }


# The published PHQ-9 and GAD-7 cut-offs (docs/questionnaires.md), written out independently of
# any file so that a wrong band in a file cannot make its own test pass.
PHQ9_BANDS = [
    (0, 4, "minimal"),
    (5, 9, "mild"),
    (10, 14, "moderate"),
    (15, 19, "moderately_severe"),
]
PHQ9_BANDS.append((20, 27, "severe"))
GAD7_BANDS = [(0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")]


def phq9_like() -> Any:
    return structured("phq9-structure", 9, PHQ9_BANDS, risk=9)


def answers_for(instrument: Any, node: str, total: int) -> dict[str, str]:
    """Answers whose points add up to ``total``, filled item by item from the top."""
    values = [option["value"] for option in instrument["scale"]]
    answers, left = {}, total
    for item in instrument["items"]:
        points = min(left, 3)
        answers[instruments.answer_key(node, item["id"])] = values[points]
        left -= points
    assert left == 0
    return answers


@pytest.mark.parametrize(
    ("instrument", "expected"),
    [
        (phq9_like(), PHQ9_BANDS),
        (structured("gad7-structure", 7, GAD7_BANDS, risk=None), GAD7_BANDS),
    ],
    ids=["phq9-structure", "gad7-structure"],
)
def test_every_total_from_zero_to_the_maximum_maps_to_its_published_band(
    instrument: Any, expected: list[tuple[int, int, str]]
) -> None:
    assert check_instrument(instrument, "test.json") == []
    top = expected[-1][1]
    assert instruments.max_total(instrument) == top
    for total in range(top + 1):
        scored = instruments.result(instrument, "q", answers_for(instrument, "q", total))
        assert scored is not None and scored["total"] == total and scored["complete"]
        [band] = [name for low, high, name in expected if low <= total <= high]
        assert scored["band"]["id"] == band, total


def test_the_demo_check_in_bands_every_total_once_and_says_it_is_a_demonstration() -> None:
    demo = json.loads(DEMO_FILE.read_text())
    assert check_instrument(demo, str(DEMO_FILE)) == []
    assert demo["demonstration"] is True and "not a validated" in demo["title"]
    assert "not a validated" in demo["source"]
    assert [o["points"] for o in demo["scale"]] == [0, 1, 2, 3]
    assert [i["id"] for i in demo["items"] if i.get("risk")] == ["self_harm"]
    seen = []
    for total in range(instruments.max_total(demo) + 1):
        scored = instruments.result(demo, "checkin", answers_for(demo, "checkin", total))
        assert scored is not None and scored["total"] == total
        seen.append(scored["band"]["id"])
    assert seen == sorted(seen, key=[b["id"] for b in demo["bands"]].index)  # in order, no gap
    assert set(seen) == {b["id"] for b in demo["bands"]}


def test_a_reverse_item_counts_from_the_top_of_the_scale() -> None:
    instrument = structured("rev", 2, [(0, 6, "all")], risk=None)
    instrument["items"][1]["reverse"] = True
    scored = instruments.result(instrument, "q", {"q:item1": "most", "q:item2": "most"})
    assert scored is not None and [i["points"] for i in scored["items"]] == [3, 0]
    assert scored["total"] == 3


@pytest.mark.parametrize("value", FREQUENCY[1:])
def test_every_answer_above_the_lowest_option_of_a_risk_item_is_a_risk(value: str) -> None:
    instrument = phq9_like()
    assert instruments.is_risk_answer(instrument, "item9", value)
    assert not instruments.is_risk_answer(instrument, "item8", value)  # not a risk item
    scored = instruments.result(instrument, "q", {"q:item9": value})
    assert scored is not None and [row["id"] for row in scored["risk"]] == ["item9"]


def test_the_lowest_answer_or_a_skip_of_a_risk_item_is_no_risk() -> None:
    instrument = phq9_like()
    assert not instruments.is_risk_answer(instrument, "item9", "none")
    assert not instruments.is_risk_answer(instrument, "item9", None)


def test_a_skipped_item_gives_a_partial_total_and_no_band() -> None:
    instrument = phq9_like()
    answers = answers_for(instrument, "q", 12)
    answers["q:item1"] = None  # skipped (3 points fewer)
    scored = instruments.result(instrument, "q", answers)
    assert scored is not None and scored["total"] == 9 and scored["answered"] == 8
    assert scored["band"] is None and not scored["complete"]
    assert instruments.result(instrument, "q", {}) is None  # never begun: nothing to show


# --- the linter: one broken case per code ---------------------------------------------------------


def _flow(instrument: Any, person: bool = True) -> Any:
    nodes: list[dict[str, Any]] = [
        {"id": "q", "type": "questionnaire", "instrument": instrument["id"]},
        {"id": "bye", "type": "handoff", "mode": "queued", "fields": [], "text": _t("Thanks")},
    ]
    data: dict[str, Any] = {
        "$schema": "./schema/flow.schema.json",
        "id": "screen",
        "title": _t("Screen"),
        "locales": ["en", "es"],
        "start": "q",
        "sections": {"main": {"nodes": nodes}},
        "instruments": {instrument["id"]: instrument},
    }
    if person:
        data["settings"] = {"person_node": "bye"}
    return data


def _t(en: str) -> dict[str, str]:
    return {"en": en, "es": f"{en} (es)"}


def _unsorted_scale(i: Any) -> None:
    i["scale"][0]["points"], i["scale"][1]["points"] = 1, 0


def _gap_in_bands(i: Any) -> None:
    i["bands"][1]["min"] = 6


def _overlapping_bands(i: Any) -> None:
    i["bands"][1]["min"] = 4


def _missing_item_spanish(i: Any) -> None:
    del i["items"][2]["text"]["es"]


def _missing_label_spanish(i: Any) -> None:
    del i["scale"][3]["label"]["es"]


def _missing_recall(i: Any) -> None:
    i["recall"]["es"] = "  "


# code -> (how to break the PHQ-9-structured instrument, the JSON path named, in the flow?)
LINT_CASES: dict[str, list[Callable[[Any], None]]] = {
    "I001": [_missing_item_spanish],
    "I002": [_unsorted_scale, _missing_label_spanish],
    "I003": [_missing_recall],
    "I004": [_gap_in_bands, _overlapping_bands],
    "L026": [],  # a flow case below
    "L027": [],
}


@pytest.mark.parametrize(
    ("code", "breaking"),
    [(code, fn) for code, fns in LINT_CASES.items() for fn in fns],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_a_broken_instrument_is_reported_with_its_code_alone(
    code: str, breaking: Callable[[Any], None]
) -> None:
    instrument = phq9_like()
    breaking(instrument)
    found = lint_instrument(instrument)
    assert found and {f.code for f in found} == {code}, found
    assert all(f.message and f.fix and f.severity == "error" for f in found)
    assert [p.message[:4] for p in check_instrument(instrument, "x.json")] == [code] * len(found)
    in_flow = [f for f in lint(_flow(instrument)) if f.code == code]
    assert in_flow and in_flow[0].node == "q" and in_flow[0].path.startswith("$.instruments")


def test_the_clean_instrument_in_a_flow_has_no_findings() -> None:
    assert lint_instrument(phq9_like()) == []
    assert lint(_flow(phq9_like())) == []


def test_a_risk_item_in_a_flow_without_a_person_to_offer_is_l026() -> None:
    found = lint(_flow(phq9_like(), person=False))
    assert ("L026", "q") in {(f.code, f.node) for f in found}
    no_risk = structured("gad7-structure", 7, GAD7_BANDS, risk=None)
    assert "L026" not in {f.code for f in lint(_flow(no_risk, person=False))}


def test_a_missing_instrument_or_language_is_l027_and_refused_by_the_loader() -> None:
    data = _flow(phq9_like())
    del data["instruments"]
    assert ("L027", "q") in {(f.code, f.node) for f in lint(data)}
    with pytest.raises(FlowError, match='no instrument "phq9-structure" is installed'):
        parse_flow(copy.deepcopy(data), "screen.json")
    english = phq9_like()
    english["locales"] = ["en"]
    data = _flow(english)
    assert ("L027", "q") in {(f.code, f.node) for f in lint(data)}
    with pytest.raises(FlowError, match="no wording in es"):
        parse_flow(data, "screen.json")


def test_the_loader_refuses_an_inlined_instrument_with_a_gap_in_its_bands() -> None:
    instrument = phq9_like()
    _gap_in_bands(instrument)
    with pytest.raises(FlowError, match="I004"):
        parse_flow(_flow(instrument), "screen.json")


# --- the command line -----------------------------------------------------------------------------


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_check_describes_a_good_file_and_refuses_a_broken_one(tmp_path: Path) -> None:
    good = _write(tmp_path / "phq9-structure.json", phq9_like())
    done = CliRunner().invoke(cli, ["questionnaire", "check", str(good)])
    assert done.exit_code == 0, done.output
    assert "9 items, answers 0-3" in done.output and "totals 0-27" in done.output
    assert "risk items (crisis response when answered above the lowest option): item9" in (
        done.output
    )
    broken = phq9_like()
    _gap_in_bands(broken)
    bad = CliRunner().invoke(
        cli, ["questionnaire", "check", str(_write(tmp_path / "b.json", broken))]
    )
    assert bad.exit_code == 1 and "I004" in bad.output and "cannot be used" in bad.output
    missing = CliRunner().invoke(cli, ["questionnaire", "check", str(tmp_path / "none.json")])
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_add_installs_a_phq9_structured_file_that_a_flow_then_asks(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "practice")]).exit_code == 0
    flows = tmp_path / "practice" / "flows"
    env = {"INTAKE_FLOWS_DIR": str(flows), "INTAKE_DATA_DIR": str(tmp_path / "data")}
    source = _write(tmp_path / "mine.json", phq9_like())
    added = runner.invoke(cli, ["questionnaire", "add", str(source)], env=env)
    assert added.exit_code == 0, added.output
    installed = flows / "instruments" / "phq9-structure.json"
    assert json.loads(installed.read_text()) == phq9_like()
    again = runner.invoke(cli, ["questionnaire", "add", str(source)], env=env)
    assert again.exit_code == 1 and "--replace" in again.output
    assert (
        runner.invoke(cli, ["questionnaire", "add", str(source), "--replace"], env=env).exit_code
        == 0
    )
    data = _flow(phq9_like())
    del data["instruments"]  # the flow names it; the loader finds it in flows/instruments/
    flow_file = _write(flows / "screen.json", data)
    checked = runner.invoke(cli, ["flow", "check", str(flow_file)])
    assert checked.exit_code == 0, checked.output
    flow = load_flow(flow_file)
    assert flow.data["instruments"]["phq9-structure"]["version"] == "test-1"
    assert [n for n in flow.nodes if n.startswith("q:")] == [f"q:item{n}" for n in range(1, 10)]
    assert flow.nodes["q:item9"]["risk"] and not flow.nodes["q:item8"]["risk"]


def test_add_refuses_to_write_into_the_package_or_a_broken_file(tmp_path: Path) -> None:
    source = _write(tmp_path / "mine.json", phq9_like())
    into_package = CliRunner().invoke(cli, ["questionnaire", "add", str(source)], env={})
    assert into_package.exit_code == 1 and "INTAKE_FLOWS_DIR" in into_package.output
    broken = phq9_like()
    _missing_recall(broken)
    env = {"INTAKE_FLOWS_DIR": str(tmp_path / "flows")}
    refused = CliRunner().invoke(
        cli, ["questionnaire", "add", str(_write(tmp_path / "b.json", broken))], env=env
    )
    assert refused.exit_code == 1 and not (tmp_path / "flows" / "instruments").exists()
