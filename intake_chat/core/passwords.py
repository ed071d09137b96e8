"""Staff credentials without IO: argon2id password hashes, the password policy and TOTP (RFC 6238).

Kept apart from auth.py so it can be tested and used by the CLI without an app. Imports nothing from
Flask or the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from functools import lru_cache
from importlib import resources
from urllib.parse import quote, urlencode

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 takes any length; a cap keeps a pasted novel from being hashed
TOTP_STEP = 30
TOTP_DIGITS = 6
TOTP_ISSUER = "Intake Chat"
SEALED_PREFIX = "v1:"  # a sealed TOTP secret; anything else in the column is a clear one
_SEAL_INFO = b"intake-chat totp secret v1"
_SEAL_AAD = b"totp"

# argon2-cffi's default is RFC 9106's low-memory argon2id profile (t=3, m=64 MiB, p=4); tests
# swap in a cheaper hasher through ``use_hasher`` because each hash costs ~0.1 s here.
_hasher = PasswordHasher()
# A real hash of a random password, verified against when the account does not exist, so an unknown
# email costs as much time as a wrong password.
_DUMMY_HASH: list[str] = []


def use_hasher(hasher: PasswordHasher) -> None:
    """Replace the hasher (tests use a cheap one; production keeps the default)."""
    global _hasher
    _hasher = hasher
    _DUMMY_HASH.clear()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's, so login can upgrade it."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def burn_verify_time(password: str) -> None:
    """Spend a real verification so unknown accounts answer as slowly as known ones."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(_hasher.hash(secrets.token_urlsafe(16)))
    verify_password(_DUMMY_HASH[0], password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("intake_chat").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def _core(password: str) -> str:
    """The word inside the usual decorations: 'Password2025!' -> 'password'."""
    return password.lower().strip("0123456789!@#$%^&*()_+-=.,?~ ")


def password_problems(password: str, email: str = "") -> list[str]:
    """Why a new password is refused (empty when fine): length, not composition (NIST 800-63B)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(
            f"Use at least {MIN_LENGTH} characters; a short sentence is easy to remember."
        )
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    common = common_passwords()
    core = _core(password)
    if lowered in common or (core and core in common) or len(set(lowered)) <= 2:
        problems.append("This password is too common or too simple; pick something less guessable.")
    local = email.split("@", 1)[0].lower()
    if local and len(local) >= 3 and local in lowered:
        problems.append("Do not use your email address in your password.")
    return problems


def totp_new_secret() -> str:
    """160 random bits, base32 without padding, as authenticator apps expect."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _secret_bytes(secret_b32: str) -> bytes:
    cleaned = secret_b32.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, digits: int = TOTP_DIGITS, digest: str = "sha1") -> str:
    """RFC 4226: HMAC the big-endian counter, dynamic truncation, modulo 10^digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def totp_code(secret_b32: str, at: float, digits: int = TOTP_DIGITS) -> str:
    return hotp(_secret_bytes(secret_b32), int(at) // TOTP_STEP, digits)


def totp_match(secret_b32: str, code: str, at: float, last_step: int | None = None) -> int | None:
    """The time step the code belongs to (now, or one step either side for clock drift), else None.

    A step at or before ``last_step`` is refused, so a code seen over someone's shoulder cannot be
    replayed.
    """
    code = code.replace(" ", "").strip()
    # isascii: '²' is a digit to str.isdigit(), and compare_digest raises on non-ASCII text.
    if not (code.isascii() and code.isdigit() and len(code) == TOTP_DIGITS):
        return None
    try:
        key = _secret_bytes(secret_b32)
    except ValueError:
        return None
    now_step = int(at) // TOTP_STEP
    for step in (now_step, now_step - 1, now_step + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def totp_key(secret_key: str) -> bytes:
    """The key that seals TOTP secrets at rest, derived (HKDF-SHA256) from the app's secret key:
    a copy of the database alone gives no second factor. Rotating the secret key therefore
    invalidates every enrolled authenticator (``intake-chat staff reset-totp`` re-enrols)."""
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEAL_INFO)
    return kdf.derive(secret_key.encode("utf-8"))


def seal_secret(secret_b32: str, key: bytes) -> str:
    """AES-256-GCM with a random nonce; the result fits the 255-character column."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, secret_b32.encode("ascii"), _SEAL_AAD)
    return SEALED_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def is_sealed(stored: str) -> bool:
    return stored.startswith(SEALED_PREFIX)


def open_secret(stored: str, key: bytes) -> str | None:
    """The clear secret, or None when it is not sealed or was sealed with another key (a
    clear value is never used as a secret: start-up seals what an older version stored)."""
    if not is_sealed(stored):
        return None
    try:
        raw = base64.urlsafe_b64decode(stored[len(SEALED_PREFIX) :].encode("ascii"))
        return AESGCM(key).decrypt(raw[:12], raw[12:], _SEAL_AAD).decode("ascii")
    except (InvalidTag, ValueError, UnicodeError):
        return None


def totp_uri(secret_b32: str, account: str, issuer: str = TOTP_ISSUER) -> str:
    """The otpauth:// URI an authenticator app accepts when typed or pasted (we show no QR code)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {
            "secret": secret_b32,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": TOTP_DIGITS,
            "period": TOTP_STEP,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def group_secret(secret_b32: str) -> str:
    """The secret in groups of four, easier to type into a phone."""
    return " ".join(secret_b32[i : i + 4] for i in range(0, len(secret_b32), 4))


def new_api_token() -> str:
    """An integration token: a recognisable prefix (secret scanners find it) and 256 random bits."""
    return "ict_" + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What we store for a session id or API token: its SHA-256, so a leak gives no live token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
