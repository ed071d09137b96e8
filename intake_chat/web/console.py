"""Blueprint ``staff`` (/staff): sign-in and TOTP, the referral inbox and detail, CSV export, staff
and API-token management, the audit log, and the live push socket ``/staff/ws``.

Every view wears ``auth.require_role``; SQL is in storage/accounts.py; how referrals read is in
core/referral_view.py. The menu lists every console page; the live desk adds its events to the
push socket with ``add_live_source``.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.engine import Connection
from werkzeug.wrappers import Response as BaseResponse

from ..app import erasure, fhir_export
from ..core import passwords, referral_view
from ..storage import accounts as staff_db
from ..storage import utcnow
from ..storage.accounts import STATUSES, AuditFilter, InboxFilter, StaffRow
from . import auth
from .auth import require_role
from .context import get_db, runtime
from .sockets import sock

bp = Blueprint("staff", __name__, url_prefix="/staff")
log = logging.getLogger(__name__)

PAGE_SIZE = 50
FLAGGED_DAYS = 30  # how far back the inbox lists flagged conversations that sent no referral
ERASED_ID = re.compile(r"[A-Za-z0-9]{1,32}")  # a referral or session id
ID_MAX = 2**31 - 1
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)
EXPORT_LIMIT = 10_000
NOTE_MAX = 4000
API_SCOPES = ("referrals:read",)
LIVE_POLL_SECONDS = 3.0  # how often a console socket re-reads when nothing woke it
LIVE_LOOKBACK = timedelta(minutes=2)  # commit order is not created_at order: look back, dedupe
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


# --- the menu -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: tuple[str, ...]


STATE_KEY = "intake_console"

# Every console page, in menu order; an entry shows only where its blueprint is registered and
# the signed-in role may open it. Roles repeat the pages' own decorators (the check is there).
NAV: tuple[NavItem, ...] = (
    NavItem("Inbox", "staff.inbox", ("admin", "coordinator")),
    NavItem("Flows", "editor.index", ("admin", "editor")),
    NavItem("Unanswered questions", "questions.page", ("admin", "editor")),
    NavItem("Drop-off funnel", "analytics.page", ("admin", "editor")),
    NavItem("Live chat", "live.queue", ("admin", "coordinator")),
    NavItem("Staff", "staff.users", ("admin",)),
    NavItem("Integrations", "staff.tokens", ("admin",)),
    NavItem("Audit log", "staff.audit", ("admin",)),
    NavItem("Notifications", "notifications.page", ("admin",)),
    NavItem("My account", "staff.account", auth.ALL_ROLES),
)


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    def nav_items() -> list[NavItem]:
        session = getattr(g, "staff_session", None)
        if session is None:
            return []
        role = session.staff.role
        return [item for item in NAV if role in item.roles and item.endpoint in _endpoints()]

    return {
        "csrf_token": auth.csrf_token,
        "nav_items": nav_items,
        "signed_in": lambda: getattr(g, "staff_session", None),
        "idle_seconds": lambda: int(auth.idle_limit().total_seconds()),
    }


def _endpoints() -> set[str]:
    return set(current_app.view_functions)


@bp.app_template_filter("localtime")
def _localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Stored times are naive UTC; staff read them in the practice's time zone."""
    if value is None:
        return ""
    zone = ZoneInfo(auth.config().timezone)
    return value.replace(tzinfo=UTC).astimezone(zone).strftime(fmt)


@bp.app_template_filter("isotime")
def _isotime(value: datetime | None) -> str:
    return "" if value is None else value.replace(tzinfo=UTC).isoformat()


@bp.after_app_request
def _console_headers(response: Response) -> Response:
    """Strict headers on every console page, including other blueprints' pages under /staff."""
    if request.path.startswith("/staff"):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    auth.remember_login_csrf(response)
    return response


# --- sign-in --------------------------------------------------------------------------------

REASONS = {
    "idle": "You were signed out after a period of inactivity.",
    "expired": "Your session ended; please sign in again.",
    "disabled": "This account is disabled.",
    "signed_out": "You are signed out.",
}


def _login_page(error: str = "", status: int = 200, email: str = "") -> Response:
    notice = REASONS.get(request.args.get("reason", ""), "")
    html = render_template("staff/login.html", error=error, notice=notice, email=email)
    return Response(html, status=status)


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse:
    if request.method == "GET":
        loaded = auth.load_session(touch=False)
        if loaded.session is not None and loaded.session.stage == "full":
            return redirect(url_for("staff.home"))
        return _login_page()
    if not auth.login_csrf_ok():
        return _login_page("Your sign-in form expired. Please try again.", 400)
    email = request.form.get("email", "")[:254]
    password = request.form.get("password", "")[: passwords.MAX_LENGTH + 1]
    result = auth.check_password_login(email, password)
    if result.locked:
        return _login_page(auth.LOCKED_MESSAGE, 429, email)
    staff = result.staff
    if staff is None:
        return _login_page(auth.GENERIC_LOGIN_ERROR, 401, email)
    stage = auth.stage_after_password(staff)
    db = get_db()
    with db.transaction() as conn:
        token = auth.start_session(conn, staff, stage)
        if stage == "full":
            _finish_login(conn, staff)
    wanted = auth.safe_next(request.args.get("next"))
    if stage == "totp":
        target = url_for("staff.totp_verify", next=wanted)
    elif stage == "setup":
        target = url_for("staff.totp_setup", next=wanted)
    else:
        target = wanted or url_for("staff.home")
    response = redirect(target)
    auth.set_session_cookie(response, token)
    return response


