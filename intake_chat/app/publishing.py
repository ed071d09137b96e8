"""The rules of changing a flow: drafts with optimistic concurrency, checks (schema + linter),
review by someone who did not make the change, publish, rollback, import/export, first-run seeding.

Every step writes its audit row in the same transaction as the change. SQL is in storage/flows.py;
imports nothing from Flask (the console's editor.py and the CLI both call it).
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from ..core.errors import EditRefused, FlowError
from ..core.flows import (
    Flow,
    canonical_digest,
    parse_flow,
    reference_problems,
    schema_problems,
    with_found_instruments,
)
from ..core.lint import Finding, lint
from ..storage import Database, unanswered, utcnow
from ..storage import conversations as chat_db
from ..storage import drafts as store
from ..storage.drafts import Draft, Publication, Review

__all__ = [
    "Actor",
    "Check",
    "add_topic_example",
    "DraftState",
    "check_flow",
    "current_version",
    "decide_review",
    "draft_state",
    "export_document",
    "import_flow",
    "publish",
    "rollback",
    "save_draft",
    "seed",
    "submit_for_review",
]

SCHEMA_REF = "./schema/flow.schema.json"
EDIT_SESSION_GAP = timedelta(minutes=30)  # autosaves closer than this are one audited edit
NOTE_MAX = 2000
_NODE_PATH = re.compile(r'^\$\.sections(?:\.([a-z][a-z0-9_]*)|\["([^"]+)"\])\.nodes\[(\d+)\]')


@dataclass(frozen=True)
class Actor:
    """Who acts: ``id`` as in the audit log (``staff:3``, ``cli``, ``system``), and a shown name."""

    id: str
    name: str = ""
    address: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id


# --- checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """Schema problems (F002) first; the linter runs only on a flow that matches the schema, as
    ``intake-chat flow check`` does, so the editor and the command line agree."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }


def node_at(data: Any, path: str) -> str | None:
    """The id of the node a JSON path points into (``$.sections.main.nodes[3].text`` → its id)."""
    match = _NODE_PATH.match(path)
    if not match or not isinstance(data, dict):
        return None
    section = match.group(1) or match.group(2)
    try:
        node = data["sections"][section]["nodes"][int(match.group(3))]
    except (KeyError, IndexError, TypeError):
        return None
    node_id = node.get("id") if isinstance(node, dict) else None
    return node_id if isinstance(node_id, str) else None


_CHECKS: OrderedDict[tuple[str, str, str], Check] = OrderedDict()
_CHECKS_KEPT = 64
_checks_lock = threading.Lock()


def check_flow(data: Any, file: str = "draft", base: Any = None) -> Check:
    """Everything that would stop this flow from being published, and the warnings. Results are
    kept by content digest: the linter takes ~0.15 s on the intake flow, and the history and
    review pages check the same versions again and again. ``base``: the live version a draft
    changes, for L025 (one language edited, another left as published)."""
    key = (_digest(data), file, _digest(base) if isinstance(base, dict) else "")
    with _checks_lock:
        found = _CHECKS.get(key)
        if found is not None:
            _CHECKS.move_to_end(key)
            return found
    check = _check(data, file, base if isinstance(base, dict) else None)
    with _checks_lock:
        _CHECKS[key] = check
        while len(_CHECKS) > _CHECKS_KEPT:
            _CHECKS.popitem(last=False)
    return check


def _check(data: Any, file: str, base: dict[str, Any] | None) -> Check:
    problems = schema_problems(data, file)
    if problems:
        return Check(
            [
                Finding("F002", "error", node_at(data, p.path), p.path, p.message, p.fix)
                for p in problems
            ]
        )
    linted = with_found_instruments(data)  # a draft names an instrument or carries it
    found = [f if f.node else _with_node(f, data) for f in lint(linted, file, base)]
    # The loader also refuses patterns that could take exponential time; the linter has no code
    # for that, so it is reported the way a schema problem is.
    for problem in reference_problems(data, file):
        if problem.path.endswith(".validation.pattern"):
            found.append(
                Finding(
                    "F002",
                    "error",
                    node_at(data, problem.path),
                    problem.path,
                    problem.message,
                    problem.fix,
                )
            )
    return Check(found)


