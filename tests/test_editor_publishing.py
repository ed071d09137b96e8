"""publishing: drafts with optimistic concurrency, the review rules, publish, rollback, seeding,
import/export and the audit trail — on a real SQLite file and, when configured, PostgreSQL."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flow_helpers import node

from intake_chat.app import publishing
from intake_chat.app.publishing import Actor
from intake_chat.core.errors import EditRefused
from intake_chat.core.flows import load_flow, parse_flow
from intake_chat.storage import Database
from intake_chat.storage import conversations as chat_db
from intake_chat.storage import drafts as store

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "flows" / "mini.json"
ANA = Actor("staff:1", "Ana")
BEN = Actor("staff:2", "Ben")
CAL = Actor("staff:3", "Cal")


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.migrate()
    with database.transaction() as conn:
        publishing.seed(conn, {"mini": load_flow(MINI)})
    yield database
    database.dispose()


def mini() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MINI.read_text())
    return data


def edited(text: str = "What should we call you?", *, es: bool = True) -> dict[str, Any]:
    """The mini flow with the name question reworded (in both languages unless ``es=False``:
    an English-only change is warned about, L025)."""
    data = mini()
    words = node(data, "name")["text"]
    words["en"] = text
    if es and "es" in words:
        words["es"] = f"{text} (es)"
    return data


def approve_and_publish(
    db: Database, data: dict[str, Any], *, author: Actor = ANA, reviewer: Actor = BEN
) -> store.Publication:
    state = publishing.draft_state(db, "mini", author)
    draft = publishing.save_draft(db, "mini", data, revision=state.draft.revision, actor=author)
    review = publishing.submit_for_review(db, "mini", revision=draft.revision, actor=author)
    publishing.decide_review(db, "mini", review.id, approve=True, actor=reviewer)
    return publishing.publish(
        db, "mini", revision=draft.revision, actor=author, note="wording", acknowledge=True
    )


def audit_actions(db: Database) -> list[str]:
    with db.read() as conn:
        return [row["action"] for row in chat_db.audit_entries(conn, subject="flow:mini")]


# --- seeding --------------------------------------------------------------------------------


def test_seeding_publishes_version_1_from_the_file_once(db: Database) -> None:
    with db.transaction() as conn:
        again = publishing.seed(conn, {"mini": load_flow(MINI)})
        current = store.current_publication(conn, "mini")
    assert again == []
    assert current is not None and current.number == 1 and current.kind == "file"
    assert current.digest == load_flow(MINI).digest
    assert audit_actions(db) == ["flow.seed"]


def test_a_changed_file_does_not_replace_a_published_edit_on_restart(
    db: Database, tmp_path: Path
) -> None:
    approve_and_publish(db, edited())
    changed_file = tmp_path / "mini.json"
    changed_file.write_text(json.dumps(edited("A different text on disk")))
    with db.transaction() as conn:
        publishing.seed(conn, {"mini": load_flow(changed_file)})
        version = publishing.current_version(conn, "mini")
    assert version is not None
    assert node(json.loads(version.json), "name")["text"]["en"] == "What should we call you?"


def test_a_changed_file_is_published_while_no_one_has_published_in_the_console(
    db: Database, tmp_path: Path
) -> None:
    changed_file = tmp_path / "mini.json"
    changed_file.write_text(json.dumps(edited("Shipped in an update")))
    with db.transaction() as conn:
        assert publishing.seed(conn, {"mini": load_flow(changed_file)}) == ["mini"]
        current = store.current_publication(conn, "mini")
    assert current is not None and (current.number, current.kind) == (2, "file")
    assert node(json.loads(current.json), "name")["text"]["en"] == "Shipped in an update"


# --- drafts ---------------------------------------------------------------------------------


def test_the_first_look_at_a_flow_starts_a_draft_equal_to_the_live_version(db: Database) -> None:
    state = publishing.draft_state(db, "mini", ANA)
    assert state.data == mini()
    assert state.draft.revision == 1 and state.draft.base_number == 1
    assert not state.changed and state.check.errors == []


def test_a_save_on_a_stale_revision_is_refused_and_names_who_saved(db: Database) -> None:
    first = publishing.draft_state(db, "mini", ANA).draft.revision
    publishing.save_draft(db, "mini", edited("Tab one"), revision=first, actor=ANA)
    with pytest.raises(EditRefused) as refused:
        publishing.save_draft(db, "mini", edited("Tab two"), revision=first, actor=BEN)
    assert refused.value.code == "conflict"
    assert "Ana" in refused.value.message and refused.value.detail["revision"] == first + 1
    state = publishing.draft_state(db, "mini", ANA)
    assert node(state.data, "name")["text"]["en"] == "Tab one"


def test_two_simultaneous_saves_of_one_revision_let_exactly_one_through(db: Database) -> None:
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def save(i: int) -> None:
        barrier.wait()
        try:
            publishing.save_draft(
                db,
                "mini",
                edited(f"writer {i}"),
                revision=revision,
                actor=Actor(f"staff:{10 + i}", f"W{i}"),
            )
            outcomes.append("saved")
        except EditRefused as refused:
            outcomes.append(refused.code)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "saved"]
    assert publishing.draft_state(db, "mini", ANA).draft.revision == revision + 1


def test_saving_the_same_content_again_keeps_the_revision(db: Database) -> None:
    state = publishing.draft_state(db, "mini", ANA)
    again = publishing.save_draft(db, "mini", mini(), revision=state.draft.revision, actor=ANA)
    assert again.revision == state.draft.revision


def test_a_broken_draft_is_kept_and_its_problems_point_at_the_node(db: Database) -> None:
    data = mini()
    del node(data, "name")["text"]
    node(data, "consent_check")["default"] = "nowhere"
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    publishing.save_draft(db, "mini", data, revision=revision, actor=ANA)
    state = publishing.draft_state(db, "mini", ANA)
    assert [(f.code, f.node) for f in state.check.errors] == [("F002", "name")]
    assert "text" in state.check.errors[0].message


def test_a_draft_cannot_change_its_flow_id_or_be_a_list(db: Database) -> None:
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    renamed = {**mini(), "id": "other"}
    with pytest.raises(EditRefused) as refused:
        publishing.save_draft(db, "mini", renamed, revision=revision, actor=ANA)
    assert refused.value.code == "flow_id"
    with pytest.raises(EditRefused) as refused:
        publishing.save_draft(db, "mini", [1, 2], revision=revision, actor=ANA)
    assert refused.value.code == "not_object"


def test_autosaves_close_together_are_one_audited_edit(db: Database) -> None:
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    for i in range(3):
        revision = publishing.save_draft(
            db, "mini", edited(f"v{i}"), revision=revision, actor=ANA
        ).revision
    publishing.save_draft(db, "mini", edited("by ben"), revision=revision, actor=BEN)
    assert audit_actions(db).count("flow.draft.edit") == 2


def test_discarding_the_draft_returns_to_the_live_text(db: Database) -> None:
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    saved = publishing.save_draft(db, "mini", edited(), revision=revision, actor=ANA)
    publishing.discard_draft(db, "mini", revision=saved.revision, actor=ANA)
    state = publishing.draft_state(db, "mini", ANA)
    assert state.data == mini() and state.draft.editors == ()


# --- review ---------------------------------------------------------------------------------


def test_publishing_without_an_approved_review_is_refused(db: Database) -> None:
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    draft = publishing.save_draft(db, "mini", edited(), revision=revision, actor=ANA)
    with pytest.raises(EditRefused) as refused:
        publishing.publish(db, "mini", revision=draft.revision, actor=ANA)
    assert refused.value.code == "review_required"
    review = publishing.submit_for_review(db, "mini", revision=draft.revision, actor=ANA)
    with pytest.raises(EditRefused) as refused:
        publishing.publish(db, "mini", revision=draft.revision, actor=ANA)
    assert refused.value.code == "review_required"
    assert review.status == "pending"


def test_nobody_approves_their_own_change_not_even_a_co_editor(db: Database) -> None:
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    draft = publishing.save_draft(db, "mini", edited("Ana's words"), revision=revision, actor=ANA)
    draft = publishing.save_draft(
        db, "mini", edited("Ben's words"), revision=draft.revision, actor=BEN
    )
    review = publishing.submit_for_review(db, "mini", revision=draft.revision, actor=ANA)
    for who in (ANA, BEN):
        with pytest.raises(EditRefused) as refused:
            publishing.decide_review(db, "mini", review.id, approve=True, actor=who)
        assert refused.value.code == "own_change"
    decided = publishing.decide_review(db, "mini", review.id, approve=True, actor=CAL)
    assert decided.status == "approved" and decided.reviewer == CAL.id


def test_a_self_approval_needs_the_setting_and_a_reason_and_is_audited_as_such(
    db: Database,
) -> None:
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    draft = publishing.save_draft(db, "mini", edited("Typo fixed"), revision=revision, actor=ANA)
    review = publishing.submit_for_review(db, "mini", revision=draft.revision, actor=ANA)
    with pytest.raises(EditRefused) as refused:
        publishing.decide_review(db, "mini", review.id, approve=True, actor=ANA, comment="typo")
    assert refused.value.code == "own_change"  # off by default
    with pytest.raises(EditRefused) as refused:
        publishing.decide_review(db, "mini", review.id, approve=True, actor=ANA, self_approval=True)
    assert refused.value.code == "reason_required"
    decided = publishing.decide_review(
        db, "mini", review.id, approve=True, actor=ANA, comment="a typo", self_approval=True
    )
    assert decided.status == "approved" and publishing.self_approved(decided)
    publishing.publish(db, "mini", revision=draft.revision, actor=ANA)
    actions = audit_actions(db)
    assert "flow.review.self_approve" in actions and "flow.review.approve" not in actions
    assert actions[-1] == "flow.publish"


def test_an_english_only_change_is_warned_about_against_the_live_version(db: Database) -> None:
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    publishing.save_draft(db, "mini", edited("Name?", es=False), revision=revision, actor=ANA)
    state = publishing.draft_state(db, "mini", ANA)
    [stale] = [f for f in state.check.warnings if f.code == "L025"]
    assert stale.node == "name" and "es text did not" in stale.message
    assert f"L025:{stale.node}" in publishing.warning_keys(state.check)


def test_sending_back_needs_a_comment_and_blocks_publishing(db: Database) -> None:
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    draft = publishing.save_draft(db, "mini", edited(), revision=revision, actor=ANA)
    review = publishing.submit_for_review(db, "mini", revision=draft.revision, actor=ANA)
    with pytest.raises(EditRefused) as refused:
        publishing.decide_review(db, "mini", review.id, approve=False, actor=BEN, comment="  ")
    assert refused.value.code == "comment_required"
    back = publishing.decide_review(
        db, "mini", review.id, approve=False, actor=BEN, comment="Say 'first name', please."
    )
    assert back.status == "changes_requested" and back.comment == "Say 'first name', please."
    with pytest.raises(EditRefused) as refused:
        publishing.publish(db, "mini", revision=draft.revision, actor=ANA)
    assert refused.value.code == "review_required"


def test_an_approval_covers_only_the_text_that_was_approved(db: Database) -> None:
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    draft = publishing.save_draft(db, "mini", edited(), revision=revision, actor=ANA)
    review = publishing.submit_for_review(db, "mini", revision=draft.revision, actor=ANA)
    publishing.decide_review(db, "mini", review.id, approve=True, actor=BEN)
    later = publishing.save_draft(
        db, "mini", edited("Sneaked in after approval"), revision=draft.revision, actor=ANA
    )
    with pytest.raises(EditRefused) as refused:
        publishing.publish(db, "mini", revision=later.revision, actor=ANA)
    assert refused.value.code == "review_required"
    with db.read() as conn:
        assert store.get_review(conn, review.id).status == "superseded"  # type: ignore[union-attr]


def test_a_draft_with_errors_is_not_sent_for_review(db: Database) -> None:
    data = mini()
    node(data, "consent_check")["default"] = "nowhere"
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    draft = publishing.save_draft(db, "mini", data, revision=revision, actor=ANA)
    with pytest.raises(EditRefused) as refused:
        publishing.submit_for_review(db, "mini", revision=draft.revision, actor=ANA)
    assert refused.value.code == "errors"


def test_an_unchanged_draft_is_not_sent_for_review(db: Database) -> None:
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    with pytest.raises(EditRefused) as refused:
        publishing.submit_for_review(db, "mini", revision=revision, actor=ANA)
    assert refused.value.code == "no_change"


# --- publish --------------------------------------------------------------------------------


def test_publishing_makes_an_immutable_numbered_version_with_author_and_note(db: Database) -> None:
    published = approve_and_publish(db, edited())
    assert (published.number, published.kind, published.author, published.note) == (
        2,
        "publish",
        ANA.id,
        "wording",
    )
    with db.read() as conn:
        version = publishing.current_version(conn, "mini")
        first = store.get_publication(conn, "mini", 1)
    assert version is not None and version.digest == published.digest
    assert first is not None and first.digest == parse_flow(mini()).digest
    state = publishing.draft_state(db, "mini", ANA)
    assert state.draft.base_number == 2 and state.draft.editors == () and not state.changed
    assert audit_actions(db)[-4:] == [
        "flow.draft.edit",
        "flow.review.submit",
        "flow.review.approve",
        "flow.publish",
    ]


def test_errors_block_publishing_even_without_review(db: Database) -> None:
    data = mini()
    node(data, "consent_check")["default"] = "nowhere"
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    draft = publishing.save_draft(db, "mini", data, revision=revision, actor=ANA)
    with pytest.raises(EditRefused) as refused:
        publishing.publish(db, "mini", revision=draft.revision, actor=ANA, review_required=False)
    assert refused.value.code == "errors"


def test_warnings_need_an_acknowledgement_of_each_one(db: Database) -> None:
    data = edited("You should take your medication. What is your first name?")
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    draft = publishing.save_draft(db, "mini", data, revision=revision, actor=ANA)
    check = publishing.draft_state(db, "mini", ANA).check
    assert {f.code for f in check.warnings} == {"L012"} and check.errors == []
    with pytest.raises(EditRefused) as refused:
        publishing.publish(db, "mini", revision=draft.revision, actor=ANA, review_required=False)
    assert refused.value.code == "warnings"
    assert refused.value.detail["warnings"] == ["L012:name"]
    with pytest.raises(EditRefused):
        publishing.publish(
            db,
            "mini",
            revision=draft.revision,
            actor=ANA,
            review_required=False,
            acknowledge=["L013:name"],
        )
    published = publishing.publish(
        db,
        "mini",
        revision=draft.revision,
        actor=ANA,
        review_required=False,
        acknowledge=["L012:name"],
    )
    assert {a["code"] for a in published.acknowledged} == {"L012"}


def test_publishing_a_stale_revision_is_refused(db: Database) -> None:
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    draft = publishing.save_draft(db, "mini", edited(), revision=revision, actor=ANA)
    with pytest.raises(EditRefused) as refused:
        publishing.publish(
            db, "mini", revision=draft.revision - 1, actor=ANA, review_required=False
        )
    assert refused.value.code == "stale"


def test_new_sessions_read_the_published_text_and_old_sessions_keep_theirs(db: Database) -> None:
    with db.read() as conn:
        before = publishing.current_version(conn, "mini")
    approve_and_publish(db, edited())
    with db.read() as conn:
        after = publishing.current_version(conn, "mini")
        kept = chat_db.get_flow_version(conn, "mini", before.digest)  # type: ignore[union-attr]
    assert before is not None and after is not None and kept is not None
    assert node(json.loads(after.json), "name")["text"]["en"] == "What should we call you?"
    assert json.loads(kept.json) == mini()
    assert after.version == before.version + 1


# --- rollback -------------------------------------------------------------------------------


def test_rollback_publishes_a_new_version_equal_to_the_old_one(db: Database) -> None:
    approve_and_publish(db, edited())
    restored = publishing.rollback(db, "mini", 1, actor=BEN)
    assert (restored.number, restored.kind, restored.rollback_of) == (3, "rollback", 1)
    assert restored.note == "Rolled back to version 1."
    with db.read() as conn:
        version = publishing.current_version(conn, "mini")
    assert version is not None and json.loads(version.json) == mini()
    assert audit_actions(db)[-1] == "flow.rollback"
    with pytest.raises(EditRefused) as refused:
        publishing.rollback(db, "mini", 1, actor=BEN)
    assert refused.value.code == "no_change"


def test_rollback_to_a_version_that_does_not_exist_is_refused(db: Database) -> None:
    with pytest.raises(EditRefused) as refused:
        publishing.rollback(db, "mini", 7, actor=BEN)
    assert refused.value.code == "unknown_version"


def test_the_draft_survives_a_rollback(db: Database) -> None:
    approve_and_publish(db, edited())
    revision = publishing.draft_state(db, "mini", ANA).draft.revision
    publishing.save_draft(db, "mini", edited("Work in progress"), revision=revision, actor=ANA)
    publishing.rollback(db, "mini", 1, actor=BEN)
    state = publishing.draft_state(db, "mini", ANA)
    assert node(state.data, "name")["text"]["en"] == "Work in progress"


# --- import and export ----------------------------------------------------------------------


def test_export_then_import_round_trips_and_passes_flow_check(db: Database, tmp_path: Path) -> None:
    from intake_chat.cli.flow_commands import check_file

    approve_and_publish(db, edited())
    path = tmp_path / "mini.json"
    path.write_text(publishing.export_document(db, "mini"))
    assert check_file(path) == []
    data = json.loads(path.read_text())
    assert data["$schema"] == "./schema/flow.schema.json"
    node(data, "name")["text"]["es"] = "¿Cómo le llamamos?"
    draft = publishing.import_flow(db, data, actor=Actor("cli", "command line"), file=str(path))
    assert json.loads(draft.json) == data and "cli" in draft.editors
    assert audit_actions(db)[-1] == "flow.import"


def test_import_refuses_a_file_with_errors_and_changes_nothing(db: Database) -> None:
    data = mini()
    node(data, "consent_check")["default"] = "nowhere"
    before = publishing.draft_state(db, "mini", ANA).draft
    with pytest.raises(EditRefused) as refused:
        publishing.import_flow(db, data, actor=ANA)
    assert refused.value.code == "errors" and "L001" in refused.value.message
    assert publishing.draft_state(db, "mini", ANA).draft == before


def test_importing_a_new_flow_starts_a_draft_that_publishes_as_version_1(db: Database) -> None:
    data = copy.deepcopy(mini())
    data["id"] = "second"
    draft = publishing.import_flow(db, data, actor=ANA)
    review = publishing.submit_for_review(db, "second", revision=draft.revision, actor=ANA)
    publishing.decide_review(db, "second", review.id, approve=True, actor=BEN)
    published = publishing.publish(db, "second", revision=draft.revision, actor=ANA)
    assert published.number == 1 and "second" in publishing.flow_ids(db)


def test_export_of_an_unknown_flow_is_a_clear_refusal(db: Database) -> None:
    with pytest.raises(EditRefused) as refused:
        publishing.export_document(db, "nope")
    assert refused.value.code == "unknown_flow"
