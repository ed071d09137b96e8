"""Load test: N concurrent visitors each complete the intake flow over WebSockets, against the chat
server and, in the same run, against a bare flask-sock echo served the same way.

Prints turns/s, p50/p95/p99 turn latency, errors, server memory and CPU, and the chat/echo ratio.
A turn is one client frame and everything the server answers to it (up to the next ask, or the
handoff); against the echo a turn is one frame and its echo. By default both servers are started
here (gunicorn gthread, 1 worker, SQLite in a temporary folder, rate limits off since every
visitor comes from 127.0.0.1); ``--chat-url``/``--echo-url`` point at servers already running.

    python bench/chat_load.py --visitors 200 --rounds 2 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

ROOT = Path(__file__).resolve().parent.parent

# The tests' helpers (no pytest in them): one table of how a visitor answers the shipped flow.
sys.path.insert(0, str(ROOT / "tests"))
from server import INTAKE_ANSWERS, TURN_END  # noqa: E402

# By node id; the reason is of a realistic length, since the safety layer reads every word.
ANSWERS: dict[str, dict[str, Any]] = {
    **INTAKE_ANSWERS,
    "ask_reason": {"text": "Feeling stuck at work, and I would like to talk to someone about it"},
}
# The echo gets the same frames the chat gets, in the same order.
ECHO_SCRIPT = [{"type": "start", "flow": "intake"}] + [
    {"type": "reply", **answer} for answer in ANSWERS.values()
]


# --- one visitor ----------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: int = 0
    referrals: int = 0


def pause(think: float) -> None:
    """A visitor reading and typing; arrivals are spread the same way (no thundering herd)."""
    if think:
        time.sleep(random.expovariate(1 / think))


def chat_visitor(ws: websocket.WebSocket, rounds: int, think: float, tally: Tally) -> None:
    for _ in range(rounds):
        pause(think)
        frame: dict[str, Any] = {"type": "start", "flow": "intake"}
        while True:
            began = time.perf_counter()
            ws.send(json.dumps(frame))
            event = json.loads(ws.recv())
            while event["type"] not in TURN_END:
                event = json.loads(ws.recv())
            tally.latencies.append(time.perf_counter() - began)
            if event["type"] == "error":
                tally.errors += 1
                return
            if event["type"] != "ask":
                tally.referrals += event["type"] == "handoff" and bool(event.get("referral"))
                break
            frame = {"type": "reply", "id": f"f{event['seq']}", **ANSWERS[event["node"]]}
            pause(think)


def echo_visitor(ws: websocket.WebSocket, rounds: int, think: float, tally: Tally) -> None:
    for _ in range(rounds):
        for seq, frame in enumerate(ECHO_SCRIPT):
            pause(think)
            began = time.perf_counter()
            ws.send(json.dumps({**frame, "id": f"f{seq}"}))
            ws.recv()
            tally.latencies.append(time.perf_counter() - began)


def run_process(
    url: str, kind: str, visitors: int, rounds: int, think: float, ready: Any, go: Any, results: Any
) -> None:
    """One client process: open every socket first, then all talk at once on ``go``."""
    target = chat_visitor if kind == "chat" else echo_visitor
    tallies = [Tally() for _ in range(visitors)]
    sockets: list[websocket.WebSocket | None] = []
    for tally in tallies:
        try:
            sockets.append(websocket.create_connection(url, timeout=60, suppress_origin=True))
        except Exception:
            tally.errors += 1
            sockets.append(None)
    ready.put(os.getpid())
    go.wait()

    def talk(ws: websocket.WebSocket | None, tally: Tally) -> None:
        if ws is None:
            return
        try:
            target(ws, rounds, think, tally)
        except Exception:
            tally.errors += 1
        finally:
            ws.close()

    threads = [
        threading.Thread(target=talk, args=pair) for pair in zip(sockets, tallies, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finished = time.time()
    results.put(
        {
            "latencies": [lat for t in tallies for lat in t.latencies],
            "errors": sum(t.errors for t in tallies),
            "referrals": sum(t.referrals for t in tallies),
            "finished": finished,
        }
    )


# --- the servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/chat/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"no server answered at {base}")


@dataclass
class Server:
    name: str
    ws_url: str
    process: subprocess.Popen[bytes] | None = None
    pid: int | None = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(30)


def start_server(name: str, threads: int, data_dir: Path) -> Server:
    port = free_port()
    # Every simulated visitor comes from 127.0.0.1: no per-address limits.
    env = {
        **os.environ,
        "INTAKE_DATA_DIR": str(data_dir),
        "INTAKE_SECRET_KEY": "bench",
        "INTAKE_RATE_LIMIT_PER_SESSION": "0",
        "INTAKE_RATE_LIMIT_PER_ADDRESS": "0",
        "INTAKE_SOCKETS_PER_ADDRESS": "0",
    }
    if name == "chat":
        command = [
            sys.executable,
            "-c",
            "from intake_chat.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--threads",
            str(threads),
        ]
    else:
        command = [
            sys.executable,
            str(ROOT / "bench" / "echo_app.py"),
            "--port",
            str(port),
            "--threads",
            str(threads),
        ]
    log = (data_dir / f"{name}.log").open("wb")
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
    wait_healthy(f"http://127.0.0.1:{port}")
    return Server(name, f"ws://127.0.0.1:{port}/ws/chat", process, process.pid)


def tree(pid: int) -> list[int]:
    """The process and its children (gunicorn arbiter and workers)."""
    found = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                found.append(int(entry.name))
    return found


def memory_and_cpu(pid: int | None) -> dict[str, float]:
    if pid is None:
        return {}
    rss = hwm = cpu = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for member in tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm += int(line.split()[1]) / 1024
        cpu += (int(fields[11]) + int(fields[12])) / tick
    return {"rss_mb": rss, "peak_rss_mb": hwm, "cpu_s": cpu}


# --- a run ----------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load(server: Server, kind: str, args: argparse.Namespace, think: float) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    shares = [
        args.visitors // args.processes + (i < args.visitors % args.processes)
        for i in range(args.processes)
    ]
    procs = [
        ctx.Process(
            target=run_process,
            args=(server.ws_url, kind, n, args.rounds, think, ready, go, results),
        )
        for n in shares
        if n
    ]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.get(timeout=120)
    before = memory_and_cpu(server.pid)
    began = time.time()
    go.set()
    sampler = MemorySampler(server.pid)
    sampler.start()
    gathered = [results.get(timeout=1800) for _ in procs]
    sampler.stop()
    for proc in procs:
        proc.join()
    after = memory_and_cpu(server.pid)
    latencies = [lat for part in gathered for lat in part["latencies"]]
    wall = max(part["finished"] for part in gathered) - began
    turns = len(latencies)
    cpu = after.get("cpu_s", 0.0) - before.get("cpu_s", 0.0)
    return {
        "server": kind,
        "visitors": args.visitors,
        "think_s": think,
        "turns": turns,
        "seconds": wall,
        "turns_per_s": turns / wall if wall else 0.0,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "errors": sum(part["errors"] for part in gathered),
        "referrals": sum(part["referrals"] for part in gathered),
        "server_rss_mb": sampler.peak,
        "server_cpu_ms_per_turn": cpu * 1000 / turns if turns else float("nan"),
    }


class MemorySampler(threading.Thread):
    """Peak resident memory of the server while the visitors are connected."""

    def __init__(self, pid: int | None) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.25):
            self.peak = max(self.peak, memory_and_cpu(self.pid).get("rss_mb", 0.0))

    def stop(self) -> None:
        self.done.set()
        self.join()
        self.peak = max(self.peak, memory_and_cpu(self.pid).get("rss_mb", 0.0))


def show(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'server':<6} {'think':>5} {'visitors':>8} {'turns':>7} {'turns/s':>8} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} {'RSS MB':>7} "
        f"{'CPU ms/turn':>11}"
    )
    for r in rows:
        print(
            f"{r['server']:<6} {r['think_s']:>5.2f} {r['visitors']:>8} {r['turns']:>7} "
            f"{r['turns_per_s']:>8.0f} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} "
            f"{r['p99_ms']:>7.1f} {r['errors']:>6} {r['server_rss_mb']:>7.1f} "
            f"{r['server_cpu_ms_per_turn']:>11.3f}"
        )


def median_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    merged = dict(rows[0])
    for key, value in rows[0].items():
        if isinstance(value, float):
            merged[key] = statistics.median(r[key] for r in rows)
    merged["errors"] = sum(r["errors"] for r in rows)
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2, help="times each visitor does the flow")
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--threads", type=int, default=256, help="server threads per worker")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs; medians shown")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a visitor waits between turns (0: as fast as possible)",
    )
    parser.add_argument("--chat-url", help="ws:// URL of a running chat server")
    parser.add_argument("--chat-pid", type=int, help="its gunicorn arbiter pid, for memory")
    parser.add_argument("--echo-url", help="ws:// URL of a running echo server")
    parser.add_argument("--echo-pid", type=int)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    servers: dict[str, Server] = {}
    try:
        for name, url, pid in (
            ("echo", args.echo_url, args.echo_pid),
            ("chat", args.chat_url, args.chat_pid),
        ):
            if url:
                servers[name] = Server(name, url, None, pid)
            else:
                (workdir / name).mkdir()
                servers[name] = start_server(name, args.threads, workdir / name)
        runs: dict[str, list[dict[str, Any]]] = {"echo": [], "chat": []}
        for _ in range(args.repeat):
            for name in ("echo", "chat"):
                runs[name].append(load(servers[name], name, args, args.think))
        rows = [median_row(runs["echo"]), median_row(runs["chat"])]
    finally:
        for server in servers.values():
            server.stop()
    show(rows)
    ratio = rows[1]["turns_per_s"] / rows[0]["turns_per_s"] if rows[0]["turns_per_s"] else 0
    print(
        f"\nchat/echo throughput ratio: {ratio:.2f}   "
        f"chat p99: {rows[1]['p99_ms']:.1f} ms   referrals: {rows[1]['referrals']}"
    )
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "ratio": ratio, "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
