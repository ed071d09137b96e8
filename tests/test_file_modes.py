"""Files the app creates hold conversations and keys: the data folder is 0700, the SQLite database,
its -wal/-shm files, the preview sandbox and the secret key 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake_chat import Config, create_app
from intake_chat.storage import Database
from intake_chat.web.context import runtime
from intake_chat.web.preview import Previews


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the usual default: files 0644, folders 0755
    yield
    os.umask(old)


def test_a_new_data_folder_and_its_databases_are_private(tmp_path: Path, loose_umask: None) -> None:
    data = tmp_path / "data"
    app = create_app(Config.from_env({}, data_dir=data, testing=True))
    db = runtime(app).db
    with db.transaction() as conn:
        conn.exec_driver_sql("CREATE TABLE probe (x INTEGER)")
    Previews.of(app)  # the editor's preview sandbox is created on first use
    files = sorted(data.glob("*.sqlite3*"))
    assert {p.name for p in files} >= {
        "intake-chat.sqlite3",
        "intake-chat.sqlite3-wal",
        "intake-chat.sqlite3-shm",
        "preview-sandbox.sqlite3",
    }
    assert _mode(data) == 0o700
    assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert _mode(data / "secret_key") == 0o600


def test_an_existing_install_with_loose_modes_is_tightened(
    tmp_path: Path, loose_umask: None
) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    old = Database(f"sqlite:///{data / 'intake-chat.sqlite3'}")
    old.migrate()
    old.dispose()
    (data / "intake-chat.sqlite3").chmod(0o644)
    data.chmod(0o755)
    create_app(Config.from_env({}, data_dir=data, secret_key="k", testing=True))
    assert _mode(data) == 0o700
    assert _mode(data / "intake-chat.sqlite3") == 0o600
