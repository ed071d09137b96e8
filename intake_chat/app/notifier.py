"""Staff notifications from the database outbox: build each message, send it by email and webhook.

Owns the notice format, both senders, the outbox worker and its background thread. Never runs in
a visitor's request. Imports nothing from Flask.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import smtplib
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any, Protocol

from sqlalchemy.engine import Connection

from ..core.config import Config, Delivery
from ..storage import Database, utcnow
from ..storage import conversations as chat_store
from ..storage import deliveries as store
from .hub import Hub

__all__ = [
    "EVENTS",
    "DeliveryRow",
    "Outbox",
    "Report",
    "Settings",
    "Worker",
    "backoff_seconds",
    "build_email",
    "build_notice",
    "start_worker",
    "sign",
    "webhook_body",
]

log = logging.getLogger(__name__)

# Outbox kind (written by the conversation service) -> event name receivers see.
EVENTS: dict[str, str] = {"referral_new": "referral.new", "crisis_alert": "referral.crisis"}
USER_AGENT = "intake-chat-notify/1"


# --- settings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings(Delivery):
    """What delivery needs from ``Config`` plus the retry policy (seconds throughout)."""

    public_url: str = ""
    include_details: bool = False
    webhook_timeout: float = 5.0
    smtp_timeout: float = 10.0
    # Longer than one send can take, so a live worker never loses its lease to another one.
    lease_seconds: float = 120.0
    max_attempts: int = 10
    backoff_base: float = 30.0
    backoff_cap: float = 3600.0
    poll_seconds: float = 2.0

    @classmethod
    def from_config(cls, config: Config, **overrides: Any) -> Settings:
        values = {name: getattr(config, name) for name in CONFIG_FIELDS}
        values["include_details"] = config.notify_include_details
        return cls(**{**values, **overrides})

    def targets(self) -> list[tuple[str, str]]:
        """(channel, target) pairs a new notification fans out to; empty when nothing is set up."""
        pairs: list[tuple[str, str]] = []
        if self.smtp_host:
            pairs += [("email", address) for address in self.notify_email]
        if self.webhook_url and self.webhook_secret and _is_http_url(self.webhook_url):
            pairs.append(("webhook", self.webhook_url))
        return pairs

    def problems(self) -> list[str]:
        """Settings that stop or weaken delivery, phrased for the admin who can fix them."""
        found: list[str] = []
        if self.notify_email and not self.smtp_host:
            found.append("INTAKE_NOTIFY_EMAIL is set but INTAKE_SMTP_HOST is empty: no email sent.")
        if self.smtp_host and not self.notify_email:
            found.append("INTAKE_SMTP_HOST is set but INTAKE_NOTIFY_EMAIL lists no recipient.")
        for address in self.notify_email:
            if "@" not in parseaddr(address)[1]:
                found.append(f"INTAKE_NOTIFY_EMAIL: {address!r} is not an email address.")
        if self.webhook_url and not _is_http_url(self.webhook_url):
            found.append("INTAKE_WEBHOOK_URL must start with http:// or https://: webhook off.")
        if self.webhook_url and not self.webhook_secret:
            found.append("INTAKE_WEBHOOK_SECRET is empty: webhook off (it could not be signed).")
        if not self.targets():
            found.append("No notification channel is set up: notifications wait in the outbox.")
        if not self.public_url:
            found.append("INTAKE_PUBLIC_URL is empty: links in notifications are relative.")
        return found


# Settings named exactly as in Config (INTAKE_ + the upper-cased name).
CONFIG_FIELDS = ("public_url", *(f.name for f in fields(Delivery)))


def _is_http_url(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# --- the notice: pure --------------------------------------------------------------------------


def build_notice(
    kind: str,
    payload: Mapping[str, Any],
    referral: Mapping[str, Any] | None,
    *,
    created_at: datetime,
    public_url: str,
) -> dict[str, Any]:
    """What every channel says about one outbox row: never a personal detail.

    A crisis alert names the level and category of the message that raised it; a new referral
    takes them from the referral row. An alert raised before any referral exists links to the
    conversation (its opaque session id) instead.
    """
    referral_id = str(referral["id"]) if referral else referral_id_of(payload)
    crisis = EVENTS[kind] == "referral.crisis"
    first, second = (payload, referral or {}) if crisis else (referral or {}, payload)
    session_id = payload.get("session_id")
    path = "/staff/"
    if referral_id:
        path = f"/staff/referrals/{urllib.parse.quote(referral_id, safe='')}"
    elif session_id:
        path = f"/staff/sessions/{urllib.parse.quote(str(session_id), safe='')}"
    return {
        "event": EVENTS[kind],
        "referral_id": referral_id,
        "urgent": crisis or bool((referral or {}).get("urgent") or payload.get("urgent")),
        "category": first.get("category") or second.get("crisis_category") or None,
        "level": first.get("level") or second.get("crisis_level") or None,
        "created_at": _iso(created_at),
        "link": public_url.rstrip("/") + path,
    }


def referral_id_of(payload: Mapping[str, Any]) -> str | None:
    """The referral an outbox row is about: the newest one when an alert names several."""
    value = payload.get("referral_id")
    if not value and isinstance(payload.get("referral_ids"), list) and payload["referral_ids"]:
        value = payload["referral_ids"][-1]
    return str(value) if value else None


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def details_of(referral: Mapping[str, Any] | None) -> dict[str, Any]:
    """The visitor's answers, for practices that opted in with INTAKE_NOTIFY_INCLUDE_DETAILS."""
    if not referral:
        return {}
    # "display" holds the answers as staff read them (labels, not option codes) when present.
    for key in ("display", "answers"):
        value = referral.get(key)
        if isinstance(value, Mapping) and value:
            return dict(value)
    return {}


