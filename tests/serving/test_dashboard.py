"""The dashboard (`/__mock/`) and the index at `/` as a page, in process: what is served, escaped and refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from serve_app_type import ServeApp
from serving_support import AUTH, CALL_BY_API
from starlette.testclient import TestClient

from mockserver.openapi.loader import load
from mockserver.openapi.model import ApiSpec
from mockserver.serving.config import ServerConfig
from mockserver.serving.journal import BODY_LIMIT

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
OPENROUTER = CALL_BY_API["openrouter"].path


@pytest.mark.parametrize("accept", [BROWSER, "text/html", "application/json;q=0.5, text/html"])
def test_the_index_is_a_page_of_links_when_the_browser_asks(client: TestClient, accept: str) -> None:
    response = client.get("/", headers={"Accept": accept})
    assert response.headers["content-type"].startswith("text/html")
    assert "Vary" in response.headers and "script-src 'self'" in response.headers["content-security-policy"]
    assert "href='/openrouter/api/v1/ui/'" in response.text and "href='/__mock/api/openrouter'" in response.text


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "text/html;q=0.5, application/json"])
def test_the_index_stays_json_for_api_clients(client: TestClient, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/", headers=headers)
    assert response.headers["content-type"] == "application/json"
    assert {api["name"] for api in response.json()["apis"]} >= {"openrouter", "lightdash"}


def test_the_dashboard_page_is_a_shell_that_runs_its_own_script_only(client: TestClient) -> None:
    response = client.get("/__mock/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "<script src='/__mock/assets/dashboard.js' defer></script>" in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert client.get("/__mock", follow_redirects=False).headers["location"] == "/__mock/"


@pytest.mark.parametrize(("name", "media"), [("dashboard.js", "text/javascript"), ("dashboard.css", "text/css")])
def test_the_dashboards_files_are_served_by_the_mock(client: TestClient, name: str, media: str) -> None:
    response = client.get(f"/__mock/assets/{name}")
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/__mock/assets/nothing.js", "/__mock/assets/../dashboard.py", "/__mock/assets/"])
def test_only_the_dashboards_own_files_are_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"


def test_the_dashboards_script_never_writes_html() -> None:
    script = (Path(__file__).resolve().parents[2] / "mockserver/serving/dashboard_assets/dashboard.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink


def test_api_details_list_operations_statuses_fixtures_and_x_mock_rules(client: TestClient) -> None:
    apis = {api["name"]: api for api in client.get("/__mock/apis").json()["apis"]}
    (operation,) = [op for op in apis["openrouter"]["operations"] if op["operationId"] == "get-user-activity"]
    assert {"200", "401", "403"} <= set(operation["statuses"])
    assert operation["x-mock"] and operation["security"] == [["bearer"]]
    assert operation["fixtures"], "fixtures/openrouter/get-user-activity/ holds some"


def test_an_api_page_for_each_api_and_a_404_for_others(client: TestClient) -> None:
    assert client.get("/__mock/api/openrouter").status_code == 200
    unknown = client.get("/__mock/api/<nope>")
    assert unknown.status_code == 404 and "<nope>" in unknown.json()["detail"]
    assert client.post("/__mock/").status_code == 405


def test_the_index_page_escapes_what_the_spec_says(serve_app: ServeApp, tmp_path: Path) -> None:
    spec = tmp_path / "evil.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: '<script>alert(1)</script>', version: '1'}\npaths:\n"
        "  /x:\n    get:\n      operationId: '<img src=x onerror=alert(2)>'\n"
        "      responses: {'200': {description: ok}}\n"
    )
    with serve_app([load(spec)], ServerConfig()) as client:
        page = client.get("/", headers={"Accept": "text/html"}).text
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example", "Content-Type": "application/x-www-form-urlencoded"},
        {"Sec-Fetch-Site": "cross-site", "Content-Type": "application/x-www-form-urlencoded"},
    ],
)
@pytest.mark.parametrize("path", ["/__mock/chaos", "/__mock/requests", "/__mock/state", "/__mock/overrides"])
def test_a_cross_site_form_post_to_the_admin_api_is_refused(
    client: TestClient, headers: dict[str, str], path: str
) -> None:
    client.put("/__mock/chaos", json={"chaos": 0.5})
    try:
        response = client.post(path, content=b"chaos=1", headers=headers)
        assert response.status_code == 403
        assert client.get("/__mock/chaos").json()["chaos"] == 0.5
    finally:
        client.delete("/__mock/chaos")


def test_the_dashboards_own_same_origin_calls_pass(client: TestClient) -> None:
    same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert client.put("/__mock/chaos", json={"chaos": 0.25}, headers=same).status_code == 200
    assert client.delete("/__mock/chaos", headers=same).status_code == 200
    assert client.delete("/__mock/requests", headers=same).status_code == 204


def test_a_page_on_another_origin_cannot_read_the_dashboard(client: TestClient) -> None:
    assert client.get("/__mock/", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.get("/__mock/apis", headers={"Origin": "https://evil.example"}).status_code == 403


def test_a_rebound_host_name_cannot_reach_the_dashboard(serve_app: ServeApp, bundled: list[ApiSpec]) -> None:
    with serve_app(bundled, ServerConfig(admin_host_guard=True)) as client:
        assert client.get("/__mock/", headers={"Host": "attacker.example:8000"}).status_code == 403
        assert client.get("/__mock/", headers={"Host": "127.0.0.1:8000"}).status_code == 200


# What the journal keeps for the dashboard's request view ----------------------------------------------------


def test_the_journal_keeps_the_answer_as_served_and_the_request_body(client: TestClient) -> None:
    client.delete("/__mock/requests")
    token = AUTH["Authorization"].split()[1]
    # (the body as far as the server read it: the override endpoint reads it; a 405 would not)
    client.post("/__mock/overrides", headers=AUTH, content=f'{{"echo": "{token}"}}'.encode())
    client.get(OPENROUTER, headers=AUTH)
    answered, posted = client.get("/__mock/requests").json()["requests"][:2]
    assert answered["response"]["headers"]["content-type"] == "application/json"
    assert answered["response"]["body"].startswith('{"data"')
    assert posted["body"] == '{"echo": "***"}'  # the credential's value, wherever it appears


def test_the_journal_keeps_a_bounded_part_of_large_bodies(client: TestClient) -> None:
    client.delete("/__mock/requests")
    client.post("/__mock/overrides", content=b"x" * (BODY_LIMIT * 3))
    (entry,) = client.get("/__mock/requests").json()["requests"][:1]
    assert len(entry["body"]) == BODY_LIMIT


def test_the_journal_masks_fields_of_a_body_named_for_a_credential(client: TestClient) -> None:
    client.delete("/__mock/requests")
    client.post("/__mock/overrides", content=b'{"user": "ann", "password": "hunter2"}')
    (entry,) = client.get("/__mock/requests").json()["requests"][:1]
    assert entry["body"] == '{"user": "ann", "password": "***"}'
