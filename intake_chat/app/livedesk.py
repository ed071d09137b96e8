"""The live handoff between a visitor and a staff member once they asked for a person (the ask
itself, inside their turn, is ``live_request.py``): the wait timer, accept (first wins), staff
messages, ending the chat and handing the visitor back to the assistant, and staff presence.

Every move is one transaction that also writes what the visitor sees into their event log, then
wakes their socket or long-poll through the service's hub. Imports nothing from Flask.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.engine import Connection

from ..core import handoff, handoff_text
from ..core.config import Config
from ..core.protocol import BotEvent
from ..storage import conversations as chat_store
from ..storage import live_queue as store
from ..storage.accounts import StaffRow
from .hub import STAFF_CHANNEL
from .live_request import PRESENCE_TTL, crisis_rules, queued_event, referral_locale
from .service import Service, Turn

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10.0
SWEEP_SECONDS = 1.0
# Node names of the events this module writes (the engine's own nodes are flow node ids).
JOINED_NODE, ENDED_NODE, TO_BOT_NODE = "live:joined", "live:ended", "live:to_bot"

AcceptResult = Literal["ok", "taken", "gone", "missing"]


# --- staff side and the timer -----------------------------------------------------------------


def display_name(staff: StaffRow) -> str:
    """What a visitor may see of a staff member: the display name, never the email."""
    return staff.name.strip()


@dataclass
class Desk:
    """The live handoff for one conversation service (one per process). Writes go through the
    service's database writer (``Database.write``), like a visitor's turn."""

    service: Service

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def config(self) -> Config:
        return self.service.config

    # presence

    def set_accepting(self, staff_id: int, accepting: bool) -> None:
        def work(conn: Connection) -> None:
            now = self.service.now()
            store.set_accepting(conn, staff_id, accepting, now=now)
            store.touch_presence(conn, staff_id, now=now)

        self.service.db.write(work)
        self.service.hub.publish(STAFF_CHANNEL)

    def heartbeat(self, staff_id: int) -> None:
        self.service.db.write(
            lambda conn: store.touch_presence(conn, staff_id, now=self.service.now())
        )

    def online_since(self, now: datetime | None = None) -> datetime:
        return (now or self.service.now()) - PRESENCE_TTL

    # moves

    def accept(self, request_id: int, staff: StaffRow) -> AcceptResult:
        def work(conn: Connection) -> tuple[AcceptResult, str | None]:
            now = self.service.now()
            request = store.get_request(conn, request_id)
            if request is None:
                return "missing", None
            session = chat_store.lock_session_by_id(conn, request.session_id)
            if session is None or not _still_there(session, request, now):
                store.finish(conn, request_id, "left", now=now, expect=[store.WAITING])
                return "gone", request.session_id
            if not store.accept(conn, request_id, staff.id, now=now):
                fresh = store.get_request(conn, request_id)
                taken = fresh is not None and fresh.status == store.LIVE
                return ("taken" if taken else "gone"), None
            name = display_name(staff)
            event: BotEvent = {
                "type": "handoff",
                "mode": "live",
                "node": JOINED_NODE,
                "referral": request.referral_id,
                "name": name,
                "text": handoff_text.staff_event("joined", _locale_of(session), name),
            }
            self._append(conn, session, [event], now)
            self._audit(conn, staff, "live.accept", session.id, request, now)
            return "ok", session.id

        result, session_id = self.service.db.write(work)
        if session_id is not None:
            self._wake(session_id)
        return result

    def send(self, request_id: int, staff: StaffRow, text: str) -> dict[str, Any] | None:
        """A staff message into the visitor's conversation; None unless it is their live chat."""

        def work(conn: Connection) -> dict[str, Any] | None:
            now = self.service.now()
            first = store.get_request(conn, request_id)
            if first is None:
                return None
            session = chat_store.lock_session_by_id(conn, first.session_id)
            request = store.get_request(conn, request_id)  # again, under the conversation's lock
            if session is None or request is None or request.status != store.LIVE:
                return None
            if request.staff_id != staff.id:
                return None
            name = display_name(staff) or handoff_text.team_name(_locale_of(session))
            [stored] = self._append(
                conn, session, [{"type": "staff", "name": name, "text": text}], now
            )
            self._audit(conn, staff, "live.message", session.id, request, now)
            return {**stored, "session_id": session.id}

        stored = self.service.db.write(work)
        if stored is None:
            return None
        self.service.hub.publish(stored.pop("session_id"))
        return stored

    def end(self, request_id: int, staff: StaffRow) -> bool:
        return self._close(request_id, staff, "ended")

    def to_bot(self, request_id: int, staff: StaffRow) -> bool:
        return self._close(request_id, staff, "to_bot")

    def _close(self, request_id: int, staff: StaffRow, outcome: str) -> bool:
        """End a live chat (the assigned staff member, or an admin): the visitor is told, and
        for ``to_bot`` the conversation resumes where it was before they asked for a person."""
        only = None if staff.role == "admin" else staff.id

        def work(conn: Connection) -> str | None:
            now = self.service.now()
            request = store.get_request(conn, request_id)
            if request is None:
                return None
            session = chat_store.lock_session_by_id(conn, request.session_id)
            if session is None or not store.finish(
                conn, request_id, outcome, now=now, expect=[store.LIVE], staff_id=only
            ):
                return None
            locale = _locale_of(session)
            name = display_name(staff)
            if outcome == "ended":
                events: list[BotEvent] = [
                    {
                        "type": "end",
                        "node": ENDED_NODE,
                        "text": handoff_text.staff_event("ended", locale, name),
                    }
                ]
                self._append(conn, session, events, now)
            else:
                said: BotEvent = {
                    "type": "message",
                    "node": TO_BOT_NODE,
                    "text": handoff_text.staff_event("to_bot", locale, name),
                }
                state, resumed = self._resume(conn, session, request, locale)
                self._append(conn, session, [said, *resumed], now, state=state)
            self._audit(conn, staff, f"live.{outcome}", session.id, request, now)
            return session.id

        session_id = self.service.db.write(work)
        if session_id is None:
            return False
        self._wake(session_id)
        return True

    def _resume(
        self,
        conn: Connection,
        session: chat_store.SessionRow,
        request: store.Request,
        locale: str,
    ) -> tuple[dict[str, Any], list[BotEvent]]:
        """The engine's ``reask`` on the conversation as it was before the request (a state the
        flow no longer fits starts over, as the engine does for any unusable state)."""
        flow = self.service.flow_of(conn, session)  # the version this visitor started on
        event = {"type": "reask", "locale": locale, "today": self.service.today()}
        result = self.service.step(flow, request.resume_state, event)
        return result.state, [e.copy() for e in result.events if e.get("type") != "error"]

    # the timer

    def sweep(self, now: datetime | None = None) -> int:
        """Queue requests nobody took in time (or nobody can take), and close requests whose
        visitor moved on. Runs every second on a thread; the times come from the database, so
        a restart loses no deadline. Returns how many requests moved."""
        now = now or self.service.now()
        with self.service.db.read() as conn:
            open_rows = store.requests_with_status(conn, store.OPEN)
            available = store.count_available(conn, online_since=now - PRESENCE_TTL)
        moved = 0
        wait = self.config.handoff_wait_seconds
        for row in open_rows:
            if not _row_still_there(row, now):
                moved += self._leave(row["id"], now)
            elif row["status"] != store.WAITING:
                continue
            elif handoff.is_overdue(row["requested_at"], now, wait):
                moved += self._queue(row["id"], "timeout", now)
            elif available == 0:
                moved += self._queue(row["id"], "no_staff", now)
        return moved

    def _queue(self, request_id: int, reason: str, now: datetime) -> int:
        def work(conn: Connection) -> str | None:
            request = store.get_request(conn, request_id)
            if request is None:
                return None
            session = chat_store.lock_session_by_id(conn, request.session_id)
            if session is None or not store.finish(
                conn, request_id, reason, now=now, expect=[store.WAITING]
            ):
                return None
            if request.referral_id:
                store.set_referral_mode(conn, request.referral_id, "queued", now=now)
            locale = referral_locale(conn, request.referral_id) or _locale_of(session)
            event = queued_event(conn, self.config, request.referral_id, reason, locale, now)
            self._append(conn, session, [event], now)
            chat_store.append_audit(
                conn,
                actor="system",
                action=f"live.{reason}",
                subject=f"session:{session.id}",
                detail={"request_id": request_id, "referral_id": request.referral_id},
                now=now,
            )
            return session.id

        session_id = self.service.db.write(work)
        if session_id is None:
            return 0
        self._wake(session_id)
        return 1

    def _leave(self, request_id: int, now: datetime) -> int:
        def work(conn: Connection) -> bool:
            request = store.get_request(conn, request_id)
            if request is None or not store.finish(conn, request_id, "left", now=now):
                return False
            chat_store.append_audit(
                conn,
                actor="system",
                action="live.left",
                subject=f"session:{request.session_id}",
                detail={"request_id": request_id},
                now=now,
            )
            return True

        if not self.service.db.write(work):
            return 0
        self.service.hub.publish(STAFF_CHANNEL)
        return 1

    def start(self) -> Desk:
        if self._thread is None:
            warm = threading.Thread(
                target=crisis_rules,
                args=(str(self.config.flows_dir),),
                name="intake-live-rules",
                daemon=True,
            )
            warm.start()
            self._thread = threading.Thread(target=self._run, name="intake-live", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(SWEEP_SECONDS):
            try:
                self.sweep()
            except Exception:  # the next tick tries again; a visitor's turn is never affected
                log.exception("live handoff sweep failed")

    # writing into the visitor's log

    def _append(
        self,
        conn: Connection,
        session: chat_store.SessionRow,
        events: list[BotEvent],
        now: datetime,
        *,
        state: dict[str, Any] | None = None,
    ) -> list[BotEvent]:
        """Store events (and a new engine state) the way the service stores a turn, so the
        session row stays as the service keeps it (last seq, expiry, pending ask …)."""
        turn = Turn(events=[event.copy() for event in events], state=state, effects=[])
        return self.service.store_turn(conn, session, turn, None, now)

    def _audit(
        self,
        conn: Connection,
        staff: StaffRow,
        action: str,
        session_id: str,
        request: store.Request,
        now: datetime,
    ) -> None:
        chat_store.append_audit(
            conn,
            actor=f"staff:{staff.id}",
            action=action,
            subject=f"session:{session_id}",
            detail={"request_id": request.id, "referral_id": request.referral_id},
            now=now,
        )

    def _wake(self, session_id: str) -> None:
        self.service.hub.publish(session_id)
        self.service.hub.publish(STAFF_CHANNEL)


def _locale_of(session: chat_store.SessionRow) -> str:
    state = session.state or {}
    return str(state.get("locale") or session.locale)


def _still_there(session: chat_store.SessionRow, request: store.Request, now: datetime) -> bool:
    """The visitor is still waiting at the node where they asked (not started over, not gone)."""
    state = session.state or {}
    return (
        session.status == "handoff"
        and state.get("node") == request.node
        and now < session.expires_at
    )


def _row_still_there(row: Mapping[str, Any], now: datetime) -> bool:
    state = row.get("session_state") or {}
    return bool(
        row["session_status"] == "handoff"
        and state.get("node") == row["node"]
        and now < row["expires_at"]
    )
