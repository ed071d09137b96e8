"""Blueprint ``editor`` (/staff/flows): the flow editor for the ``editor`` and ``admin`` roles —
the editing page and its JSON API (draft, checks, preview), review and publish, history with diffs
and rollback, import/export, and the preview's sandbox chat transport.

Views are thin: the rules are in publishing.py, the diff in flowdiff.py, the sandbox in preview.py.
"""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from ..app import publishing
from ..app.publishing import Actor
from ..core import topics
from ..core.errors import EditRefused, FlowError
from ..core.flowdiff import diff_flows
from ..core.flows import load_schema, parse_flow, parse_json
from ..core.lint import CODES
from . import auth, transport
from .auth import require_role
from .context import get_db, runtime
from .preview import Previews, PreviewService
from .sockets import sock

bp = Blueprint("editor", __name__, url_prefix="/staff/flows")

EDIT_ROLES: tuple[auth.Role, ...] = ("admin", "editor")
MAX_FLOW_BYTES = 2 * 1024 * 1024  # a flow of a few hundred steps is ~100 KB
MAX_TRY_CHARS = 2000  # a message tried against the topics: the chat's own limit
STATUS = {
    "conflict": 409,
    "stale": 409,
    "unknown_flow": 404,
    "unknown_version": 404,
    "unknown_review": 404,
    "decided": 409,
    "superseded": 409,
}
MESSAGES = {
    "submitted": "Sent for review. Another editor or an admin can now approve it.",
    "approved": "Approved. The author (or anyone with access) can now publish it.",
    "changes_requested": "Sent back to the author with your comment.",
    "published": "Published. New visitors get this version now; people already chatting finish "
    "on the version they started with.",
    "rolled_back": "Rolled back. New visitors get the restored version now.",
    "discarded": "The draft's changes were thrown away; it equals the live version again.",
    "imported": "Imported into the draft. Check it, preview it and send it for review.",
}


@bp.before_request
def _allow_large_flows() -> None:
    """The app's body limit is sized for chat frames; a flow document is bigger."""
    if not request.path.startswith("/staff/flows/preview/"):
        request.max_content_length = MAX_FLOW_BYTES


def _actor() -> Actor:
    staff = auth.current_staff()
    return Actor(auth.actor_of(staff), staff.label, auth.client_address())


def _refused(exc: EditRefused) -> Response:
    response = auth.json_error(exc.code, exc.message, STATUS.get(exc.code, 422))
    body = json.loads(response.get_data())
    body["error"].update(exc.detail)
    response.set_data(json.dumps(body))
    return response


def _page_refused(exc: EditRefused) -> Response:
    return auth.refuse(STATUS.get(exc.code, 422), exc.code, exc.message)


def _review_required() -> bool:
    return bool(auth.config().review_required)


def _self_approval() -> bool:
    return bool(auth.config().self_approval)


def _known_flow(flow_id: str) -> None:
    if flow_id not in publishing.flow_ids(get_db()):
        abort(404)


def _json_body() -> Any:
    try:
        return request.get_json(silent=True)
    except RequestEntityTooLarge:
        return None


# --- pages ----------------------------------------------------------------------------------


@bp.get("/")
@require_role(*EDIT_ROLES)
def index() -> str:
    db = get_db()
    actor = _actor()
    rows = []
    for flow_id in publishing.flow_ids(db):
        state = publishing.draft_state(db, flow_id, actor)
        title = state.data.get("title") if isinstance(state.data, dict) else None
        rows.append({"id": flow_id, "title": _first_text(title) or flow_id, "state": state})
    return render_template("editor/index.html", rows=rows, message=_message(), errors=[])


def _first_text(value: Any) -> str:
    if isinstance(value, dict) and value:
        return str(next(iter(value.values())))
    return ""


def _message() -> str:
    return MESSAGES.get(request.args.get("done", ""), "")


