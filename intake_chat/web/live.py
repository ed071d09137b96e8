"""Blueprint ``live`` (/staff/live): the live chat console. The queue of visitors waiting for a
person (risk first, then waiting time), the "accepting chats" switch, accept (first one wins),
the chat view with its reply box, end chat, hand back to the assistant, the people to call back,
and the push socket ``/staff/live/ws`` (queue changes, new lines, safety alerts, presence).

Thin: the moves are in livedesk.py, the rules in handoff.py, SQL in storage/live.py; sign-in,
roles and CSRF come from auth.py. Admins and coordinators only.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.engine import Connection
from werkzeug.wrappers import Response as BaseResponse

from ..app.livedesk import HEARTBEAT_SECONDS, Desk, display_name
from ..core import handoff, referral_view
from ..storage import accounts as staff_db
from ..storage import live_queue as store
from ..storage import utcnow
from ..storage.accounts import StaffRow
from . import auth
from .auth import require_role
from .context import get_db, runtime
from .sockets import sock

bp = Blueprint("live", __name__, url_prefix="/staff/live")

ROLES: tuple[auth.Role, ...] = ("admin", "coordinator")
SOCKET_POLL_SECONDS = 2.0  # how often the socket re-reads when nothing woke it
CALLBACK_DAYS = 14  # how far back "to call back" looks for queued requests still new

OUTCOMES = {
    "closed": "Queued: asked outside office hours",
    "no_staff": "Queued: nobody was accepting chats",
    "timeout": "Queued: nobody accepted in time",
    "ended": "Ended by staff",
    "to_bot": "Handed back to the assistant",
    "left": "The visitor left or started over",
}
ACCEPT_PROBLEMS = {
    "taken": (409, "Someone else has already accepted this chat."),
    "gone": (409, "This visitor is no longer waiting: the request was queued, or they left."),
    "missing": (404, "There is no such live chat request."),
}
LANGUAGES = {"en": "English", "es": "Spanish"}


def _desk() -> Desk:
    return runtime().desk


# --- how rows read --------------------------------------------------------------------------


def _zone() -> ZoneInfo:
    return ZoneInfo(auth.config().timezone)


def _iso(value: datetime | None) -> str:
    return "" if value is None else value.replace(tzinfo=UTC).isoformat()


def _local(value: datetime | None, fmt: str = "%H:%M") -> str:
    return "" if value is None else value.replace(tzinfo=UTC).astimezone(_zone()).strftime(fmt)


def _risk(row: dict[str, Any]) -> str | None:
    rank = handoff.risk_rank(
        row.get("crisis_level"), bool(row.get("urgent")), int(row.get("concern_count") or 0)
    )
    return {3: "crisis", 2: "concern"}.get(rank)


def duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _item(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A request as the console shows it (also sent as JSON on the socket)."""
    waited = (now - row["requested_at"]).total_seconds()
    staff_label = row.get("staff_name") or row.get("staff_email") or ""
    return {
        "id": row["id"],
        "person": staff_db.referral_name(row) or "Visitor",
        "risk": _risk(row),
        "category": (row.get("crisis_category") or "").replace("_", " "),
        "language": LANGUAGES.get(row.get("locale") or "", row.get("locale") or ""),
        "status": row["status"],
        "outcome": row.get("outcome"),
        "outcome_text": OUTCOMES.get(row.get("outcome") or "", ""),
        "staff_id": row.get("staff_id"),
        "staff": staff_label,
        "referral_id": row.get("referral_id"),
        "requested_at": _iso(row["requested_at"]),
        "requested_local": _local(row["requested_at"], "%Y-%m-%d %H:%M"),
        "waited": int(waited),
        "waited_text": duration(waited),
        "url": url_for("live.chat", request_id=row["id"]),
        "accept_url": url_for("live.accept", request_id=row["id"]),
        "referral_url": (
            url_for("staff.referral_detail", referral_id=row["referral_id"])
            if row.get("referral_id")
            else ""
        ),
    }


