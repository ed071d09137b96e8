"""Blueprint ``questions`` (/staff/questions): "Questions we could not answer", for the ``editor``
and ``admin`` roles. Lists what visitors typed that fell to the topic fallback (text only, never a
crisis or concern message; see app/service.py) and offers two actions: add the text as an example
of a topic in the flow's draft, or dismiss it. Retention deletes what staff leave (retention.py).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..app import publishing
from ..app.publishing import Actor
from ..core.errors import EditRefused
from ..storage import conversations as chat_db
from ..storage import unanswered
from . import auth
from .auth import require_role
from .context import get_db

bp = Blueprint("questions", __name__, url_prefix="/staff/questions")

ROLES: tuple[auth.Role, ...] = ("admin", "editor")
SHOWN = 200
MESSAGES = {
    "added": "Added to the topic's examples in the draft. Review and publish the draft for "
    "visitors to get it.",
    "dismissed": "Dismissed.",
    "gone": "That question was already handled (by someone else, or removed by retention).",
}


def _actor() -> Actor:
    staff = auth.current_staff()
    return Actor(auth.actor_of(staff), staff.label, auth.client_address())


def _topics(flow_id: str, actor: Actor) -> list[dict[str, str]]:
    """The draft's topics (where an added example goes), as id and a label for the list."""
    try:
        data = publishing.draft_state(get_db(), flow_id, actor).data
    except EditRefused:
        return []
    topics = data.get("topics") if isinstance(data, dict) else None
    found = []
    for topic in topics or []:
        if isinstance(topic, dict) and isinstance(topic.get("id"), str):
            label = topic.get("label")
            shown = next(iter(label.values()), "") if isinstance(label, dict) and label else ""
            found.append({"id": topic["id"], "label": str(shown or topic["id"])})
    return found


@bp.get("/")
@require_role(*ROLES)
def page() -> str:
    db = get_db()
    with db.read() as conn:
        questions = unanswered.list_questions(conn, limit=SHOWN)
        total = unanswered.count_questions(conn)
    actor = _actor()
    topics: dict[str, list[dict[str, str]]] = {}
    for question in questions:
        if question.flow_id not in topics:
            topics[question.flow_id] = _topics(question.flow_id, actor)
    return render_template(
        "staff/questions.html",
        questions=questions,
        total=total,
        topics=topics,
        message=MESSAGES.get(request.args.get("done", ""), ""),
    )


def _question(question_id: int) -> unanswered.Question | None:
    with get_db().read() as conn:
        return unanswered.get_question(conn, question_id)


@bp.post("/<int:question_id>/example")
@require_role(*ROLES)
def add_example(question_id: int) -> BaseResponse:
    question = _question(question_id)
    if question is None:
        return auth.refuse(404, "gone", MESSAGES["gone"], back=url_for("questions.page"))
    topic = request.form.get("topic", "")
    try:
        publishing.add_topic_example(
            get_db(),
            question.flow_id,
            topic,
            question.text,
            locale=question.locale,
            actor=_actor(),
            question_id=question.id,
        )
    except EditRefused as exc:
        return auth.refuse(422, exc.code, exc.message, back=url_for("questions.page"))
    return redirect(url_for("questions.page", done="added"))


@bp.post("/<int:question_id>/dismiss")
@require_role(*ROLES)
def dismiss(question_id: int) -> BaseResponse:
    actor = _actor()

    def work(conn: Any) -> bool:
        gone = unanswered.delete_question(conn, question_id)
        if gone:
            chat_db.append_audit(
                conn,
                actor=actor.id,
                action="unanswered.dismiss",
                subject=f"question:{question_id}",
                detail={"address": actor.address} if actor.address else {},
            )
        return gone

    if not get_db().write(work):
        return auth.refuse(404, "gone", MESSAGES["gone"], back=url_for("questions.page"))
    return redirect(url_for("questions.page", done="dismissed"))
