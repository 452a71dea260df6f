"""`mockserver serve --reload`: a changed spec folder is served again without a restart by hand, and a spec
saved broken leaves the last good version answering."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import httpx
import pytest
from serve_support import serving, until

SPECS = Path(__file__).resolve().parent.parent / "specs"


def _index(url: str) -> list[str] | None:
    try:
        return [api["name"] for api in httpx.get(url, timeout=2).json()["apis"]]
    except (httpx.HTTPError, json.JSONDecodeError):
        return None


def test_adding_a_spec_file_is_served_after_reload(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    shutil.copy(SPECS / "lightdash.yaml", tmp_path / "specs" / "lightdash.yaml")
    with serving("specs", "--reload", "--quiet", cwd=tmp_path) as served:
        url = served.base + "/"
        assert until(lambda: _index(url) == ["lightdash"]), "the server did not come up"
        override = {"operation": "getUserActivity", "status": 500}
        assert httpx.post(served.base + "/__mock/overrides", json=override, timeout=5).status_code == 201
        shutil.copy(SPECS / "openrouter.yaml", tmp_path / "specs" / "openrouter.yaml")
        assert until(lambda: _index(url) == ["lightdash", "openrouter"]), "the new spec was not served"
        # The reloaded app keeps what the server remembered: the journal and the override.
        journal = httpx.get(served.base + "/__mock/requests", timeout=5).json()["requests"]
        assert any(e["path"] == "/__mock/overrides" and e["method"] == "POST" for e in journal)
        assert [
            o["operation"] for o in httpx.get(served.base + "/__mock/overrides", timeout=5).json()["overrides"]
        ] == ["getUserActivity"]


def _version_spec(version: int) -> str:
    """A spec whose one answer says which version of the file is served."""
    return f"""\
openapi: 3.1.0
info: {{title: versions, version: '{version}'}}
paths:
  /version:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{type: object, required: [v], properties: {{v: {{type: integer, enum: [{version}]}}}}}}
"""


# Saved broken: not YAML at all; or (under --strict) a 3.1 document with a 3.0 spelling, which lenient
# loading would serve and --strict refuses.
NOT_YAML = "openapi: 3.1.0\npaths: {/version: [unclosed\n"
NOT_STRICT = _version_spec(7).replace("enum: [7]", "enum: [7], minimum: 0, exclusiveMinimum: true")


def _save(path: Path, text: str) -> None:
    """Written whole and renamed into place, as editors save: the server never reads half a file."""
    partial = path.with_suffix(".part")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _version(base: str) -> int | None:
    answer = httpx.get(base + "/versions/version", timeout=5)  # a hang is a failure, not a wait
    return int(answer.json()["v"]) if answer.status_code == 200 else None


@pytest.mark.parametrize(("broken", "flags"), [(NOT_YAML, ()), (NOT_STRICT, ("--strict",))], ids=["yaml", "strict"])
def test_a_spec_saved_broken_keeps_the_last_good_version_answering_until_it_is_fixed(
    tmp_path: Path, broken: str, flags: tuple[str, ...]
) -> None:
    spec = tmp_path / "specs" / "versions.yaml"
    spec.parent.mkdir()
    spec.write_text(_version_spec(1), encoding="utf-8")
    with serving("specs", "--reload", "--quiet", *flags, cwd=tmp_path) as served:
        assert until(lambda: _version(served.base) == 1), "the server did not come up"

        _save(spec, broken)
        assert until(lambda: any(spec.name in line for line in served.stderr)), "the broken save was not reported"
        assert all(_version(served.base) == 1 for _ in range(5))  # the last good version, at once

        _save(spec, _version_spec(2))
        assert until(lambda: _version(served.base) == 2), "the fixed spec was not served"
    naming = [line for line in served.stderr if spec.name in line]
    assert len(naming) == 1, served.stderr
    assert naming[0].startswith("mockserver: ") and "still serving the previous version" in naming[0]
    assert not any("Traceback" in line for line in served.stderr), served.stderr
