"""The flow editor's preview: a draft runs in the real widget against a sandbox conversation service
with its own SQLite file, which never stores a referral, never queues a notification and never
alerts staff. A short-lived ticket (a capability in the frame's URL) names the draft snapshot.

Imports Flask only for the app registry (``Previews.of``); the service itself is Flask-free.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy.engine import Connection

from ..app.hub import Hub
from ..app.service import SafetyFn, Service, Turn
from ..core.config import Config
from ..core.errors import FlowError
from ..core.flows import Flow, parse_flow
from ..core.protocol import BotEvent, Effect
from ..storage import Database, discover_areas, utcnow
from ..storage import conversations as chat_store
from ..storage import drafts as store
from .context import runtime

log = logging.getLogger(__name__)

EXTENSION_KEY = "intake_previews"
TICKET_LIFETIME = timedelta(hours=2)
CACHED_TICKETS = 32
SANDBOX_FILE = "preview-sandbox.sqlite3"


class PreviewService(Service):
    """A conversation service for one draft: the conversation, the safety layer and the engine are
    the real ones; what would reach the practice (referral rows, outbox, staff wake-ups) is not."""

    published_flows = False
    record_funnel = False

    def _apply_effect(
        self,
        conn: Connection,
        session: chat_store.SessionRow,
        turn: Turn,
        effect: Effect,
        now: datetime,
    ) -> None:
        # The visitor side still sees the handoff; the referral id stays empty.
        turn.wake_staff = False

    def _record_safety(
        self, conn: Connection, session: chat_store.SessionRow, turn: Turn, now: datetime
    ) -> None:
        # The crisis answer is shown (it is in turn.events); nobody is alerted about a preview.
        turn.wake_staff = False


def hash_ticket(ticket: str) -> str:
    return hashlib.sha256(ticket.encode("utf-8")).hexdigest()


@dataclass
class _Pair:
    chat: PreviewService  # what the frame talks to: visitor frames only
    jump: PreviewService  # the editor's "go to this step": goto allowed
    ticket: store.PreviewTicket


class Previews:
    """Per app: the sandbox database, one hub, and the services of recent tickets."""

    def __init__(self, db: Database, sandbox: Database, config: Config, safety: SafetyFn) -> None:
        self.db = db
        self.sandbox = sandbox
        self.config = config
        self.safety = safety
        self.hub = Hub()
        self._pairs: OrderedDict[str, _Pair] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def of(cls, app: Flask) -> Previews:
        """The app's previews, built on first use (the sandbox file is created then)."""
        found: Previews | None = app.extensions.get(EXTENSION_KEY)
        if found is not None:
            return found
        with _build_lock:
            found = app.extensions.get(EXTENSION_KEY)
            if found is None:
                found = cls._build(app)
                app.extensions[EXTENSION_KEY] = found
        return found

    @classmethod
    def _build(cls, app: Flask) -> Previews:
        running = runtime(app)
        config: Config = app.config["INTAKE"]
        sandbox = Database(f"sqlite:///{config.data_dir / SANDBOX_FILE}")
        sandbox.migrate([area for area in discover_areas() if area.name == "chat"])
        return cls(running.db, sandbox, config, running.safety)

    # --- tickets ----------------------------------------------------------------------------

    def open(self, flow: Flow, *, actor: str) -> str:
        """A new ticket for this exact draft text; the frame URL carries it."""
        ticket = secrets.token_urlsafe(24)
        now = utcnow()
        with self.db.transaction() as conn:
            store.insert_preview(
                conn,
                ticket_hash=hash_ticket(ticket),
                flow_id=flow.id,
                document=json.dumps(flow.data, ensure_ascii=False),
                digest=flow.digest,
                created_by=actor,
                now=now,
                expires_at=now + TICKET_LIFETIME,
            )
            chat_store.append_audit(
                conn,
                actor=actor,
                action="flow.preview",
                subject=f"flow:{flow.id}",
                detail={"digest": flow.digest},
                now=now,
            )
        return ticket

    def services(self, ticket: str) -> _Pair | None:
        """The services of a live ticket, or None (unknown, expired or its draft cannot load)."""
        key = hash_ticket(ticket)
        with self._lock:
            pair = self._pairs.get(key)
            if pair is not None:
                self._pairs.move_to_end(key)
        if pair is None:
            pair = self._load(key)
            if pair is None:
                return None
        if utcnow() >= pair.ticket.expires_at:
            with self._lock:
                self._pairs.pop(key, None)
            return None
        return pair

    def _load(self, key: str) -> _Pair | None:
        with self.db.read() as conn:
            ticket = store.get_preview(conn, key)
        if ticket is None:
            return None
        try:
            flow = parse_flow(json.loads(ticket.json), f"{ticket.flow_id} (preview)")
        except (FlowError, ValueError):
            log.info("a preview ticket names a draft that no longer loads")
            return None
        flows = {flow.id: flow}
        chat = PreviewService(self.sandbox, flows, self.config, safety=self.safety, hub=self.hub)
        jump = PreviewService(
            self.sandbox, flows, self.config, safety=self.safety, hub=self.hub, allow_preview=True
        )
        pair = _Pair(chat, jump, ticket)
        with self._lock:
            self._pairs[key] = pair
            while len(self._pairs) > CACHED_TICKETS:
                self._pairs.popitem(last=False)
        return pair

    def remember_session(self, ticket: str, token: str) -> None:
        """The conversation the frame started with this ticket, so the editor can jump in it."""
        with self.db.transaction() as conn:
            store.set_preview_token(conn, hash_ticket(ticket), token)

    def jump(self, ticket: str, node: str, *, actor: str) -> list[BotEvent]:
        """Run ``goto`` in the frame's conversation; the frame hears the new events on its socket
        or long-poll. Returns the events, or one ``error`` event saying what went wrong."""
        pair = self.services(ticket)
        with self.db.read() as conn:
            row = store.get_preview(conn, hash_ticket(ticket))
        if pair is None or row is None or row.created_by != actor:
            return [
                {
                    "type": "error",
                    "code": "unknown_ticket",
                    "text": "This preview has ended. Open the preview again.",
                }
            ]
        if not row.session_token:
            return [
                {
                    "type": "error",
                    "code": "not_started",
                    "text": "Start the conversation in the preview first.",
                }
            ]
        outcome = pair.jump.handle(
            row.session_token, {"type": "goto", "node": node}, client="editor"
        )
        return outcome.events

    def dispose(self) -> None:
        self.sandbox.dispose()


_build_lock = threading.Lock()
