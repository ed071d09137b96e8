"""One conversation turn: check the frame, rate-limit, safety first, engine step, store, notify.

State, events, referral, outbox and audit rows of a turn commit in one transaction before anything
is sent. Both transports (chat.py) call ``Service.handle``. Imports nothing from Flask.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache, partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from ..core import engine, funnel, protocol
from ..core.config import Config
from ..core.errors import ProtocolError, StorageError, WriteConflict
from ..core.flows import Flow, consent_vars, parse_flow
from ..core.language_guess import guess_locale
from ..core.protocol import BotEvent, ClientFrame, Effect
from ..core.ratelimit import TokenBuckets
from ..safety import detection as safety_rules
from ..storage import Database, analytics, unanswered, utcnow
from ..storage import conversations as store
from . import erasure, publishing
from .hub import STAFF_CHANNEL, Hub
from .live_request import on_request

log = logging.getLogger(__name__)

RETRY_AFTER_STORAGE = 2.0
MAX_TURN_ATTEMPTS = 5  # plans of one turn, when other turns of the same session keep winning
REMEMBERED_FRAMES = 64  # client frame ids kept per session for resends
TRANSIENT_TYPES = frozenset({"session", "error", "erased"})
_LEVEL_RANK = {None: 0, "concern": 1, "crisis": 2}


# The engine's signature: (flow, state or None, event) -> Step; tests pass their own.
StepFn = Callable[[Flow, "Mapping[str, Any] | None", "Mapping[str, Any]"], protocol.Step]


@dataclass(frozen=True)
class SafetyHit:
    """What the safety layer found in one message; ``events`` are said before the pending ask."""

    level: str  # crisis | concern | advice
    category: str
    rule: str
    events: list[BotEvent]


SafetyFn = Callable[[str, str, int], "SafetyHit | None"]  # (text, locale, prior_concerns)


@dataclass
class Outcome:
    """The answer to one client frame: events to send in order, and where the session now stands."""

    events: list[BotEvent]
    token: str | None = None
    session_id: str | None = None
    position: int = 0  # the highest logged seq the client has after these events
    error: str | None = None  # the code when the frame was refused
    retry_after: float | None = None


class Refusal(Exception):
    """A frame the service will not apply; becomes an ``error`` event, never a crash."""

    def __init__(self, code: str, text: str | None = None, retry_after: float | None = None):
        super().__init__(code)
        self.code = code
        self.text = text
        self.retry_after = retry_after


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


@dataclass
class Turn:
    """Everything one turn will write, gathered before the first row is written."""

    events: list[BotEvent]
    state: dict[str, Any] | None
    effects: list[Effect]
    flags: dict[str, Any] = field(default_factory=dict)
    hit: SafetyHit | None = None
    wake_staff: bool = False


class Service:
    """Holds what a turn needs (database, flows, safety, engine, limits) and runs turns."""

    #: New visitors get the flow editor's latest published version (publishing.py). The editor's
    #: preview service turns this off: it serves its draft and never touches the publications.
    published_flows = True
    #: Each conversation is counted in the analytics funnel (storage/analytics.py), in its turns'
    #: transactions. The preview turns this off: its sandbox database has no analytics table.
    record_funnel = True

    def __init__(
        self,
        db: Database,
        flows: Mapping[str, Flow],
        config: Config,
        *,
        step: StepFn | None = None,
        safety: SafetyFn | None = None,
        hub: Hub | None = None,
        now: Callable[[], datetime] = utcnow,
        allow_preview: bool = False,
    ) -> None:
        self.db = db
        self.flows = dict(flows)
        self.config = config
        self.step: StepFn = step if step is not None else engine.step
        # Fails closed: no safety object given means the built-in floor, never no safety layer.
        self.safety: SafetyFn = (
            safety if safety is not None else RuleSafety(safety_rules.floor_rules())
        )
        self.hub = hub or Hub()
        self.now = now
        self.allow_preview = allow_preview
        self.session_limit = TokenBuckets(config.rate_limit_per_session)
        self.address_limit = TokenBuckets(config.rate_limit_per_address)
        self.idle = timedelta(minutes=config.session_idle_minutes)
        self.zone = ZoneInfo(config.timezone)
        self._by_digest: dict[str, Flow] = {}
        self._versions: dict[str, int] = {}
        self._flow_lock = threading.Lock()
        self._register_flows()

    # --- flow versions ----------------------------------------------------------------------------

    def _register_flows(self) -> None:
        """Keep the exact text of every flow version a session may be started on; publish the
        files in the flow editor's history when the database has no newer publication."""
        with self.db.transaction() as conn:
            for flow in self.flows.values():
                saved = store.save_flow_version(conn, flow.id, flow.digest, json.dumps(flow.data))
                self._versions[flow.digest] = saved.version
                self._by_digest[flow.digest] = flow
            if self.published_flows:
                publishing.seed(conn, self.flows)

    def flow_for_new_session(self, flow_id: str) -> Flow | None:
        """The version a new visitor gets: the latest one published (flow editor), else the file."""
        if not self.published_flows:
            return self.flows.get(flow_id)
        with self.db.read() as conn:
            digest = publishing.current_digest(conn, flow_id)
            if digest is None:
                return self.flows.get(flow_id)
            with self._flow_lock:
                known = self._by_digest.get(digest)
            if known is not None and digest in self._versions:
                return known
            saved = publishing.current_version(conn, flow_id)
        return self.flows.get(flow_id) if saved is None else self._remember(saved)

    def flow_of(self, conn: Connection, session: store.SessionRow) -> Flow:
        """The version the visitor started with, even after the file changed and a restart."""
        with self._flow_lock:
            flow = self._by_digest.get(session.flow_digest)
        if flow is not None:
            return flow
        saved = store.get_flow_version(conn, session.flow_id, session.flow_digest)
        if saved is None:
            raise RuntimeError(f"flow version {session.flow_digest} of a session is missing")
        return self._remember(saved)

    def _remember(self, saved: store.FlowVersion) -> Flow:
        """Parse a stored version once per process (the schema check is too slow per turn)."""
        with self._flow_lock:
            flow = self._by_digest.get(saved.digest)
        if flow is None:
            flow = parse_flow(json.loads(saved.json), f"{saved.flow_id} v{saved.version}")
        with self._flow_lock:
            self._by_digest[saved.digest] = flow
            self._versions.setdefault(saved.digest, saved.version)
        return flow

    # --- the entry point --------------------------------------------------------------------------

    def handle(
        self,
        token: str | None,
        raw: str | bytes | Mapping[str, Any],
        *,
        client: str,
        listener: object = None,
    ) -> Outcome:
        """Apply one client frame. ``token`` is the session the transport already knows (or None);
        ``listener`` is the caller's own hub owner, so it is not woken by its own turn."""
        position = 0
        try:
            frame = self._parse(raw)
            self._limit(self.address_limit, f"addr:{client}")
            kind = frame["type"]
            if kind == "start":
                return self._start(frame)
            if kind == "resume":
                token = frame["token"]
                self._limit(self.session_limit, hash_token(token))
                return self._resume(token, frame["after"])
            if token is None:
                raise Refusal("not_expected", "Start or resume a conversation first.")
            self._limit(self.session_limit, hash_token(token))
            if kind == "erase":
                return self._erase(token)
            return self._turn(token, frame, listener)
        except (Refusal, ProtocolError) as refusal:
            retry = getattr(refusal, "retry_after", None)
            return _refused(refusal.code, refusal.text, retry, token, position)
        except StorageError:
            log.warning("storage unavailable during a turn", exc_info=True)
            return _refused("storage_unavailable", None, RETRY_AFTER_STORAGE, token, position)
        except Exception:
            log.exception("a turn failed")
            return _refused("internal", None, RETRY_AFTER_STORAGE, token, position)

    def _parse(self, raw: str | bytes | Mapping[str, Any]) -> ClientFrame:
        if isinstance(raw, str | bytes):
            return protocol.parse_frame(
                raw,
                max_bytes=self.config.max_frame_bytes,
                max_text=self.config.max_text_chars,
                allow_preview=self.allow_preview,
            )
        return protocol.check_frame(
            dict(raw), max_text=self.config.max_text_chars, allow_preview=self.allow_preview
        )

    @staticmethod
    def _limit(buckets: TokenBuckets, key: str) -> None:
        wait = buckets.take(key)
        if wait > 0:
            raise Refusal("rate_limited", retry_after=round(max(wait, 0.1), 1))

    def today(self) -> str:
        return datetime.now(self.zone).date().isoformat()

    def local_day(self, moment: datetime) -> date:
        """The practice's calendar day of a stored (naive UTC) time."""
        return moment.replace(tzinfo=UTC).astimezone(self.zone).date()

    # --- start and resume -------------------------------------------------------------------------

    def _start(self, frame: ClientFrame) -> Outcome:
        flow = self.flow_for_new_session(frame.get("flow") or self.config.default_flow)
        if flow is None:
            raise Refusal("bad_field", "There is no such conversation.")
        locale = frame.get("locale") or self.config.default_locale
        if locale not in flow.locales:
            locale = flow.locales[0]
        token = new_token()
        result = self.step(flow, None, {"type": "start", "locale": locale, "today": self.today()})
        turn = Turn(events=_bot_events(result.events), state=result.state, effects=result.effects)

        def work(conn: Connection) -> tuple[store.SessionRow, list[BotEvent]]:
            now = self.now()
            session = store.create_session(
                conn,
                token_hash=hash_token(token),
                flow_id=flow.id,
                flow_version=self._versions[flow.digest],
                flow_digest=flow.digest,
                locale=locale,
                now=now,
                expires_at=now + self.idle,
            )
            store.append_audit(
                conn,
                actor="visitor",
                action="session.start",
                subject=f"session:{session.id}",
                detail={"flow": flow.id, "version": session.flow_version, "locale": locale},
                now=now,
            )
            if self.record_funnel:
                analytics.start_conversation(
                    conn,
                    session_id=session.id,
                    flow_id=flow.id,
                    flow_version=session.flow_version,
                    day=self.local_day(now),
                    now=now,
                )
            return session, self.store_turn(conn, session, turn, frame.get("id"), now)

        session, stored = self.db.write(work)
        self._after_commit(session.id, turn, None)
        position = stored[-1]["seq"] if stored else 0
        hello = self._session_event(
            token, session, seq=0, status=_status(turn.state), last_seq=position
        )
        return Outcome([hello, *stored], token, session.id, position)

    def _session_event(
        self, token: str, session: store.SessionRow, *, seq: int, status: str, last_seq: int
    ) -> BotEvent:
        """``seq``: where the events that follow begin; ``last_seq``: where the log ends now."""
        return {
            "type": "session",
            "seq": seq,
            "token": token,
            "flow": session.flow_id,
            "locale": _locale_of(session),
            "status": status,
            "last_seq": last_seq,
        }

    def _resume(self, token: str, after: int) -> Outcome:
        with self.db.read() as conn:
            session = self._live_session(store.find_session(conn, hash_token(token)))
            replay = store.events_after(conn, session.id, after)
            pending: BotEvent | None = None
            if session.status == "asking":
                ask = session.pending_ask or store.last_event(conn, session.id, "ask")
                if ask is not None and ask["seq"] <= after:
                    pending = {**ask, "resent": True}
        position = min(after, session.last_seq)
        hello = self._session_event(
            token, session, seq=position, status=session.status, last_seq=session.last_seq
        )
        events = [hello, *replay, *([pending] if pending else [])]
        return Outcome(events, token, session.id, max(position, session.last_seq))

    def _live_session(self, session: store.SessionRow | None) -> store.SessionRow:
        if session is None:
            raise Refusal("unknown_token")
        if self.now() >= session.expires_at:
            raise Refusal("expired")
        return session

    # --- erasure on request -----------------------------------------------------------------------

    def _erase(self, token: str) -> Outcome:
        """The visitor's "delete this conversation": gone in one transaction, unless staff hold a
        referral or a safety alert from it (then only staff erase it: docs/protocol.md)."""

        def work(conn: Connection) -> str:
            session = self._live_session(store.lock_session(conn, hash_token(token)))
            try:
                erasure.erase_as_visitor(conn, session.id, self.now())
            except erasure.HeldByStaff:
                raise Refusal("erase_refused") from None
            return session.id

        session_id = self.db.write(work)
        erasure.scrub(self.db)
        self.hub.publish(session_id)  # other tabs of this conversation learn it is gone
        return Outcome([{"type": "erased", "seq": 0}], None, None, 0)

    # --- a turn -----------------------------------------------------------------------------------

    def _turn(self, token: str, frame: ClientFrame, listener: object) -> Outcome:
        """Plan the turn on a snapshot of the session (safety and engine run here, in parallel
        with other visitors), then store it only if nobody moved the session on meanwhile;
        otherwise plan again. The writer itself only writes."""
        for _attempt in range(MAX_TURN_ATTEMPTS):
            with self.db.read() as conn:
                session = self._live_session(store.find_session(conn, hash_token(token)))
                replay = self._applied_before(conn, session, frame.get("id"))
                if replay is not None:  # a resend after a dropped connection: nothing applied
                    return Outcome(replay, token, session.id, session.last_seq)
                flow = self.flow_of(conn, session)
            plan = self._plan(session, flow, frame)
            try:
                stored, done = self.db.write(partial(self._write_turn, session, plan, frame))
            except WriteConflict:
                continue
            self._after_commit(session.id, done, listener)
            return Outcome(stored, token, session.id, stored[-1]["seq"])
        raise StorageError("the conversation kept changing under this turn")

    def _applied_before(
        self, conn: Connection, session: store.SessionRow, frame_id: str | None
    ) -> list[BotEvent] | None:
        if frame_id is None:
            return None
        if session.recent_frames is None:  # a session from before migration 2
            applied = store.events_for_frame(conn, session.id, frame_id)
        else:
            seqs = session.frame_range(frame_id)
            applied = [] if seqs is None else store.events_between(conn, session.id, *seqs)
        return [{**event, "resent": True} for event in applied] or None

    def _write_turn(
        self, session: store.SessionRow, plan: Turn, frame: ClientFrame, conn: Connection
    ) -> tuple[list[BotEvent], Turn]:
        # A fresh copy per attempt: the writer may run this again if another turn of its commit
        # group fails, and effects fill in the copy (referral ids, extra events).
        turn = replace(
            plan,
            events=[e.copy() for e in plan.events],
            effects=[e.copy() for e in plan.effects],
            flags=dict(plan.flags),
        )
        return self.store_turn(conn, session, turn, frame.get("id"), self.now()), turn

    def _plan(self, session: store.SessionRow, flow: Flow, frame: ClientFrame) -> Turn:
        """Safety first on typed text, then the engine; refuses frames the engine cannot take."""
        engine_event = {k: v for k, v in frame.items() if k != "id"}
        engine_event["today"] = self.today()
        hit = None
        if frame["type"] == "reply" and "text" in frame and frame["text"].strip():
            # Help comes in the language the person wrote in when that is clear, else in the
            # conversation's current one (which may differ from the one it started in).
            said = guess_locale(frame["text"], flow.locales) or _locale_of(session)
            hit = self.safety(frame["text"], said, _prior_alarms(session))
        handed_off = isinstance(session.state, dict) and session.state.get("status") == "handoff"
        if hit is not None and not handed_off:
            # After a handoff the text still goes on to staff, who must see what was said. After
            # a crisis or concern the flow pauses (care) instead of asking the next question.
            alarm = hit.level in ("crisis", "concern")
            engine_event = {"type": "care" if alarm else "reask", "today": engine_event["today"]}
        state = session.state
        if frame["type"] == "locale":
            state = _with_locale(flow, state, frame["locale"])
            engine_event = {"type": "reask", "today": engine_event["today"]}
        result = self.step(flow, state, engine_event)
        asked = [e for e in result.effects if e.get("type") == "crisis_resources"]
        resources = getattr(self.safety, "resources", None)
        shown_again = False
        if hit is None and asked and resources is not None:
            node, category = str(asked[0].get("node", "")), asked[0].get("category")
            locale = (result.state or {}).get("locale") or _locale_of(session)
            hit = resources(str(locale), node, *([category] if category else []))
            shown_again = bool(asked[0].get("again"))
        bot = _bot_events(result.events)
        errors = [event for event in result.events if event.get("type") == "error"]
        if errors and not bot and hit is None:
            raise Refusal(errors[0].get("code", "not_expected"), errors[0].get("text"))
        turn = Turn(
            events=[
                _visitor_event(session, frame, flow, state),
                *(hit.events if hit else []),
                *bot,
            ],
            state=result.state,
            effects=list(result.effects),
            hit=hit,
        )
        if hit is not None and hit.level in ("crisis", "concern") and not shown_again:
            turn.flags = _raised_flags(session, hit)
        if _forgets_typing(flow, session, turn):
            _forget_typing(flow, turn)
        return turn

    def store_turn(
        self,
        conn: Connection,
        session: store.SessionRow,
        turn: Turn,
        frame_id: str | None,
        now: datetime,
    ) -> list[BotEvent]:
        """Write the turn. The session row goes first, and only if its log still ends where the
        turn was planned (else WriteConflict, with nothing written); then flags, referral,
        outbox and audit rows, and the events."""
        planned_on = session.last_seq
        session = replace(session, **turn.flags)
        claimed = self._turn_values(session, turn, frame_id, now, planned_on)
        if not store.save_turn(conn, replace(session, **claimed), expected_seq=planned_on):
            raise WriteConflict("the session moved on while this turn was planned")
        if turn.flags:
            self._record_safety(conn, session, turn, now)
        planned_events = len(turn.events)
        for effect in turn.effects:
            self._apply_effect(conn, session, turn, effect, now)
        if len(turn.events) != planned_events:  # an effect had more to say (e.g. the live desk)
            values = self._turn_values(session, turn, frame_id, now, planned_on)
            store.save_turn(conn, replace(session, **values), expected_seq=claimed["last_seq"])
        if self.record_funnel:
            self._record_funnel(conn, session, turn)
        return store.append_events(
            conn, session.id, planned_on + 1, turn.events, frame_id=frame_id, now=now
        )

    def _record_funnel(self, conn: Connection, session: store.SessionRow, turn: Turn) -> None:
        """The analytics row, from step ids, flags and effects only (core/funnel.py)."""
        reached = funnel.reached(
            self.flow_of(conn, session),
            session.state,
            turn.state,
            turn.events,
            turn.effects,
            turn.flags,
        )
        if reached.changed:
            analytics.record_turn(conn, session.id, reached)

    def _turn_values(
        self,
        session: store.SessionRow,
        turn: Turn,
        frame_id: str | None,
        now: datetime,
        planned_on: int,
    ) -> dict[str, Any]:
        """The session row after this turn's events get seq planned_on+1, planned_on+2, …"""
        last = planned_on + len(turn.events)
        values: dict[str, Any] = {
            "updated_at": now,
            "expires_at": now + self.idle,
            "last_seq": last,
        }
        if frame_id is not None and turn.events:
            remembered = [*(session.recent_frames or []), [frame_id, planned_on + 1, last]]
            values["recent_frames"] = remembered[-REMEMBERED_FRAMES:]
        if turn.state is not None:
            values["state"] = turn.state
            values["status"] = _status(turn.state)
        asks = [(n, e) for n, e in enumerate(turn.events, planned_on + 1) if e["type"] == "ask"]
        if asks:
            seq, ask = asks[-1]
            values["pending_ask"] = {**ask, "seq": seq}
        elif values.get("status", session.status) != "asking":
            values["pending_ask"] = None
        return values

    def _record_safety(
        self, conn: Connection, session: store.SessionRow, turn: Turn, now: datetime
    ) -> None:
        hit = turn.hit
        assert hit is not None
        detail = {"level": hit.level, "category": hit.category, "rule": hit.rule}
        store.append_audit(
            conn,
            actor="system",
            action=f"safety.{hit.level}",
            subject=f"session:{session.id}",
            detail=detail,
            now=now,
        )
        referral_flags = {k: v for k, v in turn.flags.items() if k != "concern_count"}
        referral_ids = [r["id"] for r in store.referrals_for_session(conn, session.id)]
        if referral_ids:
            store.flag_session_referrals(conn, session.id, now=now, **referral_flags)
        store.enqueue_outbox(
            conn,
            kind="crisis_alert",
            now=now,
            payload={
                "session_id": session.id,
                "referral_ids": referral_ids,
                **detail,
            },
        )
        turn.wake_staff = True

    def _apply_effect(
        self,
        conn: Connection,
        session: store.SessionRow,
        turn: Turn,
        effect: Effect,
        now: datetime,
    ) -> None:
        kind = effect.get("type")
        subject = f"session:{session.id}"
        if kind == "submit_referral":
            referral_id = store.insert_referral(
                conn,
                session=session,
                mode=effect.get("mode", "queued"),
                answers=effect.get("fields", {}),
                display=effect.get("display", {}),
                locale=effect.get("locale"),
                now=now,
            )
            for event in turn.events:
                if event["type"] == "handoff" and event.get("referral") is None:
                    event["referral"] = referral_id
            store.enqueue_outbox(
                conn,
                kind="referral_new",
                now=now,
                payload={
                    "referral_id": referral_id,
                    "session_id": session.id,
                    "urgent": session.urgent,
                    "mode": effect.get("mode", "queued"),
                },
            )
            store.append_audit(
                conn,
                actor="visitor",
                action="referral.submit",
                subject=subject,
                detail={"referral_id": referral_id},
                now=now,
            )
            turn.wake_staff = True
        elif kind == "request_staff":
            store.enqueue_outbox(
                conn,
                kind="staff_requested",
                now=now,
                payload={"session_id": session.id, "node": effect.get("node")},
            )
            store.append_audit(
                conn,
                actor="visitor",
                action="handoff.request",
                subject=subject,
                detail={"node": effect.get("node")},
                now=now,
            )
            turn.wake_staff = True
            on_request(conn, session, turn.events, self.config, now)
        elif kind == "crisis_resources":
            pass  # shown and flagged while the turn was planned
        elif kind == "visitor_message":
            turn.wake_staff = True  # the text is already in the log as the visitor event
        elif kind == "consent_declined":
            _forget_logged_typing(conn, session, effect, now)
        elif kind == "topic_unanswered":
            self._record_unanswered(conn, session, turn, str(effect.get("node") or ""), now)
        elif kind == "topic_answered":
            pass
        else:
            log.warning("unknown engine effect %r ignored", kind)

    def _record_unanswered(
        self, conn: Connection, session: store.SessionRow, turn: Turn, node: str, now: datetime
    ) -> None:
        """Keep the typed text for "Questions we could not answer" (web/questions.py): only once
        the visitor consented (when the flow asks), never a message safety answered or flagged,
        nor text consent-declined redaction blanked, nor the editor's sandbox (its database has
        no such table)."""
        if not self.published_flows or turn.hit is not None or turn.flags or _flagged(session):
            return
        text = turn.events[0].get("text") if turn.events else None
        if not isinstance(text, str) or not text.strip():
            return
        answers = (turn.state or {}).get("answers") or {}
        consent = consent_vars(self.flow_of(conn, session))
        if consent and not any(answers.get(var) is True for var in consent):
            return
        locale = (turn.state or {}).get("locale") or session.locale
        unanswered.record(
            conn,
            flow_id=session.flow_id,
            locale=str(locale),
            node=node,
            text=text.strip(),
            now=now,
        )

    def _after_commit(self, session_id: str, turn: Turn, listener: object) -> None:
        self.hub.publish(session_id, source=listener)
        if turn.wake_staff:
            self.hub.publish(STAFF_CHANNEL)

    # --- reading, for long-polls and transports --------------------------------------------------

    def events_since(self, token: str, after: int) -> Outcome:
        try:
            with self.db.read() as conn:
                session = self._live_session(store.find_session(conn, hash_token(token)))
                events = store.events_after(conn, session.id, after)
            position = events[-1]["seq"] if events else min(after, session.last_seq)
            return Outcome(events, token, session.id, position)
        except Refusal as refusal:
            return _refused(refusal.code, refusal.text, refusal.retry_after, token, after)
        except StorageError:
            return _refused("storage_unavailable", None, RETRY_AFTER_STORAGE, token, after)

    def wait_for_events(
        self, token: str, after: int, *, timeout: float, stop: threading.Event | None = None
    ) -> Outcome:
        """Long-poll: events after ``after`` as soon as there are any, or none after ``timeout``."""
        first = self.events_since(token, after)
        if first.events or first.error or first.session_id is None:
            return first
        woken = threading.Event()
        unsubscribe = self.hub.subscribe(first.session_id, lambda _key: woken.set())
        try:
            again = self.events_since(token, after)  # a commit between the read and subscribing
            if again.events or again.error:
                return again
            woken.wait(timeout)
            if stop is not None and stop.is_set() and not woken.is_set():
                return again
            return self.events_since(token, after)
        finally:
            unsubscribe()

    def events_after_position(self, session_id: str, after: int) -> list[BotEvent]:
        with self.db.read() as conn:
            return store.events_after(conn, session_id, after)

    # --- staff side -------------------------------------------------------------------------------

    def post_staff_message(self, session_id: str, *, name: str, text: str, actor: str) -> BotEvent:
        """A staff member's message into a visitor's conversation (live handoff)."""

        def work(conn: Connection) -> BotEvent:
            now = self.now()
            session = store.lock_session_by_id(conn, session_id)
            if session is None:
                raise Refusal("unknown_token")
            stored = store.append_events(
                conn,
                session.id,
                session.last_seq + 1,
                [{"type": "staff", "name": name, "text": text}],
                frame_id=None,
                now=now,
            )
            store.update_session(
                conn,
                session.id,
                last_seq=stored[-1]["seq"],
                updated_at=now,
                expires_at=now + self.idle,
            )
            store.append_audit(
                conn,
                actor=actor,
                action="staff.message",
                subject=f"session:{session.id}",
                detail={},
                now=now,
            )
            return stored[0]

        event = self.db.write(work)
        self.hub.publish(session_id)
        return event


