"""Blueprint ``api`` (/api/v1): the read-only referral API for a practice's other systems.

Each integration has its own bearer token (stored as a SHA-256, revocable, scoped); pages use an
opaque cursor so a sync never skips or repeats a referral. Every call is in the audit log.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, Response, g, jsonify, request

from ..app import fhir_export
from ..core import passwords
from ..storage import accounts as staff_db
from ..storage import conversations as chat_db
from ..storage import utcnow
from ..storage.accounts import STATUSES, ApiToken
from .auth import json_error
from .context import get_db, runtime

bp = Blueprint("api", __name__, url_prefix="/api/v1")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
F = TypeVar("F", bound=Callable[..., Any])


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def require_scope(scope: str) -> Callable[[F], F]:
    """Bearer-token auth: 401 without a valid live token, 403 when it lacks ``scope``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            kind, _, raw = header.partition(" ")
            if kind.lower() != "bearer" or not raw.strip():
                return _unauthorized("Send 'Authorization: Bearer <token>'.")
            with get_db().read() as conn:
                token = staff_db.find_api_token(conn, passwords.token_digest(raw.strip()))
            if token is None or not token.active:
                return _unauthorized("This token is unknown or was revoked.")
            if scope not in token.scopes:
                return json_error("insufficient_scope", f"This token lacks the {scope} scope.", 403)
            g.api_token = token
            return view(*args, **kwargs)

        wrapped.required_scope = scope  # type: ignore[attr-defined]
        return cast(F, wrapped)

    return decorate


def _unauthorized(message: str) -> Response:
    response = json_error("unauthorized", message, 401)
    response.headers["WWW-Authenticate"] = 'Bearer realm="intake-chat"'
    return response


def _record(action: str, subject: str, detail: dict[str, Any]) -> None:
    token: ApiToken = g.api_token
    with get_db().transaction() as conn:
        staff_db.touch_api_token(conn, token.id, now=utcnow())
        chat_db.append_audit(
            conn,
            actor=f"token:{token.id}",
            action=action,
            subject=subject,
            detail={"address": request.remote_addr or "", **detail},
        )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def referral_json(row: dict[str, Any], assignee: str | None) -> dict[str, Any]:
    """The API's referral shape (stable: integrations depend on it; see docs/staff.md)."""
    return {
        "id": row["id"],
        "created_at": _iso(row["created_at"]),
        "updated_at": _iso(row["updated_at"]),
        "status": row["status"],
        "urgent": bool(row["urgent"]) or row["crisis_level"] == "crisis",
        "crisis_level": row["crisis_level"],
        "crisis_category": row["crisis_category"],
        "mode": row["mode"],
        "locale": row["locale"],
        "flow_id": row["flow_id"],
        "flow_version": row["flow_version"],
        "assignee": assignee,
        "answers": row["answers"],
        "display": row["display"],
    }


def encode_cursor(created_at: datetime, referral_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), referral_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, referral_id = json.loads(raw)
        return datetime.fromisoformat(at), str(referral_id)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None


def _bad(message: str) -> Response:
    return json_error("bad_request", message, 400)


@bp.route("/referrals")
@require_scope("referrals:read")
def list_referrals() -> Response:
    """Oldest first; follow ``next_cursor`` while ``has_more``, then keep it to fetch new ones."""
    args = request.args
    limit_raw = args.get("limit", str(DEFAULT_LIMIT))
    # isascii: str.isdigit() takes '²', which int() refuses; len: int() refuses 4,300+ digits
    digits = limit_raw.isascii() and limit_raw.isdigit() and len(limit_raw) <= 4
    if not digits or not 1 <= int(limit_raw) <= MAX_LIMIT:
        return _bad(f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    status = args.get("status") or None
    if status is not None and status not in STATUSES:
        return _bad(f"status must be one of {', '.join(STATUSES)}.")
    after = None
    if args.get("cursor"):
        after = decode_cursor(args["cursor"])
        if after is None:
            return _bad("cursor is not one this API gave out.")
    since = None
    if args.get("since"):
        try:
            since = datetime.fromisoformat(args["since"].replace("Z", "+00:00"))
            if since.tzinfo is not None:
                since = since.astimezone(UTC).replace(tzinfo=None)
        except (ValueError, OverflowError):  # 0001-01-01T00:00+01:00 falls off the calendar
            return _bad("since must be an ISO 8601 date or time.")
    limit = int(limit_raw)
    with get_db().read() as conn:
        rows = staff_db.referrals_page(
            conn, after=after, limit=limit + 1, status=status, since=since
        )
        page = rows[:limit]
        assignees = staff_db.assignees_for(conn, [row["id"] for row in page])
    last = page[-1] if page else None
    if last is not None:
        cursor: str | None = encode_cursor(last["created_at"], last["id"])
    else:
        cursor = args.get("cursor") or None
    _record("api.referrals.list", "referrals", {"count": len(page)})
    return jsonify(
        {
            "referrals": [referral_json(row, assignees.get(row["id"])) for row in page],
            "has_more": len(rows) > limit,
            "next_cursor": cursor,
        }
    )


@bp.route("/referrals/<referral_id>")
@require_scope("referrals:read")
def get_referral(referral_id: str) -> Response:
    with get_db().read() as conn:
        row = chat_db.get_referral(conn, referral_id)
        assignees = staff_db.assignees_for(conn, [referral_id]) if row else {}
    if row is None:
        return json_error("not_found", "No referral with this id.", 404)
    _record("api.referral.view", f"referral:{referral_id}", {})
    return jsonify({"referral": referral_json(row, assignees.get(referral_id))})


@bp.route("/referrals/<referral_id>/fhir")
@require_scope("referrals:read")
def get_referral_fhir(referral_id: str) -> Response:
    """The referral as a FHIR R4 Bundle (Questionnaire, Patient, QuestionnaireResponse)."""
    found = fhir_export.referral_bundle(
        get_db(), referral_id, public_url=runtime().config.public_url
    )
    if found is None:
        return json_error("not_found", "No referral with this id.", 404)
    _record("api.referral.fhir", f"referral:{referral_id}", {})
    return Response(fhir_export.dumps(found), mimetype="application/fhir+json")


@bp.errorhandler(404)
def _not_found(_error: Exception) -> Response:
    return json_error("not_found", "No such API endpoint.", 404)


@bp.errorhandler(405)
def _not_allowed(_error: Exception) -> Response:
    return json_error("method_not_allowed", "This API is read-only.", 405)
