"""Load test: N concurrent visitors each complete the intake flow over WebSockets, against the chat
server and, in the same run, against a bare flask-sock echo served the same way.

Prints turns/s, p50/p95/p99 turn latency, errors, referrals stored (counted in the database),
server memory (peak, and KB per idle open chat: the growth from no socket to every visitor
connected, before any frame), server CPU per turn, the load average, and the chat/echo ratios.
A turn is one client frame and everything the server answers to it (up to the next ask, or the
handoff); against the echo a turn is one frame and its echo. The servers are started here (1
worker per instance, rate limits off since every visitor comes from 127.0.0.1), once per worker
model given with ``--worker``; the chat on SQLite in a temporary folder, or with
``--database-url`` on a fresh schema of that PostgreSQL database (dropped afterwards), as
``--instances`` servers that the visitors are spread over.

    python bench/chat_load.py --visitors 200 --rounds 2 --repeat 3
    python bench/chat_load.py --visitors 1000 --rounds 1 --think 3 --worker threads --worker gevent
    python bench/chat_load.py --visitors 1000 --rounds 1 --think 3 --instances 2 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
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
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import websocket

ROOT = Path(__file__).resolve().parent.parent

# The tests' helpers (no pytest in them): one table of how a visitor answers the shipped flow.
sys.path.insert(0, str(ROOT / "tests"))
from server import INTAKE_ANSWERS, TURN_END, fresh_pg_schema  # noqa: E402

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
    urls: list[str],
    kind: str,
    visitors: int,
    rounds: int,
    think: float,
    ready: Any,
    go: Any,
    results: Any,
    nice: int = 0,
) -> None:
    """One client process: open every socket first (spread over the instances), then all talk at
    once on ``go``."""
    target = chat_visitor if kind == "chat" else echo_visitor
    os.nice(nice)
    tallies = [Tally() for _ in range(visitors)]
    sockets: list[websocket.WebSocket | None] = []
    for number, tally in enumerate(tallies):
        url = urls[number % len(urls)]
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


def wait_healthy(base: str, timeout: float = 60) -> None:
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
    """One configuration under test: an echo, or the chat as one or more instances."""

    name: str
    kind: str  # chat | echo
    ws_urls: list[str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    database_url: str | None = None

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            process.wait(60)


def server_command(kind: str, port: int, args: argparse.Namespace, worker: str) -> list[str]:
    # The threads worker is named only as "--threads N", which servers older than the worker
    # choice also take: the same script then measures the code before and after a change.
    if worker == "threads":
        size = ["--threads", str(args.threads)]
    else:
        size = ["--worker", worker, "--connections", str(args.connections)]
    if kind == "echo":
        return [sys.executable, str(ROOT / "bench" / "echo_app.py"), "--port", str(port), *size]
    entry = "from intake_chat.cli import main; main()"
    if worker == "threads":
        size = ["--worker", "threads", *size] if args.name_threads_worker else size
    return [sys.executable, "-c", entry, "serve", "--port", str(port), *size]


def start_server(
    kind: str, worker: str, args: argparse.Namespace, data_dir: Path, database_url: str | None
) -> Server:
    # Every simulated visitor comes from 127.0.0.1: no per-address limits.
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")},
        "INTAKE_SECRET_KEY": "bench",
        "INTAKE_RATE_LIMIT_PER_SESSION": "0",
        "INTAKE_RATE_LIMIT_PER_ADDRESS": "0",
        "INTAKE_SOCKETS_PER_ADDRESS": "0",
    }
    if database_url:
        env["INTAKE_DATABASE_URL"] = database_url
    count = args.instances if kind == "chat" else 1
    server = Server(f"{kind}/{worker}", kind, [], database_url=database_url)
    ports = [free_port() for _ in range(count)]
    for number, port in enumerate(ports):
        folder = data_dir / f"{kind}-{worker}-{number}"
        folder.mkdir()
        log = (folder / "server.log").open("wb")
        server.processes.append(
            subprocess.Popen(
                server_command(kind, port, args, worker),
                env={**env, "INTAKE_DATA_DIR": str(folder)},
                cwd=ROOT,
                stdout=log,
                stderr=log,
            )
        )
        server.ws_urls.append(f"ws://127.0.0.1:{port}/ws/chat")
        wait_healthy(f"http://127.0.0.1:{port}")  # one at a time: they migrate one database
    if kind == "chat" and not database_url:
        server.database_url = f"sqlite:///{data_dir / f'chat-{worker}-0' / 'intake-chat.sqlite3'}"
    return server


def referrals_stored(server: Server) -> int | None:
    if server.kind != "chat" or not server.database_url:
        return None
    engine = sa.create_engine(server.database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM referrals")).scalar_one())
    finally:
        engine.dispose()


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


def memory_and_cpu(pids: list[int]) -> dict[str, float]:
    rss = cpu = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for member in (member for pid in pids for member in tree(pid)):
        try:
            status = Path(f"/proc/{member}/status").read_text()
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1]) / 1024
        cpu += (int(fields[11]) + int(fields[12])) / tick
    return {"rss_mb": rss, "cpu_s": cpu}


# --- a run ----------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    shares = [
        args.visitors // args.processes + (i < args.visitors % args.processes)
        for i in range(args.processes)
    ]
    procs = [
        ctx.Process(
            target=run_process,
            args=(server.ws_urls, server.kind, n, args.rounds, args.think, ready, go, results),
            kwargs={"nice": args.client_nice},
        )
        for n in shares
        if n
    ]
    referrals_before = referrals_stored(server) or 0
    unconnected = memory_and_cpu(server.pids)
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.get(timeout=600)
    time.sleep(1)  # reader threads and greenlets settle
    before = memory_and_cpu(server.pids)
    load_before = os.getloadavg()[0]
    began = time.time()
    go.set()
    sampler = MemorySampler(server.pids)
    sampler.start()
    profilers = start_profilers(server, args) if args.profile else []
    gathered = [results.get(timeout=1800) for _ in procs]
    sampler.stop()
    for profiler in profilers:
        try:
            profiler.wait(args.profile_seconds + 30)
        except subprocess.TimeoutExpired:  # sampling a thousand threads can outlast the run
            profiler.kill()
            profiler.wait()
    for proc in procs:
        proc.join()
    after = memory_and_cpu(server.pids)
    latencies = [lat for part in gathered for lat in part["latencies"]]
    wall = max(part["finished"] for part in gathered) - began
    turns = len(latencies)
    cpu = after.get("cpu_s", 0.0) - before.get("cpu_s", 0.0)
    stored = referrals_stored(server)
    return {
        "server": server.name,
        "visitors": args.visitors,
        "think_s": args.think,
        "turns": turns,
        "seconds": wall,
        "turns_per_s": turns / wall if wall else 0.0,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": max(latencies, default=float("nan")) * 1000,
        "errors": sum(part["errors"] for part in gathered),
        "referrals": sum(part["referrals"] for part in gathered),
        "referrals_stored": None if stored is None else stored - referrals_before,
        "server_rss_mb": sampler.peak,
        "server_cpu_ms_per_turn": cpu * 1000 / turns if turns else float("nan"),
        "idle_kb_per_chat": (before["rss_mb"] - unconnected["rss_mb"]) * 1024 / args.visitors,
        "load_avg": (load_before + os.getloadavg()[0]) / 2,
    }


def start_profilers(server: Server, args: argparse.Namespace) -> list[subprocess.Popen[bytes]]:
    """py-spy on each chat worker while the visitors talk (bench/profile_split.py reads the
    output): once sampling every thread that runs, once only the thread holding the GIL."""
    if server.kind != "chat":
        return []
    args.profile.mkdir(parents=True, exist_ok=True)
    time.sleep(args.think * 2)  # past the arrivals
    workers = [pid for arbiter in server.pids for pid in tree(arbiter)[1:]]
    beside = Path(sys.executable).with_name("py-spy")
    spy = str(beside) if beside.exists() else "py-spy"
    started = []
    for pid in workers:
        for mode, extra in (("all", []), ("gil", ["--gil"])):
            out = args.profile / f"{server.name.replace('/', '-')}-{pid}-{mode}.txt"
            command = [spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "100"]
            command += ["--duration", str(args.profile_seconds), "--nonblocking"]
            command += ["--output", str(out), *extra]
            started.append(
                subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
    return started


class MemorySampler(threading.Thread):
    """Peak resident memory of the server while the visitors are connected."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.peak = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.25):
            self.peak = max(self.peak, memory_and_cpu(self.pids).get("rss_mb", 0.0))

    def stop(self) -> None:
        self.done.set()
        self.join()
        self.peak = max(self.peak, memory_and_cpu(self.pids).get("rss_mb", 0.0))