def _with_node(finding: Finding, data: Any) -> Finding:
    node = node_at(data, finding.path)
    if node is None:
        return finding
    return Finding(finding.code, finding.severity, node, finding.path, finding.message, finding.fix)


def warning_keys(check: Check) -> list[str]:
    """What an acknowledgement covers: a warning added later needs its own acknowledgement."""
    return sorted({f"{f.code}:{f.node or f.path}" for f in check.warnings})


def _acknowledged(check: Check, acknowledge: bool | Iterable[str]) -> list[dict[str, Any]]:
    keys = warning_keys(check)
    ok = (
        (acknowledge or not keys)
        if isinstance(acknowledge, bool)
        else (set(keys) <= set(acknowledge))
    )
    if not ok:
        raise EditRefused(
            "warnings",
            f"{len(check.warnings)} warning{'s' if len(check.warnings) != 1 else ''} need "
            "your acknowledgement: read each one and tick the box to confirm the wording is "
            "intended.",
            warnings=keys,
        )
    return [{"code": f.code, "node": f.node, "message": f.message} for f in check.warnings]


def _loadable(data: dict[str, Any], flow_id: str) -> Flow:
    try:
        return parse_flow(data, flow_id)
    except FlowError as exc:
        raise EditRefused("errors", "The flow cannot be loaded: " + str(exc.problems[0])) from exc


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftState:
    """What the editor shows for one flow: the draft, what is live, the review, the checks."""

    draft: Draft
    data: Any
    current: Publication | None
    review: Review | None
    check: Check

    @property
    def changed(self) -> bool:
        return self.current is None or self.current.digest != self.draft.digest

    @property
    def approved(self) -> bool:
        review = self.review
        return (
            review is not None
            and review.status == "approved"
            and (review.digest == self.draft.digest)
        )

    @property
    def pending(self) -> bool:
        review = self.review
        return (
            review is not None
            and review.status == "pending"
            and (review.digest == self.draft.digest)
        )


def _parse(text: str) -> Any:
    return json.loads(text)


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def _digest(data: Any) -> str:
    return canonical_digest(data) if isinstance(data, dict) else canonical_digest({"_": data})


def _audit(conn: Connection, actor: Actor, action: str, flow_id: str, **detail: Any) -> None:
    if actor.address:
        detail = {"address": actor.address, **detail}
    chat_db.append_audit(
        conn, actor=actor.id, action=action, subject=f"flow:{flow_id}", detail=detail
    )


def _ensure_draft(conn: Connection, flow_id: str, actor: Actor) -> Draft:
    """The flow's draft, started from what is live when nobody has opened it yet."""
    draft = store.get_draft(conn, flow_id, lock=True)
    if draft is not None:
        return draft
    current = store.current_publication(conn, flow_id)
    if current is None:
        raise EditRefused("unknown_flow", f'There is no flow called "{flow_id}".')
    draft = store.create_draft(
        conn,
        flow_id,
        current.json,
        current.digest,
        base_number=current.number,
        actor=actor.id,
        actor_name=actor.name,
    )
    _audit(conn, actor, "flow.draft.create", flow_id, base=current.number)
    return draft


def draft_state(db: Database, flow_id: str, actor: Actor) -> DraftState:
    with db.transaction() as conn:
        draft = _ensure_draft(conn, flow_id, actor)
        current = store.current_publication(conn, flow_id)
        review = store.latest_review(conn, flow_id)
    data = _parse(draft.json)
    return DraftState(draft, data, current, review, check_flow(data, flow_id, _live(current)))


def live_document(db: Database, flow_id: str) -> Any:
    """What new visitors get now, as the JSON tab's check compares a draft with it."""
    with db.read() as conn:
        return _live(store.current_publication(conn, flow_id))


