"""A referral as FHIR R4 (4.0.1): a ``collection`` Bundle of the ``Questionnaire`` generated from
the flow version it was answered on, the ``QuestionnaireResponse`` with its answers and the
``Patient`` the answers describe, so an EHR takes it in without retyping.

Pure: a flow document (the stored JSON) and a referral row as plain data in, plain JSON-ready
dicts out. Ids are derived from the referral id, so exporting twice gives the same document.
docs/fhir.md gives the mapping of each input kind to a FHIR answer type.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from . import instruments
from .referral_view import localized, score_note

FHIR_VERSION = "4.0.1"
DEFAULT_BASE = "urn:intake-chat"  # canonical base when the practice set no public URL
_NAMESPACE = uuid.UUID("1b7e3c52-3a8f-4c4e-9d3e-6f2a1c0b9e77")  # for the bundle's urn:uuid ids

# Input kind -> Questionnaire item type; the answer's value[x] follows from the type.
ITEM_TYPES = {
    "choice": "choice",
    "multi": "choice",
    "yesno": "boolean",
    "consent": "boolean",
    "text": "string",
    "email": "string",
    "phone": "string",
    "date": "date",
    "number": "decimal",
}
LONG_TEXT = "text"  # a text question with "expects": "free" is a paragraph, not a line

# Answer variables the Patient resource is filled from (the shipped flow's names; docs/fhir.md).
GIVEN = ("first_name", "name")
PREFERRED = ("preferred_name",)
FAMILY = ("last_name",)
BIRTH_DATE = ("dob", "birth_date", "date_of_birth")
EMAILS = ("email",)
PHONES = ("phone",)
STATES = ("state",)
GUARDIAN_NAME, GUARDIAN_PHONE, GUARDIAN_EMAIL = "guardian_name", "guardian_phone", "guardian_email"


@dataclass(frozen=True)
class Question:
    """One answerable variable of a flow, as the Questionnaire names it."""

    var: str
    kind: str
    text: str
    required: bool
    long: bool
    options: tuple[tuple[str, str], ...]  # (value, label)


def _nodes(flow: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    sections = flow.get("sections")
    for section in sections.values() if isinstance(sections, Mapping) else ():
        nodes = section.get("nodes") if isinstance(section, Mapping) else None
        for node in nodes if isinstance(nodes, list) else ():
            if isinstance(node, Mapping):
                yield node


def questions(flow: Mapping[str, Any]) -> list[Question]:
    """Every question variable in flow order (the first question asking it wins); a summary's
    label, when it has one, is the text staff and the EHR read."""
    locales = [loc for loc in flow.get("locales", []) if isinstance(loc, str)] or ["en"]
    labels: dict[str, str] = {}
    for node in _nodes(flow):
        for item in node.get("fields", []) if node.get("type") == "summary" else []:
            if isinstance(item, Mapping) and isinstance(item.get("var"), str):
                labels.setdefault(item["var"], localized(item.get("label"), locales))
    found: dict[str, Question] = {}
    for node in _nodes(flow):
        var, kind = node.get("var"), node.get("input")
        if node.get("type") != "question" or not isinstance(var, str) or var in found:
            continue
        if kind not in ITEM_TYPES:
            continue
        options = tuple(
            (
                str(option.get("value")),
                localized(option.get("label"), locales) or str(option["value"]),
            )
            for option in node.get("options", [])
            if isinstance(option, Mapping) and "value" in option
        )
        required = node.get("required", (node.get("validation") or {}).get("required", True))
        found[var] = Question(
            var=var,
            kind=str(kind),
            text=labels.get(var) or localized(node.get("text"), locales) or var,
            required=bool(required),
            long=kind == "text" and node.get("expects") == "free",
            options=options,
        )
    return list(found.values())


def base_for(public_url: str) -> str:
    """The canonical base: under the practice's own address when set (INTAKE_PUBLIC_URL)."""
    public = public_url.strip().rstrip("/")
    return f"{public}/fhir" if public else DEFAULT_BASE


def canonical(base: str, flow_id: str) -> str:
    return f"{base.rstrip('/')}/Questionnaire/{flow_id}"


def _coding_system(base: str, flow_id: str, var: str) -> str:
    return f"{canonical(base, flow_id)}/{var}"


def _iso_instant(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def questionnaire(
    flow: Mapping[str, Any], flow_id: str, version: int, *, base: str = DEFAULT_BASE
) -> dict[str, Any]:
    """The Questionnaire of one flow version: one item per question variable, linkId = var."""
    locales = [loc for loc in flow.get("locales", []) if isinstance(loc, str)] or ["en"]
    items = []
    for question in questions(flow):
        item: dict[str, Any] = {
            "linkId": question.var,
            "text": question.text,
            "type": LONG_TEXT if question.long else ITEM_TYPES[question.kind],
            "required": question.required,
        }
        if question.kind == "multi":
            item["repeats"] = True
        if ITEM_TYPES[question.kind] == "choice" and question.options:
            system = _coding_system(base, flow_id, question.var)
            item["answerOption"] = [
                {"valueCoding": {"system": system, "code": value, "display": label}}
                for value, label in question.options
            ]
        items.append(item)
    items.extend(_instrument_groups(flow, base, locales))
    document: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": f"{_safe_id(flow_id)}-v{version}",
        "url": canonical(base, flow_id),
        "version": str(version),
        "name": _name(flow_id),
        "title": localized(flow.get("title"), locales) or flow_id,
        "status": "active",
        "language": locales[0],
    }
    if items:  # FHIR allows no empty arrays
        document["item"] = items
    return document