@bp.post("/import")
@require_role(*EDIT_ROLES)
def import_file() -> BaseResponse:
    upload = request.files.get("file")
    errors: list[str] = []
    data: Any = None
    if upload is None or not upload.filename:
        errors.append("Choose a flow file (.json) to import.")
    else:
        try:
            data = parse_json(upload.read(MAX_FLOW_BYTES + 1).decode("utf-8"), upload.filename)
        except UnicodeDecodeError:
            errors.append("The file is not UTF-8 text.")
        except FlowError as exc:
            errors.extend(f"{p.path}: {p.message} — {p.fix}" for p in exc.problems)
    if not errors:
        try:
            draft = publishing.import_flow(
                get_db(), data, actor=_actor(), file=(upload.filename if upload else "") or "upload"
            )
        except EditRefused as exc:
            errors.append(exc.message)
        else:
            return redirect(url_for("editor.edit", flow_id=draft.flow_id, done="imported"))
    html = render_template("editor/index.html", rows=[], message="", errors=errors)
    return Response(html, status=400)


@bp.get("/<flow_id>")
@require_role(*EDIT_ROLES)
def edit(flow_id: str) -> str:
    _known_flow(flow_id)
    return render_template(
        "editor/edit.html", flow_id=flow_id, message=_message(), review_required=_review_required()
    )