def _live(current: Publication | None) -> Any:
    """The published document a draft is checked against (L025), or None before the first."""
    return None if current is None else _parse(current.json)


def flow_ids(db: Database) -> list[str]:
    with db.read() as conn:
        ids = set(store.published_flow_ids(conn)) | {d.flow_id for d in store.list_drafts(conn)}
    return sorted(ids)


def current_digest(conn: Connection, flow_id: str) -> str | None:
    """The digest of what new visitors get (None: never published in the DB)."""
    return store.current_publication_digest(conn, flow_id)


def current_version(conn: Connection, flow_id: str) -> chat_db.FlowVersion | None:
    """The exact text new visitors get: the latest publication (None: never published in the DB)."""
    current = store.current_publication(conn, flow_id)
    if current is None:
        return None
    return chat_db.FlowVersion(
        flow_id,
        current.content_version,
        current.digest,
        current.json,
        "editor",
        current.published_at,
    )


# --- drafts ---------------------------------------------------------------------------------


def save_draft(db: Database, flow_id: str, data: Any, *, revision: int, actor: Actor) -> Draft:
    """Store the editor's copy if nobody saved since ``revision``; anything JSON is kept (a draft
    may be broken while it is being edited), but a draft cannot rename its flow."""
    if not isinstance(data, dict):
        raise EditRefused("not_object", "A flow is a JSON object { … }; nothing was saved.")
    if data.get("id") != flow_id:
        raise EditRefused(
            "flow_id",
            f'The flow\'s "id" must stay "{flow_id}"; to make a new '
            "flow, export this one, change the id and import it.",
        )
    with db.transaction() as conn:
        draft = _ensure_draft(conn, flow_id, actor)
        if draft.revision != revision:
            raise _conflict(draft, actor)
        return _store_edit(conn, draft, data, actor)


def _store_edit(
    conn: Connection, draft: Draft, data: dict[str, Any], actor: Actor, **audited: Any
) -> Draft:
    """Write ``data`` over this revision of the draft; one audited edit per editing session
    (or always, with ``audited`` detail such as where the change came from)."""
    digest = _digest(data)
    if digest == draft.digest:
        return draft
    now = utcnow()
    flow_id, revision = draft.flow_id, draft.revision
    editors = list(draft.editors) if actor.id in draft.editors else [*draft.editors, actor.id]
    quiet = now - draft.updated_at > EDIT_SESSION_GAP
    fresh = not draft.editors or draft.updated_by != actor.id or quiet
    store.update_draft(
        conn,
        flow_id,
        expected_revision=revision,
        json=_dump(data),
        digest=digest,
        editors=editors,
        updated_by=actor.id,
        updated_by_name=actor.name,
        updated_at=now,
    )
    superseded = store.supersede_open_reviews(conn, flow_id)
    if fresh or superseded or audited:
        _audit(
            conn,
            actor,
            "flow.draft.edit",
            flow_id,
            revision=revision + 1,
            superseded_reviews=superseded,
            **audited,
        )
    saved = store.get_draft(conn, flow_id)
    assert saved is not None
    return saved


def add_topic_example(
    db: Database,
    flow_id: str,
    topic_id: str,
    text: str,
    *,
    locale: str,
    actor: Actor,
    question_id: int | None = None,
) -> Draft:
    """Add ``text`` to a topic's examples in the draft (started from the live version if there
    is none), and, in the same transaction, take the question off "Questions we could not
    answer". The draft still needs review and publishing like any other edit."""
    text = " ".join(text.split())
    if not text:
        raise EditRefused("empty", "There is no text to add as an example.")
    with db.transaction() as conn:
        draft = _ensure_draft(conn, flow_id, actor)
        data = _parse(draft.json)
        topics = data.get("topics") if isinstance(data, dict) else None
        found = [t for t in topics or [] if isinstance(t, dict) and t.get("id") == topic_id]
        if not found:
            raise EditRefused("unknown_topic", f'The draft has no topic "{topic_id}".')
        if locale not in (data.get("locales") or []):
            raise EditRefused(
                "unknown_locale", f'The draft has no language "{locale}" to add the example to.'
            )
        examples = found[0].setdefault("examples", {})
        if not isinstance(examples, dict):
            raise EditRefused("bad_topic", f'The topic "{topic_id}" has broken examples.')
        listed = examples.setdefault(locale, [])
        if not isinstance(listed, list):
            raise EditRefused("bad_topic", f'The topic "{topic_id}" has broken examples.')
        if text.casefold() not in {str(x).casefold() for x in listed}:
            listed.append(text)
        saved = _store_edit(conn, draft, data, actor, topic=topic_id, source="unanswered")
        if question_id is not None:
            unanswered.delete_question(conn, question_id)
            _audit(
                conn, actor, "unanswered.add_example", flow_id, question=question_id, topic=topic_id
            )
    return saved


