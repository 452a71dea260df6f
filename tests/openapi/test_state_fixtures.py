"""State fixtures (`fixtures/<api>/_state/<collection>.yaml`): a collection's initial entities, checked at start-up."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from mockserver.openapi import state_fixtures
from mockserver.openapi.fixtures import load_fixtures
from mockserver.openapi.loader import load
from mockserver.openapi.state_fixtures import load_state_fixtures
from mockserver.serving import entities

SHELF = Path(__file__).resolve().parents[1] / "serving" / "seeding_api" / "specs" / "shelf.yaml"


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    (tmp_path / "specs").mkdir()
    shutil.copy(SHELF, tmp_path / "specs" / "shelf.yaml")
    (tmp_path / "fixtures" / "shelf" / "_state").mkdir(parents=True)
    return tmp_path


def _write(layout: Path, name: str, text: str) -> Path:
    path = layout / "fixtures" / "shelf" / "_state" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _load(layout: Path) -> dict[str, list[dict[str, object]]]:
    return load_state_fixtures(load(layout / "specs" / "shelf.yaml"))


def test_a_state_file_gives_its_collections_entities_by_the_path_it_mirrors(layout: Path) -> None:
    _write(layout, "books.yaml", "- {id: 1, title: Dune}\n- {id: 2, title: Emma, pages: 300}\n")
    _write(layout, "shelves/top/notes.json", '[{"id": "a", "text": "hi"}]')
    _write(layout, "shelves/{shelfId}/notes.yml", "[]\n")
    assert _load(layout) == {
        "/books": [{"id": 1, "title": "Dune"}, {"id": 2, "title": "Emma", "pages": 300}],
        "/shelves/top/notes": [{"id": "a", "text": "hi"}],
        "/shelves/{shelfId}/notes": [],
    }


def test_an_invalid_entity_is_reported_with_file_entity_and_field_and_left_out(
    layout: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _write(
        layout, "books.yaml", "- {id: 1, title: Dune}\n- {id: 2, title: Emma, pages: 0}\n- {id: 3, title: X}\n"
    )
    with caplog.at_level(logging.WARNING, logger="mockserver"):
        found = _load(layout)
    assert [b["id"] for b in found["/books"]] == [1, 3]
    assert str(path) in caplog.text and "entity [1]" in caplog.text and "pages" in caplog.text


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("- {id: 1, title: Dune}\n- {id: 1, title: Emma}\n", "entity [1]: id: 1 is entity [0]'s id too"),
        # Book's id is readOnly and required: an entity is read back, so it must have one.
        ("- {title: Dune}\n", "entity [0]: does not match the entity schema at (root): 'id' is a required property"),
        ("- Dune\n", "entity [0]: is str, not an object"),
        ("- {id: 1, title: Dune, lender_pin: '1234'}\n", "entity [0]: lender_pin: a writeOnly field is never kept"),
        (
            "- {id: 1, title: Dune, lender: {name: Ann, pin: '1234'}}\n",
            "entity [0]: lender: holds a writeOnly field, which is never kept",
        ),
    ],
)
def test_an_entity_that_cannot_be_kept_is_reported_and_left_out(
    layout: Path, caplog: pytest.LogCaptureFixture, text: str, words: str
) -> None:
    path = _write(layout, "books.yaml", text)
    with caplog.at_level(logging.WARNING, logger="mockserver"):
        found = _load(layout)
    assert len(found["/books"]) == text.count("\n") - 1
    assert f"{path}: " in caplog.text and words in caplog.text


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("books.yaml", "{id: 1, title: Dune}\n", "a list of entities, not dict"),
        ("books.yaml", "- [\n", "cannot read fixture"),
        (
            "authors.yaml",
            "[]\n",
            "/authors is not a resource's collection (collections: /books, /shelves/{shelfId}/notes)",
        ),
        ("shelves/notes.yaml", "[]\n", "/shelves/notes is not a resource's collection"),
    ],
)
def test_an_unusable_state_file_is_reported_and_not_used(
    layout: Path, caplog: pytest.LogCaptureFixture, name: str, text: str, words: str
) -> None:
    path = _write(layout, name, text)
    with caplog.at_level(logging.WARNING, logger="mockserver"):
        assert _load(layout) == {}
    assert str(path) in caplog.text and words in caplog.text


def test_a_file_with_more_entities_than_a_collection_holds_is_not_used(
    layout: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state_fixtures, "MAX_ENTITIES", 1)
    _write(layout, "books.yaml", "- {id: 1, title: Dune}\n- {id: 2, title: Emma}\n")
    with caplog.at_level(logging.WARNING, logger="mockserver"):
        assert _load(layout) == {}
    assert "2 entities, more than a collection holds (1)" in caplog.text


def test_the_state_folder_holds_no_operations_fixtures(layout: Path, caplog: pytest.LogCaptureFixture) -> None:
    _write(layout, "books.yaml", "- {id: 1, title: Dune}\n")
    with caplog.at_level(logging.WARNING, logger="mockserver"):
        assert load_fixtures(load(layout / "specs" / "shelf.yaml")) == {}
    assert caplog.text == ""


def test_a_file_holds_at_most_what_the_store_keeps_per_collection() -> None:
    assert state_fixtures.MAX_ENTITIES == entities.MAX_ENTITIES  # spec loading cannot import serving's bound