def _finish_login(conn: Any, staff: StaffRow) -> None:
    staff_db.update_staff(conn, staff.id, last_login_at=utcnow())
    auth.audit(conn, "login.success", f"staff:{staff.id}", actor=auth.actor_of(staff))


def _partial_session(stage: str) -> staff_db.WebSession | BaseResponse:
    loaded = auth.load_session(touch=True)
    session = loaded.session
    if session is None:
        return redirect(
            url_for("staff.login", reason=loaded.reason if loaded.reason != "none" else None)
        )
    if session.stage != stage:
        return redirect(url_for("staff.home"))
    g.staff_session_partial = session
    return session


@bp.route("/login/totp", methods=["GET", "POST"])
def totp_verify() -> BaseResponse:
    found = _partial_session("totp")
    if not isinstance(found, staff_db.WebSession):
        return found
    session = found
    error = ""
    status = 200
    if request.method == "POST":
        if not auth.csrf_ok(session):
            return auth.refuse(400, "csrf", "This form has expired. Reload the page and try again.")
        response = _check_totp_login(session)
        if response is not None:
            return response
        error, status = "That code did not match. Check your authenticator app.", 401
    html = render_template("staff/totp_verify.html", error=error, session_csrf=session.csrf_token)
    return Response(html, status=status)


def _check_totp_login(session: staff_db.WebSession) -> BaseResponse | None:
    staff = session.staff
    db = get_db()
    attempt = auth.begin_attempt(staff.email)
    if attempt is None:
        with db.transaction() as conn:
            auth.end_session(conn)
            auth.audit(conn, "login.locked", f"staff:{staff.id}", actor=auth.actor_of(staff))
        locked_page: BaseResponse = _login_page(auth.LOCKED_MESSAGE, 429)
        auth.clear_session_cookie(locked_page)
        return locked_page
    with db.transaction() as conn:
        if not auth.claim_code(conn, staff, request.form.get("code", "")):
            auth.audit(conn, "login.totp_failure", f"staff:{staff.id}", actor=auth.actor_of(staff))
            return None
        staff_db.settle_attempt(conn, attempt, success=True)
        token = auth.start_session(conn, staff, "full")
        _finish_login(conn, staff)
    response = redirect(auth.safe_next(request.args.get("next")) or url_for("staff.home"))
    auth.set_session_cookie(response, token)
    return response


def _setup_session() -> staff_db.WebSession | BaseResponse:
    loaded = auth.load_session(touch=True)
    session = loaded.session
    if session is None:
        return redirect(url_for("staff.login"))
    if session.stage not in ("setup", "full"):
        return redirect(url_for("staff.totp_verify"))
    if session.stage == "full":
        g.staff_session = session
    else:
        g.staff_session_partial = session
    return session


def _pending_secret(session: staff_db.WebSession) -> str:
    """The secret being enrolled, kept sealed on the session until its first code is typed."""
    secret = auth.open_totp(session.pending_totp_secret)
    if secret is None:
        secret = passwords.totp_new_secret()
        with get_db().transaction() as conn:
            staff_db.update_web_session(
                conn, session.id_hash, pending_totp_secret=auth.seal_totp(secret)
            )
    return secret


def _setup_reauth(session: staff_db.WebSession) -> auth.Check:
    """From a signed-in session, enrolling (or replacing) needs the password, and the old
    authenticator's code when one is enrolled: a borrowed session cannot take over the
    second factor. At sign-in (stage "setup") the password was just checked."""
    if session.stage != "full":
        return "ok"
    staff = session.staff
    code = request.form.get("current_code", "") if staff.totp_secret else None
    return auth.reauthenticate(staff, request.form.get("current_password", ""), code)


@bp.route("/totp/setup", methods=["GET", "POST"])
def totp_setup() -> BaseResponse:
    """Enrol an authenticator app: at sign-in when TOTP is required, or later from My account."""
    found = _setup_session()
    if not isinstance(found, staff_db.WebSession):
        return found
    session = found
    secret = _pending_secret(session)
    error = ""
    status = 200
    if request.method == "POST":
        if not auth.csrf_ok(session):
            return auth.refuse(400, "csrf", "This form has expired. Reload the page and try again.")
        step = passwords.totp_match(secret, request.form.get("code", ""), time.time())
        check = _setup_reauth(session) if step is not None else "wrong"
        if check == "locked":
            return auth.refuse(429, "locked", auth.LOCKED_MESSAGE)
        if step is not None and check == "ok":
            return _enrol(session, secret, step)
        error, status = "That code did not match. Check the time on your phone and try again.", 400
        if step is not None:
            error = "Your current password or current code is not right."
    html = render_template(
        "staff/totp_setup.html",
        secret=passwords.group_secret(secret),
        uri=passwords.totp_uri(secret, session.staff.email),
        error=error,
        session_csrf=session.csrf_token,
        required=auth.totp_required(session.staff),
        partial=session.stage != "full",
        replacing=bool(session.staff.totp_secret),
    )
    return Response(html, status=status)