def _conflict(draft: Draft, actor: Actor) -> EditRefused:
    who = draft.updated_by_name or draft.updated_by
    by = (
        "you saved it in another tab or window"
        if draft.updated_by == actor.id
        else (f"{who} saved it")
    )
    return EditRefused(
        "conflict",
        f"Not saved: this draft changed after you opened it ({by} at "
        f"{draft.updated_at:%H:%M:%S} UTC). Your changes are still on this page: download them "
        "if you need them, then load the newer version and continue from there.",
        revision=draft.revision,
        updated_by=who,
        updated_at=draft.updated_at.isoformat(),
    )


def discard_draft(db: Database, flow_id: str, *, revision: int, actor: Actor) -> Draft:
    """Throw the draft's changes away: it becomes the live version again."""
    with db.transaction() as conn:
        draft = _ensure_draft(conn, flow_id, actor)
        if draft.revision != revision:
            raise _conflict(draft, actor)
        current = store.current_publication(conn, flow_id)
        if current is None:
            raise EditRefused(
                "never_published", "This flow was never published; there is nothing to go back to."
            )
        store.update_draft(
            conn,
            flow_id,
            expected_revision=revision,
            json=current.json,
            digest=current.digest,
            editors=[],
            base_number=current.number,
            updated_by=actor.id,
            updated_by_name=actor.name,
            updated_at=utcnow(),
        )
        store.supersede_open_reviews(conn, flow_id)
        _audit(conn, actor, "flow.draft.discard", flow_id, base=current.number)
        saved = store.get_draft(conn, flow_id)
    assert saved is not None
    return saved


# --- review ---------------------------------------------------------------------------------


def _draft_at(conn: Connection, flow_id: str, revision: int, actor: Actor) -> Draft:
    draft = _ensure_draft(conn, flow_id, actor)
    if draft.revision != revision:
        raise EditRefused(
            "stale",
            "The draft changed since this page was loaded (someone "
            "saved it). Reload, look at the changes, then try again.",
            revision=draft.revision,
        )
    return draft


def _checked_draft(
    conn: Connection, flow_id: str, revision: int, actor: Actor, purpose: str
) -> tuple[Draft, Publication | None, Any, Check]:
    """The draft to review or publish, refused when it equals the live version or has errors."""
    draft = _draft_at(conn, flow_id, revision, actor)
    current = store.current_publication(conn, flow_id)
    if current is not None and current.digest == draft.digest:
        raise EditRefused(
            "no_change",
            f"The draft is the same as the live version; there is nothing to {purpose}.",
        )
    data = _parse(draft.json)
    check = check_flow(data, flow_id, _live(current))
    if check.errors:
        count = f"{len(check.errors)} error{'s' if len(check.errors) != 1 else ''}"
        raise EditRefused(
            "errors",
            f"Fix the {count} first: a flow with errors cannot be published, so it is not "
            "sent for review."
            if purpose == "review"
            else f"{count} must be fixed before publishing.",
        )
    return draft, current, data, check