def _visitor_event(
    session: store.SessionRow, frame: ClientFrame, flow: Flow, state: dict[str, Any] | None
) -> BotEvent:
    """What the visitor did, in the log: staff read it and a reloaded page redraws it. Words
    clearly in another of the flow's languages carry that language, for the widget to offer."""
    event: BotEvent = {"type": "visitor", "action": frame["type"]}
    current = state.get("locale") if isinstance(state, dict) else _locale_of(session)
    other = guess_locale(frame.get("text", ""), flow.locales)
    if other is not None and other != current:
        event["offer_locale"] = other
    for key in ("text", "choice", "choices", "skip", "intent", "node", "id"):
        if key in frame:
            event[key] = frame[key]  # type: ignore[literal-required,unused-ignore]
    if "choice" in frame or "choices" in frame:
        ask = session.pending_ask
        options = ask["input"].get("options", []) if ask and "input" in ask else []
        labels = {option["value"]: option["label"] for option in options}
        if "choice" in frame:
            event["label"] = labels.get(frame["choice"], frame["choice"])
        else:
            event["labels"] = [labels.get(value, value) for value in frame["choices"]]
    return event


def _locale_of(session: store.SessionRow) -> str:
    """The language the conversation is in now: a visitor may switch after the start, and the
    session row keeps only the language it started in."""
    state = session.state if isinstance(session.state, dict) else {}
    return str(state.get("locale") or session.locale)


