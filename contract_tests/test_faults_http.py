"""Transport faults over REAL HTTP: the mock under uvicorn on a loopback port, an httpx client on the other end.

`Prefer: fault=drop|truncate|trickle` (or `--fault KIND --fault-rate RATE`) breaks the response the way a
flaky network does: `drop` closes the connection after the status line, `truncate` sends half the body of
what Content-Length announced, `trickle` sends the whole body slowly in small chunks. An in-process client
cannot show any of this, so the server here is a real socket server in a background thread.

Also the `serve` command's validation of the chaos options (a subprocess that exits at once).
"""

from __future__ import annotations

import gc
import json
import logging
import socket
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from mockserver.openapi.loader import load_all
from mockserver.openapi.model import ApiSpec
from mockserver.openapi.validation import schema_validator
from mockserver.serving.app import build_app
from mockserver.serving.chaos import QuietDrops
from mockserver.serving.config import ServerConfig

ROOT = Path(__file__).resolve().parent.parent
APIS = load_all([ROOT / "specs"])
AUTH = {"Authorization": "Bearer test-token"}
OPENROUTER = "/openrouter/api/v1/activity"
ANALYTICS = (
    "/client-analytics/v2/clients/aa7cf840-9ca9-46a3-9778-9015d6580d50/analytics/users/"
    "a1d97031-04e2-4907-a249-093f7436207b/activity"
)
ANALYTICS_QUERY = {
    "granularity": "daily",
    "start_date": "2026-01-01",
    "end_date": "2026-01-10",
    "metric": "activity-count",
}
REQUESTS: list[tuple[str, dict[str, str], dict[str, str]]] = [
    (OPENROUTER, {}, AUTH),
    ("/onepin/api/v1/usage/activity", {}, AUTH),
    ("/lightdash/api/v1/analytics/user-activity/3c6a0b0e-8f7e-4a43-9d1e-2a1b5c9e7f10", {}, {}),
    (ANALYTICS, ANALYTICS_QUERY, AUTH),
]
# What a client sees when the server breaks the body off: httpx's incomplete-read error (or a reset socket).
BROKEN = (httpx.RemoteProtocolError, httpx.ReadError)
STARTUP_POLLS = 500
POLL_INTERVAL = 0.01

pytestmark = pytest.mark.filterwarnings(
    # Connexion's ServerErrorMiddleware.error_response is async while Starlette calls it synchronously when a
    # response that already started fails (every drop and truncate): not the mock's to fix.
    "ignore:coroutine 'ServerErrorMiddleware.error_response' was never awaited:RuntimeWarning"
)


@pytest.fixture(scope="module", autouse=True)
def _collect_unawaited_coroutines() -> Iterator[None]:
    """Collect the coroutines the filter above is about here, rather than in pytest's session teardown."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        gc.collect()


@contextmanager
def serve(config: ServerConfig, apis: list[ApiSpec] | None = None) -> Iterator[str]:
    """The mock (every bundled spec, or `apis`) under uvicorn on a free loopback port, in a background thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # log_config=None: leave the process's logging as pytest set it up (uvicorn would replace it).
    server = uvicorn.Server(
        uvicorn.Config(build_app(APIS if apis is None else apis, config), log_config=None, log_level="warning")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"mock:{port}", daemon=True)
    thread.start()
    try:
        for _ in range(STARTUP_POLLS):
            if server.started:
                break
            if not thread.is_alive():
                raise RuntimeError("the mock's server thread died during startup")
            thread.join(timeout=POLL_INTERVAL)
        else:
            raise RuntimeError(f"the mock did not start within {STARTUP_POLLS} polls of {POLL_INTERVAL}s")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def server_errors() -> Iterator[Records]:
    """ERROR records of uvicorn's error log, with the filter `mockserver serve` installs on it."""
    logger = logging.getLogger("uvicorn.error")
    quiet, records = QuietDrops(), Records()
    logger.addFilter(quiet)
    logger.addHandler(records)
    try:
        yield records
    finally:
        logger.removeHandler(records)
        logger.removeFilter(quiet)


@pytest.fixture(scope="module")
def base(server_errors: Records) -> Iterator[str]:
    with serve(ServerConfig(seed=1, access_log=False)) as url:
        yield url


