"""The command line, run as the user runs it: `python -m mockserver …` in a subprocess."""

from __future__ import annotations

import json
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from mockserver.cli import main
from mockserver.openapi.loader import load, load_all
from mockserver.openapi.validation import schema_validator

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
TIMEOUT = 60


def mockserver(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


@pytest.fixture
def broken_spec(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text("openapi: 3.0.3\ninfo: [unclosed\npaths: {}\n", encoding="utf-8")
    return path


# --- list ------------------------------------------------------------------------------------------


def test_list_prints_every_api_and_operation() -> None:
    result = mockserver("list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for api in load_all([SPECS]):
        assert any(line.startswith(api.name) and api.mount_path in line for line in lines), api.name
        for op in api.operations:
            wanted = f"{op.method.upper()} {api.mount_path}{op.path}"
            matching = [line for line in lines if wanted in " ".join(line.split()) and op.operation_id in line]
            assert matching, f"{wanted} {op.operation_id} not listed"
            assert all(status in matching[0] for status in op.documented_statuses)


def test_list_of_one_spec_lists_only_it() -> None:
    result = mockserver("list", "specs/onepin.yaml")
    assert result.returncode == 0, result.stderr
    assert "onepin" in result.stdout
    assert "openrouter" not in result.stdout


# --- generate --------------------------------------------------------------------------------------


def test_generate_prints_json_valid_against_the_schema_and_identical_across_runs() -> None:
    first = mockserver("generate", "specs/openrouter.yaml", "get-user-activity", "--seed", "3")
    second = mockserver("generate", "specs/openrouter.yaml", "get-user-activity", "--seed", "3")
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert first.stdout == second.stdout
    api = load(SPECS / "openrouter.yaml")
    schema = api.operation("get-user-activity").responses["200"].schema
    body = json.loads(first.stdout)
    assert schema_validator(schema, openapi_31=api.is_31)(body) == []
    assert body["data"], "a generated activity list should not be empty"


def test_generate_with_another_seed_differs() -> None:
    three = mockserver("generate", "specs/openrouter.yaml", "get-user-activity", "--seed", "3")
    four = mockserver("generate", "specs/openrouter.yaml", "get-user-activity", "--seed", "4")
    assert three.returncode == four.returncode == 0
    assert three.stdout != four.stdout


def test_generate_a_documented_error_status() -> None:
    result = mockserver("generate", "specs/client-analytics.yaml", "getUserActivity", "--status", "404")
    assert result.returncode == 0, result.stderr
    api = load(SPECS / "client-analytics.yaml")
    schema = api.operation("getUserActivity").responses["404"].schema
    assert schema_validator(schema, openapi_31=True)(json.loads(result.stdout)) == []


def test_generate_an_undocumented_status_exits_2_naming_the_documented_ones() -> None:
    result = mockserver("generate", "specs/openrouter.yaml", "get-user-activity", "--status", "418")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "418" in result.stderr and "200, 400, 401, 403, 500" in result.stderr


def test_generate_an_unknown_operation_exits_2_listing_known_ones() -> None:
    result = mockserver("generate", "specs/openrouter.yaml", "no-such-op")
    assert result.returncode == 2
    assert "no-such-op" in result.stderr and "get-user-activity" in result.stderr


# --- broken specs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["list", "generate"])
def test_broken_spec_exits_2_with_one_stderr_line_naming_the_file(broken_spec: Path, command: str) -> None:
    extra = ["get-user-activity"] if command == "generate" else []
    result = mockserver(command, str(broken_spec), *extra)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert str(broken_spec) in lines[0]
    assert "line 3, column 6" in lines[0]


def test_missing_spec_exits_2_naming_it(tmp_path: Path) -> None:
    result = mockserver("list", str(tmp_path / "absent.yaml"))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "absent.yaml" in result.stderr


def test_serve_with_a_broken_spec_exits_2_with_one_stderr_line(broken_spec: Path) -> None:
    """No import-time warning (Connexion pulls in starlette.testclient) before the one error line."""
    result = mockserver("serve", str(broken_spec), "--port", "0")
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert str(broken_spec) in result.stderr


def test_spec_with_a_dangling_ref_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "dangling.yaml"
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {"responses": {"200": {"$ref": "#/components/responses/Missing"}}}}},
    }
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    result = mockserver("list", str(path))
    assert result.returncode == 2, result.stderr[-300:]
    assert len(result.stderr.splitlines()) == 1, result.stderr[-300:]


# --- a bundled API name or a spec path, for every command (in process: nothing here needs a server) ---------


