"""Encryption at rest: with a key, what visitors and staff typed is sealed in every table (raw SQL
finds no marker), reads back through the app, search and exports; a wrong or missing key stops
start-up; ``db encrypt`` seals rows stored before the key; ``db rotate-key`` moves every value to
a new key, also after being killed mid-way (a real process, SIGKILL). Real engine, real database
(SQLite file; PostgreSQL when INTAKE_TEST_DATABASE_URL is set), the real CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flow_helpers import PRIVACY_FLOW, fresh_flow
from test_erasure import file_bytes, marker_places, referral_with_everything
from test_privacy import Visitor, run_cli, settings

from intake_chat.app import erasure, fhir_export
from intake_chat.app.service import Service, safety_from_rules
from intake_chat.core import sealing
from intake_chat.core.config import Config
from intake_chat.core.errors import ConfigError, EncryptionError, StorageError
from intake_chat.core.sealing import Key, Keyring
from intake_chat.storage import Database, metadata, resealing, unanswered
from intake_chat.storage import accounts as staff_store
from intake_chat.storage import conversations as store
from intake_chat.storage.sealed import sealed_columns

ROOT = Path(__file__).resolve().parent.parent
MARKER = "QZ-ERASE-7731"  # the marker test_erasure's helpers type everywhere
KEY_A = sealing.new_key()
KEY_B = sealing.new_key()


def ring(current: str, *older: str) -> Keyring:
    return Keyring.build(Key.parse(current, "test"), [Key.parse(k, "test") for k in older])


def opened(database_url: str, keyring: Keyring | None) -> Database:
    database = Database(database_url, keyring=keyring)
    database.migrate()
    return database


@pytest.fixture
def sealed_db(database_url: str) -> Iterator[Database]:
    database = opened(database_url, ring(KEY_A))
    yield database
    database.dispose()


def service_on(db: Database, tmp_path: Path, rules: Any) -> Service:
    flow = fresh_flow(PRIVACY_FLOW)
    return Service(db, {flow.id: flow}, settings(tmp_path), safety=safety_from_rules(rules))


def raw_places(db: Database, needle: str) -> list[str]:
    """``table`` of every row whose stored text holds ``needle``, read with plain SQL (no column
    types, so nothing is opened), in every table the database has."""
    found = set()
    with db.engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            for row in conn.exec_driver_sql(f'SELECT * FROM "{table}"'):
                if any(needle in str(value) for value in row):
                    found.add(table)
    return sorted(found)


def stored_key_ids(db: Database) -> dict[str, int]:
    """Key id → how many stored values it sealed ("" for values in clear), by plain SQL."""
    counts: dict[str, int] = {}
    with db.engine.connect() as conn:
        for column in sealed_columns(metadata):
            query = f'SELECT CAST("{column.name}" AS TEXT) FROM "{column.table.name}"'
            for (text,) in conn.exec_driver_sql(query):
                if text is None or text == "null":
                    continue
                kid = sealing.key_id_of(text.strip('"'))
                counts[kid] = counts.get(kid, 0) + 1
    return counts


def everything_read(db: Database) -> list[Any]:
    """What the app reads back of every conversation: transcripts, referrals, notes, questions."""
    with db.read() as conn:
        ids = sorted(conn.execute(sa.select(store.sessions.c.id)).scalars())
        seen: list[Any] = []
        for session_id in ids:
            seen.append(store.get_session(conn, session_id))
            seen.append([{**e, "at": None} for e in store.transcript(conn, session_id)])
            for referral in store.referrals_for_session(conn, session_id):
                seen.append((referral["answers"], referral["display"]))
                seen.append([n["body"] for n in staff_store.notes_for(conn, referral["id"])])
        seen.append([q.text for q in unanswered.list_questions(conn)])
    return seen


def read_with(database_url: str, keyring: Keyring) -> list[Any]:
    """``everything_read`` by a database opened (and checked) with only these keys."""
    database = opened(database_url, keyring)
    try:
        return everything_read(database)
    finally:
        database.dispose()


def assert_refused(database_url: str, keyring: Keyring | None, says: str) -> None:
    """Start-up with these keys stops with ``says``, and so does any write tried anyway."""
    database = Database(database_url, keyring=keyring)
    try:
        with pytest.raises(EncryptionError, match=says):
            database.migrate()
        with pytest.raises(EncryptionError, match=says):
            database.write(lambda conn: None)
    finally:
        database.dispose()


def some_conversations(db: Database, tmp_path: Path, rules: Any, count: int) -> None:
    service = service_on(db, tmp_path, rules)
    for n in range(count):
        visitor = Visitor(service).start()
        visitor.reply(text=f"question {n} {MARKER}")
        visitor.reply(choice="accept")
        visitor.reply(text=f"Name{n} {MARKER}")
        visitor.reply(choice="red")


# --- the sealed value ---------------------------------------------------------------------------


def test_a_sealed_value_opens_only_with_its_key_in_its_column() -> None:
    keys = ring(KEY_A)
    token = keys.seal(b"Ana", "referrals.answers")
    assert token.startswith(f"enc1:{keys.current.id}:") and "Ana" not in token
    assert keys.open(token, "referrals.answers") == b"Ana"
    assert keys.seal(b"Ana", "referrals.answers") != token  # a fresh nonce each time
    with pytest.raises(EncryptionError, match="changed or moved"):
        keys.open(token, "referral_notes.body")
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(EncryptionError, match="changed or moved"):
        keys.open(tampered, "referrals.answers")
    with pytest.raises(EncryptionError, match="not configured"):
        ring(KEY_B).open(token, "referrals.answers")
    assert ring(KEY_B, KEY_A).open(token, "referrals.answers") == b"Ana"


@pytest.mark.parametrize("bad", ["", "short", "!" * 43, sealing.new_key() + "AAAA"])
def test_a_key_that_is_not_one_is_refused_naming_its_setting(bad: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="INTAKE_ENCRYPTION_KEY_FILE"):
        path = tmp_path / "key"
        path.write_text(bad)
        Config.from_env({"INTAKE_ENCRYPTION_KEY_FILE": str(path)}, data_dir=tmp_path).keyring()


def test_keys_come_from_a_variable_or_a_file_never_both(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text(KEY_A + "\n")
    env = {"INTAKE_ENCRYPTION_KEY_FILE": str(path), "INTAKE_ENCRYPTION_OLD_KEYS": KEY_B}
    from_file = Config.from_env(env, data_dir=tmp_path).keyring()
    assert from_file is not None and from_file.ids == ring(KEY_A, KEY_B).ids
    assert Config.from_env({}, data_dir=tmp_path).keyring() is None  # off by default
    with pytest.raises(ConfigError, match="both set"):
        Config.from_env({**env, "INTAKE_ENCRYPTION_KEY": KEY_A}, data_dir=tmp_path).keyring()
    with pytest.raises(ConfigError, match="MISSING"):
        Config.from_env({"INTAKE_ENCRYPTION_KEY_FILE": str(tmp_path / "MISSING")}).keyring()
    assert KEY_A not in repr(Config.from_env({"INTAKE_ENCRYPTION_KEY": KEY_A}, data_dir=tmp_path))


# --- round trip -------------------------------------------------------------------------------


def test_with_a_key_nothing_typed_is_stored_in_clear_and_all_of_it_reads_back(
    sealed_db: Database, database_url: str, tmp_path: Path, rules: Any
) -> None:
    service = service_on(sealed_db, tmp_path, rules)
    referral_id, session_id = referral_with_everything(service, sealed_db)
    with sealed_db.transaction() as conn:
        unanswered.record(conn, flow_id="intake", locale="en", node="topic", text=f"? {MARKER}")
    in_crisis = Visitor(service).start()  # alerts staff: audit, outbox and flags as well
    in_crisis.reply(text=f"I want to kill myself {MARKER}")
    assert in_crisis.session.crisis_level == "crisis"

    assert raw_places(sealed_db, MARKER) == []
    assert raw_places(sealed_db, "Ana") == []
    if database_url.startswith("sqlite"):
        assert MARKER.encode() not in file_bytes(database_url)
    assert set(stored_key_ids(sealed_db)) == {sealed_db.sealing.keyring.current.id}  # type: ignore[union-attr]

    # Through the column types everything opens again, wherever it was typed.
    assert marker_places(sealed_db) == [
        "events.payload",
        "live_requests.resume_state",
        "referral_notes.body",
        "referrals.answers",
        "referrals.display",
        "sessions.state",
        "unanswered_questions.text",
    ]
    with sealed_db.read() as conn:
        texts = [e.get("text") for e in store.transcript(conn, session_id)]
        referral = store.get_referral(conn, referral_id)
    assert f"about {MARKER}" in texts and f"Hi {MARKER}" in texts
    assert referral is not None and referral["answers"]["first_name"] == f"Ana {MARKER}"

    # The visitor resumes the conversation from its sealed state.
    visitor = Visitor(service).start()
    visitor.reply(text="hello")
    again = visitor.send(type="resume", after=0, token=visitor.token)
    assert [e["text"] for e in again if e["type"] == "visitor"] == ["hello"]


def test_search_fhir_and_erasure_work_on_sealed_values(
    sealed_db: Database, tmp_path: Path, rules: Any
) -> None:
    service = service_on(sealed_db, tmp_path, rules)
    referral_id, session_id = referral_with_everything(service, sealed_db)
    with sealed_db.transaction() as conn:
        session = store.get_session(conn, session_id)
        assert session is not None
        store.insert_referral(
            conn,
            session=session,
            mode="queued",
            answers={"phone": "+1 774-218-5440"},
            now=session.created_at,
        )
    with sealed_db.read() as conn:

        def found(query: str) -> list[str]:
            rows = staff_store.list_referrals(conn, staff_store.InboxFilter(query=query))
            return [row["id"] for row in rows]

        assert found(MARKER.lower()) == [referral_id]
        assert found(referral_id) == [referral_id]
        assert len(found("774 218 5440")) == 1 and found("nobody-like-this") == []
        assert staff_store.count_referrals(conn, staff_store.InboxFilter(query=MARKER)) == 1
        assert found(MARKER) == [
            row["id"]
            for row in staff_store.list_referrals(conn, staff_store.InboxFilter())
            if MARKER in str(row["answers"])
        ]
    bundle = fhir_export.referral_bundle(sealed_db, referral_id)
    assert bundle is not None and f"Ana {MARKER}" in fhir_export.dumps(bundle)

    erasure.erase_referral(sealed_db, referral_id, actor="cli")
    assert marker_places(sealed_db) == []
    with sealed_db.read() as conn:
        assert store.get_session(conn, session_id) is None


def test_the_console_csv_export_and_fhir_download_read_sealed_referrals(
    database_url: str, tmp_path: Path
) -> None:
    from staff_helpers import build_console

    console = build_console(tmp_path, database_url=database_url, encryption_key=KEY_A)
    try:
        assert raw_places(console.db, "ana@example.org") == []
        client, _csrf = console.client("coordinator")
        csv = client.get("/staff/referrals/export.csv?q=ana")
        assert csv.status_code == 200 and "ana@example.org" in csv.text
        fhir = client.get(f"/staff/referrals/{console.referral_id}/fhir.json")
        assert fhir.status_code == 200 and "ana@example.org" in fhir.text
    finally:
        console.db.dispose()


# --- a wrong or missing key -------------------------------------------------------------------


def test_a_missing_or_wrong_key_stops_start_up_and_nothing_is_written(
    sealed_db: Database, database_url: str, tmp_path: Path, rules: Any
) -> None:
    some_conversations(sealed_db, tmp_path, rules, 1)
    before = stored_key_ids(sealed_db)

    for keyring, says in (
        (None, "no key is configured: set INTAKE_ENCRYPTION_KEY or INTAKE_ENCRYPTION_KEY_FILE"),
        (ring(KEY_B), "INTAKE_ENCRYPTION_KEY .* is not this database's key"),
    ):
        assert_refused(database_url, keyring, says)

    result = run_cli(database_url, tmp_path, "db", "migrate", INTAKE_ENCRYPTION_KEY=KEY_B)
    assert result.exit_code == 1 and "is not this database's key" in result.output
    result = run_cli(database_url, tmp_path, "db", "migrate")
    assert result.exit_code == 1 and "INTAKE_ENCRYPTION_KEY_FILE" in result.output
    served = run_cli(database_url, tmp_path, "serve", "--port", "0", INTAKE_ENCRYPTION_KEY=KEY_B)
    assert served.exit_code == 1 and "is not this database's key" in served.output
    config = Config.from_env({}, data_dir=tmp_path, database_url=database_url, testing=True)
    from intake_chat import create_app

    with pytest.raises(EncryptionError, match="no key is configured"):
        create_app(config)
    assert stored_key_ids(sealed_db) == before


def test_a_sealed_value_is_never_read_or_written_by_a_database_without_its_key(
    sealed_db: Database, database_url: str, tmp_path: Path, rules: Any
) -> None:
    some_conversations(sealed_db, tmp_path, rules, 1)
    unchecked = Database(database_url)  # opened without migrate: the first write checks
    try:
        with pytest.raises(StorageError, match="no key is configured"), unchecked.read() as conn:
            store.get_session(conn, conn.execute(sa.select(store.sessions.c.id)).scalar_one())
        # Even around Database.transaction, a sealed column is not written before the check.
        refused = "before the database's encryption state"
        with pytest.raises(sa.exc.StatementError, match=refused), unchecked.engine.begin() as conn:
            store.update_session(conn, "no-such-session", state={"first_name": MARKER})
    finally:
        unchecked.dispose()


# --- turning it on for a database with clear rows, rotating -----------------------------------


def test_db_encrypt_seals_what_was_stored_before_the_key(
    database_url: str, tmp_path: Path, rules: Any
) -> None:
    clear = opened(database_url, None)
    some_conversations(clear, tmp_path, rules, 3)
    read_clear = everything_read(clear)
    assert "sessions" in raw_places(clear, MARKER)
    clear.dispose()

    # The key turns encryption on: new values sealed, older ones still read.
    keyed = opened(database_url, ring(KEY_A))
    assert everything_read(keyed) == read_clear
    dry = run_cli(database_url, tmp_path, "db", "encrypt", "--dry-run", INTAKE_ENCRYPTION_KEY=KEY_A)
    assert dry.exit_code == 0 and "events.payload: " in dry.output
    done = run_cli(
        database_url, tmp_path, "db", "encrypt", "--batch-size", "7", INTAKE_ENCRYPTION_KEY=KEY_A
    )
    assert done.exit_code == 0, done.output
    assert "nothing is stored in clear" in done.output
    assert raw_places(keyed, MARKER) == []
    assert set(stored_key_ids(keyed)) == {keyed.sealing.keyring.current.id}  # type: ignore[union-attr]
    assert everything_read(keyed) == read_clear
    keyed.dispose()


def test_rotate_key_moves_every_value_to_the_new_key_and_retires_the_old(
    sealed_db: Database, database_url: str, tmp_path: Path, rules: Any
) -> None:
    some_conversations(sealed_db, tmp_path, rules, 3)
    before = everything_read(sealed_db)
    a, b = Key.parse(KEY_A, "a").id, Key.parse(KEY_B, "b").id
    env = {"INTAKE_ENCRYPTION_KEY": KEY_B, "INTAKE_ENCRYPTION_OLD_KEYS": KEY_A}

    result = run_cli(database_url, tmp_path, "db", "rotate-key", "--batch-size", "4", **env)

    assert result.exit_code == 0, result.output
    assert f"retired key(s) {a}" in result.output
    assert set(stored_key_ids(sealed_db)) == {b}
    statuses = {row["key_id"]: row["status"] for row in resealing.key_rows(sealed_db)}
    assert statuses == {a: "retired", b: "current"}
    assert read_with(database_url, ring(KEY_B)) == before  # the old key is no longer needed
    assert_refused(database_url, ring(KEY_A), "has replaced with")


def test_a_rotation_killed_mid_way_resumes_and_finishes(
    sealed_db: Database, database_url: str, tmp_path: Path, rules: Any
) -> None:
    some_conversations(sealed_db, tmp_path, rules, 6)
    before = everything_read(sealed_db)
    a, b = Key.parse(KEY_A, "a").id, Key.parse(KEY_B, "b").id
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env.update(
        INTAKE_DATABASE_URL=database_url,
        INTAKE_DATA_DIR=str(tmp_path),
        INTAKE_ENCRYPTION_KEY=KEY_B,
        INTAKE_ENCRYPTION_OLD_KEYS=KEY_A,
    )
    command = [sys.executable, "-c", "from intake_chat.cli import main; main()", "db"]
    rotate = [*command, "rotate-key", "--batch-size", "3", "--pause", "0.05"]
    process = subprocess.Popen(rotate, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        batches = [process.stdout.readline() for _ in range(4)]
        assert all(line.endswith("done\n") for line in batches), batches
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(30)
        if process.stdout is not None:
            process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    half = stored_key_ids(sealed_db)
    assert half.get(a, 0) > 0 and half.get(b, 0) > 0  # killed mid-way: both keys in use

    again = subprocess.run(rotate, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert again.returncode == 0, again.stderr
    assert f"retired key(s) {a}" in again.stdout
    assert set(stored_key_ids(sealed_db)) == {b}
    assert sum(stored_key_ids(sealed_db).values()) == sum(half.values())
    assert read_with(database_url, ring(KEY_B)) == before


def test_new_key_prints_a_key_or_writes_a_private_file_once(tmp_path: Path) -> None:
    printed = run_cli("sqlite://", tmp_path, "db", "new-key")
    assert printed.exit_code == 0 and Key.parse(printed.output, "printed").id
    path = tmp_path / "intake.key"
    written = run_cli("sqlite://", tmp_path, "db", "new-key", "-o", str(path))
    assert written.exit_code == 0 and path.stat().st_mode & 0o777 == 0o600
    assert Key.parse(path.read_text(), "file").id in written.output
    again = run_cli("sqlite://", tmp_path, "db", "new-key", "-o", str(path))
    assert again.exit_code == 1 and "never overwritten" in again.output