@bp.get("/<flow_id>/export.json")
@require_role(*EDIT_ROLES)
def export(flow_id: str) -> Response:
    draft = request.args.get("draft") == "1"
    number = request.args.get("version", type=int)
    try:
        text = publishing.export_document(get_db(), flow_id, draft=draft, number=number)
    except EditRefused as exc:
        return _page_refused(exc)
    suffix = "-draft" if draft else f"-v{number}" if number else ""
    response = Response(text, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{flow_id}{suffix}.json"'
    return response


# --- the editing page's API -----------------------------------------------------------------


def _review_dict(review: Any, actor: Actor) -> dict[str, Any] | None:
    if review is None:
        return None
    return {
        "id": review.id,
        "status": review.status,
        "revision": review.revision,
        "submitted_by": review.submitted_by_name or review.submitted_by,
        "submitted_at": publishing.iso(review.submitted_at),
        "note": review.note,
        "reviewer": review.reviewer_name or review.reviewer,
        "comment": review.comment,
        "decided_at": publishing.iso(review.decided_at),
        "may_review": publishing.may_review(review, actor),
        "self_approved": publishing.self_approved(review),
    }


def _state_dict(state: publishing.DraftState, actor: Actor) -> dict[str, Any]:
    current = state.current
    return {
        "flow_id": state.draft.flow_id,
        "data": state.data,
        "revision": state.draft.revision,
        "updated_by": state.draft.updated_by_name or state.draft.updated_by,
        "updated_at": publishing.iso(state.draft.updated_at),
        "base_number": state.draft.base_number,
        "changed": state.changed,
        "approved": state.approved,
        "pending": state.pending,
        "current": None
        if current is None
        else {
            "number": current.number,
            "published_at": publishing.iso(current.published_at),
            "author": current.author_name or current.author,
        },
        "review": _review_dict(state.review, actor),
        "check": state.check.to_dict(),
        "review_required": _review_required(),
    }


@bp.get("/<flow_id>/api/draft")
@require_role(*EDIT_ROLES)
def api_draft(flow_id: str) -> Response:
    actor = _actor()
    try:
        state = publishing.draft_state(get_db(), flow_id, actor)
    except EditRefused as exc:
        return _refused(exc)
    body = _state_dict(state, actor)
    if request.args.get("schema") == "1":
        body["schema"] = load_schema()
        body["codes"] = {code: title for code, (_severity, title) in CODES.items()}
    return _json(body)


@bp.put("/<flow_id>/api/draft")
@require_role(*EDIT_ROLES)
def api_save(flow_id: str) -> Response:
    body = _json_body()
    if not isinstance(body, dict) or not isinstance(body.get("revision"), int):
        return auth.json_error("bad_request", 'Send {"data": flow, "revision": number}.', 400)
    actor = _actor()
    db = get_db()
    try:
        publishing.save_draft(db, flow_id, body.get("data"), revision=body["revision"], actor=actor)
        state = publishing.draft_state(db, flow_id, actor)
    except EditRefused as exc:
        return _refused(exc)
    return _json(_state_dict(state, actor))


@bp.post("/<flow_id>/api/check")
@require_role(*EDIT_ROLES)
def api_check(flow_id: str) -> Response:
    """Check raw JSON text (the JSON tab) without saving: syntax errors name line and column."""
    try:
        text = request.get_data(as_text=True)
    except RequestEntityTooLarge:
        return auth.json_error("too_large", "A flow may be at most 2 MB.", 413)
    try:
        data = parse_json(text, "draft")
    except FlowError as exc:
        findings = [
            {
                "code": "F001",
                "severity": "error",
                "node": None,
                "path": p.path,
                "message": p.message,
                "fix": p.fix,
            }
            for p in exc.problems
        ]
        return _json(
            {
                "check": {"findings": findings, "errors": len(findings), "warnings": 0},
                "parsed": False,
            }
        )
    check = publishing.check_flow(data, flow_id, publishing.live_document(get_db(), flow_id))
    if not isinstance(data, dict) or data.get("id") != flow_id:
        extra = {
            "code": "F002",
            "severity": "error",
            "node": None,
            "path": "$.id",
            "message": f'this page edits the flow "{flow_id}"',
            "fix": f'keep "id": "{flow_id}"; import other flows from the flow list',
        }
        body = check.to_dict()
        body["findings"].insert(0, extra)
        body["errors"] += 1
        return _json({"check": body, "parsed": False})
    return _json({"check": check.to_dict(), "parsed": True, "data": data})


@bp.post("/<flow_id>/api/preview")
@require_role(*EDIT_ROLES)
def api_preview(flow_id: str) -> Response:
    """A sandbox ticket for the saved draft; the page loads the real widget frame with it."""
    body = _json_body()
    revision = body.get("revision") if isinstance(body, dict) else None
    actor = _actor()
    try:
        state = publishing.draft_state(get_db(), flow_id, actor)
    except EditRefused as exc:
        return _refused(exc)
    if revision != state.draft.revision:
        return auth.json_error(
            "stale", "Save the draft first (it changed since this page loaded).", 409
        )
    try:
        flow = parse_flow(state.data, flow_id)
    except FlowError as exc:
        return auth.json_error(
            "errors",
            "The preview needs a draft that loads: fix the errors "
            f"marked on the steps first ({exc.problems[0].message}).",
            422,
        )
    ticket = _previews().open(flow, actor=actor.id)
    locale = request.args.get("locale") or flow.default_locale
    base = url_for("editor.preview_sessions", ticket=ticket).removesuffix("/api/chat/sessions")
    frame = url_for(
        "pages.frame",
        flow=flow.id,
        base=base,
        locale=locale,
        title="Preview: " + _first_text(flow.data.get("title")),
    )
    return _json({"ticket": ticket, "frame_url": frame, "revision": state.draft.revision})


@bp.post("/<flow_id>/api/topic-match")
@require_role(*EDIT_ROLES)
def api_topic_match(flow_id: str) -> Response:
    """Which of the saved draft's topics a typed message would get, its score and the runner-up
    (core/topics.py's own match, with the example that decided it), for the preview."""
    body = _json_body()
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TRY_CHARS:
        return auth.json_error(
            "bad_request", f'Send {{"text": a message of 1 to {MAX_TRY_CHARS} characters}}.', 400
        )
    try:
        state = publishing.draft_state(get_db(), flow_id, _actor())
        flow = parse_flow(state.data, flow_id)
    except EditRefused as exc:
        return _refused(exc)
    except FlowError as exc:
        return auth.json_error(
            "errors", f"Fix the draft's errors first ({exc.problems[0].message}).", 422
        )
    locale = body.get("locale") if isinstance(body.get("locale"), str) else flow.default_locale
    if locale not in flow.locales:
        locale = flow.default_locale
    found = topics.match(flow, text, locale, explain=True).to_dict()
    labels = {t["id"]: _first_text(t.get("label")) for t in flow.topics.values()}
    found["label"] = labels.get(str(found["topic"]), "")
    found["runner_label"] = labels.get(str(found["runner_up"]), "")
    return _json({"match": found, "locale": locale, "revision": state.draft.revision})


@bp.post("/<flow_id>/api/preview/goto")
@require_role(*EDIT_ROLES)
def api_preview_goto(flow_id: str) -> Response:
    body = _json_body()
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("ticket"), str)
        or not isinstance(body.get("node"), str)
    ):
        return auth.json_error("bad_request", 'Send {"ticket": …, "node": …}.', 400)
    events = _previews().jump(body["ticket"], body["node"], actor=_actor().id)
    errors = [e for e in events if e.get("type") == "error"]
    if errors and len(errors) == len(events):
        return auth.json_error(str(errors[0].get("code")), str(errors[0].get("text")), 409)
    return _json({"ok": True, "events": len(events)})


