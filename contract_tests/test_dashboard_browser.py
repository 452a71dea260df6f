"""The dashboard and Swagger UI in a real browser (headless chromium), against a real server on a socket.

Each test waits for what it expects with Playwright's bounded waits (`expect(...)`), never a sleep. The
dashboard and Swagger UI screenshots of the README are taken here (`make screenshots`).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from browser_support import screenshot
from contract_support import APIS
from uvicorn_thread import serving_in_thread

from mockserver.openapi.model import ApiSpec
from mockserver.serving.app import build_app
from mockserver.serving.config import ServerConfig

pytest.importorskip("playwright", reason="Playwright for Python is not installed (pip install -e '.[dev]')")
from playwright.sync_api import Page, expect

OPENROUTER = "/openrouter/api/v1/activity"
LIGHTDASH_API = "lightdash"
TOKEN = "demo-token-1234"  # any token is accepted (no --token); shown in the Swagger UI screenshot


@pytest.fixture(scope="module")
def base(bundled_specs: list[ApiSpec]) -> Iterator[str]:
    # The host guard on, as `serve` runs it: the browser's requests to 127.0.0.1 must pass it.
    app = build_app(bundled_specs, ServerConfig(seed=1, admin_host_guard=True))
    with serving_in_thread(app) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def bundled_specs() -> list[ApiSpec]:
    return list(APIS.values())


@pytest.fixture
def http(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=10) as client:
        client.delete("/__mock/requests")
        client.delete("/__mock/chaos")
        yield client


def test_a_request_appears_live_and_opens_with_its_headers_and_body(browser_page: Page, http: httpx.Client) -> None:
    page = browser_page
    page.goto(f"{http.base_url}/__mock/")
    expect(page.locator("#journal-count")).to_have_text("0 of 0 requests")
    answer = http.get(OPENROUTER, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    row = page.locator("#journal tbody tr").first
    expect(row.locator("td.path")).to_have_text(OPENROUTER)
    expect(row.locator("td.status")).to_have_text("200")
    row.click()
    expect(page.locator("#detail-request-headers")).to_contain_text("authorization: Bearer ***")
    expect(page.locator("#detail-response-headers")).to_contain_text("content-type: application/json")
    expect(page.locator("#detail-response-body")).to_contain_text('"data"')
    assert TOKEN not in page.content()  # the credential is masked in everything the page holds
    http.get("/lightdash/api/v1/nowhere")
    expect(page.locator("#journal tbody tr")).to_have_count(2)
    screenshot(page, "dashboard")


def test_filters_narrow_the_journal_by_api_and_status(browser_page: Page, http: httpx.Client) -> None:
    page = browser_page
    http.get(OPENROUTER, headers={"Authorization": f"Bearer {TOKEN}"})
    http.get(OPENROUTER)  # no credentials: 401
    http.get("/lightdash/api/v1/nowhere")  # 404
    page.goto(f"{http.base_url}/__mock/")
    expect(page.locator("#journal-count")).to_have_text("3 of 3 requests")
    page.select_option("#filter-api", "openrouter")
    expect(page.locator("#journal-count")).to_have_text("2 of 3 requests")
    page.fill("#filter-status", "4xx")
    expect(page.locator("#journal-count")).to_have_text("1 of 3 requests")
    expect(page.locator("#journal tbody td.status")).to_have_text("401")
    page.fill("#filter-operation", "get-user-activity")
    expect(page.locator("#journal-count")).to_have_text("1 of 3 requests")
    page.fill("#filter-operation", "no-such-operation")
    expect(page.locator("#journal-count")).to_have_text("0 of 3 requests")


def test_clear_journal_empties_it_through_the_admin_api(browser_page: Page, http: httpx.Client) -> None:
    page = browser_page
    http.get(OPENROUTER)
    page.goto(f"{http.base_url}/__mock/")
    expect(page.locator("#journal-count")).to_have_text("1 of 1 requests")
    page.click("#clear-journal")
    expect(page.locator("#journal-count")).to_have_text("0 of 0 requests")
    assert http.get("/__mock/requests").json()["requests"] == []


def test_chaos_switched_on_in_the_page_fails_requests_and_is_marked(browser_page: Page, http: httpx.Client) -> None:
    page = browser_page
    page.goto(f"{http.base_url}/__mock/")
    expect(page.locator("#chaos-now")).to_contain_text("server's options")
    page.fill("#chaos-rate", "1")
    page.click("#chaos-apply")
    expect(page.locator("#chaos-now")).to_contain_text("chaos 1")
    answer = http.get(OPENROUTER, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code >= 400 and "X-Mock-Chaos" in answer.headers
    expect(page.locator("#journal .marker.chaos")).to_have_text(f"chaos {answer.status_code}")
    page.click("#chaos-off")
    expect(page.locator("#chaos-now")).to_contain_text("chaos 0")
    assert http.get(OPENROUTER, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_an_api_page_lists_operations_rules_overrides_and_state(browser_page: Page, http: httpx.Client) -> None:
    page = browser_page
    document = {"api": "openrouter", "operation": "get-user-activity", "status": 403, "times": 1}
    override = http.post("/__mock/overrides", json=document)
    assert override.status_code == 201
    try:
        page.goto(f"{http.base_url}/__mock/api/openrouter")
        expect(page.locator("#operations")).to_contain_text("get-user-activity")
        expect(page.locator("#operations")).to_contain_text("403")
        expect(page.locator("#overrides")).to_contain_text(f"#{override.json()['id']} get-user-activity")
        expect(page.locator("#state-summary")).to_contain_text("overrides")
        screenshot(page, "dashboard-api")
        page.click("#reset-state")  # forgets the overrides too
        expect(page.locator("#overrides")).to_contain_text("No override in force")
    finally:
        http.delete("/__mock/overrides")


def test_a_hostile_path_and_header_are_shown_not_run(browser_page: Page, http: httpx.Client) -> None:
    page = browser_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    hostile = "/openrouter/api/v1/<script>window.pwned=1;alert(1)</script>"
    http.get(hostile, headers={"X-Evil": '<img src=x onerror="window.pwned=2;alert(2)">'})
    page.goto(f"{http.base_url}/__mock/")
    row = page.locator("#journal tbody tr").first
    expect(row.locator("td.path")).to_contain_text("<script>window.pwned=1")
    row.click()
    expect(page.locator("#detail-request-headers")).to_contain_text('x-evil: <img src=x onerror="window.pwned=2')
    assert page.locator("#app script, #app img").count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined" and dialogs == []


def test_the_index_is_a_page_of_links_for_a_browser(browser_page: Page, http: httpx.Client) -> None:
    page = browser_page
    page.goto(f"{http.base_url}/")
    expect(page.locator("h1")).to_have_text("mockserver")
    page.click("text=Swagger UI >> nth=0")
    expect(page.locator(".swagger-ui .info .title")).to_be_visible()


def test_swagger_ui_authorizes_and_try_it_out_gets_200(browser_page: Page, http: httpx.Client) -> None:
    page = browser_page
    page.goto(f"{http.base_url}/openrouter/api/v1/ui/")
    page.click("button.authorize")
    page.locator(".auth-container input").first.fill(TOKEN)
    page.click(".auth-btn-wrapper button.authorize")
    page.click(".auth-btn-wrapper button.btn-done")
    operation = page.locator("[id$='get-user-activity']")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
    screenshot(page, "swagger-ui")
    sent = http.get("/__mock/requests").json()["requests"][0]
    assert sent["status"] == 200 and sent["headers"]["authorization"] == "Bearer ***"