def submit_for_review(
    db: Database, flow_id: str, *, revision: int, actor: Actor, note: str = ""
) -> Review:
    """Ask another editor or admin to look at exactly this revision of the draft."""
    with db.transaction() as conn:
        draft, current, data, check = _checked_draft(conn, flow_id, revision, actor, "review")
        latest = store.latest_review(conn, flow_id)
        if (
            latest is not None
            and latest.digest == draft.digest
            and latest.status in ("pending", "approved")
        ):
            state = "waiting for review" if latest.status == "pending" else "approved"
            raise EditRefused("already_submitted", f"This draft is already {state}.")
        editors = sorted({*draft.editors, actor.id})
        review_id = store.insert_review(
            conn,
            flow_id=flow_id,
            revision=draft.revision,
            digest=draft.digest,
            document=draft.json,
            base_number=draft.base_number,
            editors=editors,
            submitted_by=actor.id,
            submitted_by_name=actor.name,
            note=note[:NOTE_MAX],
        )
        _audit(
            conn,
            actor,
            "flow.review.submit",
            flow_id,
            review=review_id,
            revision=draft.revision,
            warnings=len(check.warnings),
        )
        review = store.get_review(conn, review_id)
    assert review is not None
    return review


def may_review(review: Review, actor: Actor) -> bool:
    """Four eyes: nobody approves a change they made or sent for review themselves."""
    return actor.id not in review.editors and actor.id != review.submitted_by


def self_approved(review: Review) -> bool:
    """Approved by someone who worked on it (only with INTAKE_SELF_APPROVAL on)."""
    return review.reviewer is not None and not may_review(review, Actor(review.reviewer))


def decide_review(
    db: Database,
    flow_id: str,
    review_id: int,
    *,
    approve: bool,
    actor: Actor,
    comment: str = "",
    self_approval: bool = False,
) -> Review:
    """Approve or send back a review. With ``self_approval`` (a practice with a single admin),
    the author may approve their own change, giving a reason; the audit log records it as
    ``flow.review.self_approve``, never as an ordinary approval."""
    comment = comment.strip()[:NOTE_MAX]
    with db.transaction() as conn:
        draft = _ensure_draft(conn, flow_id, actor)
        review = store.get_review(conn, review_id)
        if review is None or review.flow_id != flow_id:
            raise EditRefused("unknown_review", "That review request does not exist.")
        if review.status != "pending":
            raise EditRefused("decided", "This review request was already answered or withdrawn.")
        if review.digest != draft.digest:
            store.set_review_status(conn, review.id, "superseded")
            raise EditRefused(
                "superseded",
                "The draft was changed after it was sent for review; it has to be sent again.",
            )
        own = not may_review(review, actor)
        if own and not (self_approval and approve):
            raise EditRefused(
                "own_change",
                "You worked on this draft, so another editor or an admin has to review it.",
            )
        if own and not comment:
            raise EditRefused(
                "reason_required",
                "Say why this change is safe to publish without a second person: the reason "
                "is kept in the audit log with your self-approval.",
            )
        if not approve and not comment:
            raise EditRefused(
                "comment_required", "Say what should change, so the author knows what to do."
            )
        status = "approved" if approve else "changes_requested"
        store.decide_review(
            conn,
            review.id,
            status=status,
            reviewer=actor.id,
            reviewer_name=actor.name,
            comment=comment,
        )
        _audit(
            conn,
            actor,
            _decision_action(approve, own),
            flow_id,
            review=review.id,
            revision=review.revision,
            comment=comment,
        )
        decided = store.get_review(conn, review.id)
    assert decided is not None
    return decided


def _decision_action(approve: bool, own: bool) -> str:
    if not approve:
        return "flow.review.changes_requested"
    return "flow.review.self_approve" if own else "flow.review.approve"


# --- publish and rollback -------------------------------------------------------------------