def queue_view(conn: Connection, me: StaffRow, now: datetime) -> dict[str, Any]:
    """Everything the queue page and the socket's ``queue`` message show."""
    config = auth.config()
    hours = handoff.hours_from_config(config.office_hours, config.timezone)
    waiting = handoff.queue_order(store.requests_with_status(conn, [store.WAITING]))
    chats = store.requests_with_status(conn, [store.LIVE])
    callbacks = handoff.queue_order(store.queued_since(conn, now - timedelta(days=CALLBACK_DAYS)))
    available = store.available_staff(conn, online_since=_desk().online_since(now))
    return {
        "waiting": [_item(row, now) for row in waiting],
        "my_chats": [_item(row, now) for row in chats if row["staff_id"] == me.id],
        "other_chats": [_item(row, now) for row in chats if row["staff_id"] != me.id],
        "callbacks": [_item(row, now) for row in callbacks],
        "accepting": store.is_accepting(conn, me.id),
        "available": len(available),
        "open_now": hours.is_open(now),
        "hours_text": hours.text,
        "timezone": config.timezone,
        "wait_text": duration(config.handoff_wait_seconds),
        "callback_days": CALLBACK_DAYS,
    }


def _line(line: dict[str, Any]) -> dict[str, Any]:
    return {**line, "at": _iso(line.get("at")), "at_local": _local(line.get("at"), "%H:%M:%S")}


# --- pages ----------------------------------------------------------------------------------


@bp.get("/")
@require_role(*ROLES)
def queue() -> str:
    me = auth.current_staff()
    desk = _desk()
    desk.heartbeat(me.id)  # looking at the queue counts as being online
    with get_db().read() as conn:
        view = queue_view(conn, me, utcnow())
    problem = ACCEPT_PROBLEMS.get(request.args.get("result", ""))
    return render_template("live/queue.html", problem=problem[1] if problem else "", **view)


@bp.post("/availability")
@require_role(*ROLES)
def availability() -> BaseResponse:
    me = auth.current_staff()
    accepting = request.form.get("accepting") == "1"
    desk = _desk()
    now = utcnow()
    with get_db().transaction() as conn:
        store.set_accepting(conn, me.id, accepting, now=now)
        store.touch_presence(conn, me.id, now=now)
        auth.audit(conn, "live.accepting", f"staff:{me.id}", {"accepting": accepting})
    desk.service.hub.publish(runtime().staff_channel)
    if auth.wants_json():
        return jsonify({"accepting": accepting})
    return redirect(auth.safe_next(request.form.get("next")) or url_for("live.queue"), code=303)


@bp.post("/<int:request_id>/accept")
@require_role(*ROLES)
def accept(request_id: int) -> BaseResponse:
    result = _desk().accept(request_id, auth.current_staff())
    if result == "ok":
        if auth.wants_json():
            return jsonify({"url": url_for("live.chat", request_id=request_id)})
        return redirect(url_for("live.chat", request_id=request_id), code=303)
    status, message = ACCEPT_PROBLEMS[result]
    if auth.wants_json():
        return auth.json_error(result, message, status)
    return redirect(url_for("live.queue", result=result), code=303)


@bp.get("/<int:request_id>")
@require_role(*ROLES)
def chat(request_id: int) -> str:
    me = auth.current_staff()
    db = get_db()
    with db.read() as conn:
        row = store.request_details(conn, request_id)
        if row is None:
            abort(404)
        rows = store.events_since(conn, row["session_id"], 0)
    with db.transaction() as conn:
        auth.audit(conn, "live.view", f"session:{row['session_id']}", {"request_id": request_id})
    item = _item(row, utcnow())
    raw = referral_view.transcript_lines(rows)
    accepted = row.get("accepted_at")
    alerts = [
        _line(line)
        for line in raw
        if line["alert"] and accepted is not None and line["at"] >= accepted
    ]
    lines = [_line(line) for line in raw]
    return render_template(
        "live/chat.html",
        chat=item,
        row=row,
        status_text=_status_text(item),
        mine=row["status"] == store.LIVE and row["staff_id"] == me.id,
        can_close=row["status"] == store.LIVE and (row["staff_id"] == me.id or me.role == "admin"),
        transcript=lines,
        alerts=alerts,
        last_seq=rows[-1]["seq"] if rows else 0,
        my_name=display_name(me),
        max_chars=auth.config().max_text_chars,
    )