def _enrol(session: staff_db.WebSession, secret: str, step: int) -> BaseResponse:
    with get_db().transaction() as conn:
        staff_db.update_staff(
            conn, session.staff_id, totp_secret=auth.seal_totp(secret), totp_last_step=step
        )
        token = auth.start_session(conn, session.staff, "full")
        staff_db.delete_staff_sessions(conn, session.staff_id, keep=passwords.token_digest(token))
        if session.stage == "setup":
            # Password then enrolment: the sign-in is complete (the password alone was not).
            staff_db.record_login_attempt(
                conn,
                email=session.staff.email,
                address=auth.client_address(),
                ok=True,
                now=utcnow(),
            )
            _finish_login(conn, session.staff)
        auth.audit(
            conn, "totp.enabled", f"staff:{session.staff_id}", actor=auth.actor_of(session.staff)
        )
    response = redirect(auth.safe_next(request.args.get("next")) or url_for("staff.home"))
    auth.set_session_cookie(response, token)
    return response


@bp.route("/logout", methods=["POST"])
def logout() -> BaseResponse:
    loaded = auth.load_session(touch=False)
    session = loaded.session
    if session is not None:
        if not auth.csrf_ok(session):
            return auth.refuse(400, "csrf", "This form has expired. Reload the page and try again.")
        with get_db().transaction() as conn:
            auth.end_session(conn)
            auth.audit(
                conn, "logout", f"staff:{session.staff_id}", actor=auth.actor_of(session.staff)
            )
    response = redirect(url_for("staff.login", reason="signed_out"))
    auth.clear_session_cookie(response)
    return response


# --- home and account -----------------------------------------------------------------------


@bp.route("/")
@require_role(*auth.ALL_ROLES)
def home() -> BaseResponse:
    if auth.current_staff().role in ("admin", "coordinator"):
        return redirect(url_for("staff.inbox"))
    return Response(render_template("staff/home.html"))


@bp.route("/account", methods=["GET"])
@require_role(*auth.ALL_ROLES)
def account() -> Response:
    return _account_page([], 200)


def _account_page(errors: list[str], status: int) -> Response:
    staff = auth.current_staff()
    html = render_template(
        "staff/account.html",
        staff=staff,
        errors=errors,
        saved="",
        totp_required=auth.totp_required(staff),
    )
    return Response(html, status=status)


@bp.route("/account/password", methods=["POST"])
@require_role(*auth.ALL_ROLES)
def change_password() -> BaseResponse:
    staff = auth.current_staff()
    new = request.form.get("new_password", "")
    errors: list[str] = []
    check = auth.reauthenticate(staff, request.form.get("current_password", ""))
    if check == "locked":
        return auth.refuse(429, "locked", auth.LOCKED_MESSAGE)
    if check != "ok":
        errors.append("Your current password is not right.")
    if new != request.form.get("new_password_again", ""):
        errors.append("The two new passwords are not the same.")
    errors += passwords.password_problems(new, staff.email)
    if errors:
        return _account_page(errors, 400)
    with get_db().transaction() as conn:
        staff_db.update_staff(
            conn, staff.id, password_hash=passwords.hash_password(new), password_changed_at=utcnow()
        )
        # Everyone else holding this account's sessions is signed out; this browser keeps its own.
        staff_db.delete_staff_sessions(conn, staff.id, keep=auth.current_session().id_hash)
        auth.audit(conn, "password.change", f"staff:{staff.id}")
    return redirect(url_for("staff.account", saved="password"))


@bp.route("/account/totp/disable", methods=["POST"])
@require_role(*auth.ALL_ROLES)
def disable_totp() -> BaseResponse:
    """Needs the password and a current code: a borrowed session cannot drop the second step."""
    staff = auth.current_staff()
    if auth.totp_required(staff):
        return auth.refuse(403, "forbidden", "Two-step sign-in is required for your account.")
    if not staff.totp_secret:
        return redirect(url_for("staff.account"))
    check = auth.reauthenticate(
        staff, request.form.get("current_password", ""), request.form.get("code", "")
    )
    if check == "locked":
        return auth.refuse(429, "locked", auth.LOCKED_MESSAGE)
    if check != "ok":
        return _account_page(["Your current password or code is not right."], 400)
    with get_db().transaction() as conn:
        staff_db.update_staff(conn, staff.id, totp_secret=None, totp_last_step=None)
        auth.audit(conn, "totp.disabled", f"staff:{staff.id}")
    return redirect(url_for("staff.account"))


# --- the inbox ------------------------------------------------------------------------------


def parse_date(raw: str, label: str, problems: list[str]) -> date | None:
    if not raw:
        return None
    try:
        found = date.fromisoformat(raw)
    except ValueError:
        found = None
    # The queries add a day to the end date: 9999-12-31 would fall off the calendar (a 500).
    if found is None or not FIRST_DAY <= found <= LAST_DAY:
        problems.append(f"{label} must be a date like 2025-03-31.")
        return None
    return found


def row_id(raw: str) -> int | None:
    """A row id from a query or form value: ASCII digits that fit a database integer, else None
    (``str.isdigit`` takes '²', and a 30-digit number overflows the column: both were 500s)."""
    if raw.isascii() and raw.isdigit() and len(raw) <= 10 and int(raw) <= ID_MAX:
        return int(raw)
    return None


