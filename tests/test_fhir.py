"""FHIR R4 hand-off: each referral as a Bundle of the Questionnaire generated from its flow
version, a Patient and the QuestionnaireResponse, validated with the ``fhir.resources`` R4
(4.0.1) models, from the pure mapping, the console's download, the API and the CLI (SQLite, and
PostgreSQL when INTAKE_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import json
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

import fhir.resources as fhir_models
import pytest
from click.testing import CliRunner
from fhir.resources.bundle import Bundle
from fhir.resources.core.fhirabstractmodel import FHIRAbstractModel
from staff_helpers import (
    Console,
    build_console,
    cheap_hashes,  # noqa: F401  (autouse fixture)
    make_referral,
)
from test_api import _token

from intake_chat.app.service import Service
from intake_chat.cli import main as cli
from intake_chat.core import fhir
from intake_chat.core.flows import load_flow
from intake_chat.storage import Database
from intake_chat.storage import conversations as chat_db

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = json.loads((ROOT / "flows" / "intake.json").read_text())
ANSWERS: dict[str, Any] = {
    "consent": True,
    "first_name": "Ana",
    "preferred_name": "Annie",
    "dob": "2001-04-05",
    "contact_method": "email",
    "email": "ana@example.org",
    "phone": "774-555-0123",
    "voicemail_ok": False,
    "state": "MA",
    "session_format": "telehealth",
    "insurance": "self_pay",
    "availability": ["weekday_evenings", "weekends"],
    "reason": "Work stress, mostly.",
    "guardian_name": None,
    "contact_checked": True,  # a value the flow sets itself: no question, no item
}
REFERRAL: dict[str, Any] = {
    "id": "K7Q2M9XD4P",
    "flow_id": "intake",
    "flow_version": 3,
    "locale": "es",
    "created_at": datetime(2026, 3, 1, 14, 30, 5),
    "answers": ANSWERS,
}


def question(node_id: str, kind: str, var: str, **extra: Any) -> dict[str, Any]:
    return {"id": node_id, "type": "question", "input": kind, "var": var, **extra}


EVERY_KIND: dict[str, Any] = {
    "id": "kinds",
    "title": {"en": "Every kind"},
    "locales": ["en"],
    "start": "a",
    "sections": {
        "main": {
            "nodes": [
                question("a", "consent", "ok", text={"en": "OK?"}),
                question("b", "number", "age", text={"en": "Age?"}),
                question("c", "text", "why", expects="free", required=False, text={"en": "Why?"}),
                question(
                    "d",
                    "multi",
                    "when",
                    text={"en": "When?"},
                    options=[
                        {"value": "am", "label": {"en": "Mornings"}},
                        {"value": "pm", "label": {"en": "Evenings"}},
                    ],
                ),
                question("e", "date", "day", text={"en": "Day?"}),
                {
                    "id": "f",
                    "type": "summary",
                    "text": {"en": "Check"},
                    "confirm": {"en": "OK"},
                    "fields": [{"var": "age", "label": {"en": "Your age"}}],
                },
            ]
        }
    },
}


def check_codes(model: FHIRAbstractModel) -> None:
    """Coded elements carry a code of their value set, where the library lists it whole (the
    R4 models check structure, types, cardinality and choice types; not codes)."""
    for name, field in model.__fields__.items():
        value = getattr(model, name)
        allowed = field.field_info.extra.get("enum_values")
        if allowed and "+" not in allowed and value is not None:
            assert value in allowed, f"{type(model).__name__}.{name} = {value!r}"
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, FHIRAbstractModel):
                check_codes(item)


def validated(document: dict[str, Any]) -> Bundle:
    assert fhir_models.__fhir_version__ == "4.0.1"
    parsed = Bundle.parse_obj(document)
    check_codes(parsed)
    # nothing dropped or renamed by the model (it writes instants as +00:00, the same as Z)
    assert json.loads(parsed.json().replace("+00:00", "Z")) == document
    return parsed


def resources(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["resource"]["resourceType"]: entry["resource"] for entry in document["entry"]}


# --- the mapping --------------------------------------------------------------------------------


def test_a_shipped_flow_referral_is_a_valid_r4_bundle() -> None:
    document = fhir.bundle(REFERRAL, SHIPPED)
    validated(document)
    found = resources(document)
    assert set(found) == {"Questionnaire", "Patient", "QuestionnaireResponse"}
    form, response, person = (
        found["Questionnaire"],
        found["QuestionnaireResponse"],
        found["Patient"],
    )
    assert response["questionnaire"] == f"{form['url']}|{form['version']}"
    assert form["version"] == "3" and response["status"] == "completed"
    assert response["authored"] == "2026-03-01T14:30:05Z"
    assert response["subject"]["reference"] == document["entry"][1]["fullUrl"]
    assert response["identifier"]["value"] == "K7Q2M9XD4P" and response["language"] == "es"
    linked = {item["linkId"] for item in form["item"]}
    answered = [item["linkId"] for item in response["item"]]
    assert set(answered) <= linked
    assert "contact_checked" not in answered and "guardian_name" not in answered
    assert person["name"] == [
        {"use": "official", "given": ["Ana"]},
        {"use": "usual", "given": ["Annie"]},
    ]
    assert person["birthDate"] == "2001-04-05"
    assert person["telecom"] == [
        {"system": "email", "value": "ana@example.org"},
        {"system": "phone", "value": "774-555-0123"},
    ]
    assert person["address"] == [{"state": "MA"}]


def test_each_answer_has_the_value_type_of_its_item() -> None:
    document = fhir.bundle(REFERRAL, SHIPPED)
    found = resources(document)
    types = {item["linkId"]: item for item in found["Questionnaire"]["item"]}
    value_of = {
        "boolean": "valueBoolean",
        "choice": "valueCoding",
        "date": "valueDate",
        "decimal": "valueDecimal",
        "string": "valueString",
        "text": "valueString",
    }
    for item in found["QuestionnaireResponse"]["item"]:
        expected = value_of[types[item["linkId"]]["type"]]
        assert all(list(answer) == [expected] for answer in item["answer"]), item
    by_id = {item["linkId"]: item for item in found["QuestionnaireResponse"]["item"]}
    assert by_id["voicemail_ok"]["answer"] == [{"valueBoolean": False}]
    assert [a["valueCoding"]["code"] for a in by_id["availability"]["answer"]] == [
        "weekday_evenings",
        "weekends",
    ]
    assert by_id["availability"]["answer"][1]["valueCoding"]["display"] == "Weekends"
    assert types["availability"]["repeats"] is True
    assert types["reason"]["type"] == "text" and types["first_name"]["type"] == "string"
    option_codes = {o["valueCoding"]["code"] for o in types["insurance"]["answerOption"]}
    assert "self_pay" in option_codes


def test_every_input_kind_maps_to_its_documented_type() -> None:
    referral = {**REFERRAL, "flow_id": "kinds", "flow_version": 1, "locale": "en"}
    referral["answers"] = {"ok": True, "age": 34, "why": "x", "when": ["pm"], "day": "2026-01-02"}
    document = fhir.bundle(referral, EVERY_KIND)
    validated(document)
    found = resources(document)
    kinds = {item["linkId"]: item["type"] for item in found["Questionnaire"]["item"]}
    assert kinds == {
        "ok": "boolean",
        "age": "decimal",
        "why": "text",
        "when": "choice",
        "day": "date",
    }
    items = {item["linkId"]: item for item in found["QuestionnaireResponse"]["item"]}
    assert items["age"]["answer"] == [{"valueDecimal": 34}] and items["age"]["text"] == "Your age"
    required = {item["linkId"]: item["required"] for item in found["Questionnaire"]["item"]}
    assert required["why"] is False and required["age"] is True
    doc = (ROOT / "docs" / "fhir.md").read_text()
    for kind in fhir.ITEM_TYPES:
        assert f"| `{kind}` |" in doc, f"docs/fhir.md has no row for {kind}"


def test_an_answer_that_does_not_fit_its_type_is_left_out_not_mistyped() -> None:
    referral = {**REFERRAL, "flow_id": "kinds", "flow_version": 1}
    referral["answers"] = {"ok": "yes", "age": True, "day": 5, "why": ""}
    document = fhir.bundle(referral, EVERY_KIND)
    validated(document)
    assert "item" not in resources(document)["QuestionnaireResponse"]  # FHIR has no empty lists


def test_exporting_twice_gives_the_same_document_and_the_base_follows_the_public_url() -> None:
    assert fhir.bundle(REFERRAL, SHIPPED) == fhir.bundle(REFERRAL, SHIPPED)
    own = fhir.bundle(REFERRAL, SHIPPED, base=fhir.base_for("https://intake.example.org/"))
    assert resources(own)["Questionnaire"]["url"] == (
        "https://intake.example.org/fhir/Questionnaire/intake"
    )
    assert fhir.base_for("") == fhir.DEFAULT_BASE


def test_a_guardian_becomes_the_patients_contact() -> None:
    referral = {**REFERRAL, "answers": {**ANSWERS, "guardian_name": "Rosa", "guardian_phone": "1"}}
    document = fhir.bundle(referral, SHIPPED)
    validated(document)
    [contact] = resources(document)["Patient"]["contact"]
    assert contact["name"] == {"text": "Rosa"}
    assert contact["relationship"][0]["coding"][0]["code"] == "GUARD"


def test_the_shipped_flow_as_parsed_gives_one_item_per_question_variable() -> None:
    flow = load_flow(ROOT / "flows" / "intake.json")
    form = fhir.questionnaire(flow.data, flow.id, 1)
    question_vars = {
        node["var"]
        for node in flow.nodes.values()
        if node["type"] == "question"
        and node["input"] in fhir.ITEM_TYPES
        and "questionnaire" not in node  # a questionnaire's items are in its group
    }
    groups = {item["linkId"]: item for item in form["item"] if item["type"] == "group"}
    assert {item["linkId"] for item in form["item"]} == question_vars | set(groups)
    assert [child["linkId"] for child in groups["checkin"]["item"]] == [
        *(n for n in flow.nodes if n.startswith("checkin:")),
        "checkin:total",
        "checkin:band",
    ]


# --- where staff get it ---------------------------------------------------------------------------


@pytest.fixture
def console(tmp_path: Path) -> Console:
    return build_console(tmp_path)


def test_the_referral_page_offers_the_download_and_it_is_valid(console: Console) -> None:
    client, _ = console.client("coordinator")
    page = client.get(f"/staff/referrals/{console.referral_id}")
    link = f"/staff/referrals/{console.referral_id}/fhir.json"
    assert f'href="{link}"' in page.text and "Erase this referral" not in page.text
    response = client.get(link)
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    document = validated(json.loads(response.data)).dict()
    assert document["entry"][2]["resource"]["identifier"]["value"] == console.referral_id
    with console.db.read() as conn:
        actions = [entry["action"] for entry in chat_db.audit_entries(conn)]
    assert "referral.fhir" in actions
    assert client.get("/staff/referrals/NOSUCHREF/fhir.json").status_code == 404


def test_the_api_serves_the_bundle_to_a_token_with_the_referral_scope(console: Console) -> None:
    raw = _token(console, ("referrals:read",))[0]
    client = console.app.test_client()
    path = f"/api/v1/referrals/{console.referral_id}/fhir"
    response = client.get(path, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    validated(json.loads(response.data))
    with console.db.read() as conn:
        [entry] = [e for e in chat_db.audit_entries(conn) if e["action"] == "api.referral.fhir"]
    assert entry["subject"] == f"referral:{console.referral_id}"
    missing = client.get(
        "/api/v1/referrals/NOSUCHREF/fhir", headers={"Authorization": f"Bearer {raw}"}
    )
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    assert client.get(path).status_code == 401
    other = _token(console, ("something:else",))[0]
    assert client.get(path, headers={"Authorization": f"Bearer {other}"}).status_code == 403


def test_the_cli_prints_or_writes_the_bundle(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    flow = load_flow(ROOT / "flows" / "intake.json")
    Service(db, {flow.id: flow}, _config(tmp_path))  # stores the flow version, as the app does
    referral_id = make_referral(db, display=dict(ANSWERS), answers=ANSWERS)
    with db.transaction() as conn:  # make_referral names version 1: point it at what is stored
        version = chat_db.latest_flow_version(conn, "intake")
        assert version is not None
        conn.execute(
            chat_db.referrals.update()
            .where(chat_db.referrals.c.id == referral_id)
            .values(flow_version=version.version)
        )
    env = {"INTAKE_DATABASE_URL": database_url, "INTAKE_DATA_DIR": str(tmp_path)}
    printed = CliRunner().invoke(cli, ["referral", "fhir", referral_id], env=env)
    assert printed.exit_code == 0, printed.output
    document = json.loads(printed.output)
    validated(document)
    assert len(resources(document)["QuestionnaireResponse"]["item"]) >= 10
    target = tmp_path / "out.json"
    written = CliRunner().invoke(cli, ["referral", "fhir", referral_id, "-o", str(target)], env=env)
    assert written.exit_code == 0 and json.loads(target.read_text()) == document
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    unknown = CliRunner().invoke(cli, ["referral", "fhir", "NOSUCHREF"], env=env)
    assert unknown.exit_code == 1 and "There is no referral NOSUCHREF" in unknown.output


def _config(tmp_path: Path) -> Any:
    from intake_chat.core.config import Config

    return Config.from_env({}, data_dir=tmp_path, secret_key="x", testing=True)
