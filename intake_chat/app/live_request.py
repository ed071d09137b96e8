"""What happens inside a visitor's turn when they ask for a person: live now (the office is open
and someone accepts chats) or queued at once with an honest message, the crisis lines and when to
expect contact. The service calls ``on_request`` in the turn's transaction; the rest of the live
handoff (accepting, staff messages, the wait timer) is ``livedesk.py``. Imports nothing from Flask.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from ..core import handoff, handoff_text
from ..core.config import Config
from ..core.protocol import BotEvent
from ..safety import detection as safety
from ..storage import conversations as chat_store
from ..storage import live_queue as store
from ..storage.accounts import CONTACT_FIELDS

log = logging.getLogger(__name__)

PRESENCE_TTL = timedelta(seconds=30)  # a console that stopped beating for this long is offline
# Node names of the events this module writes (the engine's own nodes are flow node ids).
FINDING_NODE, QUEUED_NODE = "live:finding", "live:queued"


def on_request(
    conn: Connection,
    session: chat_store.SessionRow,
    events: list[BotEvent],
    config: Config,
    now: datetime,
) -> None:
    """The service calls this for a ``request_staff`` effect, in the visitor's transaction and
    after the referral is inserted. Live when the office is open and someone accepts chats: the
    visitor is told a person is being found. Otherwise the request is queued at once and the
    engine's ``handoff`` event becomes an honest ``queued`` one."""
    handoff_event = next((e for e in reversed(events) if e.get("type") == "handoff"), None)
    referral_id = handoff_event.get("referral") if handoff_event else None
    node = str(handoff_event.get("node", "")) if handoff_event else ""
    stale = store.open_request_for_session(conn, session.id)
    if stale is not None:  # asked again after starting over: the earlier request is over
        store.finish(conn, stale.id, "left", now=now)
    hours = handoff.hours_from_config(config.office_hours, config.timezone)
    available = store.count_available(conn, online_since=now - PRESENCE_TTL)
    decision = handoff.decide(hours, now, available)
    locale = referral_locale(conn, referral_id) or session.locale
    outcome = None if decision == "live" else decision
    request_id = store.insert_request(
        conn,
        session_id=session.id,
        referral_id=referral_id,
        node=node,
        resume_state=session.state,
        now=now,
        outcome=outcome,
    )
    detail = {"request_id": request_id, "referral_id": referral_id, "decision": decision}
    chat_store.append_audit(
        conn,
        actor="system",
        action="live.request",
        subject=f"session:{session.id}",
        detail=detail,
        now=now,
    )
    instead = handoff_event.pop("queued_text", None) if handoff_event is not None else None
    if outcome is None:
        text = handoff_text.finding(locale, config.handoff_wait_seconds)
        events.append({"type": "message", "node": FINDING_NODE, "text": text})
        return
    if referral_id:
        store.set_referral_mode(conn, referral_id, "queued", now=now)
    queued = queued_event(conn, config, referral_id, outcome, locale, now)
    if handoff_event is not None:
        # The flow's own words (the practice's phone and email) stay, said just before.
        # A flow's queued_text replaces words that promise a person will join.
        flow_text = instead or handoff_event.get("text")
        if flow_text:
            at = events.index(handoff_event)
            events.insert(at, {"type": "message", "node": node, "text": flow_text})
        for key in ("mode", "text", "referral", "reason", "resources"):
            handoff_event[key] = queued[key]
    else:
        events.append(queued)


def queued_event(
    conn: Connection,
    config: Config,
    referral_id: str | None,
    reason: str,
    locale: str,
    now: datetime,
) -> BotEvent:
    """``handoff`` with ``mode: queued``: why no one joins, when to expect contact, and the
    safety file's crisis resources (in the text and as links)."""
    hours = handoff.hours_from_config(config.office_hours, config.timezone)
    resources = crisis_resources(str(config.flows_dir), locale)
    text = handoff_text.queued(
        locale,
        reason,
        handoff.expect_contact(hours, now),
        reachable=_reachable(conn, referral_id),
        resources=resources,
    )
    return {
        "type": "handoff",
        "mode": "queued",
        "node": QUEUED_NODE,
        "text": text,
        "referral": referral_id,
        "reason": reason,
        "resources": resources,
    }


def referral_locale(conn: Connection, referral_id: str | None) -> str | None:
    referral = chat_store.get_referral(conn, referral_id) if referral_id else None
    return str(referral["locale"]) if referral else None


def _reachable(conn: Connection, referral_id: str | None) -> bool:
    """Whether the visitor left a phone number or an email the team can use."""
    referral = chat_store.get_referral(conn, referral_id) if referral_id else None
    answers: Mapping[str, Any] = (referral or {}).get("answers") or {}
    return any(isinstance(answers.get(key), str) and answers[key].strip() for key in CONTACT_FIELDS)


def crisis_rules(flows_dir: str) -> Any:
    """The safety rules for the crisis lines: the chat service's compiled copy (about a second of
    CPU the first time: ``Desk.start`` warms it on a thread so that no visitor's turn waits)."""
    try:
        return safety.practice_rules(flows_dir)
    except Exception:  # a broken practice file must not hide the floor's resources
        log.exception("safety rules could not be loaded; using the built-in floor")
        return safety.floor_rules()


def crisis_resources(flows_dir: str, locale: str) -> list[dict[str, str]]:
    """The resources the safety layer shows in a crisis, worded by the safety files."""
    detection = safety.Detection(level="concern", category="default")
    shown = safety.response_events(detection, locale, crisis_rules(flows_dir))
    return [dict(item) for item in (shown[0].get("resources", []) if shown else [])]
