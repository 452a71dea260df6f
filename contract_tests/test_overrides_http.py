"""Overrides over real HTTP: a retry test's `[503, 503, 200]`, and one sequence shared by `--workers 2`."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from serve_support import serving
from test_workers_http import _answering_worker

ROOT = Path(__file__).resolve().parent.parent
SPEC = """
openapi: 3.0.3
info: {title: Jobs, version: '1'}
paths:
  /jobs:
    get:
      operationId: listJobs
      security: [{key: []}]
      responses:
        '200': {description: The jobs, content: {application/json: {schema: {type: object, properties: {jobs: {type: array, items: {type: string}}}}}}}
        '429': {description: Too many requests, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
        '503': {description: Jobs are unavailable, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Api-Key}
  schemas:
    Error: {type: object, required: [message], properties: {message: {type: string}}}
"""
JOBS = "/jobs/jobs"
KEY = {"X-Api-Key": "k-1"}


@pytest.fixture
def spec(tmp_path: Path) -> str:
    path = tmp_path / "jobs.yaml"
    path.write_text(SPEC)
    return str(path)


def test_a_retry_test_gets_503_503_200_in_order(spec: str) -> None:
    with serving(spec, "--quiet", cwd=ROOT) as served, httpx.Client(base_url=served.base, timeout=10) as client:
        created = client.post("/__mock/overrides", json={"operation": "listJobs", "sequence": [503, 503, 200]})
        assert created.status_code == 201, created.text
        answers = [client.get(JOBS, headers=KEY) for _ in range(4)]
        assert [r.status_code for r in answers] == [503, 503, 200, 200]
        assert answers[0].json() == {"message": "Jobs are unavailable"}
        listed = client.get("/__mock/overrides").json()["overrides"]
        assert [(o["used"], o["times"]) for o in listed] == [(3, 3)]


def _status_and_worker(server_pid: int, port: int) -> tuple[int, int | None]:
    """One request on a fresh connection: its status, and the worker process that answered it."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(b"GET " + JOBS.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: k-1\r\n\r\n")
        head = client.recv(65536)
        assert head.startswith(b"HTTP/1.1 "), head[:100]
        return int(head[9:12]), _answering_worker(server_pid, port, client)


@pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="reads which process holds a connection from /proc")
def test_with_two_workers_a_sequence_advances_once_per_request(spec: str) -> None:
    steps = [503, 429, 503, 200, 429] * 40  # a pattern any skipped or repeated step would break
    with serving(spec, "--workers", "2", "--quiet", cwd=ROOT) as served:
        created = httpx.post(served.base + "/__mock/overrides", json={"operation": "listJobs", "sequence": steps})
        assert created.status_code == 201, created.text
        seen: list[int] = []
        workers: set[int | None] = set()
        # Fresh connections, until both workers have answered (a few do it; bounded by the sequence).
        while len(seen) < len(steps) and (len(workers) < 2 or len(seen) < 20):
            status, worker = _status_and_worker(served.process.pid, served.port)
            seen.append(status)
            workers.add(worker)
        assert len(workers - {None}) == 2, f"only worker {workers} answered {len(seen)} connections"
        assert seen == steps[: len(seen)]
        listed = httpx.get(served.base + "/__mock/overrides").json()["overrides"]
        assert listed[0]["used"] == len(seen)


def test_rate_limit_counts_one_credential_across_workers(spec: str) -> None:
    with serving(spec, "--workers", "2", "--rate-limit", "3/min", "--quiet", cwd=ROOT) as served:
        # A new connection each time (the kernel spreads them over both workers); three a minute in all.
        answers = [httpx.get(served.base + JOBS, headers=KEY, timeout=10) for _ in range(5)]
        assert any("rate-limit=3 per 60 s per credential" in line for line in served.stdout)  # the banner
    assert [r.status_code for r in answers] == [200, 200, 200, 429, 429]
    assert answers[3].json()["message"].startswith("Rate limit exceeded: 3 requests per 60 s")  # the envelope
    assert 1 <= int(answers[3].headers["retry-after"]) <= 20


def test_a_bad_rate_limit_is_one_line_and_exit_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--rate-limit", "5/day", "--port", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "mockserver: error: --rate-limit='5/day' must be requests per period, as 10/s, 100/min or 1000/h"
    )


def test_an_override_can_drop_the_connection_or_add_latency(spec: str) -> None:
    with serving(spec, "--quiet", cwd=ROOT) as served, httpx.Client(base_url=served.base, timeout=10) as client:
        client.post(
            "/__mock/overrides", json={"operation": "listJobs", "sequence": [{"fault": "drop"}, {"latency_ms": 300}]}
        )
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(JOBS, headers=KEY)
        slow = client.get(JOBS, headers=KEY)
        assert slow.status_code == 200 and slow.elapsed.total_seconds() >= 0.3  # at least the latency asked for
        assert client.get(JOBS, headers=KEY).status_code == 200
        journal = client.get("/__mock/requests").json()["requests"]
        assert [e.get("override") for e in journal if e["path"] == JOBS] == [None, 1, 1]
