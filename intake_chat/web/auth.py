"""Staff sign-in for the console: server-side sessions, login throttling, TOTP steps, CSRF, idle
logoff and the ``require_role`` decorator that every console page and staff API call goes through.

Credential maths is in passwords.py; SQL is in storage/staff.py. Other console blueprints (the flow
editor, live chats) import ``require_role``, ``current_staff`` and ``audit`` from here.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, Literal, TypeVar, cast
from urllib.parse import urlsplit

from flask import Response, current_app, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy.engine import Connection
from werkzeug.wrappers import Response as BaseResponse

from ..core import passwords
from ..core.config import Config
from ..storage import Database, utcnow
from ..storage import accounts as staff_db
from ..storage import conversations as chat_db
from ..storage.accounts import StaffRow, WebSession
from .context import get_db

SESSION_COOKIE = "intake_staff"
LOGIN_CSRF_COOKIE = "intake_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

MAX_ACCOUNT_FAILURES = 5  # per typed email, known account or not
MAX_ADDRESS_FAILURES = 30  # per client address, across emails (password spraying)
LOCKOUT = timedelta(minutes=15)
SESSION_MAX_AGE = timedelta(hours=12)  # a hard cap even for a session that is always active
TOUCH_EVERY = timedelta(seconds=15)  # last_seen_at precision; spares a write per request

GENERIC_LOGIN_ERROR = "That email and password do not match an active account."
LOCKED_MESSAGE = "Too many failed sign-ins. Wait 15 minutes, then try again."

Role = Literal["admin", "coordinator", "editor"]
F = TypeVar("F", bound=Callable[..., Any])


def config() -> Config:
    cfg: Config = current_app.config["INTAKE"]
    return cfg


def idle_limit() -> timedelta:
    return timedelta(minutes=max(1, config().staff_idle_minutes))


def client_address() -> str:
    return (request.remote_addr or "")[:64]


def totp_required(staff: StaffRow) -> bool:
    """Admins always need a second factor; everyone else when INTAKE_REQUIRE_TOTP_FOR_ALL is on."""
    return staff.role == "admin" or config().require_totp_for_all


# --- audit ----------------------------------------------------------------------------------


def actor_of(staff: StaffRow | None) -> str:
    return "anonymous" if staff is None else f"staff:{staff.id}"


def audit(
    conn: Connection,
    action: str,
    subject: str,
    detail: dict[str, Any] | None = None,
    *,
    actor: str | None = None,
) -> None:
    """Append to the audit log in the caller's transaction: record and change go together."""
    if actor is None:
        session = getattr(g, "staff_session", None)
        actor = actor_of(session.staff if session else None)
    full = {"address": client_address(), **(detail or {})}
    chat_db.append_audit(conn, actor=actor, action=action, subject=subject, detail=full)


# --- cookies --------------------------------------------------------------------------------


def _set_cookie(response: BaseResponse, name: str, value: str, *, path: str, strict: bool) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        secure=request.is_secure,
        samesite="Strict" if strict else "Lax",
        path=path,
    )


def set_session_cookie(response: BaseResponse, token: str) -> None:
    # Lax, not Strict: a console link in a notification email must open signed in. CSRF tokens
    # guard every state change, so Lax gives nothing away.
    _set_cookie(response, SESSION_COOKIE, token, path="/", strict=False)


def clear_session_cookie(response: BaseResponse) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, secure=request.is_secure)