# --- screening questionnaires: one group per questionnaire node, its items, total and band


def _instrument_code(base: str, instrument: Mapping[str, Any]) -> dict[str, Any]:
    """The instrument's id and version, as the group's code (staff and the EHR read which
    instrument, and which version of its wording and cut-offs, the answers belong to)."""
    return {
        "system": f"{base.rstrip('/')}/instrument",
        "version": str(instrument["version"]),
        "code": str(instrument["id"]),
        "display": str(instrument["title"]),
    }


def _questionnaire_nodes(flow: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    inlined = flow.get("instruments")
    for node in _nodes(flow):
        if node.get("type") == "questionnaire" and isinstance(inlined, Mapping):
            instrument = inlined.get(node.get("instrument"))
            if isinstance(instrument, Mapping):
                yield str(node["id"]), instrument


def _instrument_groups(
    flow: Mapping[str, Any], base: str, locales: Sequence[str]
) -> list[dict[str, Any]]:
    groups = []
    for node_id, instrument in _questionnaire_nodes(flow):
        system = f"{base.rstrip('/')}/instrument/{instrument['id']}"
        options = [
            {
                "valueCoding": {
                    "system": system,
                    "code": str(o["value"]),
                    "display": localized(o["label"], locales),
                }
            }
            for o in instrument["scale"]
        ]
        children: list[dict[str, Any]] = [
            {
                "linkId": instruments.answer_key(node_id, item["id"]),
                "text": localized(item["text"], locales),
                "type": "choice",
                "required": False,
                "answerOption": options,
            }
            for item in instrument["items"]
        ]
        children.append(
            {"linkId": f"{node_id}:total", "text": "Total", "type": "integer", "readOnly": True}
        )
        children.append(
            {"linkId": f"{node_id}:band", "text": "Band", "type": "string", "readOnly": True}
        )
        groups.append(
            {
                "linkId": node_id,
                "text": str(instrument["title"]),
                "type": "group",
                "code": [_instrument_code(base, instrument)],
                "item": children,
            }
        )
    return groups


def _instrument_answers(
    flow: Mapping[str, Any], answers: Mapping[str, Any], base: str
) -> list[dict[str, Any]]:
    """The scored questionnaires as groups of the response: each answered item (a skipped one
    is left out, as FHIR has no empty answer), the total and the band (or why none)."""
    groups = []
    for result in instruments.results(flow, answers):
        system = f"{base.rstrip('/')}/instrument/{result['instrument']}"
        children: list[dict[str, Any]] = [
            {
                "linkId": item["key"],
                "text": item["text"],
                "answer": [
                    {
                        "valueCoding": {
                            "system": system,
                            "code": str(item["value"]),
                            "display": item["label"],
                        }
                    }
                ],
            }
            for item in result["items"]
            if item["value"] is not None
        ]
        node_id = result["node"]
        children.append(
            {
                "linkId": f"{node_id}:total",
                "text": "Total",
                "answer": [{"valueInteger": result["total"]}],
            }
        )
        children.append(
            {
                "linkId": f"{node_id}:band",
                "text": "Band",
                "answer": [{"valueString": score_note(result)}],
            }
        )
        groups.append({"linkId": node_id, "text": str(result["title"]), "item": children})
    return groups


def _safe_id(text: str) -> str:
    """A FHIR id: [A-Za-z0-9-.]{1,64}."""
    cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-.") else "-" for ch in text)
    return cleaned[:56] or "flow"


def _name(flow_id: str) -> str:
    """A computer-friendly name: starts with a capital letter, letters and digits only."""
    words = [word for word in _safe_id(flow_id).replace(".", "-").split("-") if word]
    name = "".join(word[:1].upper() + word[1:] for word in words) or "Flow"
    return name if name[0].isalpha() else f"Flow{name}"


def _answers(question: Question, value: Any, system: str) -> list[dict[str, Any]]:
    """The answer list for one stored value (empty when the value does not fit the type)."""
    labels = dict(question.options)
    kind = ITEM_TYPES[question.kind]
    if kind == "choice":
        values = value if isinstance(value, list) else [value]
        return [
            {
                "valueCoding": {
                    "system": system,
                    "code": str(v),
                    "display": labels.get(str(v), str(v)),
                }
            }
            for v in values
            if v is not None and str(v) != ""
        ]
    if kind == "boolean":
        return [{"valueBoolean": value}] if isinstance(value, bool) else []
    if kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return []
        return [{"valueDecimal": value}]
    if kind == "date":
        return [{"valueDate": value}] if isinstance(value, str) and value else []
    text = value if isinstance(value, str) else None
    return [{"valueString": text}] if text else []


def questionnaire_response(
    referral: Mapping[str, Any],
    flow: Mapping[str, Any],
    *,
    base: str = DEFAULT_BASE,
    patient_ref: str | None = None,
) -> dict[str, Any]:
    """The referral's answers against its flow version's Questionnaire, in flow order.
    Variables the flow does not ask (values a flow sets itself) are left out."""
    flow_id, version = str(referral["flow_id"]), int(referral["flow_version"])
    answers: Mapping[str, Any] = referral.get("answers") or {}
    items = []
    for question in questions(flow):
        if question.var not in answers:
            continue
        system = _coding_system(base, flow_id, question.var)
        given = _answers(question, answers[question.var], system)
        if given:
            items.append({"linkId": question.var, "text": question.text, "answer": given})
    items.extend(_instrument_answers(flow, answers, base))
    document: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": _safe_id(str(referral["id"])),
        "identifier": {"system": f"{base.rstrip('/')}/referral", "value": str(referral["id"])},
        "questionnaire": f"{canonical(base, flow_id)}|{version}",
        "status": "completed",
        "authored": _iso_instant(referral["created_at"]),
        "language": str(referral.get("locale") or "en"),
    }
    if items:
        document["item"] = items
    if patient_ref:
        document["subject"] = {"reference": patient_ref}
    return document


