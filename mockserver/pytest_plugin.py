"""pytest plugin (entry point `pytest11: mockserver`): the mock as session fixtures.

    def test_client(mock_server):
        client = MyClient(base_url=mock_server.base_url("openrouter"))   # .../openrouter/api/v1

Fixtures: `mock_server` (the mock over real HTTP on a free loopback port), `mock_app` (the ASGI app,
in process, for `httpx.ASGITransport`), `mock_specs` (the loaded APIs) and `mock_config` (the
`ServerConfig`); override the last two in a conftest to change what is served.
Options (command line, or the ini keys mock_specs / mock_seed / mock_chaos / mock_strict):
`--mock-specs PATH_OR_NAME` (repeatable; default: the bundled specs), `--mock-seed N`, `--mock-chaos RATE`,
`--mock-strict` (a test fails when its client sent the mock an invalid request or hit an undocumented path).

Steering, per test (`mock_server` stays one server for the session; what a test changes is undone after it):

    with mock_server.override("get-user-activity", sequence=[503, 503, 200]):
        client.daily_usage()                                # retried twice, then answered
    mock_server.assert_called("get-user-activity", times=3, with_query={"date": "2026-11-20"})
    with mock_server.chaos(0.5): ...                        # half the answers fail, for this block
    mock_server.state.get(); mock_server.state.reset()     # GET / DELETE /__mock/state
    mock_server.state.seed("tasks", "/tasks", [{"id": "…", "title": "widget", …}])   # the list holds just these
    mock_server.state.entities("tasks", "/tasks")          # what the collection holds now, oldest first

The journal is emptied before each test that uses `mock_server`, and every override (context manager or
not) is removed after it, failed or not: hooks, no autouse fixture. A collection a test seeded is forgotten
after it (its next request makes its initial entities again, from the seed or `fixtures/<api>/_state/`);
other state (entities created by requests, counters) is kept across tests: `state.reset()` forgets it all.

A top layer, like the command line: it may import serving. Everything heavy is imported lazily, so
the plugin costs nothing in a session that uses none of its fixtures.
"""

from __future__ import annotations

import argparse
import dataclasses
import socket
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mockserver.errors import MockJournalUnavailable  # defined in the errors tree; importable from here too

if TYPE_CHECKING:
    from mockserver.openapi.model import ApiSpec
    from mockserver.serving.config import ServerConfig

HOST = "127.0.0.1"
OVERRIDES = "/__mock/overrides"
STATE = "/__mock/state"
NEAR_MISSES = 10  # requests listed when assert_called fails
READY_POLLS = 400  # × 25 ms: the server has 10 s to listen
JOURNAL = "/__mock/requests"


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a rate between 0 and 1")
    return value


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockserver", "mockserver: APIs mocked from OpenAPI specs (fixtures mock_server, mock_app)")
    group.addoption(
        "--mock-specs",
        action="append",
        default=None,
        metavar="PATH",
        help="spec file, folder or bundled API name to serve (repeatable; default: the bundled specs)",
    )
    group.addoption("--mock-seed", type=int, default=None, metavar="N", help="same seed + same request = same body")
    group.addoption(
        "--mock-chaos", type=_rate, default=None, metavar="RATE", help="share of requests failed on purpose (0..1)"
    )
    group.addoption(
        "--mock-strict",
        action="store_true",
        default=None,
        help="fail a test whose client sent the mock an invalid request or hit an undocumented path",
    )
    parser.addini("mock_strict", "like --mock-strict", "bool", default=False)
    parser.addini("mock_specs", "specs for mock_server/mock_app, one a line (default: the bundled specs)", "linelist")
    parser.addini("mock_seed", "seed of mock_server/mock_app", "int", default=0)
    parser.addini("mock_chaos", "share of mock requests failed on purpose (0..1)", "float", default=0.0)


@dataclass(frozen=True)
class MockOptions:
    specs: tuple[str, ...]  # as resolved: files or folders; empty means the bundled specs
    seed: int
    chaos: float


