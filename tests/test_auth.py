"""Staff credentials: argon2id hashes, the password policy, TOTP against RFC 6238's own vectors."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlparse

import pytest

from intake_chat import passwords

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


def test_it_hashes_with_argon2id_and_verifies() -> None:
    stored = passwords.hash_password("a long enough passphrase")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "a long enough passphrase")
    assert not passwords.verify_password(stored, "a long enough passphrasE")


def test_it_treats_a_broken_hash_as_a_wrong_password() -> None:
    assert not passwords.verify_password("not-a-hash", "anything at all")
    assert passwords.needs_rehash("not-a-hash")


@pytest.mark.parametrize(
    "candidate",
    [
        "short",
        "Password2025!",
        "qwertyuiop123",
        "123456789012",
        "iloveyou123456",
        "aaaaaaaaaaaaaaa",
        "abababababababab",
        "LetMeIn!!!!!!!!",
    ],
)
def test_it_refuses_short_or_common_passwords(candidate: str) -> None:
    assert passwords.password_problems(candidate) != []


@pytest.mark.parametrize("candidate", ["blue kettle on a quiet porch", "x7-harbour-lantern-9"])
def test_it_accepts_long_uncommon_passwords_without_composition_rules(candidate: str) -> None:
    assert passwords.password_problems(candidate) == []


def test_it_refuses_a_password_containing_the_email_name() -> None:
    assert passwords.password_problems("maria.lopez-garden-7", "maria.lopez@example.org") != []


def test_the_common_password_list_ships_with_over_a_thousand_entries() -> None:
    common = passwords.common_passwords()
    assert len(common) > 1000
    assert {"password", "qwerty123", "1qaz2wsx3edc"} <= common


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_matches_rfc_6238_sha1_vectors(at: int, expected: str) -> None:
    assert passwords.totp_code(RFC_SECRET, at, digits=8) == expected


def test_totp_accepts_one_step_of_clock_drift_and_no_more() -> None:
    secret = passwords.totp_new_secret()
    now = 1_700_000_000
    assert passwords.totp_match(secret, passwords.totp_code(secret, now - 30), now) is not None
    assert passwords.totp_match(secret, passwords.totp_code(secret, now + 30), now) is not None
    assert passwords.totp_match(secret, passwords.totp_code(secret, now - 90), now) is None


def test_totp_refuses_a_replayed_code() -> None:
    secret = passwords.totp_new_secret()
    now = 1_700_000_000
    code = passwords.totp_code(secret, now)
    step = passwords.totp_match(secret, code, now)
    assert step == now // 30
    assert passwords.totp_match(secret, code, now + 5, last_step=step) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_totp_refuses_malformed_codes_without_raising(code: str) -> None:
    assert passwords.totp_match(passwords.totp_new_secret(), code, 1_700_000_000) is None


def test_totp_uri_carries_the_secret_issuer_and_account() -> None:
    uri = passwords.totp_uri("JBSWY3DPEHPK3PXP", "ana@example.org")
    parsed = urlparse(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
    assert parsed.path == "/Intake%20Chat:ana@example.org"
    query = parse_qs(parsed.query)
    assert query["secret"] == ["JBSWY3DPEHPK3PXP"]
    assert query["issuer"] == ["Intake Chat"]
    assert query["period"] == ["30"] and query["digits"] == ["6"]