def _first(answers: Mapping[str, Any], names: Sequence[str]) -> str | None:
    for name in names:
        value = answers.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def patient(referral: Mapping[str, Any]) -> dict[str, Any]:
    """The person the referral is about, from the answers the shipped flow names (docs/fhir.md)."""
    answers: Mapping[str, Any] = referral.get("answers") or {}
    document: dict[str, Any] = {"resourceType": "Patient", "id": _safe_id(f"p-{referral['id']}")}
    names = []
    given, family = _first(answers, GIVEN), _first(answers, FAMILY)
    if given or family:
        official: dict[str, Any] = {"use": "official"}
        if family:
            official["family"] = family
        if given:
            official["given"] = [given]
        names.append(official)
    preferred = _first(answers, PREFERRED)
    if preferred:
        names.append({"use": "usual", "given": [preferred]})
    if names:
        document["name"] = names
    telecom = [
        {"system": "email", "value": value} for value in filter(None, [_first(answers, EMAILS)])
    ] + [{"system": "phone", "value": value} for value in filter(None, [_first(answers, PHONES)])]
    if telecom:
        document["telecom"] = telecom
    birth = _first(answers, BIRTH_DATE)
    if birth:
        document["birthDate"] = birth
    state = _first(answers, STATES)
    if state:
        document["address"] = [{"state": state}]
    guardian = _guardian(answers)
    if guardian:
        document["contact"] = [guardian]
    document["communication"] = [
        {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": str(referral["locale"])}]}}
    ]
    return document


def _guardian(answers: Mapping[str, Any]) -> dict[str, Any] | None:
    name = _first(answers, (GUARDIAN_NAME,))
    phone, email = _first(answers, (GUARDIAN_PHONE,)), _first(answers, (GUARDIAN_EMAIL,))
    if not (name or phone or email):
        return None
    contact: dict[str, Any] = {
        "relationship": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                        "code": "GUARD",
                        "display": "guardian",
                    }
                ],
                "text": "Parent or guardian",
            }
        ]
    }
    if name:
        contact["name"] = {"text": name}
    telecom = [{"system": "phone", "value": phone}] if phone else []
    telecom += [{"system": "email", "value": email}] if email else []
    if telecom:
        contact["telecom"] = telecom
    return contact


def bundle(
    referral: Mapping[str, Any], flow: Mapping[str, Any], *, base: str = DEFAULT_BASE
) -> dict[str, Any]:
    """Questionnaire, Patient and QuestionnaireResponse in one ``collection`` Bundle; the
    response points at the patient by the bundle's ``urn:uuid`` full URL."""
    referral_id = str(referral["id"])

    def full_url(kind: str) -> str:
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{base}|{kind}|{referral_id}')}"

    patient_url = full_url("Patient")
    form = questionnaire(flow, str(referral["flow_id"]), int(referral["flow_version"]), base=base)
    response = questionnaire_response(referral, flow, base=base, patient_ref=patient_url)
    return {
        "resourceType": "Bundle",
        "id": _safe_id(f"referral-{referral_id}"),
        "type": "collection",
        "timestamp": _iso_instant(referral["created_at"]),
        "identifier": {"system": f"{base.rstrip('/')}/referral", "value": referral_id},
        "entry": [
            {"fullUrl": full_url("Questionnaire"), "resource": form},
            {"fullUrl": patient_url, "resource": patient(referral)},
            {"fullUrl": full_url("QuestionnaireResponse"), "resource": response},
        ],
    }
