"""Settings read once from ``INTAKE_*`` environment variables through small strict parsers.

A bad value stops start-up with a ConfigError naming the variable. Imports nothing from Flask.
"""

from __future__ import annotations

import difflib
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from . import bundled
from .errors import ConfigError, EncryptionError
from .handoff import hours_from_config
from .sealing import Key, Keyring

_XDG_DATA = os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")
DEFAULT_DATA_DIR = Path(_XDG_DATA) / "intake-chat"


def _int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {raw!r}")
    return value


def _bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _list(_name: str, raw: str) -> tuple[str, ...]:
    return tuple(item.strip().rstrip("/") for item in raw.split(",") if item.strip())


def _str(_name: str, raw: str) -> str:
    return raw


def _path(_name: str, raw: str) -> Path:
    return Path(raw).expanduser()


_PARSERS: dict[type | str, Callable[[str, str], Any]] = {
    "int": _int,
    "bool": _bool,
    "tuple[str, ...]": _list,
    "str": _str,
    "Path": _path,
}


# INTAKE_* variables read by the test suite and tools, never by the app (start-up ignores them).
TOOL_VARIABLES = frozenset(
    {"INTAKE_MERMAID_MODULES", "INTAKE_DOC_SCREENSHOTS", "INTAKE_SAFETY_HOLD_OUT"}
)
TOOL_PREFIX = "INTAKE_TEST_"

# One line per setting for docs/configuration.md (generated: tests/test_config_docs.py checks it).
HELP: dict[str, str] = {
    "database_url": "Empty: SQLite in the data folder; or `postgresql+psycopg://user@host/db`.",
    "data_dir": "The SQLite database, the secret key and the preview sandbox (kept 0700).",
    "flows_dir": "The flows, schemas and safety rules (`intake-chat init DIR` copies them out).",
    "static_dir": "The widget, console and demo assets served under /static/.",
    "default_flow": "The flow a chat starts when the widget names none.",
    "default_locale": "The language when the visitor's is not offered.",
    "secret_key": "Signs sessions and seals TOTP secrets; empty: generated in the data folder.",
    "encryption_key": "Encrypts answers and transcripts at rest (`intake-chat db new-key`); "
    "empty: stored in clear. See encryption.md.",
    "encryption_key_file": "A file holding that key instead (kept apart from the database).",
    "encryption_old_keys": "Comma-separated earlier keys, needed while `db rotate-key` runs.",
    "allowed_origins": "Comma-separated origins (scheme, host, port) that may embed the widget.",
    "public_url": "The app's address in notification links, e.g. `https://intake.example.org`.",
    "trust_proxy": "Reverse proxies in front whose X-Forwarded-For/-Proto are believed.",
    "max_frame_bytes": "Largest chat frame accepted.",
    "max_text_chars": "Longest typed answer accepted.",
    "rate_limit_per_session": "Chat frames per minute per conversation.",
    "rate_limit_per_address": "Chat frames per minute per client address.",
    "sockets_per_address": "Open sockets and long-polls per address (IPv6: per /64); 0: no cap.",
    "session_idle_minutes": "A visitor's conversation ends this long after it went quiet.",
    "retention_days": "Chats without a referral or safety flag are deleted after this (0: kept).",
    "referral_retention_days": "Transcripts of closed referrals are deleted after this (0: kept).",
    "staff_idle_minutes": "Staff are signed out after this long without activity.",
    "handoff_wait_seconds": "How long a visitor waits for a live person before the fallback.",
    "office_hours": "When live hand-off is offered, e.g. `mon-fri 09:00-17:00`.",
    "timezone": "The practice's time zone (office hours, times in the console).",
    "review_required": "A flow draft needs another editor's approval before it is published.",
    "self_approval": "A practice with one admin: an author may approve their own draft, with a "
    "reason, recorded in the audit log as a self-approval.",
    "require_totp_for_all": "Every staff member, not only admins, must use two-step sign-in.",
    "smtp_host": "Mail server for notifications; empty: no email.",
    "smtp_port": "Mail server port.",
    "smtp_user": "Mail server user name.",
    "smtp_password": "Mail server password.",
    "smtp_from": "Sender address of notification emails.",
    "smtp_starttls": "Use STARTTLS with the mail server.",
    "notify_email": "Comma-separated addresses told about new referrals.",
    "webhook_url": "Receives a signed POST for each new referral; empty: none.",
    "webhook_secret": "The webhook's HMAC signing key.",
    "notify_include_details": "Put the visitor's answers in notifications (see notifications.md).",
    "quick_exit_url": "Where the widget's quick-exit button goes.",
    "hsts": "Strict-Transport-Security max-age in seconds (behind TLS); 0: not sent.",
    "testing": "For the test suite: no background workers.",
}
_SHOWN_DEFAULTS = {
    "data_dir": "`$XDG_DATA_HOME/intake-chat` (`~/.local/share/intake-chat`)",
    "flows_dir": "the flows bundled in the package",
    "static_dir": "the assets bundled in the package",
}