@bp.post("/<int:request_id>/messages")
@require_role(*ROLES)
def send(request_id: int) -> BaseResponse:
    text = request.form.get("text", "").strip()
    limit = auth.config().max_text_chars
    if not text or len(text) > limit:
        return auth.refuse(400, "bad_message", f"A message needs 1 to {limit} characters.")
    stored = _desk().send(request_id, auth.current_staff(), text)
    if stored is None:
        return auth.refuse(409, "not_live", "This chat is not live with you any more.")
    if auth.wants_json():
        return jsonify({"event": stored})
    return redirect(url_for("live.chat", request_id=request_id, _anchor="reply"), code=303)


@bp.post("/<int:request_id>/end")
@require_role(*ROLES)
def end(request_id: int) -> BaseResponse:
    return _close(request_id, _desk().end)


@bp.post("/<int:request_id>/bot")
@require_role(*ROLES)
def to_bot(request_id: int) -> BaseResponse:
    return _close(request_id, _desk().to_bot)


def _close(request_id: int, move: Callable[[int, StaffRow], bool]) -> BaseResponse:
    if not move(request_id, auth.current_staff()):
        return auth.refuse(409, "not_live", "This chat is not live with you any more.")
    if auth.wants_json():
        return jsonify({"ok": True})
    return redirect(url_for("live.chat", request_id=request_id), code=303)


# --- the push socket ------------------------------------------------------------------------


@bp.before_request
def _guard_socket() -> BaseResponse | None:
    """Refused before the upgrade: signed-in admins and coordinators from this origin only."""
    if request.endpoint != "live.socket":
        return None
    return auth.socket_refusal(ROLES)


@sock.route("/ws", bp=bp)  # type: ignore[untyped-decorator]
def socket(ws: Any) -> None:
    watch = request.args.get("chat", type=int)
    after = request.args.get("after", 0, type=int)
    Feed(ws, auth.current_session(), _desk(), watch=watch, after=max(0, after or 0)).run()


