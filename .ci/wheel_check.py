"""CI: the package works installed from its wheel, outside the source tree.

Builds the wheel, installs it into a fresh venv in a temporary folder, runs ``intake-chat serve``
from an empty folder on a free loopback port, walks a chat to the hand-off over HTTP, loads the
widget, runs ``flow check`` on the bundled and the ``init``-copied flows and ``safety eval FILE``
with the bundled rules. Everything is removed afterwards. Run with the repository's venv python:
``.venv/bin/python .ci/wheel_check.py`` (it borrows the test visitor from tests/server.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from server import HttpVisitor, free_port, walk_intake  # noqa: E402


def run(*command: str | Path, cwd: Path, env: dict[str, str], expect: int = 0) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True
    )
    if done.returncode != expect:
        raise SystemExit(
            f"{' '.join(map(str, command))} exited {done.returncode}, not {expect}:\n"
            f"{done.stdout}\n{done.stderr}"
        )
    return done.stdout + done.stderr


def wait_ready(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/chat/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server did not answer:\n{log.read_text()}")


def check(tmp: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", ".", "-w", tmp / "dist",
        cwd=ROOT, env=env)  # fmt: skip
    wheel = next((tmp / "dist").glob("intake_chat-*.whl"))
    run(sys.executable, "-m", "venv", tmp / "venv", cwd=tmp, env=env)
    bin_dir = tmp / "venv" / "bin"
    run(bin_dir / "pip", "install", "-q", wheel, cwd=tmp, env=env)
    empty = tmp / "empty"
    empty.mkdir()
    cli = bin_dir / "intake-chat"
    where = run(bin_dir / "python", "-c",
                "from intake_chat.core import bundled; print(bundled.flows_dir())",
                cwd=empty, env=env).strip()  # fmt: skip
    if not where.startswith(str(tmp / "venv")):
        raise SystemExit(f"the installed package reads its flows from {where}, not its own copy")
    print(f"bundled flows: {where}")
    print(run(cli, "flow", "check", where, cwd=empty, env=env).strip())
    run(cli, "init", tmp / "practice", cwd=empty, env=env)
    print(run(cli, "flow", "check", tmp / "practice" / "flows", cwd=empty, env=env).strip())
    refused = run(cli, "safety", "eval", cwd=empty, env=env, expect=2)
    assert "Name a labelled corpus" in refused, refused
    report = run(cli, "safety", "eval", ROOT / "tests" / "safety_corpus.jsonl", cwd=empty, env=env)
    print(report.strip().splitlines()[0])
    serve(cli, tmp, empty, env)


def serve(cli: Path, tmp: Path, empty: Path, env: dict[str, str]) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp / "server.log"
    server_env = {**env, "INTAKE_DATA_DIR": str(tmp / "data")}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=empty, env=server_env, stdout=out, stderr=out, start_new_session=True,
        )  # fmt: skip
    try:
        wait_ready(url, server, log)
        visitor = HttpVisitor(url)
        events = walk_intake(visitor.send, visitor.start())
        if events[-1]["type"] != "handoff":
            raise SystemExit(f"the chat ended with {events[-1]['type']}, not a hand-off")
        print(f"chat: {len(events)} events, ended in a hand-off")
        with urllib.request.urlopen(f"{url}/static/widget.js", timeout=10) as reply:
            body = reply.read()
            assert reply.status == 200 and b"data-intake-chat" in body, reply.status
            assert reply.headers["X-Content-Type-Options"] == "nosniff"
        print(f"widget.js: {len(body)} bytes")
    finally:
        # a server that already exited has no group left to signal; its log said why above
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)


def main() -> None:
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="intake-wheel-"))
    try:
        check(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(ROOT / "build", ignore_errors=True)
    print(f"wheel check passed in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
