"""pytest plugin (entry point `pytest11: mockserver`): the mock as session fixtures.

    def test_client(mock_server):
        client = MyClient(base_url=mock_server.base_url("openrouter"))   # .../openrouter/api/v1

Fixtures: `mock_server` (the mock over real HTTP on a free loopback port), `mock_app` (the ASGI app,
in process, for `httpx.ASGITransport`), `mock_specs` (the loaded APIs) and `mock_config` (the
`ServerConfig`); override the last two in a conftest to change what is served.
Options (command line, or the ini keys mock_specs / mock_seed / mock_chaos):
`--mock-specs PATH_OR_NAME` (repeatable; default: the bundled specs), `--mock-seed N`, `--mock-chaos RATE`.

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

    def _journal(self, send: Any) -> Any:
        response = send(self.url + JOURNAL, timeout=10)
        if response.status_code in (404, 405):
            raise MockJournalUnavailable(
                f"{response.request.method} {JOURNAL} answered {response.status_code}: "
                "this mockserver does not record requests (it has no request journal)"
            )
        response.raise_for_status()
        return response


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
        yield MockServer(f"http://{HOST}:{port}", mock_specs, mock_config)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _build_app(apis: list[ApiSpec], config: ServerConfig) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Connexion imports Starlette's TestClient, which warns about httpx
        from mockserver.serving.app import build_app

    return build_app(apis, config)
