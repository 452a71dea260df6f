"""The contract suite as teams run it: `pytest contract_tests [--api NAME] [--base-url URL]`.

Without --base-url each bundled API's mock is checked in process (it must conform); with it, the
server at that URL is (for example the real API, credentials from <API>_API_KEY or
--contract-header), and the test fails with the report when the server breaks its contract.
"""

from __future__ import annotations

import os

import pytest
from contract_support import APIS

from mockserver.contract.report import render_text
from mockserver.contract.runner import ContractOptions, Target, run_contract
from mockserver.serving.app import build_app
from mockserver.serving.config import ServerConfig

TOKEN = "mockserver-contract"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "api_name" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--api") or sorted(APIS)
        unknown = [name for name in chosen if name not in APIS]
        if unknown:
            raise pytest.UsageError(f"--api {unknown[0]!r} is not a bundled API; bundled: {', '.join(sorted(APIS))}")
        if metafunc.config.getoption("--base-url") and len(chosen) != 1:
            raise pytest.UsageError("--base-url checks one API: give exactly one --api")
        metafunc.parametrize("api_name", chosen)


def _headers(config: pytest.Config, api_name: str) -> dict[str, str]:
    headers = {}
    for raw in config.getoption("--contract-header"):
        name, sep, value = raw.partition(":")
        if not sep:
            raise pytest.UsageError(f"--contract-header {name!r} must look like 'Name: value'")
        headers[name.strip()] = value.strip()
    key = os.environ.get(f"{api_name.upper().replace('-', '_')}_API_KEY")
    if key and "Authorization" not in headers:
        headers["Authorization"] = f"Bearer {key}"
    return headers


def test_api_conforms_to_its_contract(api_name: str, pytestconfig: pytest.Config) -> None:
    api = APIS[api_name]
    base_url = pytestconfig.getoption("--base-url")
    headers = _headers(pytestconfig, api_name)
    if base_url:
        target = Target(base_url=base_url)
    else:
        headers.setdefault("Authorization", f"Bearer {TOKEN}")
        app = build_app([api], ServerConfig(seed=1, tokens=frozenset({TOKEN})))
        target = Target(app=app, mount_path=api.mount_path)
    result = run_contract(
        api, target, ContractOptions(headers=headers, max_examples=pytestconfig.getoption("--max-examples"))
    )
    assert not result.errors, render_text([result])
    assert result.ok, render_text([result])
