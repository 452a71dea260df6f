"""Fixtures: served by name when valid; reported at start-up (file and place inside it) when not."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from mockserver.openapi.fixtures import load_fixtures
from mockserver.openapi.loader import load

SPECS = Path(__file__).resolve().parents[2] / "specs"
OP = "get-user-activity"


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    (tmp_path / "specs").mkdir()
    shutil.copy(SPECS / "openrouter.yaml", tmp_path / "specs" / "openrouter.yaml")
    (tmp_path / "fixtures" / "openrouter" / OP).mkdir(parents=True)
    return tmp_path


def _write(layout: Path, name: str, text: str) -> Path:
    path = layout / "fixtures" / "openrouter" / OP / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_fixture_is_loaded_by_its_file_stem(layout: Path) -> None:
    _write(layout, "empty.yaml", "status: 200\nbody: {data: []}\n")
    fixtures = load_fixtures(load(layout / "specs" / "openrouter.yaml"))
    assert fixtures[OP]["empty"].status == 200 and fixtures[OP]["empty"].body == {"data": []}


def test_fixture_violating_its_schema_is_reported_with_file_and_path_and_not_served(
    layout: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _write(layout, "broken.yaml", "status: 200\nbody: {data: [{date: '2026-01-01'}]}\n")
    with caplog.at_level(logging.WARNING, logger="mockserver"):
        fixtures = load_fixtures(load(layout / "specs" / "openrouter.yaml"))
    assert "broken" not in fixtures.get(OP, {})
    message = caplog.text
    assert str(path) in message and "data/0" in message and "required" in message


@pytest.mark.parametrize(
    ("name", "text", "why"),
    [
        ("undocumented.yaml", "status: 404\nbody: {}\n", "not documented"),
        ("nobody.yaml", "status: 200\n", "mapping with `body`"),
        ("garbled.yaml", "status: [\n", "cannot read"),
        ("status.yaml", "status: soon\nbody: {}\n", "not a number"),
        ("wide.yaml", "status: 200\nheaders: {X-Name: 名前}\nbody: {data: []}\n", "a character a header cannot carry"),
    ],
)
def test_unusable_fixture_is_reported_and_skipped(
    layout: Path, caplog: pytest.LogCaptureFixture, name: str, text: str, why: str
) -> None:
    _write(layout, name, text)
    with caplog.at_level(logging.WARNING, logger="mockserver"):
        fixtures = load_fixtures(load(layout / "specs" / "openrouter.yaml"))
    assert fixtures.get(OP, {}) == {}
    assert name in caplog.text and why in caplog.text


def test_a_fixtures_headers_are_kept_except_the_ones_the_server_writes(layout: Path) -> None:
    _write(
        layout,
        "recorded.yaml",
        "status: 200\nheaders: {X-Request-Id: r-1, Content-Length: '12', content-type: text/plain, Connection: close,"
        " Transfer-Encoding: chunked, Retry-After: 3}\nbody: {data: []}\n",
    )
    fixtures = load_fixtures(load(layout / "specs" / "openrouter.yaml"))
    assert fixtures[OP]["recorded"].headers == {"X-Request-Id": "r-1", "Retry-After": "3"}
