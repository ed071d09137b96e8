"""Capacity on the defaults: one ``intake-chat serve`` worker (gevent, 2,000 open chats) holds
2,000 idle widgets at once, refuses the next one at once with a 503 and a "busy, try again"
event (never a hang), and a held socket still answers. A real server process, real sockets."""

from __future__ import annotations

import json
import resource
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import websocket
from server import LiveServer, WsVisitor

from intake_chat.cli.serve_command import raise_open_files

DEFAULT_OPEN_CHATS = 2000


def test_the_defaults_hold_2000_idle_widgets_and_refuse_the_next_cleanly(tmp_path: Path) -> None:
    # Every socket here comes from 127.0.0.1: the per-address cap would stop them at 20.
    live = LiveServer(tmp_path, env={"INTAKE_SOCKETS_PER_ADDRESS": "0"}).start()
    held: list[websocket.WebSocket] = []
    try:

        def open_some(count: int) -> list[websocket.WebSocket]:
            return [
                websocket.create_connection(live.ws_url, timeout=30, suppress_origin=True)
                for _ in range(count)
            ]

        with ThreadPoolExecutor(4) as pool:
            for part in pool.map(open_some, [DEFAULT_OPEN_CHATS // 4] * 4):
                held.extend(part)
        assert len(held) == DEFAULT_OPEN_CHATS

        began = time.monotonic()
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            WsVisitor(live.ws_url, timeout=10)
        assert time.monotonic() - began < 5  # refused at once, not left in the handshake
        assert refused.value.status_code == 503
        assert refused.value.resp_headers is not None
        assert refused.value.resp_headers.get("retry-after")
        body = json.loads(refused.value.resp_body or b"{}")
        assert body["events"][0]["type"] == "error"
        assert body["events"][0]["code"] == "server_busy"

        # The first widget opened is still live: it starts a conversation.
        held[0].send(json.dumps({"type": "start", "locale": "en"}))
        assert json.loads(held[0].recv())["type"] == "session"

        held.pop().close()
        deadline = time.monotonic() + 10
        while True:  # the freed place is given back once the server sees the close
            try:
                replacement = WsVisitor(live.ws_url, timeout=10)
                break
            except websocket.WebSocketBadStatusException:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert replacement.send({"type": "start"})[0]["type"] == "session"
        replacement.close()
    finally:
        for ws in held:
            ws.close()
        live.stop()


def test_serve_raises_a_low_open_file_limit_to_what_its_capacity_needs() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 3000 if hard == resource.RLIM_INFINITY else min(3000, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, wanted), hard))
    try:
        assert raise_open_files(3000) == wanted
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == (wanted, hard)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
