"""``intake-chat staff …``: create and disable console accounts and integration API tokens.

Works on the database named by the ``INTAKE_*`` settings (the same one ``serve`` uses); sends
nothing anywhere. Every change is written to the audit log with the actor ``cli``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.engine import Connection

from ..core import passwords
from ..storage import Database, utcnow
from ..storage import accounts as staff_db
from ..storage import conversations as chat_db
from .db_commands import open_database

ACTOR = "cli"


@contextmanager
def _database() -> Iterator[Database]:
    db, _config = open_database()
    try:
        yield db
    finally:
        db.dispose()


def _audit(conn: Connection, action: str, subject: str, **detail: object) -> None:
    chat_db.append_audit(conn, actor=ACTOR, action=action, subject=subject, detail=detail)


def _member(conn: Connection, email: str) -> staff_db.StaffRow:
    member = staff_db.find_staff(conn, email)
    if member is None:
        raise click.ClickException(f"No account for {email}.")
    return member


@click.group("staff")
def group() -> None:
    """Manage staff accounts and API tokens for the console."""


def _read_password(from_stdin: bool, email: str) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Password again")
    problems = passwords.password_problems(password, email)
    if problems:
        raise click.ClickException(" ".join(problems))
    return password


@group.command("add")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(staff_db.ROLES),
    required=True,
    help="admin: everything; coordinator: referrals; editor: flows only.",
)
@click.option("--name", default="", help="Name shown to colleagues.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input.",
)
def add(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create a console account. Admins set up two-step sign-in at their first login."""
    email = staff_db.normalise_email(email)
    if "@" not in email or " " in email or len(email) > 254:
        raise click.ClickException(f"{email!r} is not an email address.")
    with _database() as db:
        with db.read() as conn:
            if staff_db.find_staff(conn, email) is not None:
                raise click.ClickException(f"An account for {email} already exists.")
        password = _read_password(password_stdin, email)
        with db.transaction() as conn:
            staff_id = staff_db.create_staff(
                conn,
                email=email,
                role=role,
                name=name,
                password_hash=passwords.hash_password(password),
            )
            _audit(conn, "staff.create", f"staff:{staff_id}", role=role)
    click.echo(f"Created {role} {email}. Sign in at /staff/login.")


@group.command("list")
def list_accounts() -> None:
    """Show every account with its role and state."""
    with _database() as db, db.read() as conn:
        members = staff_db.list_staff(conn)
    if not members:
        click.echo(
            "No staff accounts yet. Create the first admin with: "
            "intake-chat staff add EMAIL --role admin"
        )
        return
    for m in members:
        state = "active" if m.active else "disabled"
        totp = "2-step on" if m.totp_secret else "2-step off"
        last = m.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if m.last_login_at else "never"
        click.echo(f"{m.email}\t{m.role}\t{state}\t{totp}\tlast sign-in {last}")


@group.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Disable an account and end its sessions at once."""
    with _database() as db, db.transaction() as conn:
        member = _member(conn, email)
        staff_db.update_staff(conn, member.id, disabled_at=utcnow())
        ended = staff_db.delete_staff_sessions(conn, member.id)
        _audit(conn, "staff.disable", f"staff:{member.id}")
    click.echo(f"Disabled {member.email}; {ended} session(s) ended.")


@group.command("enable")
@click.argument("email")
def enable(email: str) -> None:
    """Enable a disabled account again."""
    with _database() as db, db.transaction() as conn:
        member = _member(conn, email)
        staff_db.update_staff(conn, member.id, disabled_at=None)
        _audit(conn, "staff.enable", f"staff:{member.id}")
    click.echo(f"Enabled {member.email}.")


@group.command("reset-totp")
@click.argument("email")
def reset_totp(email: str) -> None:
    """Forget an account's authenticator (lost phone); it enrols again at the next sign-in."""
    with _database() as db, db.transaction() as conn:
        member = _member(conn, email)
        staff_db.update_staff(conn, member.id, totp_secret=None, totp_last_step=None)
        staff_db.delete_staff_sessions(conn, member.id)
        _audit(conn, "staff.reset_totp", f"staff:{member.id}")
    click.echo(f"Two-step sign-in reset for {member.email}.")


@group.group("token")
def token() -> None:
    """Integration API tokens (read-only referral API at /api/v1)."""


@token.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    default=("referrals:read",),
    show_default=True,
    type=click.Choice(["referrals:read"]),
    help="What the token may do.",
)
def token_create(name: str, scopes: tuple[str, ...]) -> None:
    """Create a token; it is printed once and only its fingerprint is kept."""
    raw = passwords.new_api_token()
    with _database() as db, db.transaction() as conn:
        token_id = staff_db.create_api_token(
            conn,
            name=name[:120],
            token_hash=passwords.token_digest(raw),
            prefix=raw[:10],
            scopes=scopes,
            created_by=None,
            now=utcnow(),
        )
        _audit(conn, "token.create", f"token:{token_id}", name=name, scopes=list(scopes))
    click.echo(f"Token {token_id} ({name}). Copy it now, it is not shown again:", err=True)
    click.echo(raw)


@token.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke a token by its number (see ``staff token list``)."""
    with _database() as db, db.transaction() as conn:
        if not staff_db.revoke_api_token(conn, token_id, now=utcnow()):
            raise click.ClickException(f"No live token {token_id}.")
        _audit(conn, "token.revoke", f"token:{token_id}")
    click.echo(f"Revoked token {token_id}.")


@token.command("list")
def token_list() -> None:
    """Show tokens (never the secret itself)."""
    with _database() as db, db.read() as conn:
        items = staff_db.list_api_tokens(conn)
    for item in items:
        state = "active" if item.active else "revoked"
        click.echo(f"{item.id}\t{item.name}\t{item.prefix}…\t{' '.join(item.scopes)}\t{state}")
