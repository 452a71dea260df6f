"""pytest plugin (entry point `pytest11: mockserver`): the mock as session fixtures.

    def test_client(mock_server):
        client = MyClient(base_url=mock_server.base_url("openrouter"))   # .../openrouter/api/v1

Fixtures: `mock_server` (the mock over real HTTP on a free loopback port), `mock_app` (the ASGI app,
in process, for `httpx.ASGITransport`), `mock_specs` (the loaded APIs) and `mock_config` (the
`ServerConfig`); override the last two in a conftest to change what is served.
Options (command line, or the ini keys mock_specs / mock_seed / mock_chaos / mock_strict):
`--mock-specs PATH_OR_NAME` (repeatable; default: the bundled specs), `--mock-seed N`, `--mock-chaos RATE`,
`--mock-strict` (a test fails when its client sent the mock an invalid request or hit an undocumented path).
Proxy mode (pytest_proxy.py): `--mock-upstream NAME=URL` (repeatable; ini mock_upstreams) forwards that API to a
real or staging server through the validating proxy, `--mock-violations fail|session|report` says what a
contract violation does, `--mock-allow-unsafe` forwards other methods than GET/HEAD/OPTIONS.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mockserver.errors import MockJournalUnavailable  # defined in the errors tree; importable from here too
from mockserver.mock_server import (
    NEAR_MISSES,
    MockOverrideError,
    MockSeedError,
    MockServer,
    MockStateHandle,
    Override,
)
from mockserver.pytest_proxy import (
    LISTED,
    POLICIES,
    ProxyMode,
    ProxySession,
    UpstreamOptionError,
    build_proxied_app,
    parse_policy,
    parse_upstreams,
)

__all__ = ["MockJournalUnavailable", "MockOverrideError", "MockSeedError", "MockServer", "MockStateHandle", "Override"]

if TYPE_CHECKING:
    from mockserver.openapi.model import ApiSpec
    from mockserver.serving.config import ServerConfig

HOST = "127.0.0.1"
READY_POLLS = 400  # × 25 ms: the server has 10 s to listen
_LIVE: list[MockServer] = []  # the session's running servers, for the per-test hooks
# Proxy mode: each proxied API's report, printed when the session ends (kept per session: pytester runs
# several in one process).
_PROXIED = pytest.StashKey[ProxySession]()


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
    group.addoption(
        "--mock-upstream",
        action="append",
        default=None,
        metavar="NAME=URL",
        help="proxy mode: forward API NAME to URL through the validating proxy (repeatable)",
    )
    group.addoption(
        "--mock-violations",
        default=None,
        choices=POLICIES,
        help="proxy mode: a contract violation fails its test (fail, default), the session (session), or is listed",
    )
    group.addoption(
        "--mock-allow-unsafe",
        action="store_true",
        default=None,
        help="proxy mode: forward every method (default: GET, HEAD and OPTIONS only)",
    )
    group.addoption(
        "--mock-proxy-report",
        action="append",
        default=[],
        metavar="PATH",
        help="proxy mode: at the end, the contract report of the traffic to PATH.html or PATH.json (repeatable)",
    )
    parser.addini("mock_upstreams", "like --mock-upstream, one NAME=URL a line", "linelist")
    parser.addini("mock_violations", "like --mock-violations", default="fail")
    parser.addini("mock_allow_unsafe", "like --mock-allow-unsafe", "bool", default=False)
    parser.addini("mock_strict", "like --mock-strict", "bool", default=False)
    parser.addini("mock_specs", "specs for mock_server/mock_app, one a line (default: the bundled specs)", "linelist")
    parser.addini("mock_seed", "seed of mock_server/mock_app", "int", default=0)
    parser.addini("mock_chaos", "share of mock requests failed on purpose (0..1)", "float", default=0.0)


@dataclass(frozen=True)
class MockOptions:
    specs: tuple[str, ...]  # as resolved: files or folders; empty means the bundled specs
    seed: int
    chaos: float
    proxy: ProxyMode = field(default_factory=lambda: ProxyMode(()))  # no upstreams: every API is mocked


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
        proxy=_proxy_mode(config),
    )


def _proxy_mode(config: pytest.Config) -> ProxyMode:
    given = config.getoption("mock_upstream") or [str(entry) for entry in config.getini("mock_upstreams")]
    policy = config.getoption("mock_violations") or str(config.getini("mock_violations"))
    unsafe = config.getoption("mock_allow_unsafe")
    for path in config.getoption("mock_proxy_report"):
        if not path.lower().endswith((".json", ".html", ".htm")):
            raise pytest.UsageError(f"--mock-proxy-report {path!r} must end in .html or .json")
    try:
        return ProxyMode(
            upstreams=parse_upstreams(given),
            policy=parse_policy(policy),
            allow_unsafe=bool(config.getini("mock_allow_unsafe")) if unsafe is None else unsafe,
        )
    except UpstreamOptionError as exc:
        raise pytest.UsageError(str(exc)) from None


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
    proxied = "".join(f"; {name} → {url}" for name, url in options.proxy.upstreams)
    policy = f" (violations: {options.proxy.policy})" if proxied else ""
    return f"mockserver: {specs}; seed={options.seed}{chaos}{proxied}{policy}"


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
    if (
        _uses_mock_server(item)
        and (proxied := item.config.stash.get(_PROXIED, None)) is not None
        and proxied.mode.policy == "fail"
    ):
        found = [line for server in _LIVE for line in server.violations()]
        if found:
            listed = "\n  ".join(found[:LISTED]) + (
                f"\n  … and {len(found) - LISTED} more" if len(found) > LISTED else ""
            )
            pytest.fail(f"mockserver proxy: {len(found)} contract violation(s):\n  {listed}", pytrace=False)
    return result


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    proxied = config.stash.get(_PROXIED, None)
    if proxied is None:
        return
    terminalreporter.write_sep("=", "mockserver proxy: the contract on the traffic")
    terminalreporter.write_line(proxied.report()[0])
    for path in config.getoption("mock_proxy_report"):
        from mockserver.proxy.run import write_reports

        try:
            write_reports(proxied.runs, path, proxied.seed)
        except OSError as exc:
            terminalreporter.write_line(f"mockserver: cannot write --mock-proxy-report {path}: {exc}", red=True)
        else:
            terminalreporter.write_line(f"mockserver: report written to {path}")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    proxied = session.config.stash.get(_PROXIED, None)
    if proxied is not None and proxied.mode.policy == "session" and proxied.report()[1]:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    if _uses_mock_server(item):
        for server in _LIVE:
            server._end_test()


@pytest.fixture(scope="session")
def mock_server(
    pytestconfig: pytest.Config, mock_specs: list[ApiSpec], mock_config: ServerConfig
) -> Iterator[MockServer]:
    """The mock over real HTTP on a free loopback port, for the whole session (proxy mode: see pytest_proxy)."""
    import uvicorn

    from mockserver.serving.server import Limits, MockConfig

    mode = mock_options(pytestconfig).proxy
    if mode.upstreams:
        try:
            app, proxied = build_proxied_app(mock_specs, mock_config, mode)
        except UpstreamOptionError as exc:
            pytest.fail(f"mockserver: {exc}", pytrace=False)
        pytestconfig.stash[_PROXIED] = proxied
    else:
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
        running = MockServer(f"http://{HOST}:{port}", mock_specs, mock_config, dict(mode.upstreams))
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