def login_csrf_token() -> str:
    """The sign-in form's token (no session yet): a double-submit cookie, fresh when missing."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if len(token) < 32:
        token = getattr(g, "new_login_csrf", "") or secrets.token_urlsafe(32)
        g.new_login_csrf = token
    return token


def remember_login_csrf(response: BaseResponse) -> None:
    token = getattr(g, "new_login_csrf", "")
    if token:
        _set_cookie(response, LOGIN_CSRF_COOKIE, token, path="/staff/", strict=True)


def login_csrf_ok() -> bool:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    sent = request.form.get(CSRF_FIELD, "")
    return len(cookie) >= 32 and hmac.compare_digest(cookie.encode(), sent.encode())


# --- sessions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    session: WebSession | None
    reason: str  # "ok", "none", "idle", "expired", "disabled"


def load_session(*, touch: bool) -> Loaded:
    """The caller's staff session, ended here when idle, too old or its account disabled."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if not cookie:
        return Loaded(None, "none")
    id_hash = passwords.token_digest(cookie)
    db = get_db()
    with db.read() as conn:
        session = staff_db.get_web_session(conn, id_hash)
    if session is None:
        return Loaded(None, "none")
    now = utcnow()
    reason = "ok"
    if not session.staff.active:
        reason = "disabled"
    elif now - session.last_seen_at > idle_limit():
        reason = "idle"
    elif now - session.created_at > SESSION_MAX_AGE:
        reason = "expired"
    if reason != "ok":
        with db.transaction() as conn:
            staff_db.delete_web_session(conn, id_hash)
            if reason == "idle":
                audit(conn, "logout.idle", f"staff:{session.staff_id}", actor="system")
        return Loaded(None, reason)
    if touch and now - session.last_seen_at > TOUCH_EVERY:
        with db.transaction() as conn:
            staff_db.update_web_session(conn, id_hash, last_seen_at=now)
    return Loaded(session, "ok")


def start_session(conn: Connection, staff: StaffRow, stage: str) -> str:
    """A new session id for ``staff`` (the old one from the cookie, if any, is deleted): ids are
    renewed at every privilege change so a planted or stolen pre-login id is worth nothing."""
    old = request.cookies.get(SESSION_COOKIE, "")
    if old:
        staff_db.delete_web_session(conn, passwords.token_digest(old))
    token = secrets.token_urlsafe(32)
    staff_db.create_web_session(
        conn,
        id_hash=passwords.token_digest(token),
        staff_id=staff.id,
        stage=stage,
        csrf_token=secrets.token_urlsafe(32),
        address=client_address(),
        user_agent=request.headers.get("User-Agent", ""),
        now=utcnow(),
    )
    return token


def end_session(conn: Connection) -> None:
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if cookie:
        staff_db.delete_web_session(conn, passwords.token_digest(cookie))


def current_session() -> WebSession:
    session: WebSession = g.staff_session
    return session


def current_staff() -> StaffRow:
    return current_session().staff


def still_signed_in(id_hash: str) -> str:
    """ "ok", or why a console socket must sign out (read without counting as activity)."""
    with get_db().read() as conn:
        session = staff_db.get_web_session(conn, id_hash)
    if session is None:
        return "signed_out"
    if not session.staff.active:
        return "disabled"
    if utcnow() - session.last_seen_at > idle_limit():
        return "idle"
    return "ok"


def csrf_token() -> str:
    """For templates: the session's token, or the sign-in form's before there is a session."""
    session = getattr(g, "staff_session", None) or getattr(g, "staff_session_partial", None)
    if session is not None:
        return str(session.csrf_token)
    return login_csrf_token()


def csrf_ok(session: WebSession) -> bool:
    sent = request.form.get(CSRF_FIELD, "") or request.headers.get(CSRF_HEADER, "")
    return bool(sent) and hmac.compare_digest(session.csrf_token.encode(), sent.encode())


# --- login throttling -----------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    staff: StaffRow | None
    locked: bool = False


Check = Literal["ok", "wrong", "locked"]


def lockout_limits(now: datetime) -> staff_db.Limits:
    return staff_db.Limits(
        since=now - LOCKOUT, per_email=MAX_ACCOUNT_FAILURES, per_address=MAX_ADDRESS_FAILURES
    )