def mock_options(config: pytest.Config) -> MockOptions:
    """The command line, else the ini file, else the defaults; relative paths from where they were written."""
    cli_specs: list[str] | None = config.getoption("mock_specs")
    if cli_specs:
        base, entries = config.invocation_params.dir, cli_specs
    else:
        base = config.inipath.parent if config.inipath else config.rootpath
        entries = [str(entry) for entry in config.getini("mock_specs")]
    seed = config.getoption("mock_seed")
    chaos = config.getoption("mock_chaos")
    if chaos is None:
        try:
            chaos = _rate(str(config.getini("mock_chaos")))
        except argparse.ArgumentTypeError as exc:
            raise pytest.UsageError(f"ini mock_chaos: {exc}") from None
    return MockOptions(
        specs=tuple(_spec_path(base, entry) for entry in entries),
        seed=int(config.getini("mock_seed")) if seed is None else seed,
        chaos=chaos,
    )


def _spec_path(base: Path, entry: str) -> str:
    path = Path(entry).expanduser()
    candidate = path if path.is_absolute() else base / path
    if candidate.exists():
        return str(candidate)
    from mockserver.strategies import resolve_spec  # a bundled API name, or left for the loader to report

    return str(resolve_spec(entry))


def pytest_configure(config: pytest.Config) -> None:
    mock_options(config)  # a bad ini value is a usage error up front, not one per test


def pytest_report_header(config: pytest.Config) -> str:
    options = mock_options(config)
    specs = ", ".join(options.specs) or "bundled specs"
    chaos = f", chaos={options.chaos}" if options.chaos else ""
    return f"mockserver: {specs}; seed={options.seed}{chaos}"


