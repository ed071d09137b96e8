"""Encryption at rest without IO: data keys, their ids, and AES-256-GCM sealed values.

A sealed value is ``enc1:<key id>:<base64url(nonce + ciphertext + tag)>``; the key id in it lets
a rotation re-encrypt one value at a time, and the associated data binds it to its place
(``table.column``) so a value copied into another column does not open. Imports nothing from
Flask or the database (storage/sealed.py applies this to columns).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import EncryptionError

PREFIX = "enc1:"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # random per value: 2**32 values per key keep the collision risk negligible
_KEY_ID_CONTEXT = b"intake-chat key id v1\x00"
# What a start-up check opens to prove a key is the one the database was encrypted with.
CHECK_PLACE = "encryption_keys.check_value"
CHECK_TEXT = b"intake-chat encryption check v1"


def new_key() -> str:
    """A fresh random key as text (43 URL-safe base64 characters), for a file or a variable."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class Key:
    """One data key; ``id`` is derived from it (a hash: it says which key, not what it is)."""

    secret: bytes = field(repr=False)
    id: str

    @classmethod
    def parse(cls, text: str, setting: str) -> Key:
        """The key written as ``new_key()`` writes it; a bad one names the setting it came from."""
        raw = text.strip()
        try:
            secret = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        except (binascii.Error, ValueError):
            secret = b""
        if len(secret) != KEY_BYTES or not raw:
            raise EncryptionError(
                f"{setting} is not an encryption key: expected 43 URL-safe base64 characters "
                "as `intake-chat db new-key` prints them"
            )
        return cls(secret, key_id(secret))


def key_id(secret: bytes) -> str:
    return hashlib.sha256(_KEY_ID_CONTEXT + secret).hexdigest()[:8]


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def key_id_of(token: str) -> str:
    """The id of the key a sealed value was sealed with ("" when it is not a sealed value)."""
    if not is_sealed(token):
        return ""
    return token[len(PREFIX) :].split(":", 1)[0]


def _aad(place: str) -> bytes:
    return b"intake-chat v1\x00" + place.encode("utf-8")


@dataclass(frozen=True)
class Keyring:
    """The key new values are sealed with, and older keys that still open what they sealed
    (given while a rotation runs)."""

    current: Key
    older: tuple[Key, ...] = ()

    @classmethod
    def build(cls, current: Key, older: Iterable[Key] = ()) -> Keyring:
        """Older keys without duplicates and without the current one."""
        seen = {current.id}
        kept = []
        for key in older:
            if key.id not in seen:
                seen.add(key.id)
                kept.append(key)
        return cls(current, tuple(kept))

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.current.id, *(key.id for key in self.older))

    def find(self, kid: str) -> Key | None:
        for key in (self.current, *self.older):
            if key.id == kid:
                return key
        return None

    def seal(self, plain: bytes, place: str) -> str:
        """``plain`` sealed with the current key for the column ``place`` (``table.column``)."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.current.secret).encrypt(nonce, plain, _aad(place))
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{PREFIX}{self.current.id}:{body}"

    def open(self, token: str, place: str) -> bytes:
        """The clear bytes; EncryptionError when the key is not in the ring, or the value was
        changed, truncated or moved from another column."""
        kid = key_id_of(token)
        key = self.find(kid)
        if key is None:
            raise EncryptionError(
                f"a value in {place} is sealed with key {kid or '?'}, which is not configured "
                "(INTAKE_ENCRYPTION_KEY, or INTAKE_ENCRYPTION_OLD_KEYS while a rotation runs)"
            )
        try:
            raw = base64.urlsafe_b64decode(token[len(PREFIX) + len(kid) + 1 :].encode("ascii"))
            return AESGCM(key.secret).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(place))
        except (InvalidTag, ValueError, binascii.Error) as error:
            raise EncryptionError(
                f"a value in {place} does not open with key {kid}: it was changed or moved"
            ) from error


def check_value(key: Key) -> str:
    """A known text sealed with ``key``, kept beside the data: opening it at start-up proves the
    configured key is the right one before anything is read or written."""
    return Keyring(key).seal(CHECK_TEXT, CHECK_PLACE)


def opens_check(key: Key, check: str) -> bool:
    try:
        return Keyring(key).open(check, CHECK_PLACE) == CHECK_TEXT
    except EncryptionError:
        return False
