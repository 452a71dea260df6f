"""`mockserver proxy`'s options: --mock names operations either way; an upstream URL with credentials is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from proxy_support import things_api

from mockserver.cli import main
from mockserver.cli_proxy import mocked_operations
from mockserver.openapi.model import ApiSpec


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiSpec:
    return things_api(tmp_path_factory.mktemp("spec"))


def test_mock_takes_operation_ids_and_method_paths(api: ApiSpec) -> None:
    found, unknown = mocked_operations(api, "getThing, POST /things,GET /things/v1/files/{name}")
    assert found == {"getThing", "createThing", "getFile"} and unknown == []


def test_mock_names_what_matches_no_operation(api: ApiSpec) -> None:
    assert mocked_operations(api, "listThings,DELETE /things") == ({"listThings"}, ["DELETE /things"])


def test_the_api_key_variable_is_the_one_contract_reads(api: ApiSpec) -> None:
    assert api.key_variable == "THINGS_API_KEY"


def test_an_upstream_url_with_credentials_is_refused_without_echoing_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    things_api(tmp_path)
    code = main(["proxy", str(tmp_path / "things.yaml"), "--upstream", "https://me:hunter22@things.example"])
    err = capsys.readouterr().err
    assert code == 2 and "must not carry credentials" in err and "hunter22" not in err


def test_an_unknown_mocked_operation_is_one_line_naming_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    things_api(tmp_path)
    code = main(["proxy", str(tmp_path / "things.yaml"), "--upstream", "http://127.0.0.1:9", "--mock", "nope"])
    err = capsys.readouterr().err
    assert code == 2 and "--mock 'nope' names no operation; known: listThings" in err
