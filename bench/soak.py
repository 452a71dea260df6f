"""`make soak` (and the last step of `make bench`): a minute of mixed valid, invalid and hostile requests at
full rate against one real `mockserver serve` process; its memory must stay flat.

    python -m mockserver serve specs tests/hostile/hostile.yaml --quiet --port P

Client processes (one keep-alive connection each) send, as fast as the server answers, a weighted mix: valid GETs of
the bundled APIs, invalid ones (bad parameters, bad JSON), and hostile ones (64+ KiB headers, 40 KiB URLs,
11 MiB bodies, JSON 3,000 deep, a ReDoS-prone pattern, edge cases at absurd bounds, 5,000-digit integers,
control bytes, journal reads). One more thread keeps opening connections that send half a request and stall
(the server's read timeouts must close them). RSS of the server process is read from /proc once a second.

Flat memory: the median RSS of the last 10 s may exceed the median of seconds 10-20 by at most
max(16 MB, 10 %). The mock's own 500 ("The mock failed") or a refused connection for a valid request fails
the soak too. Prints the status mix per request class and writes bench/results/soak.json; exit 1 when not flat.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"
TOKEN = "soak-token"
AUTH = {"Authorization": f"Bearer {TOKEN}", "X-Session-Id": TOKEN}
MB = 1_000_000
FLAT_SLACK_BYTES = 16 * MB
FLAT_SLACK_RATIO = 0.10
READY_TIMEOUT_S = 90.0
REQUEST_TIMEOUT_S = 30.0
STALLERS = 20  # half-sent requests held open at once


@dataclass(frozen=True)
class Shot:
    """One kind of request in the mix."""

    kind: str  # valid, invalid, hostile
    name: str
    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    weight: int = 1


def shots() -> list[Shot]:
    lightdash = "/lightdash/api/v1/analytics/user-activity/3c6a0b0e-8f7e-4a43-9d1e-2a1b5c9e7f10"
    json_type = {"Content-Type": "application/json"}
    return [
        Shot("valid", "openrouter", "GET", "/openrouter/api/v1/activity", AUTH, weight=10),
        Shot("valid", "onepin", "GET", "/onepin/api/v1/usage/activity", AUTH, weight=10),
        Shot("valid", "lightdash", "GET", lightdash, weight=10),
        Shot("valid", "hostile-node", "GET", f"/hostile/v1/nodes/7?sig={TOKEN}", weight=5),
        Shot("valid", "put-node", "PUT", "/hostile/v1/nodes/7", {**AUTH, **json_type}, b'{"name": "x"}', weight=3),
        Shot("valid", "index", "GET", "/", weight=1),
        Shot("valid", "journal", "GET", "/__mock/requests", weight=1),
        Shot("invalid", "bad-date", "GET", "/openrouter/api/v1/activity?date=yesterday", AUTH, weight=5),
        Shot("invalid", "no-auth", "GET", "/onepin/api/v1/usage/activity", weight=3),
        Shot("invalid", "bad-json", "PUT", "/hostile/v1/nodes/7", {**AUTH, **json_type}, b'{"name": ', weight=3),
        Shot("invalid", "unknown-path", "GET", "/hostile/v1/nope", weight=2),
        Shot("invalid", "bad-prefer", "GET", "/hostile/v1/numbers", {"Prefer": "code=4_00"}, weight=2),
        Shot("hostile", "huge-header", "GET", "/hostile/v1/numbers", {"X-Big": "h" * 70_000}, weight=1),
        Shot("hostile", "long-url", "GET", "/hostile/v1/search?q=" + "a" * 40_000, weight=1),
        Shot("hostile", "huge-body", "PUT", "/hostile/v1/nodes/7", {**AUTH, **json_type}, b"[" * (11 * 2**20)),
        Shot("hostile", "deep-json", "PUT", "/hostile/v1/nodes/7", {**AUTH, **json_type}, b"[" * 3000 + b"]" * 3000),
        Shot("hostile", "redos", "GET", "/hostile/v1/search?q=" + "a" * 40 + "!", weight=2),
        Shot("hostile", "edge", "GET", "/hostile/v1/search?q=aaa", {"Prefer": "edge=1"}, weight=2),
        Shot("hostile", "edge-numbers", "GET", "/hostile/v1/numbers", {"Prefer": "edge=1"}, weight=2),
        Shot("hostile", "big-int", "PUT", "/hostile/v1/nodes/7", {**AUTH, **json_type}, b"9" * 5000, weight=1),
        Shot("hostile", "control-bytes", "GET", "/hostile/v1/nodes/%0a%1b%00", AUTH, weight=1),
        Shot("hostile", "masked-key", "GET", "/hostile/v1/nodes/7?api_%6Bey=soak-secret", AUTH, weight=1),
    ]


@dataclass
class Tally:
    statuses: Counter[str] = field(default_factory=Counter)
    slowest_s: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, shot: Shot, outcome: str, seconds: float, failure: str | None = None) -> None:
        with self.lock:
            self.statuses[f"{shot.kind}/{shot.name}/{outcome}"] += 1
            self.slowest_s[shot.name] = max(self.slowest_s.get(shot.name, 0.0), seconds)
            if failure is not None and len(self.failures) < 20:
                self.failures.append(failure)


def send(conn: http.client.HTTPConnection, shot: Shot) -> tuple[int, bytes]:
    conn.request(shot.method, shot.target, body=shot.body, headers=shot.headers)
    response = conn.getresponse()
    return response.status, response.read()


def client(port: int, stop: threading.Event, tally: Tally, seed: int, mix: list[Shot]) -> None:
    rng = random.Random(seed)
    weights = [s.weight for s in mix]
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    while not stop.is_set():
        shot = rng.choices(mix, weights)[0]
        began = time.perf_counter()
        try:
            status, body = send(conn, shot)
        except (OSError, http.client.HTTPException) as exc:
            # The server may close after refusing a request it would not read (413, 431): a new connection.
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
            failure = f"{shot.name}: {type(exc).__name__}: {exc}" if shot.kind != "hostile" else None
            tally.add(shot, type(exc).__name__, time.perf_counter() - began, failure)
            continue
        failure = None
        if b"The mock failed" in body:
            failure = f"{shot.name}: {status} {body[:200]!r}"
        elif shot.kind == "valid" and status >= 400:
            failure = f"{shot.name}: a valid request got {status} {body[:200]!r}"
        tally.add(shot, str(status), time.perf_counter() - began, failure)
        if status in (413, 414, 431):
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    conn.close()


def client_process(port: int, seconds: float, seed: int, threads: int, without: list[str]) -> dict[str, object]:
    """One client process (`--client-of PORT`): `threads` clients for `seconds`, its tally as JSON-able data."""
    mix = [s for s in shots() if s.name not in without]
    stop, tally = threading.Event(), Tally()
    workers = [
        threading.Thread(target=client, args=(port, stop, tally, seed * 100 + n, mix), daemon=True)
        for n in range(threads)
    ]
    for worker in workers:
        worker.start()
    stop.wait(seconds)
    stop.set()
    for worker in workers:
        worker.join(timeout=REQUEST_TIMEOUT_S + 5)
    return {"statuses": dict(tally.statuses), "slowest_s": tally.slowest_s, "failures": tally.failures}


def staller(port: int, stop: threading.Event, counts: Counter[str]) -> None:
    """Keeps STALLERS connections that sent headers and part of a body, replacing each one the server closes."""
    open_socks: list[socket.socket] = []
    while not stop.is_set():
        while len(open_socks) < STALLERS:
            sock = socket.create_connection((HOST, port), timeout=5)
            sock.sendall(
                b"PUT /hostile/v1/nodes/7 HTTP/1.1\r\nHost: x\r\nX-Session-Id: " + TOKEN.encode() + b"\r\n"
                b'Content-Length: 100\r\n\r\n{"name"'
            )
            open_socks.append(sock)
            counts["opened"] += 1
        for sock in list(open_socks):
            sock.setblocking(False)
            try:
                closed = sock.recv(65536) == b""
                data_seen = not closed
            except BlockingIOError:
                closed, data_seen = False, False
            except OSError:
                closed, data_seen = True, False
            if closed or data_seen:
                counts["answered or closed by the server"] += 1
                sock.close()
                open_socks.remove(sock)
        stop.wait(0.2)
    for sock in open_socks:
        sock.close()


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` so far (clock ticks from /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(proc: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"soak: the server exited with {proc.returncode} before answering")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"soak: no answer on port {port} within {READY_TIMEOUT_S:.0f} s")


def run(seconds: int, clients: int, python: str, without: list[str]) -> dict[str, object]:
    port = free_port()
    argv = [python, "-m", "mockserver", "serve", "specs", "tests/hostile/hostile.yaml", "--quiet", "--port", str(port)]
    argv += ["--token", TOKEN]
    log = RESULTS / "logs" / "soak.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_ready(proc, port)
        stop, tally, stalls = threading.Event(), Tally(), Counter[str]()
        # Client processes, not threads: one Python process cannot send fast enough to keep the server busy.
        loaders = [
            subprocess.Popen(
                [python, __file__, "--client-of", str(port), "--seconds", str(seconds), "--seed", str(n)]
                + [f"--without={name}" for name in without],
                cwd=ROOT,
                stdout=subprocess.PIPE,
            )
            for n in range(clients)
        ]
        stall_thread = threading.Thread(target=staller, args=(port, stop, stalls), daemon=True)
        stall_thread.start()
        samples: list[int] = []
        began, cpu_before = time.monotonic(), cpu_seconds(proc.pid)
        while (elapsed := time.monotonic() - began) < seconds:
            samples.append(rss_bytes(proc.pid))
            if proc.poll() is not None:
                raise SystemExit(f"soak: the server died after {elapsed:.0f} s; see {log}")
            time.sleep(max(0.0, len(samples) - (time.monotonic() - began)))  # one sample per second
        busy = (cpu_seconds(proc.pid) - cpu_before) / seconds
        stop.set()
        stall_thread.join(timeout=10)
        for loader in loaders:
            printed, _ = loader.communicate(timeout=REQUEST_TIMEOUT_S + 30)
            part = json.loads(printed)
            tally.statuses.update(part["statuses"])
            for name, slowest in part["slowest_s"].items():
                tally.slowest_s[name] = max(tally.slowest_s.get(name, 0.0), slowest)
            tally.failures.extend(part["failures"][: 20 - len(tally.failures)])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    window = max(1, min(10, len(samples) // 6))
    early = statistics.median(samples[window : 2 * window]) if len(samples) >= 2 * window else samples[0]
    late = statistics.median(samples[-window:])
    allowed = max(FLAT_SLACK_BYTES, early * FLAT_SLACK_RATIO)
    total = sum(tally.statuses.values())
    return {
        "argv": argv,
        "seconds": seconds,
        "clients": clients,
        "mix": [s.name for s in shots() if s.name not in without],
        "requests": total,
        "requests_per_s": round(total / seconds, 1),
        "server_cpu_busy": round(busy, 2),  # share of one core the server process used
        "rss_mb": {
            "first": round(samples[0] / MB, 1),
            "early_median": round(early / MB, 1),
            "late_median": round(late / MB, 1),
            "peak": round(max(samples) / MB, 1),
            "allowed_growth": round(allowed / MB, 1),
        },
        "flat": late - early <= allowed,
        "statuses": dict(sorted(tally.statuses.items())),
        "slowest_s": {k: round(v, 3) for k, v in sorted(tally.slowest_s.items())},
        "stalled_connections": dict(stalls),
        "failures": tally.failures,
    }


def report(result: dict[str, object], say: Callable[[str], None]) -> None:
    rss = result["rss_mb"]
    assert isinstance(rss, dict)
    say(
        f"soak: {result['requests']} requests in {result['seconds']} s ({result['requests_per_s']} req/s); "
        f"the server was busy {result['server_cpu_busy']:.0%} of one core"
    )
    say(
        f"soak: RSS MB first {rss['first']}, seconds 10-20 {rss['early_median']}, last 10 s {rss['late_median']}, "
        f"peak {rss['peak']} (allowed growth {rss['allowed_growth']}): {'flat' if result['flat'] else 'GROWING'}"
    )
    statuses = result["statuses"]
    assert isinstance(statuses, dict)
    for key, count in statuses.items():
        say(f"  {key:48} {count}")
    say(f"soak: slowest answer per request (s): {result['slowest_s']}")
    say(f"soak: stalled connections: {result['stalled_connections']}")
    for failure in result["failures"]:  # type: ignore[attr-defined]
        say(f"soak: FAILURE {failure}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=4, help="client processes, one keep-alive connection each")
    parser.add_argument("--without", action="append", default=[], metavar="NAME", help="leave a request out")
    parser.add_argument("--client-of", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client_of:
        print(json.dumps(client_process(args.client_of, args.seconds, args.seed, 1, args.without)))
        return 0
    result = run(args.seconds, args.clients, sys.executable, args.without)
    report(result, print)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "soak.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["flat"] and not result["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