def publish(
    db: Database,
    flow_id: str,
    *,
    revision: int,
    actor: Actor,
    note: str = "",
    acknowledge: bool | Iterable[str] = False,
    review_required: bool = True,
) -> Publication:
    """Make the draft the version new visitors get. Errors block; warnings need acknowledging;
    with review required, the approved text must be exactly this draft."""
    with db.transaction() as conn:
        draft, current, data, check = _checked_draft(conn, flow_id, revision, actor, "publish")
        acknowledged = _acknowledged(check, acknowledge)
        review = store.latest_review(conn, flow_id)
        approved = (
            review is not None and review.status == "approved" and (review.digest == draft.digest)
        )
        if review_required and not approved:
            raise EditRefused(
                "review_required",
                "Another editor or an admin must approve this "
                "draft before it can be published: send it for review.",
            )
        flow = _loadable(data, flow_id)
        number = _publish_text(
            conn,
            flow,
            kind="publish",
            actor=actor,
            note=note,
            review_id=review.id if approved and review else None,
            acknowledged=acknowledged,
        )
        if approved and review is not None:
            store.set_review_status(conn, review.id, "published")
        store.set_draft(conn, flow_id, editors=[], base_number=number)
        _audit(
            conn,
            actor,
            "flow.publish",
            flow_id,
            number=number,
            note=note[:NOTE_MAX],
            review=review.id if approved and review else None,
            acknowledged=[a["code"] for a in acknowledged],
        )
        published = store.get_publication(conn, flow_id, number)
    assert published is not None
    return published


def _publish_text(
    conn: Connection,
    flow: Flow,
    *,
    kind: str,
    actor: Actor,
    note: str,
    review_id: int | None = None,
    acknowledged: list[dict[str, Any]] | None = None,
    rollback_of: int | None = None,
) -> int:
    saved = chat_db.save_flow_version(conn, flow.id, flow.digest, _dump(flow.data), source="editor")
    version_id = store.version_id(conn, flow.id, saved.digest)
    assert version_id is not None
    return store.insert_publication(
        conn,
        flow_id=flow.id,
        version_id=version_id,
        kind=kind,
        author=actor.id,
        author_name=actor.name,
        note=note[:NOTE_MAX],
        review_id=review_id,
        acknowledged=acknowledged,
        rollback_of=rollback_of,
    )


def rollback(
    db: Database,
    flow_id: str,
    number: int,
    *,
    actor: Actor,
    note: str = "",
    acknowledge: bool | Iterable[str] = False,
) -> Publication:
    """Publish a new version whose text is exactly an old one's. It was reviewed when it was first
    published, so no new review is needed; today's checks still apply (errors block)."""
    with db.transaction() as conn:
        store.get_draft(conn, flow_id, lock=True)  # serialises with publish on PostgreSQL
        target = store.get_publication(conn, flow_id, number)
        current = store.current_publication(conn, flow_id)
        if target is None or current is None:
            raise EditRefused("unknown_version", f"Version {number} of this flow does not exist.")
        if target.digest == current.digest:
            raise EditRefused(
                "no_change",
                f"Version {number} is the same as the live version "
                f"(version {current.number}); nothing to roll back.",
            )
        data = _parse(target.json)
        check = check_flow(data, flow_id)
        if check.errors:
            raise EditRefused(
                "errors",
                f"Version {number} fails {len(check.errors)} of today's "
                "checks, so it cannot be published again. Fix the draft instead.",
            )
        acknowledged = _acknowledged(check, acknowledge)
        flow = _loadable(data, flow_id)
        note = note.strip() or f"Rolled back to version {number}."
        new_number = _publish_text(
            conn,
            flow,
            kind="rollback",
            actor=actor,
            note=note,
            acknowledged=acknowledged,
            rollback_of=number,
        )
        _audit(
            conn,
            actor,
            "flow.rollback",
            flow_id,
            number=new_number,
            to=number,
            note=note[:NOTE_MAX],
        )
        published = store.get_publication(conn, flow_id, new_number)
    assert published is not None
    return published


# --- seeding, import and export -------------------------------------------------------------