def journal_has(base: str, n: int) -> list[dict[str, Any]]:
    """The journal once it holds `n` entries: the server has finished (and logged) the requests before."""
    entries: list[dict[str, Any]] = []
    for _ in range(STARTUP_POLLS):
        entries = httpx.get(f"{base}/__mock/requests").json()["requests"]
        if len(entries) >= n:
            return entries
    raise AssertionError(f"the journal never reached {n} entries: {entries}")


def clear_journal(base: str) -> None:
    assert httpx.delete(f"{base}/__mock/requests").status_code == 204


def prefer(value: str) -> dict[str, str]:
    return {**AUTH, "Prefer": value}


# --- Prefer: fault=... ---------------------------------------------------------------------------------------


def test_fault_truncate_breaks_the_body_off_half_way(base: str) -> None:
    received = b""
    with httpx.Client(base_url=base) as client, client.stream("GET", OPENROUTER, headers=prefer("fault=truncate")) as r:
        assert r.status_code == 200
        announced = int(r.headers["content-length"])
        with pytest.raises(BROKEN):
            for chunk in r.iter_raw():
                received += chunk
    assert 0 < len(received) < announced
    with pytest.raises(json.JSONDecodeError):
        json.loads(received)


def test_fault_truncate_makes_a_plain_get_raise(base: str) -> None:
    with pytest.raises(BROKEN, match=r"incomplete|peer closed|complete message"):
        httpx.get(f"{base}{OPENROUTER}", headers=prefer("fault=truncate"))


def test_fault_drop_closes_the_connection_after_the_status_line(base: str) -> None:
    received = b""
    with httpx.Client(base_url=base) as client, client.stream("GET", OPENROUTER, headers=prefer("fault=drop")) as r:
        assert r.status_code == 200  # the status line and headers arrive ...
        with pytest.raises(BROKEN):
            for chunk in r.iter_raw():  # ... the body never does
                received += chunk
    assert received == b""


def test_fault_drop_makes_a_plain_get_raise(base: str) -> None:
    with pytest.raises(BROKEN):
        httpx.get(f"{base}{OPENROUTER}", headers=prefer("fault=drop"))


def test_fault_trickle_delivers_the_whole_valid_body_in_several_chunks(base: str) -> None:
    api = next(a for a in APIS if a.name == "client-analytics")
    (op,) = api.operations
    documented = op.response_for(200)
    assert documented is not None
    with (
        httpx.Client(base_url=base) as client,
        client.stream("GET", ANALYTICS, params=ANALYTICS_QUERY, headers=prefer("fault=trickle")) as r,
    ):
        assert r.status_code == 200
        chunks = [chunk for chunk in r.iter_raw() if chunk]
    body = b"".join(chunks)
    assert len(chunks) >= 3, f"{len(body)} bytes came in {len(chunks)} chunk(s)"
    assert len(body) == int(r.headers["content-length"])
    assert not schema_validator(documented.schema, openapi_31=api.is_31)(json.loads(body))


def test_fault_trickle_body_equals_the_untroubled_body(base: str) -> None:
    with httpx.Client(base_url=base) as client:
        plain = client.get(ANALYTICS, params=ANALYTICS_QUERY, headers=AUTH).content
        trickled = client.get(ANALYTICS, params=ANALYTICS_QUERY, headers=prefer("fault=trickle")).content
    assert trickled == plain


@pytest.mark.parametrize("value", ["fault=bogus", "fault=", "fault=DROP"])
def test_unknown_fault_is_a_400_problem_from_the_mock(base: str, value: str) -> None:
    response = httpx.get(f"{base}{OPENROUTER}", headers=prefer(value))
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["x-mock-error"] == "true"
    assert "fault" in response.json()["detail"]


def test_the_server_keeps_serving_after_faults(base: str) -> None:
    for fault in ("drop", "truncate"):
        with pytest.raises(BROKEN):
            httpx.get(f"{base}{OPENROUTER}", headers=prefer(f"fault={fault}"))
    response = httpx.get(f"{base}{OPENROUTER}", headers=AUTH)
    assert response.status_code == 200
    assert response.json()["data"] is not None


def test_faulted_requests_are_journaled(base: str) -> None:
    clear_journal(base)
    with pytest.raises(BROKEN):
        httpx.get(f"{base}{OPENROUTER}", headers=prefer("fault=drop"))
    (entry,) = journal_has(base, 1)
    assert entry["headers"]["prefer"] == "fault=drop"
    assert entry["headers"]["authorization"] == "Bearer ***"