def begin_attempt(email: str) -> int | None:
    """Check the lockout and count this attempt as a failure, in one committed step (None:
    locked). The password, a code and a re-entered password all go through here, so each of
    them counts toward the same lockout and parallel attempts cannot all slip past it."""
    now = utcnow()
    with get_db().transaction() as conn:
        return staff_db.begin_attempt(
            conn, email=email, address=client_address(), now=now, limits=lockout_limits(now)
        )


def check_password_login(email: str, password: str) -> LoginResult:
    """Verify a sign-in; unknown, disabled and wrong-password answers look and take the same.

    A right password completes the sign-in only when no second step follows; otherwise it is
    neither a success nor a failure, so it cannot reset the count of wrong codes."""
    email = staff_db.normalise_email(email)[:254]
    now = utcnow()
    db = get_db()
    attempt = begin_attempt(email)
    with db.read() as conn:
        staff = staff_db.find_staff(conn, email)
    if attempt is None:
        with db.transaction() as conn:
            audit(conn, "login.locked", f"email:{email}", actor=actor_of(staff))
        return LoginResult(None, locked=True)
    if staff is not None and staff.active:
        ok = passwords.verify_password(staff.password_hash, password)
    else:
        passwords.burn_verify_time(password)
        ok = False
    with db.transaction() as conn:
        if ok and staff is not None:
            complete = stage_after_password(staff) == "full"
            staff_db.settle_attempt(conn, attempt, success=complete)
            if passwords.needs_rehash(staff.password_hash):
                new_hash = passwords.hash_password(password)
                staff_db.update_staff(conn, staff.id, password_hash=new_hash)
            audit(conn, "login.password_ok", f"staff:{staff.id}", actor=actor_of(staff))
        else:
            audit(
                conn,
                "login.failure",
                f"email:{email}",
                {"known_account": staff is not None},
                actor=actor_of(staff),
            )
        staff_db.delete_old_attempts(conn, before=now - timedelta(days=2))
        staff_db.delete_stale_sessions(conn, seen_before=now - max(idle_limit(), SESSION_MAX_AGE))
    return LoginResult(staff if ok else None)


def totp_key() -> bytes:
    return passwords.totp_key(str(current_app.config["SECRET_KEY"]))


def seal_totp(secret: str) -> str:
    return passwords.seal_secret(secret, totp_key())


def open_totp(stored: str | None) -> str | None:
    return None if stored is None else passwords.open_secret(stored, totp_key())


def claim_code(conn: Connection, staff: StaffRow, code: str) -> bool:
    """A current code for the staff member's enrolled secret, its time step claimed so it is
    never accepted twice (the copy of ``staff`` read with the session may be stale)."""
    secret = open_totp(staff.totp_secret)
    if secret is None:
        return False
    step = passwords.totp_match(secret, code, time.time(), staff.totp_last_step)
    return step is not None and staff_db.claim_totp_step(conn, staff.id, step)


def reauthenticate(staff: StaffRow, password: str, code: str | None = None) -> Check:
    """The password (and, when ``code`` is given, a current code) re-entered on "My account":
    throttled with the sign-in lockout; right answers are not counted as a sign-in."""
    attempt = begin_attempt(staff.email)
    db = get_db()
    if attempt is None:
        with db.transaction() as conn:
            audit(conn, "reauth.locked", f"staff:{staff.id}")
        return "locked"
    ok = passwords.verify_password(staff.password_hash, password)
    with db.transaction() as conn:
        if ok and code is not None:
            ok = claim_code(conn, staff, code)
        if ok:
            staff_db.settle_attempt(conn, attempt, success=False)
        else:
            audit(conn, "reauth.failure", f"staff:{staff.id}")
    return "ok" if ok else "wrong"


def seal_stored_secrets(db: Database, secret_key: str) -> int:
    """At start-up: seal the TOTP secrets an older version kept in clear (the key needs the
    secret key, which the storage migrations do not have)."""
    key = passwords.totp_key(secret_key)
    with db.transaction() as conn:
        return staff_db.seal_clear_totp_secrets(
            conn,
            is_sealed=passwords.is_sealed,
            seal=lambda secret: passwords.seal_secret(secret, key),
        )


