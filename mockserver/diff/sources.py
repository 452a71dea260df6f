"""The two sides of a diff: a spec file, a bundled API name, or `git:REF:path` read from the repository's history.

A `git:` side is read with git itself (`git cat-file`), never from the work tree: the spec, every file its
`$ref`s name (followed transitively, at the same revision) and its fixtures folder are written into a
temporary folder that mirrors the repository, and the ordinary loader reads that copy. So a `$ref` to a
file that changed between two commits is resolved as it was at each of them.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from mockserver import bundled
from mockserver.errors import SpecErrorKind, SpecLoadError
from mockserver.openapi.parse import parse_text

GIT_PREFIX = "git:"
GIT_TIMEOUT = 60.0  # seconds for one git command: a hung git (a lock, a prompt) must not hang CI
_REF_SUFFIXES = (".yaml", ".yml", ".json")
# A `$ref` whose value does not start with `#` (YAML or JSON spelling): the file may name another file.
_FILE_REF = re.compile(r"""["']?\$ref["']?\s*:\s*["']?(?!#)[^\s"']""")
_SKIP = frozenset({"example", "default", "enum", "const"})  # data: a `$ref` key inside is not a reference


@dataclass(frozen=True)
class Side:
    """One side of the diff: what the user gave (`label`) and the file the loader reads (`path`)."""

    label: str
    path: Path
    fixtures: Path | None = None  # the fixtures folder of this side, when it is not beside the spec as usual
    copy: Path | None = None  # a `git:` side: the temporary folder its files were copied into

    def shown(self, text: str) -> str:
        """`text` with the temporary copy's folder taken out (a `git:` side's files named as in the repository)."""
        return text if self.copy is None else text.replace(f"{self.copy}/", "")


def open_side(given: str, stack: ExitStack, *, cwd: Path | None = None) -> Side:
    """`given` as a readable spec file; a `git:` side's temporary copy lives as long as `stack`."""
    if given.startswith(GIT_PREFIX):
        return _git_side(given, stack, cwd or Path.cwd())
    path = bundled.resolve_spec(given)
    if not path.is_file():
        raise SpecLoadError(given, SpecErrorKind.NOT_FOUND, "no such spec file or bundled API")
    return Side(label=given, path=path)


def _git_side(given: str, stack: ExitStack, cwd: Path) -> Side:
    ref, sep, path = given[len(GIT_PREFIX) :].partition(":")
    if not sep or not ref or not path:
        raise SpecLoadError(
            given, SpecErrorKind.NOT_FOUND, "write a git side as git:REF:path (git:HEAD~1:specs/x.yaml)"
        )
    top = _toplevel(given, cwd)
    # A path is relative to the current folder, as `git show REF:./path` reads it.
    wanted = (cwd.resolve() / path).resolve()
    if not wanted.is_relative_to(top):
        raise SpecLoadError(given, SpecErrorKind.NOT_FOUND, f"{path} is outside the repository {top}")
    commit = _commit(given, top, ref)
    copy = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mockserver-diff-")))
    relative = PurePosixPath(wanted.relative_to(top).as_posix())
    _copy_with_refs(given, top, commit, relative, copy)
    fixtures = relative.parent.parent / "fixtures" / Path(relative).stem
    _copy_tree(top, commit, fixtures, copy)
    return Side(label=given, path=copy / relative, fixtures=copy / fixtures, copy=copy)


def _toplevel(given: str, cwd: Path) -> Path:
    out = _git(given, cwd, "rev-parse", "--show-toplevel", problem="not inside a git repository")
    return Path(out.decode().strip()).resolve()


def _commit(given: str, top: Path, ref: str) -> str:
    if ref.startswith("-"):  # never an option to git
        raise SpecLoadError(given, SpecErrorKind.NOT_FOUND, f"{ref!r} is not a git revision")
    out = _git(given, top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", problem=f"no revision {ref!r}")
    return out.decode().strip()


def _copy_with_refs(given: str, top: Path, commit: str, first: PurePosixPath, copy: Path) -> None:
    """The spec and every file its `$ref`s name, transitively, as they were at `commit`."""
    pending, done = [first], set[PurePosixPath]()
    while pending:
        relative = pending.pop()
        if relative in done:
            continue
        done.add(relative)
        problem = f"no file {relative} at revision {commit[:12]}"
        try:
            data = _git(given, top, "cat-file", "blob", f"{commit}:{relative}", problem=problem)
        except SpecLoadError:
            if relative == first:
                raise
            continue  # a referenced file missing at that revision: the loader says which $ref dangles
        target = copy / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        text = data.decode("utf-8", "replace")
        if not _FILE_REF.search(text):
            continue  # only `#/…` references (a large single-file spec): not parsed twice
        try:
            document = parse_text(text, json_text=relative.suffix == ".json")
        except Exception:
            continue  # the loader reports it, naming the file, when it reads the copy
        for ref in _file_refs(document):
            joined = _normalise(relative.parent / unquote(ref))
            if joined is not None and joined.suffix.lower() in _REF_SUFFIXES:
                pending.append(joined)


def _copy_tree(top: Path, commit: str, folder: PurePosixPath, copy: Path) -> None:
    """Every file under `folder` at `commit` (a spec's fixtures); nothing when there is no such folder."""
    listing = subprocess.run(
        ["git", "ls-tree", "-r", "-z", "--name-only", commit, "--", f"{folder}/"],
        cwd=top,
        capture_output=True,
        timeout=GIT_TIMEOUT,
        check=False,
    )
    if listing.returncode != 0:
        return
    for name in filter(None, listing.stdout.decode("utf-8", "replace").split("\0")):
        relative = _normalise(PurePosixPath(name))
        if relative is None or relative.suffix not in _REF_SUFFIXES:
            continue
        blob = subprocess.run(
            ["git", "cat-file", "blob", f"{commit}:{relative}"], cwd=top, capture_output=True, timeout=GIT_TIMEOUT
        )
        if blob.returncode == 0:
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            (copy / relative).write_bytes(blob.stdout)


def _git(given: str, cwd: Path, *args: str, problem: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise SpecLoadError(given, SpecErrorKind.NOT_FOUND, "git is not installed") from None
    except subprocess.TimeoutExpired:
        raise SpecLoadError(given, SpecErrorKind.UNREADABLE, f"git {args[0]} took over {GIT_TIMEOUT:g} s") from None
    except OSError as exc:
        raise SpecLoadError(given, SpecErrorKind.UNREADABLE, f"cannot run git: {exc.strerror}") from None
    if done.returncode != 0:
        raise SpecLoadError(given, SpecErrorKind.NOT_FOUND, problem)
    return done.stdout


def _file_refs(document: Any) -> set[str]:
    """The file parts of the `$ref`s in `document` (local `#/…` ones and URLs left out)."""
    found: set[str] = set()
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                file_part = ref.partition("#")[0]
                if file_part and "://" not in file_part:
                    found.add(file_part)
            pending.extend(v for k, v in node.items() if k not in _SKIP and not str(k).startswith("x-"))
        elif isinstance(node, list):
            pending.extend(node)
    return found


def _normalise(path: PurePosixPath) -> PurePosixPath | None:
    """`a/b/../c` as `a/c`; None when it climbs out of the repository."""
    parts: list[str] = []
    for part in path.parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return PurePosixPath(*parts) if parts else None