def webhook_body(
    delivery_id: str, notice: Mapping[str, Any], details: Mapping[str, Any] | None = None
) -> bytes:
    """The exact bytes that are signed and sent (compact, keys sorted, UTF-8)."""
    document: dict[str, Any] = {"delivery_id": delivery_id, **notice}
    if details is not None:
        document["details"] = dict(details)
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def sign(body: bytes, secret: str) -> str:
    """``X-Intake-Signature``: receivers recompute it on the raw body, compare in constant time."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def build_email(
    delivery_id: str,
    notice: Mapping[str, Any],
    *,
    sender: str,
    recipient: str,
    details: Mapping[str, Any] | None = None,
    sent_at: datetime | None = None,
) -> EmailMessage:
    """Plain text; the Message-ID is the delivery id, so a resend is recognisably the same mail."""
    referral = notice.get("referral_id") or "(none yet)"
    subject, opening = f"New referral {referral}", "A new referral has arrived."
    if notice["event"] == "referral.crisis":
        flag = "crisis flag" if notice.get("level") == "crisis" else "safety concern"
        where = f"on referral {referral}" if notice.get("referral_id") else "in a conversation"
        subject = f"Urgent: {flag} {where}"
        opening = f"A visitor's message raised a {flag}. Please check the console now."
    urgent = "yes" if notice.get("urgent") else "no"
    if notice.get("category"):
        urgent += f" (category: {notice['category']})"
    lines = [
        opening,
        "",
        f"Referral: {referral}",
        f"Urgent: {urgent}",
        f"Received: {notice['created_at']}",
        f"Open in the console: {notice['link']}",
        "",
    ]
    if details is None:
        lines.append("This message holds no personal details: sign in to the console to read it.")
    else:
        lines.append("Answers:")
        lines += [f"  {key}: {_plain(value)}" for key, value in details.items()] or ["  (none)"]
    lines += ["", f"Delivery id: {delivery_id}"]
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = format_datetime((sent_at or utcnow()).replace(tzinfo=UTC), usegmt=True)
    domain = parseaddr(sender)[1].partition("@")[2] or "intake-chat.invalid"
    message["Message-ID"] = f"<{delivery_id}@{domain}>"
    message["X-Intake-Delivery"] = delivery_id
    message["X-Intake-Event"] = str(notice["event"])
    message.set_content("\n".join(lines) + "\n")
    return message


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_plain(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "-"
    # One line per answer: a typed newline must not let a visitor forge the lines below it.
    return " ".join(str(value).split())


def backoff_seconds(attempts: int, settings: Settings, rand: Callable[[], float]) -> float:
    """Exponential from ``backoff_base``, capped, with jitter in [50 %, 100 %] so retries spread."""
    exponent = min(max(attempts - 1, 0), 30)
    delay = min(settings.backoff_cap, settings.backoff_base * (2**exponent))
    return float(delay * (0.5 + 0.5 * rand()))


def describe(error: BaseException) -> str:
    """A one-line reason an admin can act on (no response bodies: they are the receiver's)."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}".strip()
    if isinstance(error, urllib.error.URLError):
        return f"cannot reach the receiver: {error.reason}"
    if isinstance(error, smtplib.SMTPResponseException):
        raw = error.smtp_error
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw or "")
        return f"SMTP {error.smtp_code} {text}".strip()
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "SMTP server refused the recipient"
    if isinstance(error, TimeoutError):
        return "timed out"
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# --- senders (the IO edge) ----------------------------------------------------------------------