class Feed:
    """One console's socket: the queue when it changes, new lines of the watched chat, safety
    alerts from the staff member's live chats, and the heartbeat that keeps them online."""

    def __init__(
        self, ws: Any, session: staff_db.WebSession, desk: Desk, *, watch: int | None, after: int
    ) -> None:
        self.ws = ws
        self.session = session
        self.staff = session.staff
        self.desk = desk
        self.watch = watch
        self.positions: dict[int, int] = {watch: after} if watch else {}
        self.woken = threading.Event()
        self.subscriptions: dict[str, Callable[[], None]] = {}
        self.last_queue: Any = None
        self.last_state: Any = None
        self.last_beat = 0.0

    def send(self, message: dict[str, Any]) -> None:
        # What the visitor typed is in it: bidi-neutral, as on the pages.
        text = json.dumps(message, ensure_ascii=False, default=str)
        self.ws.send(referral_view.neutral_bidi(text))

    def run(self) -> None:
        self._subscribe(runtime().staff_channel)
        try:
            self.send(
                {"type": "hello", "staff_id": self.staff.id, "heartbeat_seconds": HEARTBEAT_SECONDS}
            )
            while not runtime().stopping.is_set():
                reason = auth.still_signed_in(self.session.id_hash)
                if reason != "ok":
                    self.send({"type": "signed_out", "reason": reason})
                    break
                self._beat()
                self.tick(utcnow())
                self.woken.wait(SOCKET_POLL_SECONDS)
                self.woken.clear()
                while self.ws.receive(timeout=0) is not None:
                    pass  # the console sends nothing we act on; reading keeps the buffer empty
        finally:
            for unsubscribe in self.subscriptions.values():
                unsubscribe()

    def _subscribe(self, key: str) -> None:
        if key not in self.subscriptions:
            hub = self.desk.service.hub
            self.subscriptions[key] = hub.subscribe(key, lambda _key: self.woken.set())

    def _beat(self) -> None:
        if time.monotonic() - self.last_beat >= HEARTBEAT_SECONDS:
            self.desk.heartbeat(self.staff.id)
            self.last_beat = time.monotonic()

    def tick(self, now: datetime) -> None:
        with get_db().read() as conn:
            view = queue_view(conn, self.staff, now)
            mine = store.live_chats_of(conn, self.staff.id)
            watched = store.request_details(conn, self.watch) if self.watch else None
            rows = {row["id"]: row for row in mine}
            if watched is not None:
                rows[watched["id"]] = watched
            news = {request_id: self._news(conn, row) for request_id, row in rows.items()}
        self._send_queue(view)
        for request_id, lines in news.items():
            if not lines:
                continue
            row = rows[request_id]
            if request_id == self.watch:
                self.send({"type": "chat", "request": request_id, "lines": lines})
            for line in lines:
                if line["alert"] and (row["status"] == store.LIVE or request_id == self.watch):
                    self._send_alert(row, line, now)
        if watched is not None:  # after its lines: the state says what they led to
            self._send_state(watched, now)

    def _news(self, conn: Connection, row: dict[str, Any]) -> list[dict[str, Any]]:
        """Lines of a chat after what this console has; a chat it has not seen yet starts now
        (the chat page shows the past)."""
        self._subscribe(row["session_id"])
        if row["id"] not in self.positions:
            self.positions[row["id"]] = store.last_seq(conn, row["session_id"])
            return []
        rows = store.events_since(conn, row["session_id"], self.positions[row["id"]])
        if rows:
            self.positions[row["id"]] = rows[-1]["seq"]
        return [_line(line) for line in referral_view.transcript_lines(rows)]

    def _send_queue(self, view: dict[str, Any]) -> None:
        waiting = view["waiting"]
        signature = (
            [(i["id"], i["risk"], i["person"]) for i in waiting],
            view["accepting"],
            view["available"],
            view["open_now"],
            [i["id"] for i in view["my_chats"]],
        )
        if signature == self.last_queue:
            return
        self.last_queue = signature
        self.send(
            {
                "type": "queue",
                "waiting": waiting,
                "accepting": view["accepting"],
                "available": view["available"],
                "open_now": view["open_now"],
                "my_chats": view["my_chats"],
            }
        )

    def _send_state(self, row: dict[str, Any], now: datetime) -> None:
        item = _item(row, now)
        state = (row["status"], row.get("outcome"), row.get("staff_id"), item["risk"])
        if self.last_state is not None and state != self.last_state:
            mine = row["status"] == store.LIVE and row.get("staff_id") == self.staff.id
            self.send(
                {
                    "type": "chat_state",
                    "request": row["id"],
                    "status": row["status"],
                    "outcome": row.get("outcome"),
                    "text": _status_text(item),
                    "mine": mine,
                    "risk": item["risk"],
                    "category": item["category"],
                }
            )
        self.last_state = state

    def _send_alert(self, row: dict[str, Any], line: dict[str, Any], now: datetime) -> None:
        item = _item(row, now)
        self.send(
            {
                "type": "alert",
                "request": row["id"],
                "person": item["person"],
                "level": line.get("level"),
                "category": line.get("category"),
                "at_local": line["at_local"],
                "url": item["url"],
            }
        )


def _status_text(item: dict[str, Any]) -> str:
    if item["status"] == store.WAITING:
        return "Waiting for someone to accept"
    if item["status"] == store.LIVE:
        return f"Live with {item['staff'] or 'a team member'}"
    return item["outcome_text"] or "Over"