def stage_after_password(staff: StaffRow) -> str:
    if staff.totp_secret:
        return "totp"
    if totp_required(staff):
        return "setup"
    return "full"


def safe_next(target: str | None) -> str | None:
    """Only a path inside the console: never another host, never a protocol-relative URL."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/staff") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


# --- the guard ------------------------------------------------------------------------------


def wants_json() -> bool:
    if request.path.startswith("/staff/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def json_error(code: str, message: str, status: int) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def refuse(status: int, code: str, message: str, back: str | None = None) -> Response:
    """An error page; ``back`` links to the page the person came from (e.g. the referral)."""
    if wants_json():
        return json_error(code, message, status)
    response = Response(
        render_template("staff/error.html", status=status, message=message, back=back),
        status=status,
    )
    return response


def _to_login(reason: str) -> BaseResponse:
    if wants_json():
        return json_error("signed_out", "Sign in to the console first.", 401)
    next_path = request.full_path.rstrip("?") if request.method == "GET" else None
    args: dict[str, str] = {}
    if reason in ("idle", "expired", "disabled"):
        args["reason"] = reason
    if next_path and safe_next(next_path):
        args["next"] = next_path
    response = redirect(url_for("staff.login", **args))  # type: ignore[arg-type]
    if reason != "none":
        clear_session_cookie(response)
    return response


def guard(roles: tuple[str, ...], *, check_csrf: bool = True) -> BaseResponse | None:
    """Refuse the request unless a fully signed-in staff member of one of ``roles`` makes it.

    Sets ``g.staff_session``. Called by ``require_role`` and by the staff socket before upgrading.
    """
    loaded = load_session(touch=True)
    session = loaded.session
    if session is None:
        return _to_login(loaded.reason)
    if session.stage != "full":
        if wants_json():
            return json_error("signed_out", "Finish signing in first.", 401)
        endpoint = "staff.totp_verify" if session.stage == "totp" else "staff.totp_setup"
        return redirect(url_for(endpoint))
    g.staff_session = session
    if session.staff.role not in roles:
        return refuse(403, "forbidden", "Your role does not give access to this page.")
    if check_csrf and request.method not in SAFE_METHODS and not csrf_ok(session):
        return refuse(400, "csrf", "This form has expired. Go back, reload the page and try again.")
    return None


def socket_refusal(roles: tuple[Role, ...]) -> Response | None:
    """Checked before a console socket's upgrade: a signed-in member of ``roles`` from this origin
    only. Browsers send the session cookie with a cross-site socket handshake too: hence Origin."""
    refusal = guard(roles, check_csrf=False)
    if refusal is not None:
        status = 401 if refusal.status_code in (301, 302, 303) else refusal.status_code
        return Response("refused", status=status, mimetype="text/plain")
    origin = request.headers.get("Origin", "")
    if origin and urlsplit(origin).netloc != request.host:
        return Response("cross-origin socket refused", status=403, mimetype="text/plain")
    return None


def require_role(*roles: Role) -> Callable[[F], F]:
    """Every console view and staff API call wears this; roles are checked on the server only.

    ``@require_role("admin", "coordinator")``: a coordinator cannot edit flows or manage staff, and
    an editor cannot read referrals, because those views do not list them.
    """
    for role in roles:
        if role not in staff_db.ROLES:
            raise ValueError(f"unknown role {role!r}")

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            refusal = guard(tuple(roles))
            if refusal is not None:
                return refusal
            return view(*args, **kwargs)

        wrapped.required_roles = tuple(roles)  # type: ignore[attr-defined]
        return cast(F, wrapped)

    return decorate


ALL_ROLES: tuple[Role, ...] = ("admin", "coordinator", "editor")