class EmailTransport(Protocol):
    def send(self, message: EmailMessage, settings: Settings) -> None: ...


class WebhookTransport(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> None: ...


class SMTPTransport:
    """smtplib; port 465 means TLS from the first byte, otherwise STARTTLS when configured."""

    def send(self, message: EmailMessage, settings: Settings) -> None:
        smtp: smtplib.SMTP
        if settings.smtp_port == 465:
            context = ssl.create_default_context()
            smtp = smtplib.SMTP_SSL(
                settings.smtp_host,
                settings.smtp_port,
                timeout=settings.smtp_timeout,
                context=context,
            )
        else:
            smtp = smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
            )
        with smtp:
            if settings.smtp_starttls and settings.smtp_port != 465:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not a delivery: it is reported (and retried) instead of followed as a GET."""

    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


class HTTPTransport:
    """One POST with urllib; any answer but 2xx raises (HTTPError), as does a network failure."""

    def __init__(self) -> None:
        self._opener = urllib.request.build_opener(_NoRedirect())

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> None:
        if not _is_http_url(url):
            raise ValueError("the webhook URL must start with http:// or https://")
        # The scheme is checked just above: no file: or custom schemes reach urllib.
        request = urllib.request.Request(  # noqa: S310
            url, data=body, headers=dict(headers), method="POST"
        )
        with self._opener.open(request, timeout=timeout) as response:
            response.read(65536)


# --- the outbox worker ----------------------------------------------------------------------------


@dataclass
class Report:
    """What one pass did: outbox rows fanned out, and deliveries by result."""

    dispatched: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    def add(self, other: Report) -> None:
        self.dispatched += other.dispatched
        self.delivered += other.delivered
        self.retrying += other.retrying
        self.failed += other.failed


@dataclass(frozen=True)
class DeliveryRow:
    """One line of the admin page: plain values only, ready to show (escaped by the template)."""

    id: str
    outbox_id: int
    event: str
    channel: str
    target: str
    referral_id: str | None
    urgent: bool
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


@dataclass
class Outbox:
    """Moves notifications from the outbox to their channels; several may run at once safely.

    ``now`` and ``rand`` are injected so tests can move time instead of sleeping.
    """

    db: Database
    settings: Settings
    now: Callable[[], datetime] = utcnow
    rand: Callable[[], float] = random.random
    email: EmailTransport = field(default_factory=SMTPTransport)
    webhook: WebhookTransport = field(default_factory=HTTPTransport)
    batch: int = 50

    def run_once(self, *, max_deliveries: int | None = None) -> Report:
        """Fan out what is new, then attempt every delivery that is due (up to a limit)."""
        report = Report(dispatched=self.dispatch_pending())
        report.add(self.deliver_due(max_deliveries))
        return report

    def dispatch_pending(self) -> int:
        """Give each pending outbox row its deliveries; with no channel set up, rows wait."""
        targets = self.settings.targets()
        if not targets:
            return 0
        kinds = list(EVENTS)
        with self.db.read() as conn:
            if not store.count_pending_outbox(conn, kinds):
                return 0
        count = 0
        with self.db.transaction() as conn:
            for row in store.pending_outbox(conn, kinds, limit=self.batch):
                try:
                    notice = self._notice(conn, row)
                except (AttributeError, KeyError, TypeError, ValueError) as error:
                    log.error("outbox row %s cannot be read: %s", row["id"], describe(error))
                    store.mark_outbox_unusable(conn, row["id"], describe(error))
                    continue
                event = EVENTS[row["kind"]]
                if store.dispatch(conn, row["id"], event, notice, targets, now=self.now()):
                    count += 1
        return count

    def _notice(self, conn: Connection, row: Mapping[str, Any]) -> dict[str, Any]:
        payload = row["payload"]
        if not isinstance(payload, Mapping):
            raise TypeError(f"the payload is a {type(payload).__name__}, not an object")
        referral_id = referral_id_of(payload)
        referral = chat_store.get_referral(conn, referral_id) if referral_id else None
        return build_notice(
            row["kind"],
            payload,
            referral,
            created_at=row["created_at"],
            public_url=self.settings.public_url,
        )

    def deliver_due(self, max_deliveries: int | None = None) -> Report:
        """Claim due deliveries one at a time (a short lease each) and attempt them."""
        report = Report()
        done = 0
        while max_deliveries is None or done < max_deliveries:
            claimed = self.claim()
            if claimed is None:
                break
            report.add(self.attempt(claimed, token=claimed.claim or ""))
            done += 1
        return report

    def claim(self) -> store.Delivery | None:
        now = self.now()
        token = uuid.uuid4().hex
        lease_until = now + timedelta(seconds=self.settings.lease_seconds)
        with self.db.read() as conn:
            if not store.any_due(conn, now=now):
                return None
        with self.db.transaction() as conn:
            rows = store.claim_due(conn, now=now, lease_until=lease_until, token=token, limit=1)
        return rows[0] if rows else None

    def attempt(self, delivery: store.Delivery, *, token: str) -> Report:
        """Send once, outside any transaction, then record the result in a short one."""
        try:
            self._send(delivery)
        except Exception as error:  # any failure at all means: try again later
            return self._record_failure(delivery, token, describe(error))
        with self.db.transaction() as conn:
            store.mark_delivered(conn, delivery.id, now=self.now())
        return Report(delivered=1)

    def _record_failure(self, delivery: store.Delivery, token: str, error: str) -> Report:
        now = self.now()
        give_up = delivery.attempts >= self.settings.max_attempts
        retry_at = None
        if not give_up:
            delay = backoff_seconds(delivery.attempts, self.settings, self.rand)
            retry_at = now + timedelta(seconds=delay)
        with self.db.transaction() as conn:
            store.mark_attempt_failed(
                conn, delivery.id, token=token, error=error, retry_at=retry_at, now=now
            )
        log.warning(
            "notification %s via %s failed (attempt %d): %s",
            delivery.id,
            delivery.channel,
            delivery.attempts,
            error,
        )
        return Report(failed=1) if give_up else Report(retrying=1)

    def _details(self, delivery: store.Delivery) -> dict[str, Any] | None:
        if not self.settings.include_details:
            return None
        referral_id = delivery.notice.get("referral_id")
        if not referral_id:
            return {}
        with self.db.read() as conn:
            return details_of(chat_store.get_referral(conn, str(referral_id)))

    def _send(self, delivery: store.Delivery) -> None:
        details = self._details(delivery)
        if delivery.channel == "email":
            message = build_email(
                delivery.id,
                delivery.notice,
                sender=self.settings.smtp_from,
                recipient=delivery.target,
                details=details,
                sent_at=self.now(),
            )
            self.email.send(message, self.settings)
        elif delivery.channel == "webhook":
            # The URL as configured now: an admin who fixes a wrong URL then presses retry wins.
            url = self.settings.webhook_url or delivery.target
            if not self.settings.webhook_secret:
                raise RuntimeError("INTAKE_WEBHOOK_SECRET is empty; the webhook cannot be signed")
            body = webhook_body(delivery.id, delivery.notice, details)
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": USER_AGENT,
                "X-Intake-Signature": sign(body, self.settings.webhook_secret),
                "X-Intake-Delivery": delivery.id,
                "X-Intake-Event": str(delivery.notice["event"]),
            }
            self.webhook.post(url, body, headers, self.settings.webhook_timeout)
        else:
            raise ValueError(f"unknown channel {delivery.channel!r}")

    # --- what admins see and do ---------------------------------------------------------------

    def retry(self, *, actor: str, delivery_id: str | None = None) -> int:
        """Put failed deliveries (one, or all) back in line now; audited."""
        with self.db.transaction() as conn:
            count = store.retry_failed(conn, actor=actor, now=self.now(), delivery_id=delivery_id)
        return count

    def rows(self, *, status: str | None = None, limit: int = 200) -> list[DeliveryRow]:
        with self.db.read() as conn:
            found = store.list_deliveries(conn, status=status, limit=limit)
        return [_row(item) for item in found]

    def summary(self) -> dict[str, Any]:
        """Counts by status, outbox rows still waiting for a channel, and settings problems."""
        with self.db.read() as conn:
            counts = store.count_by_status(conn)
            waiting = store.count_pending_outbox(conn, list(EVENTS))
            unusable = store.count_unusable_outbox(conn, list(EVENTS))
        problems = self.settings.problems()
        if unusable:
            problems.append(
                f"{unusable} outbox row{'s' if unusable > 1 else ''} could not be read and will "
                "not be sent; the server log names the reason (a bug worth reporting)."
            )
        return {"counts": counts, "waiting": waiting, "problems": problems}


def _row(item: store.Delivery) -> DeliveryRow:
    target = item.target
    if item.channel == "webhook":
        # Query strings often carry tokens; the host and path are enough to recognise it.
        parts = urllib.parse.urlsplit(target)
        target = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return DeliveryRow(
        id=item.id,
        outbox_id=item.outbox_id,
        event=item.event,
        channel=item.channel,
        target=target,
        referral_id=item.notice.get("referral_id"),
        urgent=bool(item.notice.get("urgent")),
        status=item.status,
        attempts=item.attempts,
        next_attempt_at=item.next_attempt_at if item.status == "pending" else None,
        last_error=item.last_error,
        created_at=item.created_at,
        delivered_at=item.delivered_at,
    )


# --- the background thread ----------------------------------------------------------------------


class Worker:
    """Runs ``Outbox.run_once`` on a daemon thread: on wake-up, and every ``poll_seconds``."""

    def __init__(self, outbox: Outbox, *, name: str = "intake-notify") -> None:
        self.outbox = outbox
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.passes = 0

    def start(self) -> Worker:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current send (at most one send timeout away)."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def listen(self, hub: Hub, channel: str) -> None:
        """Wake on the service's after-commit signal, so a new referral goes out at once."""
        hub.subscribe(channel, lambda _key: self.wake(), owner=self)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.outbox.run_once(max_deliveries=self.outbox.batch)
            except Exception:  # the database may be briefly gone; the next pass tries again
                log.exception("notification worker pass failed")
            self.passes += 1
            self._wake.wait(self.outbox.settings.poll_seconds)


def start_worker(db: Database, config: Config, hub: Hub, channel: str) -> Worker:
    """Start a notification thread that wakes on every turn that commits a referral or a crisis
    alert (``channel`` on ``hub``) and polls every ``poll_seconds`` besides."""
    worker = Worker(Outbox(db, Settings.from_config(config)))
    worker.listen(hub, channel)
    return worker.start()


def outbox_for(db: Database, config: Config, **overrides: Any) -> Outbox:
    """An ``Outbox`` over this database with settings from ``config`` (CLI and console use it)."""
    return Outbox(db, Settings.from_config(config), **overrides)