def test_a_drop_leaves_no_error_in_the_server_log(base: str, server_errors: Records) -> None:
    clear_journal(base)
    server_errors.records.clear()
    with pytest.raises(BROKEN):
        httpx.get(f"{base}{OPENROUTER}", headers=prefer("fault=drop"))
    journal_has(base, 1)
    assert [r.getMessage() for r in server_errors.records] == []


def test_a_truncate_leaves_no_error_in_the_server_log(base: str, server_errors: Records) -> None:
    clear_journal(base)
    server_errors.records.clear()
    with pytest.raises(BROKEN):
        httpx.get(f"{base}{OPENROUTER}", headers=prefer("fault=truncate"))
    journal_has(base, 1)
    assert [r.getMessage() for r in server_errors.records] == []


# --- --fault KIND --fault-rate RATE --------------------------------------------------------------------------


def test_configured_truncate_at_rate_1_breaks_every_request() -> None:
    with serve(ServerConfig(seed=1, faults=("truncate",), fault_rate=1.0, access_log=False)) as url:
        for path, params, headers in REQUESTS * 2:
            with pytest.raises(BROKEN):
                httpx.get(f"{url}{path}", params=params, headers=headers)
        # the mock's own endpoints are not faulted: the journal (every failed request in it) and the index answer
        assert len(journal_has(url, len(REQUESTS) * 2)) == len(REQUESTS) * 2
        assert httpx.get(f"{url}/").status_code == 200
        # a request's `Prefer: fault=` replaces the configured fault for that request
        with (
            httpx.Client(base_url=url) as client,
            client.stream("GET", ANALYTICS, params=ANALYTICS_QUERY, headers=prefer("fault=trickle")) as r,
        ):
            body = b"".join(r.iter_raw())
        assert json.loads(body)["metric"] == "activity-count"


def test_configured_faults_at_rate_0_break_nothing() -> None:
    with serve(ServerConfig(seed=1, faults=("drop", "truncate"), fault_rate=0.0, access_log=False)) as url:
        for path, params, headers in REQUESTS:
            assert httpx.get(f"{url}{path}", params=params, headers=headers).status_code == 200


# --- request framing over a real socket (issue 10, item 14) ------------------------------------------------

BODY_SPEC = """
openapi: 3.0.3
info: {title: Bodies, version: "1"}
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [name], properties: {name: {type: string}}}
      responses:
        "201": {description: created, content: {application/json: {schema: {type: object}}}}
        "400": {description: invalid, content: {application/json: {schema: {type: object}}}}
"""


@pytest.fixture(scope="module")
def bodies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    spec = tmp_path_factory.mktemp("bodies") / "bodies.yaml"
    spec.write_text(BODY_SPEC)
    with serve(ServerConfig(seed=1, access_log=False), load_all([spec])) as url:
        yield url


def test_a_chunked_request_body_without_content_length_is_accepted(bodies: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name":'
        yield b' "sent in chunks"}'

    response = httpx.post(f"{bodies}/bodies/things", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in response.request.headers
    assert response.status_code == 201, response.text


def test_a_chunked_invalid_body_is_judged_on_its_content(bodies: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"nam'
        yield b'e": 7}'

    clear_journal(bodies)
    response = httpx.post(f"{bodies}/bodies/things", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    [entry] = journal_has(bodies, 1)
    assert "7 is not of type 'string'" in entry["problem"]


def test_the_trailing_slash_redirect_ignores_a_hostile_host_header(bodies: str) -> None:
    port = int(bodies.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(b"GET /bodies/ui HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower().splitlines()
    assert head[0].split()[1] in ("301", "307", "308")
    assert "location: /bodies/ui/" in head
    assert "evil.example" not in answer.decode("latin-1")


# --- the serve command's option checks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--chaos", "2"], "--chaos"),
        (["--latency", "5-1"], "--latency"),
        (["--fault-rate", "1.5"], "--fault-rate"),
        (["--edge-cases", "-1"], "--edge-cases"),
    ],
    ids=["chaos-2", "latency-5-1", "fault-rate-1.5", "edge-cases--1"],
)
def test_serve_rejects_bad_chaos_options_with_exit_2_and_one_line(args: list[str], named: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", *args, "--port", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mockserver: error:")
    assert named in lines[0]
    assert result.stdout == ""