# --- review and publish ---------------------------------------------------------------------


def _form_revision() -> int:
    try:
        return int(request.form.get("revision", ""))
    except ValueError:
        return -1


@bp.get("/<flow_id>/review")
@require_role(*EDIT_ROLES)
def review(flow_id: str) -> BaseResponse:
    actor = _actor()
    try:
        state = publishing.draft_state(get_db(), flow_id, actor)
    except EditRefused as exc:
        return _page_refused(exc)
    live = json.loads(state.current.json) if state.current else {}
    diff = diff_flows(live, state.data if isinstance(state.data, dict) else {})
    keys = publishing.warning_keys(state.check)
    html = render_template(
        "editor/review.html",
        flow_id=flow_id,
        state=state,
        diff=diff,
        me=actor,
        review_required=_review_required(),
        may_review=state.review is not None and publishing.may_review(state.review, actor),
        self_approval=_self_approval(),
        self_approved=state.review is not None and publishing.self_approved(state.review),
        warning_keys=keys,
        message=_message(),
        error=request.args.get("error", ""),
    )
    return Response(html)


def _back_to_review(flow_id: str, done: str) -> BaseResponse:
    return redirect(url_for("editor.review", flow_id=flow_id, done=done))


@bp.post("/<flow_id>/submit")
@require_role(*EDIT_ROLES)
def submit(flow_id: str) -> BaseResponse:
    try:
        publishing.submit_for_review(
            get_db(),
            flow_id,
            revision=_form_revision(),
            actor=_actor(),
            note=request.form.get("note", ""),
        )
    except EditRefused as exc:
        return _page_refused(exc)
    return _back_to_review(flow_id, "submitted")


@bp.post("/<flow_id>/reviews/<int:review_id>")
@require_role(*EDIT_ROLES)
def decide(flow_id: str, review_id: int) -> BaseResponse:
    decision = request.form.get("decision")
    if decision not in ("approve", "changes_requested"):
        return auth.refuse(400, "bad_request", "Choose approve or send back.")
    try:
        publishing.decide_review(
            get_db(),
            flow_id,
            review_id,
            approve=decision == "approve",
            actor=_actor(),
            comment=request.form.get("comment", ""),
            self_approval=_self_approval(),
        )
    except EditRefused as exc:
        return _page_refused(exc)
    return _back_to_review(flow_id, "approved" if decision == "approve" else "changes_requested")


@bp.post("/<flow_id>/publish")
@require_role(*EDIT_ROLES)
def publish(flow_id: str) -> BaseResponse:
    try:
        publishing.publish(
            get_db(),
            flow_id,
            revision=_form_revision(),
            actor=_actor(),
            note=request.form.get("note", ""),
            acknowledge=request.form.getlist("acknowledge"),
            review_required=_review_required(),
        )
    except EditRefused as exc:
        return _page_refused(exc)
    return redirect(url_for("editor.history", flow_id=flow_id, done="published"))


@bp.post("/<flow_id>/discard")
@require_role(*EDIT_ROLES)
def discard(flow_id: str) -> BaseResponse:
    try:
        publishing.discard_draft(get_db(), flow_id, revision=_form_revision(), actor=_actor())
    except EditRefused as exc:
        return _page_refused(exc)
    return redirect(url_for("editor.edit", flow_id=flow_id, done="discarded"))


# --- history --------------------------------------------------------------------------------


@bp.get("/<flow_id>/history")
@require_role(*EDIT_ROLES)
def history(flow_id: str) -> BaseResponse:
    db = get_db()
    publications, reviews = publishing.history(db, flow_id)
    if not publications:
        abort(404)
    numbers = [p.number for p in publications]
    newest = numbers[0]
    b = request.args.get("b", type=int) or newest
    a = request.args.get("a", type=int) or (b - 1 if b - 1 in numbers else b)
    by_number = {p.number: p for p in publications}
    diff = None
    if a in by_number and b in by_number and a != b:
        diff = diff_flows(json.loads(by_number[a].json), json.loads(by_number[b].json))
    checks = {
        p.number: publishing.check_flow(json.loads(p.json), flow_id)
        for p in publications
        if p.number != newest
    }
    html = render_template(
        "editor/history.html",
        flow_id=flow_id,
        publications=publications,
        reviews=reviews,
        a=a,
        b=b,
        diff=diff,
        current=by_number[newest],
        checks=checks,
        warning_keys={n: publishing.warning_keys(c) for n, c in checks.items()},
        message=_message(),
    )
    return Response(html)