def inbox_filter(args: Any, me: int) -> tuple[InboxFilter, list[str]]:
    """The inbox filters from query parameters; bad values are reported, never a 500."""
    problems: list[str] = []
    status = args.get("status", "")
    if status and status not in STATUSES:
        problems.append("Unknown status.")
        status = ""
    urgent_raw = args.get("urgent", "")
    urgent = {"1": True, "0": False}.get(urgent_raw)
    assignee_raw = args.get("assignee", "")
    assignee: int | None = None
    if assignee_raw == "me":
        assignee = me
    elif assignee_raw == "none":
        assignee = 0
    elif row_id(assignee_raw) is not None:
        assignee = row_id(assignee_raw)
    elif assignee_raw:
        problems.append("Unknown assignee.")
    return (
        InboxFilter(
            status=status or None,
            urgent=urgent,
            date_from=parse_date(args.get("from", ""), "From", problems),
            date_to=parse_date(args.get("to", ""), "To", problems),
            assignee=assignee,
            query=args.get("q", "")[:200],
        ),
        problems,
    )


def _page_number() -> int:
    number = row_id(request.args.get("page", "1"))
    return 1 if number is None else max(1, min(number, 10_000))


@bp.route("/referrals")
@require_role("admin", "coordinator")
def inbox() -> str:
    me = auth.current_staff()
    filters, problems = inbox_filter(request.args, me.id)
    page = _page_number()
    with get_db().read() as conn:
        offset = (page - 1) * PAGE_SIZE
        rows = staff_db.list_referrals(conn, filters, limit=PAGE_SIZE, offset=offset)
        total = staff_db.count_referrals(conn, filters)
        staff = staff_db.list_staff(conn)
        since = utcnow() - timedelta(days=FLAGGED_DAYS)
        flagged = staff_db.flagged_without_referral(conn, since=since)
    for row in rows:
        row["person"] = staff_db.referral_name(row)
    args = {k: v for k, v in request.args.items() if k not in ("page", "erased") and v}
    erased = request.args.get("erased", "")
    return render_template(
        "staff/inbox.html",
        # after an erasure: only an id is echoed back, so a crafted link cannot put words here
        erased=erased if ERASED_ID.fullmatch(erased) else "",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        args=args,
        statuses=STATUSES,
        staff=staff,
        problems=problems,
        filtered=bool(args),
        flagged=flagged,
        flagged_days=FLAGGED_DAYS,
    )