def show(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'server':<13} {'turns/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'errors':>6} {'stored':>6} {'RSS MB':>7} {'CPU ms/turn':>11} "
        f"{'KB/idle':>7} {'load':>5}"
    )
    for r in rows:
        stored = "—" if r["referrals_stored"] is None else str(r["referrals_stored"])
        print(
            f"{r['server']:<13} {r['turns_per_s']:>7.0f} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} "
            f"{r['p99_ms']:>7.1f} {r['max_ms']:>7.0f} {r['errors']:>6} {stored:>6} "
            f"{r['server_rss_mb']:>7.1f} {r['server_cpu_ms_per_turn']:>11.3f} "
            f"{r['idle_kb_per_chat']:>7.1f} {r['load_avg']:>5.1f}"
        )


def median_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    merged = dict(rows[0])
    for key, value in rows[0].items():
        if isinstance(value, float):
            merged[key] = statistics.median(r[key] for r in rows)
    merged["errors"] = sum(r["errors"] for r in rows)
    stored = [r["referrals_stored"] for r in rows if r["referrals_stored"] is not None]
    merged["referrals_stored"] = sum(stored) if stored else None
    merged["referrals"] = sum(r["referrals"] for r in rows)
    return merged


@contextmanager
def chat_database(args: argparse.Namespace, worker: str) -> Iterator[str | None]:
    """None (SQLite in the server's folder) or a fresh PostgreSQL schema for this worker model."""
    if not args.database_url:
        yield None
        return
    with fresh_pg_schema(args.database_url) as url:
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2, help="times each visitor does the flow")
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument(
        "--client-nice",
        type=int,
        default=0,
        help="lower the clients' CPU priority: on one machine their thousand threads otherwise "
        "take CPU from a single-threaded server (Linux shares CPU per thread)",
    )
    parser.add_argument(
        "--worker",
        action="append",
        choices=["gevent", "threads"],
        help="server worker model; give it twice to compare both in one run (default: gevent)",
    )
    parser.add_argument("--threads", type=int, default=256, help="threads worker: threads")
    parser.add_argument(
        "--connections", type=int, default=2000, help="gevent worker: open chats per worker"
    )
    parser.add_argument("--instances", type=int, default=1, help="chat servers on one database")
    parser.add_argument(
        "--old-serve",
        dest="name_threads_worker",
        action="store_false",
        help="the chat's serve has no --worker option (code from before it): leave it out",
    )
    parser.add_argument(
        "--database-url", help="PostgreSQL database for the chat (a fresh schema); else SQLite"
    )
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs; medians shown")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a visitor waits between turns (0: as fast as possible)",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--profile", type=Path, help="py-spy each chat worker into this folder")
    parser.add_argument("--profile-seconds", type=int, default=30)
    args = parser.parse_args()
    workers = args.worker or ["gevent"]
    if args.instances > 1 and not args.database_url:
        parser.error("several instances need --database-url (SQLite has one serving process)")

    workdir = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    servers: list[Server] = []
    runs: dict[str, list[dict[str, Any]]] = {}
    with ExitStack() as stack:
        try:
            for worker in workers:
                url = stack.enter_context(chat_database(args, worker))
                for kind in ("echo", "chat"):
                    servers.append(start_server(kind, worker, args, workdir, url))
            for _ in range(args.repeat):
                for server in servers:
                    runs.setdefault(server.name, []).append(load(server, args))
        finally:
            for server in servers:
                server.stop()
    rows = [median_row(found) for found in runs.values()]
    show(rows)
    print()
    for worker in workers:
        echo, chat = runs[f"echo/{worker}"], runs[f"chat/{worker}"]
        e, c = median_row(echo), median_row(chat)
        print(
            f"{worker}: chat/echo turns/s {c['turns_per_s'] / e['turns_per_s']:.2f}, "
            f"p99 {c['p99_ms']:.1f} ms vs echo {e['p99_ms']:.1f} ms "
            f"({c['p99_ms'] / e['p99_ms']:.1f}x), referrals stored {c['referrals_stored']} "
            f"of {args.visitors * args.rounds * args.repeat}"
        )
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "runs": runs}, indent=2, default=str))


if __name__ == "__main__":
    main()