@bp.post("/<flow_id>/rollback/<int:number>")
@require_role(*EDIT_ROLES)
def rollback(flow_id: str, number: int) -> BaseResponse:
    try:
        publishing.rollback(
            get_db(),
            flow_id,
            number,
            actor=_actor(),
            note=request.form.get("note", ""),
            acknowledge=request.form.getlist("acknowledge"),
        )
    except EditRefused as exc:
        return _page_refused(exc)
    return redirect(url_for("editor.history", flow_id=flow_id, done="rolled_back"))


# --- the preview's sandbox transport --------------------------------------------------------
# The real widget frame, opened with base=/staff/flows/preview/<ticket>, speaks the ordinary chat
# protocol here. The ticket in the path is the credential (the frame sends no cookies).


def _previews() -> Previews:
    return Previews.of(current_app._get_current_object())  # type: ignore[attr-defined]


def _preview_service(ticket: str) -> PreviewService | Response:
    """The ticket's sandbox service, or the error answer the frame understands."""
    pair = _previews().services(ticket)
    if pair is None:
        return transport.error_response(
            "expired", "This preview has ended. Open the preview again."
        )
    if not transport.origin_allowed(request.headers.get("Origin")):
        return transport.error_response("forbidden_origin", "This site may not open the preview.")
    return pair.chat


@bp.post("/preview/<ticket>/api/chat/sessions")
def preview_sessions(ticket: str) -> Response:
    service = _preview_service(ticket)
    if isinstance(service, Response):
        return service
    raw = transport.request_body()
    if raw is None:
        return transport.error_response("too_large")
    outcome = service.handle(None, raw, client=transport.client_key())
    if outcome.token and outcome.error is None:
        _previews().remember_session(ticket, outcome.token)
    return transport.outcome_response(outcome, created=outcome.error is None)


@bp.post("/preview/<ticket>/api/chat/sessions/<token>/events")
def preview_event(ticket: str, token: str) -> Response:
    service = _preview_service(ticket)
    if isinstance(service, Response):
        return service
    raw = transport.request_body()
    if raw is None:
        return transport.error_response("too_large")
    return transport.outcome_response(service.handle(token, raw, client=transport.client_key()))


@bp.get("/preview/<ticket>/api/chat/sessions/<token>/events")
def preview_poll(ticket: str, token: str) -> Response:
    service = _preview_service(ticket)
    if isinstance(service, Response):
        return service
    return transport.long_poll(service, token)


class _PreviewSocket(transport.Socket):
    """The chat socket, also noting which sandbox conversation the ticket's frame started."""

    def __init__(self, ws: Any, pair: Any, client: str, ticket: str, previews: Previews) -> None:
        super().__init__(ws, pair.chat, client, runtime().stopping)
        self.ticket = ticket
        self.previews = previews

    def _adopt(self, outcome: Any) -> None:
        before = self.token
        super()._adopt(outcome)
        if self.token and self.token != before:
            self.previews.remember_session(self.ticket, self.token)


@sock.route("/preview/<ticket>/ws/chat", bp=bp)  # type: ignore[untyped-decorator]
def preview_socket(ws: Any, ticket: str) -> None:
    previews = _previews()
    pair = previews.services(ticket)
    if pair is None or not transport.origin_allowed(request.headers.get("Origin")):
        ws.close(1008, "preview ended")
        return
    slots, address = runtime().slots, transport.client_key()
    if not slots.try_acquire(address):
        ws.close(1013, "busy")
        return
    try:
        _PreviewSocket(ws, pair, address, ticket, previews).run()
    finally:
        slots.release(address)


def _json(body: dict[str, Any], status: int = 200) -> Response:
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )
    response.headers["Cache-Control"] = "no-store"
    return response