def seed(conn: Connection, flows: Mapping[str, Flow]) -> list[str]:
    """Start-up: a flow the database has never published becomes version 1 from its file. While
    every version so far came from files, a changed file is published again (deployments that keep
    flows in version control keep working); once anyone has published or rolled back in the
    console, the database is the source of truth and files are ignored (``flow import`` brings a
    file in as a draft). Returns the ids published now."""
    seeded: list[str] = []
    system = Actor("system", "Shipped file")
    store.lock_publications(conn)
    for flow in flows.values():
        current = store.current_publication(conn, flow.id)
        if current is not None and (current.kind != "file" or current.digest == flow.digest):
            continue
        note = f"{'First version' if current is None else 'Updated'} from {Path(flow.file).name}."
        number = _publish_text(conn, flow, kind="file", actor=system, note=note)
        _audit(
            conn, system, "flow.seed", flow.id, file=flow.file, digest=flow.digest, number=number
        )
        seeded.append(flow.id)
    return seeded


def seed_database(db: Database, flows: Mapping[str, Flow]) -> list[str]:
    with db.transaction() as conn:
        return seed(conn, flows)


def import_flow(db: Database, data: Any, *, actor: Actor, file: str = "import") -> Draft:
    """Replace a flow's draft with a file's content (a new flow id starts a new flow). The file
    must pass the same checks as ``intake-chat flow check``; publishing still needs a review."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise EditRefused("not_flow", 'The file is not a flow (a JSON object with an "id").')
    check = check_flow(data, file)
    if check.errors:
        first = check.errors[0]
        raise EditRefused(
            "errors",
            f"The file has {len(check.errors)} error"
            f"{'s' if len(check.errors) != 1 else ''}; the first: {first.code} "
            f"[{first.node or first.path}] {first.message}",
            findings=check.to_dict(),
        )
    flow_id = data["id"]
    digest = _digest(data)
    with db.transaction() as conn:
        draft = store.get_draft(conn, flow_id, lock=True)
        current = store.current_publication(conn, flow_id)
        if draft is None:
            store.create_draft(
                conn,
                flow_id,
                _dump(data),
                digest,
                base_number=current.number if current else None,
                actor=actor.id,
                actor_name=actor.name,
            )
            store.set_draft(conn, flow_id, editors=[actor.id])
            changed = True
        else:
            changed = draft.digest != digest
            if changed:
                editors = sorted({*draft.editors, actor.id})
                store.update_draft(
                    conn,
                    flow_id,
                    expected_revision=draft.revision,
                    json=_dump(data),
                    digest=digest,
                    editors=editors,
                    updated_by=actor.id,
                    updated_by_name=actor.name,
                    updated_at=utcnow(),
                )
                store.supersede_open_reviews(conn, flow_id)
        _audit(conn, actor, "flow.import", flow_id, file=file, digest=digest, changed=changed)
        saved = store.get_draft(conn, flow_id)
    assert saved is not None
    return saved


def export_document(
    db: Database, flow_id: str, *, draft: bool = False, number: int | None = None
) -> str:
    """A flow as a file for version control: the live version (or the draft, or version N),
    pretty-printed with ``$schema`` so that ``intake-chat flow check`` and editors read it."""
    with db.read() as conn:
        if draft:
            found = store.get_draft(conn, flow_id)
            text = found.json if found else None
        else:
            pub = (
                store.get_publication(conn, flow_id, number)
                if number is not None
                else store.current_publication(conn, flow_id)
            )
            text = pub.json if pub else None
    if text is None:
        what = "draft" if draft else f"version {number}" if number is not None else "flow"
        raise EditRefused("unknown_flow", f'There is no {what} for "{flow_id}".')
    data = _parse(text)
    if isinstance(data, dict) and "$schema" not in data:
        data = {"$schema": SCHEMA_REF, **data}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def history(db: Database, flow_id: str) -> tuple[list[Publication], list[Review]]:
    with db.read() as conn:
        return store.list_publications(conn, flow_id), store.list_reviews(conn, flow_id)


def publication(db: Database, flow_id: str, number: int) -> Publication | None:
    with db.read() as conn:
        return store.get_publication(conn, flow_id, number)


def iso(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()
