"""storage: the database file, per-area migrations, all-or-nothing transactions and the chat tables.

Runs on a real SQLite file and, when INTAKE_TEST_DATABASE_URL is set, a fresh PostgreSQL schema.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event, exc

from intake_chat import storage
from intake_chat.storage import Area, Database, StorageError, metadata, utcnow
from intake_chat.storage import conversations as chat


def new_session(conn: sa.Connection, token_hash: str = "a" * 64) -> chat.SessionRow:
    now = utcnow()
    return chat.create_session(
        conn,
        token_hash=token_hash,
        flow_id="intake",
        flow_version=1,
        flow_digest="d" * 64,
        locale="en",
        now=now,
        expires_at=now,
    )


def test_it_creates_the_sqlite_file_and_its_folder_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "intake.sqlite3"
    database = Database(f"sqlite:///{path}")
    versions = database.migrate()
    assert versions["chat"] == len(chat.MIGRATIONS)
    assert set(versions) == {area.name for area in storage.discover_areas()}
    assert path.exists()
    with database.read() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 5000,
    }
    database.dispose()


def test_migrating_twice_changes_nothing(db: Database) -> None:
    before = db.versions()
    assert db.migrate() == before
    assert before["chat"] == len(chat.MIGRATIONS)


def test_a_new_area_migrates_on_its_own_counter_and_upgrades_old_databases(db: Database) -> None:
    things = sa.Table(
        "test_things",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(20)),
        sa.Column("colour", sa.String(20)),
    )

    def create_v1(conn: sa.Connection) -> None:
        conn.exec_driver_sql("CREATE TABLE test_things (id INTEGER PRIMARY KEY, name VARCHAR(20))")

    def add_colour(conn: sa.Connection) -> None:
        conn.exec_driver_sql("ALTER TABLE test_things ADD COLUMN colour VARCHAR(20)")

    old = Area("things", tables=(things,), migrations=(create_v1,))
    # Version 1 recorded as an old release would have left it, then the new release adds a column.
    db.migrate([old])
    with db.transaction() as conn:
        conn.exec_driver_sql("DROP TABLE test_things")
        create_v1(conn)
        conn.execute(sa.text("INSERT INTO test_things (id, name) VALUES (1, 'kept')"))
    new = Area("things", tables=(things,), migrations=(create_v1, add_colour))
    assert db.migrate([new]) == {"things": 2}
    versions = db.versions()
    assert (versions["chat"], versions["things"]) == (len(chat.MIGRATIONS), 2)
    with db.read() as conn:
        assert conn.execute(sa.select(things)).all() == [(1, "kept", None)]


def test_areas_migrate_after_the_areas_they_depend_on() -> None:
    areas = storage.discover_areas()
    names = [area.name for area in areas]
    assert "chat" in names
    for area in areas:
        for dep in area.depends:
            assert names.index(dep) < names.index(area.name)


def test_every_table_belongs_to_exactly_one_area() -> None:
    owned = [table.name for area in storage.discover_areas() for table in area.tables]
    assert len(owned) == len(set(owned))
    assert set(owned) | {"schema_versions"} >= set(metadata.tables) - {"schema_versions"}


def test_a_failed_transaction_leaves_nothing_behind(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as conn:
        session = new_session(conn)
        chat.append_events(
            conn, session.id, 1, [{"type": "message", "text": "hi"}], frame_id=None, now=utcnow()
        )
        raise RuntimeError("the engine failed")
    with db.read() as conn:
        assert chat.find_session(conn, "a" * 64) is None
        assert conn.execute(sa.select(sa.func.count()).select_from(chat.events)).scalar() == 0


def test_the_event_log_refuses_a_second_event_with_the_same_seq(db: Database) -> None:
    with db.transaction() as conn:
        session = new_session(conn)
        chat.append_events(
            conn, session.id, 1, [{"type": "message", "text": "one"}], frame_id=None, now=utcnow()
        )
    with pytest.raises(exc.IntegrityError), db.transaction() as conn:
        chat.append_events(
            conn, session.id, 1, [{"type": "message", "text": "again"}], frame_id=None, now=utcnow()
        )
    with db.read() as conn:
        assert [e["text"] for e in chat.events_after(conn, session.id, 0)] == ["one"]


def test_events_come_back_in_order_after_a_seq_and_by_frame(db: Database) -> None:
    with db.transaction() as conn:
        session = new_session(conn)
        now = utcnow()
        chat.append_events(
            conn,
            session.id,
            1,
            [{"type": "message", "text": "a"}, {"type": "ask", "node": "n", "input": {}}],
            frame_id=None,
            now=now,
        )
        stored = chat.append_events(
            conn, session.id, 3, [{"type": "invalid", "text": "b"}], frame_id="f1", now=now
        )
    assert stored == [{"type": "invalid", "seq": 3, "text": "b"}]
    with db.read() as conn:
        assert [e["seq"] for e in chat.events_after(conn, session.id, 1)] == [2, 3]
        assert chat.events_for_frame(conn, session.id, "f1") == stored
        assert chat.last_event(conn, session.id, "ask") == {
            "type": "ask",
            "seq": 2,
            "node": "n",
            "input": {},
        }
        assert [e["seq"] for e in chat.transcript(conn, session.id)] == [1, 2, 3]


def test_the_audit_log_is_append_only(db: Database) -> None:
    with db.transaction() as conn:
        chat.append_audit(conn, actor="system", action="test", subject="x", detail={"n": 1})
    for statement in (chat.audit_log.update().values(action="changed"), chat.audit_log.delete()):
        with pytest.raises(exc.DBAPIError), db.transaction() as conn:
            conn.execute(statement)
    with db.read() as conn:
        assert [row["action"] for row in chat.audit_entries(conn)] == ["test"]


def test_flow_versions_are_kept_once_per_digest_and_numbered(db: Database) -> None:
    with db.transaction() as conn:
        first = chat.save_flow_version(conn, "intake", "1" * 64, '{"v": 1}')
        again = chat.save_flow_version(conn, "intake", "1" * 64, '{"v": 1}')
        second = chat.save_flow_version(conn, "intake", "2" * 64, '{"v": 2}')
        other = chat.save_flow_version(conn, "other", "1" * 64, '{"v": 1}')
    assert (first.version, again.version, second.version, other.version) == (1, 1, 2, 1)
    with db.read() as conn:
        latest = chat.latest_flow_version(conn, "intake")
        assert latest is not None and latest.json == '{"v": 2}'
        found = chat.get_flow_version(conn, "intake", "1" * 64)
        assert found is not None and found.json == '{"v": 1}'
        assert chat.get_flow_version(conn, "intake", "3" * 64) is None


def test_referrals_and_outbox_rows_commit_together(db: Database) -> None:
    with db.transaction() as conn:
        session = new_session(conn)
        referral_id = chat.insert_referral(
            conn,
            session=session,
            mode="queued",
            answers={"first_name": "Ana"},
            display={"first_name": "Ana"},
            now=utcnow(),
        )
        chat.enqueue_outbox(conn, kind="referral_new", payload={"referral": referral_id})
    with db.read() as conn:
        referral = chat.get_referral(conn, referral_id)
        assert referral is not None
        assert (referral["status"], referral["answers"], referral["urgent"]) == (
            "new",
            {"first_name": "Ana"},
            False,
        )
        assert [row["payload"] for row in chat.outbox_rows(conn)] == [{"referral": referral_id}]


def test_concurrent_turns_on_one_session_never_lose_an_update(db: Database) -> None:
    with db.transaction() as conn:
        new_session(conn)

    def bump() -> None:
        for _ in range(15):
            with db.transaction() as conn:
                session = chat.lock_session(conn, "a" * 64)
                assert session is not None
                chat.append_events(
                    conn,
                    session.id,
                    session.last_seq + 1,
                    [{"type": "message", "text": "x"}],
                    frame_id=None,
                    now=utcnow(),
                )
                chat.update_session(conn, session.id, last_seq=session.last_seq + 1)

    threads = [threading.Thread(target=bump) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with db.read() as conn:
        session = chat.find_session(conn, "a" * 64)
        assert session is not None and session.last_seq == 90
        assert [e["seq"] for e in chat.events_after(conn, session.id, 0)] == list(range(1, 91))


def test_a_locked_sqlite_database_is_a_storage_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite3"
    database = Database(f"sqlite:///{path}", busy_timeout_ms=100)
    database.migrate()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError), database.transaction() as conn:
            new_session(conn)
    finally:
        other.execute("ROLLBACK")
        other.close()
    with database.transaction() as conn:  # and it works again once the other writer is gone
        new_session(conn)
    database.dispose()


def test_a_full_disk_is_a_storage_error_and_writes_nothing(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'full.sqlite3'}")
    database.migrate()
    with database.read() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    @event.listens_for(database.engine, "connect")
    def _cap(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    database.engine.dispose()
    with pytest.raises(StorageError, match="full"), database.transaction() as conn:
        session = new_session(conn)
        chat.append_events(
            conn,
            session.id,
            1,
            [{"type": "message", "text": "x" * 4000}] * 50,
            frame_id=None,
            now=utcnow(),
        )
    event.remove(database.engine, "connect", _cap)
    database.engine.dispose()
    with database.read() as conn:
        assert chat.find_session(conn, "a" * 64) is None
    database.dispose()


def test_a_postgresql_url_without_a_driver_uses_psycopg() -> None:
    assert storage.normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert storage.normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert storage.normalise_url("sqlite:///x") == "sqlite:///x"


# --- group commit (SQLite): many callers, one writer, one fsync per group ------------------------


def test_concurrent_writes_are_grouped_into_fewer_commits_and_all_kept(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'group.sqlite3'}")
    database.migrate()
    commits: list[int] = []
    event.listen(database.engine, "commit", lambda conn: commits.append(1))
    gate = threading.Barrier(24)

    def add(number: int) -> str:
        gate.wait()
        return database.write(lambda conn: new_session(conn, f"{number:064d}").id)

    ids: list[str] = []
    threads = [threading.Thread(target=lambda n=n: ids.append(add(n))) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with database.read() as conn:
        stored = conn.execute(sa.select(chat.sessions.c.id)).scalars().all()
    assert sorted(stored) == sorted(ids) and len(ids) == 24
    assert len(commits) < 24
    database.dispose()


def test_a_failing_write_in_a_group_is_rolled_back_alone(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'group.sqlite3'}")
    database.migrate()
    gate = threading.Barrier(9)
    outcomes: dict[int, str] = {}

    def work(number: int) -> None:
        def write(conn: sa.Connection) -> None:
            new_session(conn, f"{number:064d}")
            if number == 4:
                raise ValueError("this turn fails after writing")

        gate.wait()
        try:
            database.write(write)
            outcomes[number] = "ok"
        except ValueError:
            outcomes[number] = "failed"

    threads = [threading.Thread(target=work, args=(n,)) for n in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {n: "failed" if n == 4 else "ok" for n in range(9)}
    with database.read() as conn:
        hashes = conn.execute(sa.select(chat.sessions.c.token_hash)).scalars().all()
    assert sorted(hashes) == [f"{n:064d}" for n in range(9) if n != 4]
    database.dispose()


def test_a_failed_group_commit_fails_every_caller_and_stores_nothing(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'group.sqlite3'}")
    database.migrate()

    def refuse(_conn: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    event.listen(database.engine, "commit", refuse)
    with pytest.raises(StorageError):
        database.write(lambda conn: new_session(conn))
    event.remove(database.engine, "commit", refuse)
    with database.read() as conn:
        assert chat.find_session(conn, "a" * 64) is None
    assert database.write(lambda conn: new_session(conn).token_hash) == "a" * 64
    database.dispose()


def test_the_write_ahead_log_is_copied_back_in_the_background(tmp_path: Path) -> None:
    path = tmp_path / "wal.sqlite3"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    time.sleep(1.5)  # let the migration's own writes settle into the file
    before = path.stat().st_size
    database.write(lambda conn: [new_session(conn, f"{n:064d}") for n in range(300)])
    deadline = time.monotonic() + 10
    while path.stat().st_size == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert path.stat().st_size > before  # no commit waited for it, yet it happened
    database.dispose()
