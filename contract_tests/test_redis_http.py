"""Two `mockserver serve` instances (as behind a load balancer) sharing one real Redis: `--state-url redis://…`."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from redis_support import RedisServer, running_redis
from serve_support import Served, serving
from test_overrides_http import JOBS, KEY, SPEC

ROOT = Path(__file__).resolve().parent.parent
TASKS = str(ROOT / "examples" / "tasks" / "tasks.yaml")
BASE = "/tasks/v1/tasks"
AUTH = {"Authorization": "Bearer x"}


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


@pytest.fixture
def jobs(tmp_path: Path) -> str:
    path = tmp_path / "jobs.yaml"
    path.write_text(SPEC)
    return str(path)


@contextmanager
def two_instances(url: str, *args: str) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """Two separate servers (not workers of one) on one Redis, and a client for each."""
    with ExitStack() as stack:
        clients = []
        for _ in range(2):
            served: Served = stack.enter_context(serving(*args, "--quiet", "--state-url", url, cwd=ROOT))
            clients.append(stack.enter_context(httpx.Client(base_url=served.base, timeout=10)))
        yield clients[0], clients[1]


def test_a_sequence_override_advances_once_per_request_across_two_instances(
    redis_server: RedisServer, jobs: str
) -> None:
    with two_instances(redis_server.url, jobs) as (one, other):
        created = one.post("/__mock/overrides", json={"operation": "listJobs", "sequence": [503, 503, 200]})
        assert created.status_code == 201, created.text
        answers = [client.get(JOBS, headers=KEY) for client in (other, one, other, one)]
        assert [r.status_code for r in answers] == [503, 503, 200, 200]
        assert answers[0].json() == {"message": "Jobs are unavailable"}
        assert [(o["used"], o["times"]) for o in other.get("/__mock/overrides").json()["overrides"]] == [(3, 3)]


def test_a_credentials_rate_is_counted_across_two_instances(redis_server: RedisServer, jobs: str) -> None:
    with two_instances(redis_server.url, jobs, "--rate-limit", "2/min") as (one, other):
        statuses = [client.get(JOBS, headers=KEY).status_code for client in (one, other, one, other)]
        assert statuses == [200, 200, 429, 429]
        assert one.get(JOBS, headers={"X-Api-Key": "another"}).status_code == 200  # its own count


def test_a_resource_created_via_one_instance_is_read_listed_and_deleted_via_the_other(
    redis_server: RedisServer,
) -> None:
    with two_instances(redis_server.url, TASKS, "--seed", "3") as (one, other):
        created = one.post(BASE, json={"title": "buy milk", "status": "todo"}, headers=AUTH)
        assert created.status_code == 201, created.text
        task = created.json()
        item = f"{BASE}/{task['id']}"
        assert other.get(item, headers=AUTH).json() == task
        seen, cursor = [], None
        while True:  # every page, through the other instance: the task once, among the same initial ones
            params = {"limit": 10, **({"cursor": cursor} if cursor else {})}
            page = other.get(BASE, params=params, headers=AUTH).json()
            seen += [t["id"] for t in page["data"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen.count(task["id"]) == 1 and len(seen) == len(set(seen))
        assert other.delete(item, headers=AUTH).status_code == 204
        assert one.get(item, headers=AUTH).status_code == 404


def test_both_instances_requests_reach_one_journal_and_reset_keeps_it(redis_server: RedisServer, jobs: str) -> None:
    with two_instances(redis_server.url, jobs) as (one, other):
        for client in (one, other, one):
            client.get(JOBS, headers=KEY)
        assert [r["path"] for r in other.get("/__mock/requests").json()["requests"]] == [JOBS] * 3
        assert one.delete("/__mock/state").status_code == 204
        assert [r["path"] for r in one.get("/__mock/requests").json()["requests"]] == ["/__mock/state", *[JOBS] * 3]
        state = other.get("/__mock/state").json()
        assert state["file"] == redis_server.url


def test_a_redis_gone_away_while_serving_is_the_mocks_503_not_a_500_or_a_hang(
    redis_server: RedisServer, jobs: str
) -> None:
    with serving(jobs, "--quiet", "--state-url", redis_server.url, cwd=ROOT) as served:
        with httpx.Client(base_url=served.base, timeout=30) as client:
            assert client.get(JOBS, headers=KEY).status_code == 200
            redis_server.stop()
            for path in (JOBS, "/__mock/requests", "/__mock/overrides", "/__mock/state"):
                started = time.monotonic()
                answer = client.get(path, headers=KEY)
                assert answer.status_code == 503, (path, answer.text)
                assert answer.headers["x-mock-error"] == "true"
                assert answer.headers["content-type"] == "application/problem+json"
                assert "state store" in answer.json()["detail"]
                assert time.monotonic() - started < 10
        assert served.process.poll() is None  # still serving


def test_the_banner_names_the_redis_with_its_password_masked(tmp_path: Path, jobs: str) -> None:
    with running_redis("--requirepass", "hunter2") as server:
        url = f"unix://:hunter2@{server.socket}"
        with serving(jobs, "--state-url", url, cwd=ROOT) as served:
            with httpx.Client(base_url=served.base, timeout=10) as client:
                assert client.get(JOBS, headers=KEY).status_code == 200
            banner = "\n".join(served.stdout)
    assert f"state: kept in unix://:***@{server.socket}" in banner
    assert "hunter2" not in banner + "\n".join(served.stderr)


def _serve(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mockserver", "serve", *args, "--port", "0"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)


def test_a_redis_that_cannot_be_reached_at_start_up_exits_2_with_one_line_naming_it(tmp_path: Path, jobs: str) -> None:
    pytest.importorskip("redis")
    url = f"unix://:hunter2@{tmp_path}/nothing.sock"
    done = _serve(jobs, "--state-url", url)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mockserver: error: cannot reach the state store"), lines
    assert f"unix://:***@{tmp_path}/nothing.sock" in lines[0] and "hunter2" not in done.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--state-url", "postgres://db/state"], "must start with sqlite:///, redis://, rediss:// or unix://"),
        (["--state-url", "sqlite://"], "needs a path"),
        (["--state-url", "redis://:pw@cache/0", "--state-file", "x.sqlite"], "give one"),
    ],
)
def test_a_state_url_that_cannot_be_used_is_one_line_and_exit_2(jobs: str, args: list[str], says: str) -> None:
    done = _serve(jobs, *args)
    assert done.returncode == 2 and says in done.stderr and "pw@" not in done.stderr, done.stderr


def test_a_sqlite_url_is_the_state_file(tmp_path: Path, jobs: str) -> None:
    with serving(jobs, "--state-url", f"sqlite://{tmp_path}/state.sqlite", cwd=ROOT) as served:
        assert f"state: kept in {tmp_path}/state.sqlite" in "\n".join(served.stdout)
    assert (tmp_path / "state.sqlite").is_file()


def test_workers_of_an_instance_on_redis_share_its_journal(redis_server: RedisServer, jobs: str) -> None:
    args = (jobs, "--quiet", "--workers", "2", "--state-url", redis_server.url)
    with serving(*args, cwd=ROOT) as served:
        for _ in range(20):
            # A fresh connection each: uvicorn's workers share the socket, either may answer.
            assert httpx.get(served.base + JOBS, headers=KEY, timeout=10).status_code == 200
        assert len(httpx.get(served.base + "/__mock/requests", timeout=10).json()["requests"]) == 20


def test_an_instance_never_answers_with_an_override_a_restarted_redis_forgot(
    redis_server: RedisServer, jobs: str
) -> None:
    import redis
    from starlette.testclient import TestClient

    from mockserver.openapi.loader import load_all
    from mockserver.serving.app import build_app
    from mockserver.serving.config import ServerConfig

    config = ServerConfig(state_url=redis_server.url, access_log=False)
    with (
        TestClient(build_app(load_all([jobs]), config)) as one,
        TestClient(build_app(load_all([jobs]), config)) as other,
    ):
        assert one.post("/__mock/overrides", json={"operation": "listJobs", "status": 503}).json()["id"] == 1
        assert one.get(JOBS, headers=KEY).status_code == 503
        redis.Redis.from_url(redis_server.url).flushall()  # as a Redis restarted without its data: ids from 1 again
        assert other.post("/__mock/overrides", json={"operation": "listJobs", "status": 429}).json()["id"] == 1
        assert one.get(JOBS, headers=KEY).status_code == 429