def _with_locale(flow: Flow, state: dict[str, Any] | None, locale: str) -> dict[str, Any]:
    """The visitor chose another of the flow's languages: the answers stay, and the question
    being asked comes again in that language (docs/protocol.md, ``locale``)."""
    if locale not in flow.locales or not isinstance(state, dict):
        raise Refusal("bad_field", "This conversation is not offered in that language.")
    return {**state, "locale": locale}


def _flagged(session: store.SessionRow) -> bool:
    return session.crisis_level is not None or session.concern_count > 0 or session.urgent


def _forgets_typing(flow: Flow, session: store.SessionRow, turn: Turn) -> bool:
    """A visitor who declined consent is not kept: neither what they typed before nor after.
    Unless a safety flag was raised: then staff were alerted and need the words."""
    if turn.flags or _flagged(session):
        return False
    if any(effect.get("type") == "consent_declined" for effect in turn.effects):
        return True
    answers = (turn.state or {}).get("answers") or {}
    return any(answers.get(var) is False for var in consent_vars(flow))


def _forget_typing(flow: Flow, turn: Turn) -> None:
    """This turn's events without typed text, and the state without personal or typed answers
    (consent and other button answers stay: they are the flow's own values)."""
    turn.events = [store.redact_event(event) for event in turn.events]
    if turn.state is not None and isinstance(turn.state.get("answers"), dict):
        private = _private_vars(flow)
        answers = {k: v for k, v in turn.state["answers"].items() if k not in private}
        turn.state = {**turn.state, "answers": answers}