@pytest.mark.parametrize("given", ["lightdash", str(SPECS / "lightdash.yaml")], ids=["name", "path"])
def test_list_takes_a_bundled_name_or_a_path(given: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", given]) == 0
    apis = [line for line in capsys.readouterr().out.splitlines() if not line.startswith(" ")]
    assert len(apis) == 1 and apis[0].startswith("lightdash "), apis


@pytest.mark.parametrize("given", ["openrouter", str(SPECS / "openrouter.yaml")], ids=["name", "path"])
def test_generate_takes_a_bundled_name_or_a_path(given: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", given, "get-user-activity"]) == 0
    assert "data" in json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("given", ["onepin", str(SPECS / "onepin.yaml")], ids=["name", "path"])
def test_contract_takes_a_bundled_name_or_a_path(given: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Against a port nothing listens on: the run stops at "cannot reach", after loading the spec it was given.
    assert main(["contract", given, "--base-url", "http://127.0.0.1:9"]) == 2
    out = capsys.readouterr().out
    assert "onepin" in out and "cannot reach" in out, out


def test_fixtures_record_takes_a_bundled_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # (a spec path: contract_tests/test_record_http.py records with one against a real upstream)
    argv = ["fixtures", "record", "onepin", "--base-url", "http://127.0.0.1:9", "--fixtures-dir", str(tmp_path)]
    assert main(argv) == 2
    assert "recording onepin failed" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_name_is_reported_as_a_missing_spec_by_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["list", "nosuchapi"], ["generate", "nosuchapi", "op"], ["contract", "nosuchapi"]):
        assert main(argv) == 2
        [line] = capsys.readouterr().err.splitlines()
        assert "nosuchapi" in line and "not found" in line, line


# --- serve -----------------------------------------------------------------------------------------


# A port of 0 lets the system choose a free one, which the banner names: no port picked, released and bound
# again here (another program may take it in between).
BANNER_BASE = re.compile(r"index at (http://127\.0\.0\.1:\d+)/")
STARTUP = 30  # seconds: a generous bound for the banner and for listening, on a loaded machine


@dataclass
class Serving:
    process: subprocess.Popen[str]
    banner: list[str]  # stdout up to the limits line
    stderr: queue.Queue[str | None]  # None at the end of the stream
    base: str


def _pump(stream: Iterable[str], into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line.rstrip("\n"))
    into.put(None)


@contextmanager
def serving(*args: str) -> Iterator[Serving]:
    """`mockserver serve ARGS --port 0`, listening when the block starts (at the port its banner names), stopped
    when it ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", *args, "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout: queue.Queue[str | None] = queue.Queue()
    stderr: queue.Queue[str | None] = queue.Queue()
    pumps = [
        threading.Thread(target=_pump, args=(stream, into), daemon=True)
        for stream, into in ((process.stdout, stdout), (process.stderr, stderr))
    ]
    for pump in pumps:
        pump.start()
    try:
        banner: list[str] = []
        while not any(" limits: " in line for line in banner):
            line = stdout.get(timeout=STARTUP)
            if line is None:
                pytest.fail(f"the server exited before its banner: {process.wait(timeout=10)}")
            banner.append(line)
        [base] = [m.group(1) for line in banner if (m := BANNER_BASE.search(line))]
        host, port = base.removeprefix("http://").split(":")
        deadline = time.monotonic() + STARTUP
        while True:  # the banner comes as uvicorn starts; poll (bounded) until it accepts connections
            assert process.poll() is None, "the server exited"
            try:
                socket.create_connection((host, int(port)), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"nothing listens at {base}"
                time.sleep(0.05)
        yield Serving(process, banner, stderr, base)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pump in pumps:
            pump.join(timeout=10)  # the pipes end with the process
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def served() -> Iterator[str]:
    with serving("--seed", "1", "--quiet") as server:
        yield server.base


def test_serve_on_port_0_names_the_port_the_system_chose_in_its_banner() -> None:
    with serving("openrouter", "--quiet") as server:
        port = int(server.base.rsplit(":", 1)[1])
        assert port > 0
        [api] = [line for line in server.banner if "(docs " in line]  # the bundled name served that API alone
        assert f"{server.base}/openrouter" in api, server.banner
        assert httpx.get(server.base + "/", timeout=10).status_code == 200


def test_serve_banner_names_the_dashboard_and_it_answers_a_browser() -> None:
    with serving("openrouter", "--quiet") as server:
        assert any(line.endswith(f"dashboard at {server.base}/__mock/") for line in server.banner), server.banner
        page = httpx.get(server.base + "/__mock/", headers={"Accept": "text/html"}, timeout=10)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


def test_serve_answers_the_index_and_an_openrouter_request_over_real_http(served: str) -> None:
    with httpx.Client(base_url=served, timeout=10) as http:
        index = http.get("/")
        assert index.status_code == 200
        names = {api["name"] for api in index.json()["apis"]}
        assert names == {"openrouter", "lightdash", "onepin", "client-analytics"}

        activity = http.get("/openrouter/api/v1/activity", headers={"Authorization": "Bearer test"})
        assert activity.status_code == 200
        api = load(SPECS / "openrouter.yaml")
        schema = api.operation("get-user-activity").responses["200"].schema
        assert schema_validator(schema, openapi_31=True)(activity.json()) == []

        unauthenticated = http.get("/openrouter/api/v1/activity")
        assert unauthenticated.status_code == 401
        assert "www-authenticate" in unauthenticated.headers


# --- lenient and strict loading ---------------------------------------------------------------------

# A 3.1 document with 3.0 spellings (OpenRouter's published spec has one): served by default, refused by --strict.
SERVABLE = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /prices:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [price]
                properties:
                  price: {type: number, minimum: 0, exclusiveMinimum: true}
  /fees:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [fee]
                properties:
                  fee: {type: number, minimum: 0, exclusiveMinimum: true}
"""


@pytest.fixture
def servable_spec(tmp_path: Path) -> Path:
    path = tmp_path / "servable.yaml"
    path.write_text(SERVABLE, encoding="utf-8")
    return path


def test_list_serves_an_invalid_but_servable_spec_with_one_warning_line_per_kind(servable_spec: Path) -> None:
    result = mockserver("list", str(servable_spec))
    assert result.returncode == 0, result.stderr
    assert "GET /servable/prices" in " ".join(result.stdout.split())
    [warning] = result.stderr.splitlines()
    assert str(servable_spec) in warning and "2 ×" in warning and "--strict" in warning


def test_strict_refuses_the_same_spec_with_one_line_and_exit_2(servable_spec: Path) -> None:
    result = mockserver("list", "--strict", str(servable_spec))
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert str(servable_spec) in line and "exclusiveMinimum" in line


def test_serve_answers_a_servable_spec_at_once_and_warns_while_serving(servable_spec: Path) -> None:
    with serving(str(servable_spec), "--quiet") as server:
        answer = httpx.get(f"{server.base}/servable/prices", timeout=10)
        assert answer.status_code == 200
        assert all(value > 0 for value in answer.json().values())  # exclusiveMinimum: true read as 3.0 meant it
        warning = server.stderr.get(timeout=30)  # the validation child reports while the parent serves
        assert warning is not None and str(servable_spec) in warning and "served despite" in warning


def test_a_60_kb_url_over_real_http_gets_414_in_the_api_envelope_not_the_servers_plain_400(served: str) -> None:
    # (past about 80 KB of request head the HTTP parser itself refuses, before the app sees anything)
    host, port = served.removeprefix("http://").split(":")
    target = "/openrouter/api/v1/activity?date=" + "9" * 60_000
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            f"GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nConnection: close\r\n\r\n".encode()
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414"), head[:200]
    assert json.loads(body)["error"]["message"]  # OpenRouter's own envelope


# --- serve: start-up checks and banner -------------------------------------------------------------


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port another program listens on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_serve_on_a_port_in_use_says_so_in_one_line_before_any_banner(busy_port: int) -> None:
    result = mockserver("serve", "--port", str(busy_port))
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""  # no banner announcing a server that never listens
    assert result.stderr.splitlines() == [f"mockserver: error: 127.0.0.1:{busy_port} is already in use"]


@pytest.mark.parametrize(
    ("flags", "needs"),
    [(["--fault", "drop"], "--fault-rate"), (["--fault-rate", "0.2"], "--fault drop|truncate|trickle")],
    ids=["fault-without-rate", "rate-without-fault"],
)
def test_serve_refuses_a_fault_without_a_rate_and_a_rate_without_a_fault(
    busy_port: int, flags: list[str], needs: str
) -> None:
    # (on a busy port, so that before the fix the run ends at once instead of serving no faults)
    result = mockserver("serve", *flags, "--port", str(busy_port))
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("mockserver: error: ") and needs in line, line


@pytest.mark.parametrize(
    "flags",
    [
        ["--header-timeout", "0"],
        ["--body-timeout", "nan"],
        ["--max-connections", "0"],
        ["--request-budget", "-1"],
        ["--request-budget", "nan"],
        ["--max-answer-size", "-1"],
        ["--max-answer-size", "lots"],
    ],
)
def test_serve_refuses_limits_that_cannot_work_in_one_line(flags: list[str]) -> None:
    result = mockserver("serve", *flags, "--port", "0")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert flags[0] in line, line


def _banner(*args: str) -> list[str]:
    """`serve ARGS`'s start-up lines (up to the limits line), the server stopped afterwards."""
    with serving("specs/lightdash.yaml", *args) as server:
        return server.banner


def test_serve_banner_states_chaos_faults_latency_edge_cases_and_how_many_tokens_never_their_values() -> None:
    banner = _banner(
        "--chaos", "0.1", "--fault", "drop", "--fault", "trickle", "--fault-rate", "0.05",
        "--latency", "100-400", "--edge-cases", "0.2", "--token", "s3cret-one", "--token", "s3cret-two",
    )  # fmt: skip
    [settings] = [line for line in banner if "chaos=" in line]
    assert settings == (
        "mockserver: chaos=0.1 faults=drop,trickle at 0.05 latency=100-400 ms edge-cases=0.2 "
        "tokens=2 accepted (values not shown)"
    )
    assert not any("s3cret" in line for line in banner)
    [limits] = [line for line in banner if " limits: " in line]
    assert "10 s" in limits and "30 s" in limits and "1000 connections" in limits


def test_serve_banner_says_when_nothing_is_injected() -> None:
    banner = _banner(
        "--header-timeout", "5", "--body-timeout", "20", "--max-connections", "50",
        "--request-budget", "2.5", "--max-answer-size", "512K",
    )  # fmt: skip
    assert "mockserver: no chaos, faults, latency or edge cases; tokens=any" in banner
    assert (
        "mockserver: limits: request head within 5 s, body within 20 s, at most 50 connections; "
        "each answer within 2.5 s and 512 KiB"
    ) in banner


# --- x-mock mistakes --------------------------------------------------------------------------------

XMOCK_MISTAKES = {
    "misspelt key": ("limit", {"parm": "query.limit", "array": "data"}, "x-mock.limit.parm: unknown key"),
    "unknown rule kind": ("request_rules", [{"rule": "date_rnage"}], "unknown rule kind 'date_rnage'"),
    "dangling reference": ("filter", {"data[].action": "query.kind"}, "'query.kind' names no parameter"),
    "misspelt body path": ("filter", {"data[].acton": "query.type"}, "'data[].acton' is not a field"),
}


@pytest.mark.parametrize("command", ["serve", "contract --base-url"])
@pytest.mark.parametrize("mistake", sorted(XMOCK_MISTAKES))
def test_a_mistake_in_x_mock_exits_2_with_one_line_naming_it(tmp_path: Path, command: str, mistake: str) -> None:
    key, value, named = XMOCK_MISTAKES[mistake]
    document = yaml.safe_load((SPECS / "onepin.yaml").read_text(encoding="utf-8"))
    operation = next(item["get"] for item in document["paths"].values() if "x-mock" in item.get("get", {}))
    operation["x-mock"][key] = value
    path = tmp_path / "onepin.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    if command == "serve":
        result = mockserver("serve", str(path), "--port", "0")
    else:  # nothing listens there: the spec is refused before any request
        result = mockserver("contract", str(path), "--base-url", "http://127.0.0.1:9")
    assert result.returncode == 2, result.stderr[-300:]
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr[-300:]
    assert str(path) in lines[0] and "GET /" in lines[0] and named in lines[0], lines[0]


def test_a_reader_that_goes_away_early_is_not_a_traceback() -> None:
    # `mockserver generate … | head -3`: the pipe closes while the body is still being written.
    command = [sys.executable, "-m", "mockserver", "generate", "openrouter", "get-user-activity"]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(10)
        process.stdout.close()
        errors = process.stderr.read().decode()
        assert process.wait(timeout=60) == 0
    assert "Traceback" not in errors, errors


def test_serve_banner_says_where_state_is_kept(tmp_path: Path) -> None:
    kept = tmp_path / "state.sqlite"
    assert (
        "mockserver: state: kept in memory (GET /__mock/state shows it, DELETE /__mock/state forgets it)" in _banner()
    )
    assert any(f"state: kept in {kept}" in line for line in _banner("--state-file", str(kept)))
    assert any("state: off (--stateless)" in line for line in _banner("--stateless"))


def test_a_state_file_that_cannot_be_opened_exits_2_with_one_line_naming_it(tmp_path: Path) -> None:
    where = tmp_path / "no-such-folder" / "state.sqlite"
    result = mockserver("serve", "specs/lightdash.yaml", "--port", "0", "--state-file", str(where))
    assert result.returncode == 2, result.stderr[-300:]
    [line] = result.stderr.splitlines()
    assert "no-such-folder" in line and "state database" in line, line