def variable(name: str) -> str:
    return "INTAKE_" + name.upper()


def check_names(env: Mapping[str, str], known: set[str]) -> None:
    """A typo such as INTAKE_PORT must not be silently ignored: stop and suggest the setting."""
    for name in sorted(env):
        if not name.startswith("INTAKE_") or name in known or name in TOOL_VARIABLES:
            continue
        if name.startswith(TOOL_PREFIX):
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        raise ConfigError(
            f"{name} is not an intake-chat setting.{hint} Every setting is in "
            "docs/configuration.md."
        )


@dataclass(frozen=True)
class Delivery:
    """Where staff notifications go: one declaration shared by ``Config`` and the notifier."""

    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "intake-chat@localhost"
    smtp_starttls: bool = False
    notify_email: tuple[str, ...] = ()
    webhook_url: str = ""
    webhook_secret: str = ""


@dataclass(frozen=True)
class Config(Delivery):
    """Every setting with a safe default; its variable is ``INTAKE_`` + the upper-cased name."""

    database_url: str = ""  # empty: a SQLite file in data_dir
    data_dir: Path = DEFAULT_DATA_DIR
    flows_dir: Path = field(default_factory=bundled.flows_dir)  # the flows shipped in the package
    static_dir: Path = field(default_factory=bundled.static_dir)
    default_flow: str = "intake"
    default_locale: str = "en"
    secret_key: str = ""  # empty: generated and kept in data_dir/secret_key
    # Encryption at rest: off unless a key is given (docs/encryption.md); never in data_dir.
    encryption_key: str = field(default="", repr=False)
    encryption_key_file: str = ""
    encryption_old_keys: tuple[str, ...] = field(default=(), repr=False)
    allowed_origins: tuple[str, ...] = ()
    public_url: str = ""  # e.g. https://intake.example.org, used in notification links
    trust_proxy: int = 0  # reverse proxies in front whose X-Forwarded-* headers are believed
    max_frame_bytes: int = 8192
    max_text_chars: int = 2000
    rate_limit_per_session: int = 30  # frames per minute
    rate_limit_per_address: int = 120  # frames per minute
    sockets_per_address: int = 20  # open sockets + long-polls per address (IPv6: /64); 0: no cap
    session_idle_minutes: int = 60 * 24
    # Conversations without a referral or safety flag are deleted this long after they went
    # quiet (0: kept forever); transcripts behind closed referrals only when the practice says so.
    retention_days: int = 30
    referral_retention_days: int = 0
    staff_idle_minutes: int = 15
    handoff_wait_seconds: int = 120
    office_hours: str = "mon-fri 09:00-17:00"
    timezone: str = "America/New_York"
    review_required: bool = True
    # Off by default (four eyes); on, the author's approval is allowed and audited as such.
    self_approval: bool = False
    require_totp_for_all: bool = False
    notify_include_details: bool = False
    quick_exit_url: str = "https://www.weather.gov/"
    hsts: int = 0  # Strict-Transport-Security max-age in seconds behind TLS; 0: not sent
    testing: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Settings with a grammar are parsed now, so a typo stops start-up naming the variable.
        hours_from_config(self.office_hours, self.timezone)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Read ``INTAKE_*`` variables; keyword overrides win (tests use them)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        check_names(env, {variable(f.name) for f in fields(cls) if f.name != "extra"})
        for f in fields(cls):
            if f.name == "extra":
                continue
            name = variable(f.name)
            if name in env:
                parser = _PARSERS[str(f.type)]
                values[f.name] = parser(name, env[name])
        values.update(overrides)
        return cls(**values)

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'intake-chat.sqlite3'}"

    def prepare_data_dir(self) -> None:
        """The data folder holds the database and the secret key: only its owner may enter it."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.data_dir.stat().st_mode & 0o077:
            self.data_dir.chmod(0o700)

    def keyring(self) -> Keyring | None:
        """The encryption keys, or None when encryption at rest is off; a key that cannot be
        read or parsed stops start-up naming its setting."""
        if self.encryption_key and self.encryption_key_file:
            raise ConfigError(
                "INTAKE_ENCRYPTION_KEY and INTAKE_ENCRYPTION_KEY_FILE are both set: give one"
            )
        text, setting = self.encryption_key, "INTAKE_ENCRYPTION_KEY"
        if self.encryption_key_file:
            setting = "INTAKE_ENCRYPTION_KEY_FILE"
            try:
                text = Path(self.encryption_key_file).expanduser().read_text(encoding="ascii")
            except (OSError, UnicodeError) as error:
                raise ConfigError(f"{setting}: cannot read the key file: {error}") from None
            if not text.strip():
                raise ConfigError(f"{setting}: the key file is empty")
        if not text:
            if self.encryption_old_keys:
                raise ConfigError(
                    "INTAKE_ENCRYPTION_OLD_KEYS is set without INTAKE_ENCRYPTION_KEY or "
                    "INTAKE_ENCRYPTION_KEY_FILE"
                )
            return None
        try:
            current = Key.parse(text, setting)
            older = [Key.parse(k, "INTAKE_ENCRYPTION_OLD_KEYS") for k in self.encryption_old_keys]
        except EncryptionError as error:
            raise ConfigError(str(error)) from None
        return Keyring.build(current, older)

    def load_secret_key(self) -> str:
        """Keep one random key per install so staff sessions survive restarts."""
        if self.secret_key:
            return self.secret_key
        self.prepare_data_dir()
        path = self.data_dir / "secret_key"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
        return path.read_text().strip()


def _shown_default(f: Any) -> str:
    if f.name in _SHOWN_DEFAULTS:
        return _SHOWN_DEFAULTS[f.name]
    value = f.default
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if value in ("", ()):
        return "empty"
    return f"`{value}`"


def settings_markdown() -> str:
    """docs/configuration.md: every setting of ``Config``, so the list cannot drift from it."""
    lines = [
        "# Configuration",
        "",
        "<!-- Generated from intake_chat/core/config.py (Config and HELP); do not edit by hand:",
        "     python -c 'from intake_chat.core.config import settings_markdown as m;",
        '     open("docs/configuration.md", "w").write(m())\' -->',
        "",
        "Every setting is an environment variable, read once at start-up. A bad value, or an",
        "`INTAKE_*` variable that is not a setting (a typo), stops start-up naming it.",
        "Lists are comma-separated; true/false accept `1`/`0`, `yes`/`no`, `on`/`off`.",
        "",
        "| Variable | Default | Meaning |",
        "|---|---|---|",
    ]
    by_name = {f.name: f for f in fields(Config)}
    for name in HELP:  # HELP's order, which groups the settings as a reader looks for them
        f = by_name[name]
        lines.append(f"| `{variable(f.name)}` | {_shown_default(f)} | {HELP[f.name]} |")
    return "\n".join(lines) + "\n"
