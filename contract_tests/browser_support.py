"""A real headless browser for the tests: Debian's chromium driven by Playwright for Python.

`make test` installs the `chromium` package when it is missing (Makefile, `chromium`); Playwright's own
browser download (`playwright install`) is never used. Where chromium or Playwright is missing, or the browser
cannot start, the tests that need it are skipped, saying why. One browser per test session; each test gets
a fresh page (its own context: no cookies or storage carried over), closed when it ends. The fixtures are
imported by contract_tests/conftest.py, so any test there can ask for them:

    def test_the_report_opens(browser_page: Page, tmp_path: Path) -> None:
        browser_page.goto((tmp_path / "report.html").as_uri())
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

WAIT_MS = 10_000  # the longest a test waits for something to appear: generous, for a loaded 2-core machine
VIEWPORT: Any = {"width": 1280, "height": 800}  # (a ViewportSize)


def chromium_path() -> str | None:
    """The system's chromium (`MOCKSERVER_CHROMIUM` names another), or None when there is none."""
    wanted = os.environ.get("MOCKSERVER_CHROMIUM")
    if wanted:
        return wanted if Path(wanted).is_file() else None
    for name in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(name).is_file():
            return name
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """The session's headless chromium (skips the tests that need it when it cannot run here)."""
    path = chromium_path()
    if path is None:
        pytest.skip("chromium is not installed and `make test` could not install it (apt-get install chromium)")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        # Chromium's sandbox needs user namespaces, which root (a container, CI) does not get.
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        try:
            browser = playwright.chromium.launch(executable_path=path, args=args, headless=True)
        except Error as exc:
            pytest.skip(f"{path} did not start under Playwright: {str(exc).splitlines()[0]}")
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Browser) -> Iterator[Page]:
    """A new page in a fresh context, with the tests' waiting bound (`WAIT_MS`)."""
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(WAIT_MS)
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """Save what `page` shows as <name>.png: in docs/screenshots under `make screenshots` (the README's pictures,
    `MOCKSERVER_SCREENSHOTS=DIR`), else in a temporary folder, so that a test run leaves the work tree as it was."""
    wanted = os.environ.get("MOCKSERVER_SCREENSHOTS")
    folder = Path(wanted) if wanted else Path(tempfile.gettempdir()) / "mockserver-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.png"
    page.screenshot(path=str(target), full_page=full_page)
    return target
