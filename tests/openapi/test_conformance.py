"""`loading`: specs are validated in a forked process while the caller builds, and a bad spec still wins."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from mockserver.errors import SpecErrorKind, SpecLoadError
from mockserver.openapi import conformance
from mockserver.openapi.loader import load_all, loading

pytestmark = pytest.mark.skipif(not conformance.can_fork(), reason="validation runs inline where fork is unsafe")

VALID = """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: string}}}}
"""
# Parses, has a version, indexes fine: only the validator knows `type: strin` is wrong.
INVALID = VALID.replace("type: string", "type: strin")


def spec(tmp_path: Path, text: str, name: str = "things.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_specs_are_handed_to_the_block(tmp_path: Path) -> None:
    with loading([spec(tmp_path, VALID)], strict=True) as apis:
        assert [a.name for a in apis] == ["things"]


def test_an_invalid_spec_raises_on_leaving_even_when_the_block_succeeded(tmp_path: Path) -> None:
    path = spec(tmp_path, INVALID)
    with pytest.raises(SpecLoadError) as raised, loading([path], strict=True):
        pass
    assert raised.value.kind is SpecErrorKind.INVALID
    assert raised.value.path == str(path) and "strin" in raised.value.detail


def test_an_invalid_spec_wins_over_what_the_block_raised_because_of_it(tmp_path: Path) -> None:
    with pytest.raises(SpecLoadError) as raised, loading([spec(tmp_path, INVALID)], strict=True):
        raise KeyError("the compiler choked on the invalid schema")
    assert raised.value.kind is SpecErrorKind.INVALID


def test_the_blocks_own_error_comes_through_when_the_specs_are_valid(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="ours"), loading([spec(tmp_path, VALID)], strict=True):
        raise KeyError("ours")


def test_a_child_that_cannot_finish_is_not_trusted_the_parent_checks_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    real = conformance.check_document

    def crashes_in_the_child(*args: object) -> None:
        if os.getpid() != parent:
            raise MemoryError("the child ran out of memory")
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(conformance, "check_document", crashes_in_the_child)
    with pytest.raises(SpecLoadError) as raised, loading([spec(tmp_path, INVALID)], strict=True):
        pass
    assert raised.value.kind is SpecErrorKind.INVALID


def test_the_first_invalid_spec_of_several_is_named(tmp_path: Path) -> None:
    good, bad = spec(tmp_path, VALID, "a.yaml"), spec(tmp_path, INVALID, "b.yaml")
    with pytest.raises(SpecLoadError) as raised, loading([good, bad], strict=True):
        pass
    assert raised.value.path == str(bad)


def test_a_file_the_parent_validated_with_the_same_content_is_not_validated_again(tmp_path: Path) -> None:
    path = spec(tmp_path, INVALID)
    with pytest.raises(SpecLoadError):
        load_all([path], strict=True)
    digest = hashlib.sha256(INVALID.encode()).hexdigest()
    # The invalid document loads only because its digest is trusted: proof that no validation ran.
    [api] = load_all([path], strict=True, validated={str(path.resolve()): digest})
    assert api.digest == digest


def test_a_file_whose_content_changed_since_the_parent_validated_it_is_validated(tmp_path: Path) -> None:
    path = spec(tmp_path, VALID)
    [api] = load_all([path], strict=True)
    path.write_text(INVALID, encoding="utf-8")
    with pytest.raises(SpecLoadError) as raised:
        load_all([path], strict=True, validated={str(path.resolve()): api.digest})
    assert raised.value.kind is SpecErrorKind.INVALID