@pytest.fixture(scope="session")
def mock_specs(pytestconfig: pytest.Config) -> list[ApiSpec]:
    """The APIs the mock serves (`--mock-specs`, default: the bundled ones)."""
    from mockserver.bundled import specs_dir
    from mockserver.errors import SpecLoadError
    from mockserver.openapi.loader import load_all

    options = mock_options(pytestconfig)
    try:
        return load_all(list(options.specs) or [specs_dir()])
    except SpecLoadError as exc:
        pytest.fail(f"mockserver: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def mock_config(pytestconfig: pytest.Config) -> ServerConfig:
    """The server's configuration: `--mock-seed`, and `--mock-chaos` where the server supports it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Connexion imports Starlette's TestClient, which warns about httpx
        from mockserver.serving.config import ServerConfig

    options = mock_options(pytestconfig)
    config = ServerConfig(seed=options.seed)
    if "chaos" in {f.name for f in dataclasses.fields(ServerConfig)}:  # chaos is newer than this plugin
        return dataclasses.replace(config, chaos=options.chaos)
    if options.chaos:
        warnings.warn(
            pytest.PytestWarning(f"--mock-chaos {options.chaos} ignored: this mockserver has no chaos support"),
            stacklevel=1,
        )
    return config


@pytest.fixture(scope="session")
def mock_app(mock_specs: list[ApiSpec], mock_config: ServerConfig) -> Any:
    """The mock as an ASGI app, in process: `httpx.AsyncClient(transport=httpx.ASGITransport(mock_app))`."""
    return _build_app(mock_specs, mock_config)


class MockServer:
    """A running mock: where it listens, where each API is mounted, what it was asked."""

    def __init__(self, url: str, apis: list[ApiSpec], config: ServerConfig) -> None:
        self.url = url  # http://127.0.0.1:PORT, no trailing slash
        self.apis = {api.name: api for api in apis}
        self.config = config
        self.seeded: set[str] = set()  # /__mock/state/… paths this test seeded: forgotten after it

    def __repr__(self) -> str:
        return f"MockServer({self.url!r}, apis={sorted(self.apis)})"

    def base_url(self, api_name: str) -> str:
        """Where a client of `api_name` points: the url plus the API's mount path."""
        api = self.apis.get(api_name)
        if api is None:
            raise KeyError(f"mock_server serves no API {api_name!r}; served: {', '.join(sorted(self.apis))}")
        return self.url + api.mount_path

    def requests(self) -> list[dict[str, Any]]:
        """The requests the mock has received, as it lists them (`GET /__mock/requests`; newest first)."""
        import httpx

        body = self._journal(httpx.get).json()
        entries = body.get("requests") if isinstance(body, dict) else body
        if not isinstance(entries, list):
            raise MockJournalUnavailable(f"GET {JOURNAL} answered {str(body)[:200]!r}, not a list of requests")
        return entries

    def clear_requests(self) -> None:
        """Forget the requests received so far (`DELETE /__mock/requests`)."""
        import httpx

        self._journal(httpx.delete)

    def override(self, operation: str | None = None, /, **document: Any) -> Override:
        """Steer `operation`'s answers (`POST /__mock/overrides`): `status=`, `example=`, `body=`, `headers=`,
        `latency_ms=`, `fault=`, `times=`, `sequence=[503, 503, 200]`, `when={"query": {...}}`,
        `allow_undocumented=True`, `method=` and `path=` instead of an operationId.

        Removed when its `with` block ends, and in any case after the test."""
        import httpx

        body = {**({"operation": operation} if operation is not None else {}), **document}
        response = httpx.post(self.url + OVERRIDES, json=body, timeout=10)
        if response.status_code != 201:
            raise MockOverrideError(f"mock_server.override refused ({response.status_code}): {_detail(response)}")
        return Override(self, int(response.json()["id"]))

    def overrides(self) -> list[dict[str, Any]]:
        """The overrides in force, with how many requests each has answered (`GET /__mock/overrides`)."""
        import httpx

        listed: list[dict[str, Any]] = httpx.get(self.url + OVERRIDES, timeout=10).json()["overrides"]
        return listed

    def clear_overrides(self) -> None:
        import httpx

        httpx.delete(self.url + OVERRIDES, timeout=10)

    def chaos(self, rate: float, operation: str | None = None) -> Override:
        """A share `rate` of answers (of `operation`, or of every operation) fail with a documented error,
        for a `with` block (or until the test ends)."""
        document: dict[str, Any] = {"chaos": rate}
        return self.override(operation, **document) if operation else self.override(**document)

    @property
    def state(self) -> MockStateHandle:
        """What the server remembers: `.get()` shows it (`GET /__mock/state`), `.reset()` forgets it;
        `.seed(api, collection, entities)` and `.entities(api, collection)` set and read a collection's."""
        return MockStateHandle(self)

    def assert_called(
        self, operation: str, times: int | None = None, with_query: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Assert the mock received `operation` (an operationId, or `METHOD /path/template`) in this test:
        `times` exactly (else at least once), each with the `with_query` values. Returns the matching
        requests; a failure lists them and the near misses."""
        if " " not in operation.strip() and not any(
            operation in {o.operation_id for o in a.operations} for a in self.apis.values()
        ):
            known = ", ".join(sorted({o.operation_id for a in self.apis.values() for o in a.operations}))
            raise ValueError(f"assert_called: no operation {operation!r}; operations: {known} (or 'GET /path')")
        entries = [e for e in reversed(self.requests()) if not str(e.get("path", "")).startswith("/__mock/")]
        wanted = {k: str(v) for k, v in (with_query or {}).items()}
        same_op = [e for e in entries if self._is_operation(e, operation)]
        matched = [e for e in same_op if _query_has(e, wanted)]
        if (times is None and matched) or (times is not None and len(matched) == times):
            return matched
        expected = "at least once" if times is None else f"{times} time{'s' * (times != 1)}"
        query = f" with query {wanted}" if wanted else ""
        lines = [
            f"expected {operation} to be called {expected}{query}; it was called {len(matched)} time"
            + ("s" * (len(matched) != 1))
        ]
        if matched:
            lines.append("matching requests:")
            lines += [f"  {_described(e, wanted)}" for e in matched[:NEAR_MISSES]]
        misses = [e for e in same_op if e not in matched] + [e for e in entries if e not in same_op]
        if misses:
            lines.append("near misses (this test's other requests, closest first):")
            lines += [f"  {_described(e, wanted)}" for e in misses[:NEAR_MISSES]]
            if len(misses) > NEAR_MISSES:
                lines.append(f"  … and {len(misses) - NEAR_MISSES} more")
        elif not entries:
            lines.append("the mock received no request in this test")
        raise AssertionError("\n".join(lines))

    def _is_operation(self, entry: dict[str, Any], operation: str) -> bool:
        if entry.get("operation") == operation:
            return True
        method, _, template = operation.partition(" ")
        if not template or str(entry.get("method", "")).upper() != method.upper():
            return False
        path = str(entry.get("path", ""))
        return any(_template_matches(api.mount_path + template, path) for api in self.apis.values())

    def strict_problems(self) -> list[str]:
        """This test's requests the mock refused as invalid or unknown (not chaos, overrides or rate limits)."""
        found = []
        for entry in reversed(self.requests()):
            path = str(entry.get("path", ""))
            steered = any(entry.get(key) for key in ("override", "chaos", "rate_limited"))
            status = entry.get("status")
            if path.startswith("/__mock/") or steered or not isinstance(status, int) or not 400 <= status < 500:
                continue
            # Refused by the mock (a problem noted), or no operation at all (an unknown path or mount).
            if entry.get("problem") or not entry.get("operation"):
                found.append(_described(entry, {}) + (f": {entry['problem']}" if entry.get("problem") else ""))
        return found

    def _end_test(self) -> None:
        """After each test that used the server: every override goes (whoever made it), and every collection
        the test seeded."""
        try:
            self.clear_overrides()
        except Exception as exc:  # the server is gone: nothing left to undo; say so, do not mask the test
            warnings.warn(pytest.PytestWarning(f"mockserver: could not remove overrides: {exc}"), stacklevel=1)
        seeded, self.seeded = sorted(self.seeded), set()
        try:
            import httpx

            for path in seeded:
                httpx.delete(self.url + path, timeout=10).raise_for_status()
        except Exception as exc:
            warnings.warn(pytest.PytestWarning(f"mockserver: could not forget seeded state: {exc}"), stacklevel=1)

    def _journal(self, send: Any) -> Any:
        response = send(self.url + JOURNAL, timeout=10)
        if response.status_code in (404, 405):
            raise MockJournalUnavailable(
                f"{response.request.method} {JOURNAL} answered {response.status_code}: "
                "this mockserver does not record requests (it has no request journal)"
            )
        response.raise_for_status()
        return response


class MockOverrideError(ValueError):
    """The mock refused an override (unknown operation, undocumented status, …): its reason."""


class Override:
    """An override in force: a context manager that removes it on leaving."""

    def __init__(self, server: MockServer, ident: int) -> None:
        self.server = server
        self.id = ident

    def __repr__(self) -> str:
        return f"Override(id={self.id})"

    def __enter__(self) -> Override:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    @property
    def used(self) -> int:
        """How many requests it has answered so far."""
        return next((int(o["used"]) for o in self.server.overrides() if o["id"] == self.id), 0)

    def remove(self) -> None:
        import httpx

        httpx.delete(f"{self.server.url}{OVERRIDES}/{self.id}", timeout=10)  # 404 once gone: fine


class MockSeedError(ValueError):
    """The mock refused entities to seed (one does not match the entity schema, no such collection, …): why."""


class MockStateHandle:
    """`GET` / `DELETE /__mock/state`, and one collection's entities (`PUT` / `GET /__mock/state/<api><collection>`)."""

    def __init__(self, server: MockServer) -> None:
        self.server = server
        self.url = server.url

    def get(self) -> dict[str, Any]:
        import httpx

        found: dict[str, Any] = httpx.get(self.url + STATE, timeout=10).raise_for_status().json()
        return found

    def reset(self) -> None:
        import httpx

        httpx.delete(self.url + STATE, timeout=10).raise_for_status()

    def seed(self, api: str, collection: str, entities: list[dict[str, Any]]) -> int:
        """Make `entities` the only ones of `api`'s `collection` (its path below the API: "/tasks", or
        "/users/7/posts" for user 7's), in that order; returns how many. Each must match the entity schema
        and carry its id, else `MockSeedError` names the first that does not and its field. Forgotten after
        the test (the collection starts again from its initial entities)."""
        import httpx

        path = self._path(api, collection)
        response = httpx.put(self.url + path, json=entities, timeout=30)
        if response.status_code != 200:
            raise MockSeedError(f"mock_server.state.seed refused ({response.status_code}): {_detail(response)}")
        self.server.seeded.add(path)
        return int(response.json()["count"])

    def entities(self, api: str, collection: str) -> list[dict[str, Any]]:
        """The entities `api`'s `collection` holds now, oldest first (its initial ones, if no request made them yet)."""
        import httpx

        response = httpx.get(self.url + self._path(api, collection), timeout=30)
        if response.status_code != 200:
            raise MockSeedError(f"mock_server.state.entities: {response.status_code}: {_detail(response)}")
        found: list[dict[str, Any]] = response.json()["entities"]
        return found

    def _path(self, api: str, collection: str) -> str:
        mount = self.server.base_url(api)[len(self.url) :]  # a KeyError naming the served APIs when unknown
        return f"{STATE}{mount}/{collection.lstrip('/')}"


_LIVE: list[MockServer] = []  # the session's running servers, for the per-test hooks


def _uses_mock_server(item: pytest.Item) -> bool:
    return bool(_LIVE) and "mock_server" in getattr(item, "fixturenames", ())


def _strict(config: pytest.Config) -> bool:
    option = config.getoption("mock_strict", None)
    return bool(option) if option is not None else bool(config.getini("mock_strict"))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if _uses_mock_server(item):
        for server in _LIVE:
            server.clear_requests()  # the journal is this test's: assert_called and --mock-strict read it


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    result = yield
    if _uses_mock_server(item) and _strict(item.config):
        problems = [p for server in _LIVE for p in server.strict_problems()]
        if problems:
            listed = "\n  ".join(problems[:NEAR_MISSES])
            pytest.fail(f"--mock-strict: the mock refused {len(problems)} request(s):\n  {listed}", pytrace=False)
    return result


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    if _uses_mock_server(item):
        for server in _LIVE:
            server._end_test()


def _detail(response: Any) -> str:
    try:
        return str(response.json().get("detail"))
    except ValueError:
        return str(response.text[:300])


def _query_has(entry: dict[str, Any], wanted: dict[str, str]) -> bool:
    from urllib.parse import parse_qs

    query = parse_qs(str(entry.get("query") or ""), keep_blank_values=True)
    return all(value in query.get(name, []) for name, value in wanted.items())


def _described(entry: dict[str, Any], wanted: dict[str, str]) -> str:
    from urllib.parse import parse_qs

    query = str(entry.get("query") or "")
    text = f"{entry.get('method')} {entry.get('path')}{'?' + query if query else ''} -> {entry.get('status')}"
    text += f" ({entry['operation']})" if entry.get("operation") else " (no operation)"
    given = parse_qs(query, keep_blank_values=True)
    differs = [f"{k}={given.get(k, 'missing')}, wanted {v!r}" for k, v in wanted.items() if v not in given.get(k, [])]
    return text + (f" [{'; '.join(differs)}]" if differs else "")


def _template_matches(template: str, path: str) -> bool:
    import re

    pattern = "".join(
        "[^/]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^}]*\})", template)
    )
    return re.fullmatch(pattern, path) is not None


@pytest.fixture(scope="session")
def mock_server(mock_specs: list[ApiSpec], mock_config: ServerConfig) -> Iterator[MockServer]:
    """The mock over real HTTP on a free loopback port, for the whole session."""
    import uvicorn

    from mockserver.serving.server import Limits, MockConfig

    app = _build_app(mock_specs, mock_config)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))  # the port is ours from here on: no race with other processes
    port = sock.getsockname()[1]
    # The same read timeouts and connection limit as `mockserver serve`.
    config = MockConfig(app, Limits(), host=HOST, port=port, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="mockserver", daemon=True)
    thread.start()
    try:
        poll = threading.Event()  # never set: a bounded wait between polls, not a fixed sleep
        for _ in range(READY_POLLS):
            if server.started or not thread.is_alive():
                break
            poll.wait(0.025)
        if not server.started:
            pytest.fail(f"mockserver did not start on {HOST}:{port} (see the log above)", pytrace=False)
        running = MockServer(f"http://{HOST}:{port}", mock_specs, mock_config)
        _LIVE.append(running)
        yield running
    finally:
        _LIVE[:] = [s for s in _LIVE if s.url != f"http://{HOST}:{port}"]
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _build_app(apis: list[ApiSpec], config: ServerConfig) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Connexion imports Starlette's TestClient, which warns about httpx
        from mockserver.serving.app import build_app

    return build_app(apis, config)
