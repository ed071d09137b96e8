"""Test flow data in one place: the small flow documents that the service, live-desk and privacy
tests run through the real engine, built from shared node pieces so that one change to a node's
shape lands in every test flow; and helpers for tests that edit flow documents as plain data."""

from __future__ import annotations

import json
from typing import Any

from intake_chat.core.flows import Flow, parse_flow

Node = dict[str, Any]


def node(data: dict[str, Any], node_id: str) -> dict[str, Any]:
    """The node with this id in a flow document, to read or to change in place."""
    for body in data["sections"].values():
        for item in body["nodes"]:
            if item["id"] == node_id:
                return item  # type: ignore[no-any-return]
    raise KeyError(node_id)


def text(en: str) -> dict[str, str]:
    """Wording in the two locales of the bilingual test flows."""
    return {"en": en, "es": f"(es) {en}"}


def text_en(en: str) -> dict[str, str]:
    """Wording for a flow in English only."""
    return {"en": en}


def flow_document(
    flow_id: str, title: str, start: str, sections: dict[str, list[Node]], bilingual: bool = True
) -> dict[str, Any]:
    """A flow document; a bilingual one offers the "real person" intent and its person node."""
    words = text if bilingual else text_en
    data: dict[str, Any] = {
        "$schema": "./schema/flow.schema.json",
        "id": flow_id,
        "title": words(title),
        "locales": ["en", "es"] if bilingual else ["en"],
        "start": start,
    }
    if bilingual:
        data["settings"] = {"person_node": "to_person"}
        data["intents"] = [
            {
                "id": "human",
                "action": "goto",
                "target": "to_person",
                "match": {"en": ["real person"], "es": ["persona real"]},
            }
        ]
    data["sections"] = {name: {"nodes": nodes} for name, nodes in sections.items()}
    return data


def question(node_id: str, var: str, wording: dict[str, str], **more: Any) -> Node:
    """A text question unless ``input`` says otherwise."""
    return {"id": node_id, "type": "question", "input": "text", "var": var, **more, "text": wording}


def colour_question(words: Any) -> Node:
    options = [{"value": "red", "label": words("Red")}, {"value": "blue", "label": words("Blue")}]
    return {
        **question("colour", "colour", words("Pick a colour."), input="choice"),
        "options": options,
    }


def handoff(
    node_id: str, mode: str, fields: list[str], wording: dict[str, str], **more: Any
) -> Node:
    return {
        "id": node_id,
        "type": "handoff",
        "mode": mode,
        "fields": fields,
        **more,
        "text": wording,
    }


def person_section(**more: Any) -> list[Node]:
    return [handoff("to_person", "live", [], text("Connecting you."), **more)]


CHAT_FLOW = flow_document(
    "chat_test",
    "Chat test",
    "welcome",
    {
        "main": [
            {"id": "welcome", "type": "message", "text": text("Hello.")},
            colour_question(text),
            question("name", "first_name", text("Your first name?"), validation={"max_length": 80}),
            question("note", "note", text("Anything else?"), required=False),
            handoff("done", "queued", ["first_name", "colour"], text("Thank you, {first_name}.")),
        ],
        "person": person_section(),
    },
)

LIVE_FLOW = flow_document(
    "live_test",
    "Live test",
    "ask_name",
    {
        "main": [
            question("ask_name", "first_name", text("Your first name?")),
            question("ask_email", "email", text("Your email?"), input="email", required=False),
            question("ask_note", "note", text("Anything else?"), required=False),
            handoff(
                "done", "queued", ["first_name"], text("Thank you."), optional_fields=["email"]
            ),
        ],
        "person": person_section(optional_fields=["first_name", "email"]),
    },
)

PRIVACY_FLOW = flow_document(
    "privacy_test",
    "Privacy test",
    "welcome",
    {
        "main": [
            {"id": "welcome", "type": "message", "text": text_en("Hello.")},
            question("topic", "topic", text_en("What would you like to ask about?"), intents=False),
            question("consent", "consent", text_en("May we keep what you share?"), input="consent"),
            {
                "id": "consent_check",
                "type": "branch",
                "cases": [{"when": {"var": "consent", "op": "eq", "value": True}, "next": "name"}],
                "default": "parting",
            },
            question("name", "first_name", text_en("Your first name?"), personal=True),
            colour_question(text_en),
            handoff("done", "queued", ["first_name", "colour"], text_en("Thank you.")),
        ],
        "declined": [
            question(
                "parting",
                "parting",
                text_en("Anything else before you go?"),
                required=False,
                intents=False,
            ),
            {"id": "bye", "type": "end", "text": text_en("Goodbye.")},
        ],
    },
    bilingual=False,
)


def fresh_flow(data: dict[str, Any]) -> Flow:
    """A fresh Flow from a document (a deep copy, so a test's edits never leak into another)."""
    return parse_flow(json.loads(json.dumps(data)), f"{data['id']}.json")