def _forget_logged_typing(
    conn: Connection, session: store.SessionRow, effect: Effect, now: datetime
) -> None:
    """Consent declined: blank what the visitor typed earlier in this session, in this turn's
    transaction. ``session`` carries this turn's safety flags already."""
    subject, node = f"session:{session.id}", effect.get("node")
    if _flagged(session):
        store.append_audit(
            conn,
            actor="system",
            action="session.redaction_withheld",
            subject=subject,
            detail={"node": node, "reason": "safety_flag"},
            now=now,
        )
        return
    changed = store.redact_session_events(conn, session.id)
    store.append_audit(
        conn,
        actor="visitor",
        action="session.redacted",
        subject=subject,
        detail={"node": node, "events": changed},
        now=now,
    )


@lru_cache(maxsize=32)
def _private_vars(flow: Flow) -> frozenset[str]:
    """Variables of personal questions and of questions answered by typing."""
    return frozenset(
        node["var"]
        for node in flow.nodes.values()
        if node["type"] == "question"
        and node["input"] != "consent"
        and (node.get("personal") is True or node["input"] in store.TYPED_INPUTS)
    )


def _status(state: dict[str, Any] | None) -> str:
    return str((state or {}).get("status", "asking"))


def _bot_events(events: list[BotEvent]) -> list[BotEvent]:
    """Engine events that belong in the log (errors are answers, not part of the conversation)."""
    return [event.copy() for event in events if event.get("type") != "error"]