@bp.route("/referrals/export.csv")
@require_role("admin", "coordinator")
def export_csv() -> Response:
    me = auth.current_staff()
    filters, problems = inbox_filter(request.args, me.id)
    if problems:
        return auth.refuse(400, "bad_filter", " ".join(problems))
    with get_db().read() as conn:
        rows = staff_db.list_referrals(conn, filters, limit=EXPORT_LIMIT)
        versions = {(row["flow_id"], row["flow_version"]) for row in rows}
        documents = {key: staff_db.flow_document(conn, *key) for key in versions}
    for row in rows:  # scored questionnaires as columns: instrument, total, band
        scored = referral_view.questionnaire_rows(
            documents[(row["flow_id"], row["flow_version"])], row.get("answers")
        )
        row["display"] = {**(row.get("display") or {}), **referral_view.questionnaire_cells(scored)}
    header, body = _export_table(rows)
    with get_db().transaction() as conn:
        auth.audit(
            conn,
            "referrals.export",
            "referrals",
            # What was searched for may be a person's name: the log only says a search was used
            # (the audit log is append-only, and an erasure must leave no trace in it).
            {
                "count": len(rows),
                "filters": {k: v for k, v in request.args.items() if k != "q"},
                **({"searched": True} if request.args.get("q") else {}),
            },
        )
    stamp = _localtime(utcnow(), "%Y%m%d-%H%M")  # the clock staff read, as in the file's cells
    response = Response(referral_view.csv_text(header, body), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="referrals-{stamp}.csv"'
    return response


def _export_table(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    fields: list[str] = []
    for row in rows:
        for key in row.get("display") or row.get("answers") or {}:
            if key not in fields:
                fields.append(key)
    header = [
        "referral",
        "submitted",
        "status",
        "urgent",
        "crisis_level",
        "crisis_category",
        "assignee",
        "flow",
        "flow_version",
        *fields,
    ]
    body = []
    for row in rows:
        shown = row.get("display") or row.get("answers") or {}
        body.append(
            [
                row["id"],
                _localtime(row["created_at"]),
                row["status"],
                row["pinned"],
                row["crisis_level"],
                row["crisis_category"],
                row.get("assignee_email"),
                row["flow_id"],
                row["flow_version"],
                *[shown.get(key) for key in fields],
            ]
        )
    return header, body


def _referral_or_404(conn: Any, referral_id: str) -> dict[str, Any]:
    referral = staff_db.get_referral_with_assignee(conn, referral_id)
    if referral is None:
        abort(404)
    return referral


@bp.route("/referrals/<referral_id>")
@require_role("admin", "coordinator")
def referral_detail(referral_id: str) -> str:
    db = get_db()
    with db.read() as conn:
        referral = _referral_or_404(conn, referral_id)
        document = staff_db.flow_document(conn, referral["flow_id"], referral["flow_version"])
        labels = referral_view.answer_labels(document)
        events = staff_db.session_events(conn, referral["session_id"])
        notes = staff_db.notes_for(conn, referral_id)
        changes = staff_db.changes_for(conn, referral_id)
        staff = staff_db.list_staff(conn)
    lines = referral_view.transcript_lines(events)
    staff_labels = {member.id: member.label for member in staff}
    with db.transaction() as conn:
        auth.audit(conn, "referral.view", f"referral:{referral_id}")
    return render_template(
        "staff/referral.html",
        referral=referral,
        person=staff_db.referral_name(referral),
        answers=referral_view.answer_rows(referral["display"], referral["answers"], labels),
        questionnaires=referral_view.questionnaire_rows(document, referral["answers"]),
        score_note=referral_view.score_note,
        transcript=lines,
        timeline=referral_view.timeline(
            referral, changes, notes, [line for line in lines if line["alert"]], staff_labels
        ),
        notes=notes,
        statuses=STATUSES,
        staff=[member for member in staff if member.active and member.role != "editor"],
    )


@bp.route("/referrals/<referral_id>/status", methods=["POST"])
@require_role("admin", "coordinator")
def referral_status(referral_id: str) -> BaseResponse:
    status = request.form.get("status", "")
    if status not in STATUSES:
        return auth.refuse(
            400,
            "bad_status",
            "Choose one of the listed statuses.",
            back=url_for("staff.referral_detail", referral_id=referral_id),
        )
    with get_db().transaction() as conn:
        old = staff_db.set_referral_status(
            conn, referral_id, status, staff_id=auth.current_staff().id, now=utcnow()
        )
        if old is None:
            abort(404)
        auth.audit(conn, "referral.status", f"referral:{referral_id}", {"from": old, "to": status})
    return redirect(url_for("staff.referral_detail", referral_id=referral_id, saved="status"))


@bp.route("/referrals/<referral_id>/assign", methods=["POST"])
@require_role("admin", "coordinator")
def referral_assign(referral_id: str) -> BaseResponse:
    raw = request.form.get("assignee", "")
    with get_db().transaction() as conn:
        _referral_or_404(conn, referral_id)
        assignee: int | None = None
        if raw == "me":
            assignee = auth.current_staff().id
        elif row_id(raw) is not None:
            member = staff_db.get_staff(conn, int(raw))
            if member is None or not member.active or member.role == "editor":
                return auth.refuse(
                    400,
                    "bad_assignee",
                    "Choose an active coordinator or admin.",
                    back=url_for("staff.referral_detail", referral_id=referral_id),
                )
            assignee = member.id
        elif raw:
            return auth.refuse(400, "bad_assignee", "Choose an active coordinator or admin.")
        staff_db.assign_referral(
            conn, referral_id, assignee, staff_id=auth.current_staff().id, now=utcnow()
        )
        auth.audit(conn, "referral.assign", f"referral:{referral_id}", {"assignee": assignee})
    return redirect(url_for("staff.referral_detail", referral_id=referral_id, saved="assignee"))


@bp.route("/referrals/<referral_id>/notes", methods=["POST"])
@require_role("admin", "coordinator")
def referral_note(referral_id: str) -> BaseResponse:
    body = request.form.get("body", "").strip()
    back = url_for("staff.referral_detail", referral_id=referral_id, _anchor="notes")
    if not body:
        return auth.refuse(
            400, "bad_note", "The note was empty: type the note, then Add note.", back=back
        )
    if len(body) > NOTE_MAX:
        return auth.refuse(
            400, "bad_note", f"A note can have up to {NOTE_MAX} characters.", back=back
        )
    with get_db().transaction() as conn:
        _referral_or_404(conn, referral_id)
        note_id = staff_db.add_note(
            conn, referral_id, body, staff_id=auth.current_staff().id, now=utcnow()
        )
        auth.audit(conn, "referral.note", f"referral:{referral_id}", {"note_id": note_id})
    return redirect(
        url_for("staff.referral_detail", referral_id=referral_id, saved="note", _anchor="notes")
    )


@bp.route("/sessions/<session_id>")
@require_role("admin", "coordinator")
def chat_session(session_id: str) -> str:
    """A conversation's transcript, also without a referral: where crisis alerts lead."""
    db = get_db()
    with db.read() as conn:
        session = staff_db.get_chat_session(conn, session_id)
        if session is None:
            abort(404)
        events = staff_db.session_events(conn, session_id)
        referral_ids = staff_db.referral_ids_for_session(conn, session_id)
    with db.transaction() as conn:
        auth.audit(conn, "session.view", f"session:{session_id}")
    return render_template(
        "staff/session.html",
        session=session,
        transcript=referral_view.transcript_lines(events),
        referral_ids=referral_ids,
    )


@bp.route("/referrals/<referral_id>/fhir.json")
@require_role("admin", "coordinator")
def referral_fhir(referral_id: str) -> Response:
    """The referral as a FHIR R4 Bundle, to import into the practice's EHR (docs/fhir.md)."""
    found = fhir_export.referral_bundle(get_db(), referral_id, public_url=auth.config().public_url)
    if found is None:
        abort(404)
    with get_db().transaction() as conn:
        auth.audit(conn, "referral.fhir", f"referral:{referral_id}")
    response = Response(fhir_export.dumps(found), mimetype="application/fhir+json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="referral-{referral_id}.fhir.json"'
    )
    return response


# --- erasure on request (admins) ------------------------------------------------------------


def _erase_page(kind: str, ident: str, preview: erasure.Erased, status: int = 200) -> Response:
    html = render_template("staff/erase.html", kind=kind, ident=ident, preview=preview)
    return Response(html, status=status)


@bp.route("/referrals/<referral_id>/erase", methods=["GET", "POST"])
@require_role("admin")
def referral_erase(referral_id: str) -> BaseResponse:
    """Erase a referral with its conversation on the person's request."""
    return _erase_view("referral", referral_id, erasure.preview_referral, erasure.erase_referral)


@bp.route("/sessions/<session_id>/erase", methods=["GET", "POST"])
@require_role("admin")
def session_erase(session_id: str) -> BaseResponse:
    """Erase one conversation (and any referral it sent)."""
    return _erase_view(
        "conversation", session_id, erasure.preview_conversation, erasure.erase_conversation
    )


def _erase_view(
    kind: str,
    ident: str,
    preview_of: Callable[[Any, str], erasure.Erased | None],
    erase: Callable[..., erasure.Erased],
) -> BaseResponse:
    """GET: the confirmation page, counting what goes. POST (CSRF checked by the guard, and the
    ticked box): erase, then back to the inbox; the audit log keeps ids and counts."""
    preview = preview_of(get_db(), ident)
    if preview is None:
        abort(404)
    if request.method == "GET":
        return _erase_page(kind, ident, preview)
    if request.form.get("confirm") != "yes":
        return _erase_page(kind, ident, preview, 400)
    try:
        erase(get_db(), ident, actor=auth.actor_of(auth.current_staff()))
    except erasure.NotFound:
        abort(404)
    return redirect(url_for("staff.inbox", erased=ident))


# --- staff management (admins) --------------------------------------------------------------


@bp.route("/users", methods=["GET"])
@require_role("admin")
def users() -> Response:
    return _users_page([], 200)


def _users_page(errors: list[str], status: int, form: dict[str, str] | None = None) -> Response:
    with get_db().read() as conn:
        members = staff_db.list_staff(conn)
    html = render_template(
        "staff/users.html",
        members=members,
        roles=staff_db.ROLES,
        errors=errors,
        form=form or {},
        my_id=auth.current_staff().id,
    )  # base.html owns `me`
    return Response(html, status=status)


@bp.route("/users", methods=["POST"])
@require_role("admin")
def create_user() -> BaseResponse:
    form = {key: request.form.get(key, "") for key in ("email", "name", "role")}
    password = request.form.get("password", "")
    errors = _new_account_problems(
        form["email"], form["role"], password, request.form.get("password_again", "")
    )
    if errors:
        return _users_page(errors, 400, form)
    with get_db().transaction() as conn:
        if staff_db.find_staff(conn, form["email"]) is not None:
            return _users_page(["An account with this email already exists."], 409, form)
        new_id = staff_db.create_staff(
            conn,
            email=form["email"],
            role=form["role"],
            name=form["name"][:120],
            password_hash=passwords.hash_password(password),
        )
        auth.audit(conn, "staff.create", f"staff:{new_id}", {"role": form["role"]})
    return redirect(url_for("staff.users", saved=new_id))


def _new_account_problems(email: str, role: str, password: str, again: str) -> list[str]:
    errors: list[str] = []
    cleaned = email.strip()
    if not cleaned or "@" not in cleaned or len(cleaned) > 254 or " " in cleaned:
        errors.append("Enter the person's email address.")
    if role not in staff_db.ROLES:
        errors.append("Choose a role.")
    if password != again:
        errors.append("The two passwords are not the same.")
    errors += passwords.password_problems(password, cleaned)
    return errors


@bp.route("/users/<int:staff_id>", methods=["POST"])
@require_role("admin")
def update_user(staff_id: int) -> BaseResponse:
    action = request.form.get("action", "")
    me = auth.current_staff()
    if staff_id > ID_MAX:
        abort(404)
    with get_db().transaction() as conn:
        member = staff_db.get_staff(conn, staff_id)
        if member is None:
            abort(404)
        problem = _update_problem(conn, me, member, action)
        if problem:
            return _users_page([problem], 400)
        _apply_user_action(conn, member, action)
    return redirect(url_for("staff.users", saved=staff_id))


def _update_problem(conn: Any, me: StaffRow, member: StaffRow, action: str) -> str:
    last_admin = (
        member.role == "admin" and member.active and staff_db.count_active_admins(conn) <= 1
    )
    if action == "disable" and member.id == me.id:
        return "You cannot disable your own account."
    if action in ("disable", "role") and last_admin and request.form.get("role") != "admin":
        return "Keep at least one active admin."
    if action == "role" and request.form.get("role") not in staff_db.ROLES:
        return "Choose a role."
    if action == "password":
        new = request.form.get("password", "")
        if new != request.form.get("password_again", ""):
            return "The two passwords are not the same."
        problems = passwords.password_problems(new, member.email)
        if problems:
            return " ".join(problems)
    if action not in ("disable", "enable", "role", "reset_totp", "password", "name"):
        return "Unknown change."
    return ""


def _apply_user_action(conn: Any, member: StaffRow, action: str) -> None:
    now = utcnow()
    detail: dict[str, Any] = {}
    if action == "disable":
        staff_db.update_staff(conn, member.id, disabled_at=now)
        staff_db.delete_staff_sessions(conn, member.id)
    elif action == "enable":
        staff_db.update_staff(conn, member.id, disabled_at=None)
    elif action == "role":
        detail = {"from": member.role, "to": request.form["role"]}
        staff_db.update_staff(conn, member.id, role=request.form["role"])
        staff_db.delete_staff_sessions(conn, member.id, keep=_mine_if(member))
    elif action == "reset_totp":
        staff_db.update_staff(conn, member.id, totp_secret=None, totp_last_step=None)
        staff_db.delete_staff_sessions(conn, member.id, keep=_mine_if(member))
    elif action == "password":
        staff_db.update_staff(
            conn,
            member.id,
            password_changed_at=now,
            password_hash=passwords.hash_password(request.form["password"]),
        )
        staff_db.delete_staff_sessions(conn, member.id, keep=_mine_if(member))
    elif action == "name":
        staff_db.update_staff(conn, member.id, name=request.form.get("name", "").strip()[:120])
    auth.audit(conn, f"staff.{action}", f"staff:{member.id}", detail)


def _mine_if(member: StaffRow) -> str | None:
    """Keep the admin's own session when they change their own account."""
    session = auth.current_session()
    return session.id_hash if session.staff_id == member.id else None


# --- API tokens (admins) --------------------------------------------------------------------


@bp.route("/tokens", methods=["GET"])
@require_role("admin")
def tokens() -> Response:
    return _tokens_page(new_token="", errors=[])


def _tokens_page(*, new_token: str, errors: list[str], status: int = 200) -> Response:
    with get_db().read() as conn:
        items = staff_db.list_api_tokens(conn)
    html = render_template(
        "staff/tokens.html", tokens=items, scopes=API_SCOPES, new_token=new_token, errors=errors
    )
    return Response(html, status=status)


@bp.route("/tokens", methods=["POST"])
@require_role("admin")
def create_token() -> Response:
    name = request.form.get("name", "").strip()[:120]
    scopes = [scope for scope in request.form.getlist("scopes") if scope in API_SCOPES]
    if not name or not scopes:
        return _tokens_page(new_token="", errors=["Give the token a name and a scope."], status=400)
    token = passwords.new_api_token()
    with get_db().transaction() as conn:
        token_id = staff_db.create_api_token(
            conn,
            name=name,
            token_hash=passwords.token_digest(token),
            prefix=token[:10],
            scopes=scopes,
            created_by=auth.current_staff().id,
            now=utcnow(),
        )
        auth.audit(conn, "token.create", f"token:{token_id}", {"name": name, "scopes": scopes})
    # Shown once, never stored: the page says so and is not cached (Cache-Control: no-store).
    return _tokens_page(new_token=token, errors=[], status=201)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@require_role("admin")
def revoke_token(token_id: int) -> BaseResponse:
    if token_id > ID_MAX:
        abort(404)
    with get_db().transaction() as conn:
        if staff_db.revoke_api_token(conn, token_id, now=utcnow()):
            auth.audit(conn, "token.revoke", f"token:{token_id}")
    return redirect(url_for("staff.tokens"))


# --- the audit log (admins; read-only by construction: no route changes it) ----------------


@bp.route("/audit")
@require_role("admin")
def audit() -> str:
    problems: list[str] = []
    before = request.args.get("before", "")
    filters = AuditFilter(
        actor=request.args.get("actor", "")[:64],
        action=request.args.get("action", "")[:64],
        subject=request.args.get("subject", "")[:128].strip(),
        date_from=parse_date(request.args.get("from", ""), "From", problems),
        date_to=parse_date(request.args.get("to", ""), "To", problems),
        before_id=row_id(before),
    )
    with get_db().read() as conn:
        entries = staff_db.audit_page(conn, filters, limit=PAGE_SIZE + 1)
        actions = staff_db.audit_actions(conn)
        members = staff_db.list_staff(conn)
    more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    labels = {f"staff:{m.id}": m.email for m in members}
    args = {k: v for k, v in request.args.items() if k != "before" and v}
    return render_template(
        "staff/audit.html",
        entries=entries,
        actions=actions,
        members=members,
        labels=labels,
        problems=problems,
        args=args,
        older=entries[-1]["id"] if more and entries else None,
    )


# --- live push ------------------------------------------------------------------------------


@bp.before_request
def _guard_socket() -> BaseResponse | None:
    """The socket is refused before the upgrade: signed-in admins and coordinators, same origin."""
    if request.endpoint != "staff.live_socket":
        return None
    return auth.socket_refusal(("admin", "coordinator"))


def _wakeups(callback: Callable[[str], None]) -> Callable[[], None]:
    """Subscribe to the conversation service's 'something for staff committed' wake-ups."""
    rt = runtime()
    unsubscribe: Callable[[], None] = rt.hub.subscribe(rt.staff_channel, callback)
    return unsubscribe


# Another console feature (live chats, for one) adds events it reads from the database on every
# poll: ``source(conn, session, now, state)`` returns events to send; ``state`` is its own memory
# for this one socket (what it already sent). A failing source is logged and skipped.
LiveSource = Callable[
    [Connection, staff_db.WebSession, datetime, dict[str, Any]], list[dict[str, Any]]
]


@dataclass
class ConsoleState:
    """Per app: the extra live sources other blueprints plugged in, and which staff have a
    console socket open in this process (one process with SQLite)."""

    sources: list[LiveSource] = field(default_factory=list)
    online: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def console_state(app: Flask | None = None) -> ConsoleState:
    target = app or current_app
    found: ConsoleState = target.extensions.setdefault(STATE_KEY, ConsoleState())
    return found


def add_live_source(app: Flask, source: LiveSource) -> None:
    sources = console_state(app).sources
    if source not in sources:
        sources.append(source)


def online_staff(app: Flask | None = None) -> set[int]:
    """Staff ids with a console socket open in this process."""
    state = console_state(app)
    with state.lock:
        return {staff_id for staff_id, count in state.online.items() if count > 0}


def _count_online(staff_id: int, delta: int) -> None:
    state = console_state()
    with state.lock:
        state.online[staff_id] = state.online.get(staff_id, 0) + delta


class LiveFeed:
    """What one console has been told: new referrals and crisis flags found in the database."""

    def __init__(self, session: staff_db.WebSession) -> None:
        self.session = session
        self.referrals: dict[str, datetime] = {}
        self.crises: dict[int, datetime] = {}
        self.states: dict[int, dict[str, Any]] = {}

    def prime(self, conn: Connection, now: datetime) -> None:
        """Remember the referrals and flags that exist already: only new ones are announced.
        Sources are not primed: what they have pending (a waiting visitor) is sent at once."""
        self._built_in(conn, now)

    def poll(self, conn: Connection, now: datetime) -> list[dict[str, Any]]:
        out = self._built_in(conn, now)
        for source in list(console_state().sources):
            try:
                out += source(conn, self.session, now, self.states.setdefault(id(source), {}))
            except Exception:  # one broken feature must not silence referrals and crises
                log.exception("live source %r failed", source)
        return out

    def _built_in(self, conn: Connection, now: datetime) -> list[dict[str, Any]]:
        since = now - LIVE_LOOKBACK
        out: list[dict[str, Any]] = []
        for row in staff_db.referrals_since(conn, since):
            if row["id"] not in self.referrals:
                self.referrals[row["id"]] = row["created_at"]
                out.append(_referral_event(row))
        for row in staff_db.crisis_events_since(conn, since):
            if row["id"] not in self.crises:
                self.crises[row["id"]] = row["created_at"]
                out.append(_crisis_event(conn, row))
        self._forget_before(since - LIVE_LOOKBACK)
        return out

    def _forget_before(self, cutoff: datetime) -> None:
        self.referrals = {k: v for k, v in self.referrals.items() if v >= cutoff}
        self.crises = {k: v for k, v in self.crises.items() if v >= cutoff}


def _referral_event(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "referral_new",
        "referral": {
            "id": row["id"],
            "name": staff_db.referral_name(row),
            "status": row["status"],
            "urgent": bool(row["urgent"]) or row["crisis_level"] == "crisis",
            "crisis_level": row["crisis_level"],
            "crisis_category": row["crisis_category"],
            "created_at": _isotime(row["created_at"]),
            "created_local": _localtime(row["created_at"]),
            "url": url_for("staff.referral_detail", referral_id=row["id"]),
        },
    }


def _crisis_event(conn: Connection, row: dict[str, Any]) -> dict[str, Any]:
    payload = row["payload"] or {}
    referral_ids = staff_db.referral_ids_for_session(conn, row["session_id"])
    url = (
        url_for("staff.referral_detail", referral_id=referral_ids[-1])
        if referral_ids
        else url_for("staff.chat_session", session_id=row["session_id"])
    )
    return {
        "type": "crisis_flag",
        "session_id": row["session_id"],
        "level": payload.get("level"),
        "category": payload.get("category"),
        "referral_ids": referral_ids,
        "at": _isotime(row["created_at"]),
        "at_local": _localtime(row["created_at"]),
        "url": url,
    }


@sock.route("/ws", bp=bp)  # type: ignore[untyped-decorator]
def live_socket(ws: Any) -> None:
    session = auth.current_session()
    woken = threading.Event()
    unsubscribe = _wakeups(lambda _key: woken.set())
    feed = LiveFeed(session)
    db = get_db()
    _count_online(session.staff_id, 1)
    try:
        with db.read() as conn:
            feed.prime(conn, utcnow())
        idle = int(auth.idle_limit().total_seconds())
        ws.send(json.dumps({"type": "hello", "idle_seconds": idle}))
        woken.set()  # a first poll at once: sources may have something pending for this person
        while not runtime().stopping.is_set():
            woken.wait(LIVE_POLL_SECONDS)
            woken.clear()
            while ws.receive(timeout=0) is not None:
                pass  # the console sends nothing we act on; reading keeps the buffer empty
            reason = auth.still_signed_in(session.id_hash)
            if reason != "ok":
                ws.send(json.dumps({"type": "signed_out", "reason": reason}))
                break
            with db.read() as conn:
                found = feed.poll(conn, utcnow())
            for event in found:
                # Visitor text in it (names): bidi-neutral, as on the pages.
                ws.send(
                    referral_view.neutral_bidi(json.dumps(event, default=str, ensure_ascii=False))
                )
    finally:
        _count_online(session.staff_id, -1)
        unsubscribe()
