"""The contract's HTML report in a real browser: opened from disk with every network request refused, it shows
the coverage matrix and the violation (issue 15's "done when"); the screenshot in the README comes from here."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_support import screenshot
from report_support import TOKEN, run_contract_cli, write_drift_report

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route


def offline(page: Page) -> list[str]:
    """Every request the page makes other than the file itself is refused and remembered."""
    asked: list[str] = []

    def refuse(route: Route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
            return
        asked.append(route.request.url)
        route.abort()

    page.route("**/*", refuse)
    return asked


def test_a_drifting_stand_ins_report_shows_coverage_and_the_violation_offline(
    browser_page: Page, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    html, _data = write_drift_report(tmp_path)
    asked = offline(browser_page)
    browser_page.goto(html.as_uri())
    matrix = browser_page.locator("#coverage-matrix")
    expect(matrix).to_be_visible()
    expect(matrix.locator('td[data-status="200"][data-outcome="checked"]').first).to_be_visible()
    violation = browser_page.locator("div.violation").first
    expect(violation).to_be_visible()
    expect(violation).to_have_attribute("data-check", "response_schema_conformance")
    expect(violation).to_contain_text("is not of type")
    assert TOKEN not in browser_page.content()
    assert asked == []  # self-contained: nothing fetched
    screenshot(browser_page, "contract-report", full_page=True)


@pytest.mark.parametrize("api", ["onepin"])
def test_the_mocks_own_report_shows_the_matrix_with_provoked_statuses_offline(
    browser_page: Page, tmp_path: Path, api: str
) -> None:
    from playwright.sync_api import expect

    html = tmp_path / f"{api}.html"
    result = run_contract_cli(api, "--max-examples", "5", "--report", str(html))
    assert result.returncode == 0, result.stdout + result.stderr
    asked = offline(browser_page)
    browser_page.goto(html.as_uri())
    expect(browser_page.locator("#coverage-matrix")).to_be_visible()
    expect(browser_page.locator('td[data-outcome="provoked"]').first).to_be_visible()
    expect(browser_page.locator("div.violation")).to_have_count(0)
    assert asked == []