def _prior_alarms(session: store.SessionRow) -> int:
    """Earlier alarms that make a concern a crisis: every concern, and an earlier crisis."""
    return session.concern_count + (session.crisis_level == "crisis")


def _raised_flags(session: store.SessionRow, hit: SafetyHit) -> dict[str, Any]:
    """Flags only ever go up: a later concern never hides an earlier crisis."""
    flags: dict[str, Any] = {"urgent": True}
    if hit.level == "concern":
        flags["concern_count"] = session.concern_count + 1
    if _LEVEL_RANK[hit.level] >= _LEVEL_RANK.get(session.crisis_level, 0):
        flags.update(crisis_level=hit.level, crisis_category=hit.category, crisis_rule=hit.rule)
    return flags


def _refused(
    code: str, text: str | None, retry_after: float | None, token: str | None, position: int
) -> Outcome:
    event = protocol.error_event(code, text, seq=position, retry_after=retry_after)
    return Outcome([event], token, None, position, code, retry_after)


class RuleSafety:
    """The safety module behind the service: typed text is checked, and a flow's "I need help
    right now" step gets the same crisis panel, from the safety file a flow cannot remove."""

    def __init__(self, rules: Any) -> None:
        self.rules = rules

    def __call__(self, text: str, locale: str, prior_concerns: int) -> SafetyHit | None:
        detection = safety_rules.safe_detect(text, locale, self.rules, prior_concerns)
        if detection.level is None:
            return None
        return SafetyHit(
            level=detection.level,
            category=detection.category or "default",
            rule=detection.rule or "",
            events=safety_rules.response_events(detection, locale, self.rules),
        )

    def resources(self, locale: str, node: str, category: str = "help_requested") -> SafetyHit:
        """The crisis panel a flow step asks for: an "I need help now" choice
        (``help_requested``) or a questionnaire's risk item answered above its lowest option
        (``risk_item``); flagged and alerted like typed crisis words."""
        detection = safety_rules.Detection(level="crisis", category="default")
        events = safety_rules.response_events(detection, locale, self.rules)
        for event in events:  # the default panel's words, but staff read the real reason
            if event.get("type") == "crisis":
                event["category"] = category
        return SafetyHit(level="crisis", category=category, rule=f"flow:{node}", events=events)


def safety_from_rules(rules: Any) -> SafetyFn:
    """Adapt the safety module (``safe_detect`` + ``response_events``) to the service."""
    return RuleSafety(rules)
