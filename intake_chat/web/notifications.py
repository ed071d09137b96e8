"""Blueprint ``notifications`` (/staff/notifications): admins see every delivery and retry failures.

Thin: rows and counts come from ``notify.Outbox``; sign-in, roles and CSRF from ``auth``.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..app import notifier as notify
from ..storage.deliveries import STATUSES
from . import auth
from . import console as staff
from .auth import require_role
from .context import get_db, runtime

bp = Blueprint("notifications", __name__, url_prefix="/staff/notifications")
PAGE_ROWS = 200
EVENT_LABELS = {"referral.new": "New referral", "referral.crisis": "Crisis alert"}


def _outbox() -> notify.Outbox:
    return notify.outbox_for(get_db(), current_app.config["INTAKE"])


@bp.get("/")
@require_role("admin")
def page() -> Response:
    status = request.args.get("status", "")
    if status not in STATUSES:
        status = ""
    outbox = _outbox()
    retried = request.args.get("retried", "")
    html = render_template(
        "staff/notifications.html",
        rows=outbox.rows(status=status or None, limit=PAGE_ROWS),
        summary=outbox.summary(),
        status=status,
        statuses=STATUSES,
        events=EVENT_LABELS,
        retried=staff.row_id(retried),
        page_rows=PAGE_ROWS,
    )
    return Response(html)


@bp.post("/retry")
@require_role("admin")
def retry() -> BaseResponse:
    """One failed delivery (``delivery_id``) or, without it, every failed one; audited."""
    delivery_id = request.form.get("delivery_id", "").strip()[:32] or None
    count = _outbox().retry(actor=auth.actor_of(auth.current_staff()), delivery_id=delivery_id)
    if count:  # the notification worker listens on the staff channel: send them now
        rt = runtime()
        rt.hub.publish(rt.staff_channel)
    return redirect(url_for("notifications.page", retried=count), code=303)
