"""Analytics without free text: real conversations through the real service, engine and safety
rules (SQLite file; PostgreSQL when INTAKE_TEST_DATABASE_URL is set) are counted per milestone,
day and flow version, with drop-off per step; no typed word reaches the analytics table; erasure
removes a conversation's row and retention keeps it unlinked; the staff page and its CSV are for
admins and editors only; the CLI prints the same figures. Clocks, never sleeps."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flow_helpers import flow_document, handoff, question, text_en
from staff_helpers import Console, build_console
from test_erasure import MARKER, marker_places
from test_privacy import Clock, Visitor, run_cli, settings

from intake_chat.app import analytics, erasure, retention
from intake_chat.app.service import Service, safety_from_rules
from intake_chat.core import funnel
from intake_chat.core.flows import Flow, parse_flow
from intake_chat.core.funnel import STAGES
from intake_chat.core.funnel_report import COUNTED, DayCounts
from intake_chat.storage import Database
from intake_chat.storage import conversations as chat_db
from intake_chat.storage.analytics import Filter, funnel_conversations
from intake_chat.web.context import runtime

CRISIS = "I want to kill myself"
FLOW_ID = "funnel_test"


def funnel_flow(greeting: str = "Hello.") -> Flow:
    """Consent, a menu (referral or a person), two referral questions and a queued handoff;
    ``greeting`` changes the digest, so a second wording is a second flow version."""
    menu = {
        **question("menu", "path", text_en("What would you like?"), input="choice"),
        "options": [
            {"value": "refer", "label": text_en("Make a referral"), "next": "name"},
            {"value": "person", "label": text_en("Talk to a person"), "next": "to_person"},
        ],
    }
    colour = {
        **question("colour", "colour", text_en("Pick a colour."), input="choice"),
        "options": [
            {"value": "red", "label": text_en("Red")},
            {"value": "blue", "label": text_en("Blue")},
        ],
    }
    document = flow_document(
        FLOW_ID,
        "Funnel test",
        "welcome",
        {
            "main": [
                {"id": "welcome", "type": "message", "text": text_en(greeting)},
                question("consent", "consent", text_en("May we keep it?"), input="consent"),
                {
                    "id": "consent_check",
                    "type": "branch",
                    "cases": [
                        {"when": {"var": "consent", "op": "eq", "value": True}, "next": "menu"}
                    ],
                    "default": "bye",
                },
                menu,
            ],
            "referral": [
                question("name", "first_name", text_en("Your first name?"), personal=True),
                colour,
                handoff("done", "queued", ["consent", "first_name", "colour"], text_en("Thanks.")),
            ],
            "person": [handoff("to_person", "live", [], text_en("Connecting you."))],
            "declined": [{"id": "bye", "type": "end", "text": text_en("Goodbye.")}],
        },
        bilingual=False,
    )
    return parse_flow(json.loads(json.dumps(document)), f"{FLOW_ID}.json")


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 10, 15, 0))  # 10:00 in New York, the practice's zone


def make_service(db: Database, tmp_path: Path, rules: Any, clock: Clock, flow: Flow) -> Service:
    config = settings(tmp_path, default_flow=FLOW_ID, timezone="America/New_York")
    return Service(db, {flow.id: flow}, config, safety=safety_from_rules(rules), now=clock)


@pytest.fixture
def service(db: Database, tmp_path: Path, rules: Any, clock: Clock) -> Service:
    return make_service(db, tmp_path, rules, clock, funnel_flow())


@dataclass
class Crowd:
    """Six visitors, one per way a conversation goes (their session ids by name)."""

    ids: dict[str, str]


def submitted(service: Service) -> Visitor:
    visitor = Visitor(service).start()
    visitor.reply(choice="accept")
    visitor.reply(choice="refer")
    visitor.reply(text=f"Ana {MARKER}")
    visitor.reply(choice="blue")
    return visitor


def crowd(service: Service) -> Crowd:
    people = {"submitted": submitted(service)}
    stopped = people["stopped_at_colour"] = Visitor(service).start()
    stopped.reply(choice="accept")
    stopped.reply(choice="refer")
    stopped.reply(text=f"Bo {MARKER}")
    declined = people["declined"] = Visitor(service).start()
    declined.reply(choice="decline")
    people["left_at_consent"] = Visitor(service).start()
    person = people["asked_for_a_person"] = Visitor(service).start()
    person.reply(choice="accept")
    person.reply(choice="person")
    crisis = people["crisis"] = Visitor(service).start()
    crisis.reply(text=f"{CRISIS} {MARKER}")
    return Crowd({name: visitor.session.id for name, visitor in people.items()})


def totals(db: Database, filters: Filter | None = None) -> dict[str, int]:
    report = analytics.report(db, filters or Filter())
    return {bar.key: bar.count for bar in report.bars}


def drop_off(db: Database, filters: Filter | None = None) -> dict[str, int]:
    return {row.node: row.count for row in analytics.report(db, filters or Filter()).drop_off}


def test_each_milestone_is_counted_once_per_conversation(service: Service, db: Database) -> None:
    crowd(service)
    assert totals(db) == {
        "started": 6,
        "consented": 3,  # submitted, stopped at colour, asked for a person
        "referral_started": 2,  # the first referral question was asked
        "submitted": 1,
        "handoff": 1,
        "crisis": 1,
        "concern": 0,
    }


def test_drop_off_is_the_step_each_unfinished_conversation_was_last_at(
    service: Service, db: Database
) -> None:
    crowd(service)
    report = analytics.report(db, Filter())
    assert drop_off(db) == {"consent": 2, "colour": 1, "bye": 1}
    by_node = {row.node: row for row in report.drop_off}
    assert by_node["bye"].kind == "end" and by_node["colour"].kind == "question"
    assert by_node["colour"].words == "Pick a colour."  # the flow's words, not the visitor's
    assert by_node["consent"].share == pytest.approx(2 / 6)
    assert [row.node for row in report.drop_off][0] == "consent"  # the biggest first


def test_a_funnel_stage_never_counts_more_than_the_one_before(
    service: Service, db: Database
) -> None:
    crowd(service)
    counts = totals(db)
    stages = [counts[name] for name in STAGES]
    assert stages == sorted(stages, reverse=True) and stages[0] > stages[-1]


def test_no_typed_word_reaches_the_analytics_table(service: Service, db: Database) -> None:
    ids = crowd(service).ids
    places = marker_places(db)
    assert "events.payload" in places  # the marker was typed and is kept where it belongs
    assert not [place for place in places if place.startswith(funnel_conversations.name)]
    flow = service.flows[FLOW_ID]
    with db.read() as conn:
        rows = [row._mapping for row in conn.execute(sa.select(funnel_conversations))]
    assert len(rows) == 6
    for row in rows:
        assert row["session_id"] in ids.values() and row["flow_id"] == FLOW_ID
        assert row["last_node"] in flow.nodes  # only step ids of the flow
        strings = {value for value in row.values() if isinstance(value, str)}
        assert strings <= {row["session_id"], FLOW_ID, row["last_node"]}


def test_conversations_count_on_the_practice_day_they_started(
    service: Service, db: Database, clock: Clock
) -> None:
    Visitor(service).start()
    clock.now = datetime(2026, 3, 11, 3, 30)  # still the 10th in New York (22:30)
    late = Visitor(service).start()
    Visitor(service).start()
    clock.now = datetime(2026, 3, 11, 5, 0)  # the 11th in New York: a later turn keeps its day
    late.reply(choice="accept")
    clock.now = datetime(2026, 3, 11, 14, 0)
    rows = analytics.report(db, Filter()).days
    assert [(row.day, row.started, row.consented) for row in rows] == [
        (date(2026, 3, 10), 3, 1),
    ]
    Visitor(service).start()
    only = Filter(date_from=date(2026, 3, 11), date_to=date(2026, 3, 11))
    assert totals(db, only)["started"] == 1
    assert [row.day for row in analytics.report(db, Filter()).days][-1] == date(2026, 3, 11)


def test_each_flow_version_is_counted_apart(
    service: Service, db: Database, tmp_path: Path, rules: Any, clock: Clock
) -> None:
    submitted(service)
    newer = make_service(db, tmp_path, rules, clock, funnel_flow("Hello again."))
    Visitor(newer).start()
    assert analytics.versions(db) == [(FLOW_ID, 2), (FLOW_ID, 1)]
    first = Filter(flow_id=FLOW_ID, flow_version=1)
    second = Filter(flow_id=FLOW_ID, flow_version=2)
    assert (totals(db, first)["started"], totals(db, first)["submitted"]) == (1, 1)
    assert (totals(db, second)["started"], totals(db, second)["submitted"]) == (1, 0)
    header, rows = analytics.report(db, Filter()).day_table()
    assert header == ["day", "flow", "flow_version", *COUNTED]
    assert [(row[2], row[3]) for row in rows] == [(1, 1), (2, 1)]


def test_erasing_a_conversation_removes_its_analytics_row(service: Service, db: Database) -> None:
    ids = crowd(service).ids
    erasure.erase_conversation(db, ids["submitted"], actor="staff:1")
    leaving = Visitor(service).start()
    leaving.send(type="erase")  # the visitor's own "delete this conversation"
    with db.read() as conn:
        kept = set(conn.execute(sa.select(funnel_conversations.c.session_id)).scalars())
    assert ids["submitted"] not in kept and len(kept) == 5
    assert totals(db)["started"] == 5 and totals(db)["submitted"] == 0


def test_retention_keeps_counting_purged_conversations_without_their_link(
    service: Service, db: Database, tmp_path: Path, clock: Clock
) -> None:
    ids = crowd(service).ids
    before = (totals(db), drop_off(db))
    config = settings(tmp_path, default_flow=FLOW_ID)
    report = retention.purge(db, config, now=clock.now + timedelta(days=31))
    assert report.sessions == 3  # stopped at colour, declined, left at consent
    assert (totals(db), drop_off(db)) == before
    with db.read() as conn:
        rows = [row._mapping for row in conn.execute(sa.select(funnel_conversations))]
    detached = [row for row in rows if row["session_id"] is None]
    assert len(detached) == 3 and all(row["started_at"] is None for row in detached)
    linked = {row["session_id"] for row in rows} - {None}
    assert linked == {ids["submitted"], ids["asked_for_a_person"], ids["crisis"]}


def test_the_cli_prints_the_funnel_and_writes_csv(
    service: Service, db: Database, database_url: str, tmp_path: Path
) -> None:
    crowd(service)
    printed = run_cli(database_url, tmp_path, "analytics", "--all-days")
    assert printed.exit_code == 0, printed.output
    assert "Conversations started" in printed.output and "every version" in printed.output
    lines = {line.split("  ")[1].strip(): line.split() for line in printed.output.splitlines()[1:8]}
    assert lines["Referral submitted"][-2:] == ["1", "17%"]
    assert "colour (question, funnel_test v1)" in printed.output
    out = tmp_path / "days.csv"
    written = run_cli(database_url, tmp_path, "analytics", "--all-days", "--csv", str(out))
    assert written.exit_code == 0
    [row] = list(csv.DictReader(io.StringIO(out.read_text())))
    assert row["day"] == "2026-03-10" and row["started"] == "6" and row["crisis"] == "1"
    dropped = run_cli(
        database_url, tmp_path, "analytics", "--all-days", "--csv", "-", "--table", "drop-off"
    )
    assert [r["step"] for r in csv.DictReader(io.StringIO(dropped.output))][0] == "consent"
    bad = run_cli(database_url, tmp_path, "analytics", "--version", "intake")
    assert bad.exit_code == 2 and "FLOW:VERSION" in bad.output
    recent = run_cli(database_url, tmp_path, "analytics")  # the last 30 days: 2026-03 is older
    assert recent.exit_code == 0 and "Conversations started       0" in recent.output


# --- the staff page (SQLite; the figures are the ones tested above) -----------------------------


@pytest.fixture
def console(tmp_path: Path) -> Console:
    return build_console(tmp_path)


def visit_today(console: Console) -> None:
    """Two conversations on the bundled flow, one of them with consent given."""
    service = runtime(console.app).service
    for consent in (True, False):
        visitor = Visitor(service).start()
        if consent:
            visitor.reply(choice="accept")


@pytest.mark.parametrize(
    ("persona", "status"), [("admin", 200), ("editor", 200), ("coordinator", 403)]
)
def test_admins_and_editors_see_the_page(console: Console, persona: str, status: int) -> None:
    visit_today(console)
    client, _csrf = console.client(persona)
    page = client.get("/staff/analytics/")
    assert page.status_code == status
    csv_response = client.get("/staff/analytics/funnel.csv")
    assert csv_response.status_code == status
    home = client.get("/staff/account").text
    assert ('href="/staff/analytics/"' in home) is (status == 200)  # the menu offers it
    if status == 200:
        assert "<svg" in page.text and 'aria-labelledby="funnel-title funnel-desc"' in page.text
        assert page.text.count('class="bar"') == len(COUNTED)
        assert "<td>2</td><td>100%</td>" in page.text  # conversations started, in the table


def test_signed_out_visitors_are_sent_to_sign_in(console: Console) -> None:
    client, _csrf = console.client("anonymous")
    for path in ("/staff/analytics/", "/staff/analytics/drop-off.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_the_csv_downloads_hold_the_counts_and_are_audited(console: Console) -> None:
    visit_today(console)
    client, _csrf = console.client("editor")
    response = client.get("/staff/analytics/funnel.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="analytics-')
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert (row["flow"], row["started"], row["consented"], row["submitted"]) == (
        "intake",
        "2",
        "1",
        "0",
    )
    steps = list(csv.DictReader(io.StringIO(client.get("/staff/analytics/drop-off.csv").text)))
    assert sum(int(step["stopped"]) for step in steps) == 2
    assert {step["step"] for step in steps} <= set(runtime(console.app).flows["intake"].nodes)
    with console.db.read() as conn:
        exports = [e for e in chat_db.audit_entries(conn) if e["action"] == "analytics.export"]
    assert [entry["detail"]["table"] for entry in exports] == ["funnel", "drop-off"]


@pytest.mark.parametrize(
    "query",
    ["from=2026-13-01", "to=yesterday", "from=2026-03-02&to=2026-03-01", "version=intake"],
)
def test_bad_filters_are_explained_never_a_500(console: Console, query: str) -> None:
    client, _csrf = console.client("admin")
    page = client.get(f"/staff/analytics/?{query}")
    assert page.status_code == 400 and 'class="error" role="alert"' in page.text
    assert client.get(f"/staff/analytics/funnel.csv?{query}").status_code == 400


def test_the_filters_choose_the_days_and_the_version(console: Console) -> None:
    visit_today(console)
    client, _csrf = console.client("admin")
    today = analytics.default_filter(date.today()).date_to
    assert today is not None
    version = analytics.versions(console.db)[0]
    chosen = f"version={version[0]}:{version[1]}"
    shown = client.get(f"/staff/analytics/?{chosen}")
    assert "<td>2</td><td>100%</td>" in shown.text and "selected>intake version" in shown.text
    old = client.get(f"/staff/analytics/?from=2020-01-01&to=2020-01-31&{chosen}")
    assert old.status_code == 200 and "No conversations were started" in old.text
    other = client.get("/staff/analytics/funnel.csv?version=other:1").text
    assert other.splitlines()[1:] == []


def test_day_counts_columns_are_the_csv_columns() -> None:
    names = list(DayCounts.__dataclass_fields__)[3:]
    assert names == list(COUNTED)


# --- what one turn reached (core/funnel.py: pure, no database) -----------------------------------


def test_a_turn_that_stays_at_its_step_and_reaches_nothing_writes_nothing() -> None:
    flow = funnel_flow()
    state = {"node": "name", "answers": {"consent": True}}
    again = funnel.reached(flow, state, state, [{"type": "invalid", "node": "name"}], [], {})
    assert not again.changed and again.last_node is None and not again.consented
    moved = funnel.reached(flow, state, {**state, "node": "colour"}, [], [], {})
    assert moved.changed and moved.last_node == "colour" and moved.milestones() == {}


def test_a_concern_after_a_crisis_still_counts_as_a_concern() -> None:
    flow = funnel_flow()
    flags = {"urgent": True, "concern_count": 1}  # a concern never lowers an earlier crisis
    got = funnel.reached(flow, None, None, [], [], flags)
    assert (got.concern, got.crisis) == (True, False)


def test_a_live_handoff_that_requires_answers_is_a_submission_and_a_handoff() -> None:
    flow = funnel_flow()
    effects = [
        {"type": "submit_referral", "node": "done", "mode": "live"},
        {"type": "request_staff", "node": "done"},
    ]
    got = funnel.reached(flow, None, None, [], effects, {})
    assert (got.submitted, got.handoff) == (True, True)
    person = [{"type": "submit_referral", "node": "to_person"}, {"type": "request_staff"}]
    got = funnel.reached(flow, None, None, [], person, {})
    assert (got.submitted, got.handoff) == (False, True)  # no answers required: a hand-off only
