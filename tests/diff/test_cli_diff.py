"""`mockserver diff` on the command line: exit codes, the one-line errors, formats, and git revisions."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mockserver.cli import main

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
TIMEOUT = 60


def mockserver(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", *args], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT
    )


def _spec(properties: dict[str, object], *, required: list[str] | None = None, default: int = 20) -> str:
    schema: dict[str, object] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/items": {
                "get": {
                    "operationId": "listItems",
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "default": default}}],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}},
                }
            }
        },
    }
    return yaml.safe_dump(document)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path, Path]:
    """BASE, a REVISION that breaks (a field removed), and one that only changes a default (a warning)."""
    base = tmp_path / "base.yaml"
    base.write_text(_spec({"id": {"type": "string"}, "name": {"type": "string"}}))
    breaking = tmp_path / "breaking.yaml"
    breaking.write_text(_spec({"id": {"type": "string"}}))
    warning = tmp_path / "warning.yaml"
    warning.write_text(_spec({"id": {"type": "string"}, "name": {"type": "string"}}, default=50))
    return base, breaking, warning


def test_no_change_exits_0(pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(pair[0]), str(pair[0])]) == 0
    assert "0 breaking, 0 warning, 0 info" in capsys.readouterr().out


def test_a_breaking_change_exits_1(pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(pair[0]), str(pair[1])]) == 1
    out = capsys.readouterr().out
    assert "BREAKING response-property-removed  GET /items  response 200 body: name" in out


def test_a_warning_fails_only_with_fail_on_warning(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", str(pair[0]), str(pair[2])]) == 0
    assert main(["diff", str(pair[0]), str(pair[2]), "--fail-on", "warning"]) == 1
    assert "request-default-changed" in capsys.readouterr().out


def test_json_output_names_rule_severity_and_both_pointers(
    pair: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    main(["diff", str(pair[0]), str(pair[1]), "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert document["summary"] == {"breaking": 1, "warning": 0, "info": 0}
    (finding,) = document["findings"]
    assert finding["rule"] == "response-property-removed"
    assert finding["severity"] == "breaking"
    assert (
        finding["base_pointer"] == "/paths/~1items/get/responses/200/content/application~1json/schema/properties/name"
    )
    assert finding["revision_pointer"] is None


def test_markdown_output_has_a_summary_then_breaking_changes_first(
    pair: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    both = tmp_path / "both.yaml"
    both.write_text(_spec({"id": {"type": "string"}}, default=50))
    main(["diff", str(pair[0]), str(both), "--format", "markdown"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("### API diff:")
    assert lines[2].startswith("**1 breaking change**; 1 warning(s)")
    assert lines.index("#### Breaking") < lines.index("#### Warnings")
    row = next(line for line in lines if "response-property-removed" in line)
    assert row.startswith("| GET /items | response 200 body: name<br>`/paths/~1items/get/")


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: str(tmp / "missing.yaml"), "missing.yaml: not found: no such spec file or bundled API"),
        (lambda tmp: _write(tmp / "bad.yaml", "openapi: 3.0.3\ninfo: [unclosed\n"), "bad.yaml: syntax error: line 3"),
        (lambda tmp: _write(tmp / "list.yaml", "- a\n- b\n"), "list.yaml: not an OpenAPI document"),
    ],
    ids=["missing-file", "bad-yaml", "not-openapi"],
)
def test_a_side_that_cannot_be_read_exits_2_with_one_line(make: object, expected: str, tmp_path: Path) -> None:
    given = make(tmp_path)  # type: ignore[operator]
    done = mockserver("diff", "openrouter", given)
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert expected in line, line
    assert "Traceback" not in done.stderr


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


# --- git:REF:path ----------------------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with two commits of specs/openrouter.yaml; its ActivityItem lives in another file,
    specs/schemas/activity.yaml, which lost `cached_tokens` in the second commit (the spec file itself is
    the same in both)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "specs" / "schemas").mkdir(parents=True)
    document = yaml.safe_load((SPECS / "openrouter.yaml").read_text())
    item = document["components"]["schemas"]["ActivityItem"]
    document["components"]["schemas"]["ActivityItem"] = {"$ref": "./schemas/activity.yaml#/ActivityItem"}
    (repo / "specs" / "openrouter.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    (repo / "specs" / "schemas" / "activity.yaml").write_text(yaml.safe_dump({"ActivityItem": item}))
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "first")
    del item["properties"]["cached_tokens"]
    item["required"].remove("cached_tokens")
    (repo / "specs" / "schemas" / "activity.yaml").write_text(yaml.safe_dump({"ActivityItem": item}))
    _git(repo, "commit", "-q", "-am", "second: cached_tokens removed")
    return repo


def test_git_revision_against_the_work_tree_resolves_refs_at_that_revision(repo: Path) -> None:
    done = mockserver("diff", "git:HEAD~1:specs/openrouter.yaml", "specs/openrouter.yaml", "--format", "json", cwd=repo)
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    rules = sorted(f["rule"] for f in document["findings"])
    assert rules == ["response-property-removed"], document
    assert document["findings"][0]["base_pointer"] == "./schemas/activity.yaml#/ActivityItem/properties/cached_tokens"


def test_git_revisions_on_both_sides_never_read_the_work_tree(repo: Path) -> None:
    # The work tree says something else entirely: a git side must not read it, $refs included.
    (repo / "specs" / "schemas" / "activity.yaml").write_text("not: [valid\n")
    done = mockserver("diff", "git:HEAD:specs/openrouter.yaml", "git:HEAD~1:specs/openrouter.yaml", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "0 breaking, 0 warning, 1 info" in done.stdout
    assert "response-property-added" in done.stdout


def test_git_from_a_subfolder_reads_paths_relative_to_it(repo: Path) -> None:
    done = mockserver("diff", "git:HEAD~1:openrouter.yaml", "openrouter.yaml", cwd=repo / "specs")
    assert done.returncode == 1, done.stderr


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "git:nosuchref:specs/openrouter.yaml",
            "git:nosuchref:specs/openrouter.yaml: not found: no revision 'nosuchref'",
        ),
        ("git:HEAD:specs/missing.yaml", "no file specs/missing.yaml at revision"),
        ("git:HEAD", "write a git side as git:REF:path"),
        ("git:--output=x:specs/openrouter.yaml", "is not a git revision"),
    ],
    ids=["bad-ref", "missing-path", "no-path", "option-as-ref"],
)
def test_a_bad_git_side_exits_2_with_one_line(repo: Path, given: str, expected: str) -> None:
    done = mockserver("diff", given, "specs/openrouter.yaml", cwd=repo)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert expected in line, line


def test_git_outside_a_repository_exits_2_with_one_line(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (tmp_path / "a.yaml").write_text((SPECS / "openrouter.yaml").read_text())
    done = mockserver("diff", "git:HEAD:a.yaml", "a.yaml", cwd=tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert "git:HEAD:a.yaml: not found: not inside a git repository" in line, line
