"""Where the bundled specs and their fixtures are, in a checkout or installed: found with `importlib.resources`.

The files are kept once, at the top of the repository: `specs/<api>.yaml` and
`fixtures/<api>/<operationId>/<name>.yaml`. pyproject.toml maps those two folders onto the subpackages
`mockserver.bundled.specs` and `mockserver.bundled.fixtures` (`[tool.setuptools] package-dir`; each
folder holds an empty `__init__.py` for it), so a wheel carries them inside the package and an editable
install (`make install`) reads the checkout's own folders.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from mockserver.errors import SpecErrorKind, SpecLoadError

__all__ = [
    "SPEC_SUFFIXES",
    "bundled_fixtures_dir",
    "bundled_spec",
    "fixtures_root",
    "is_bundled",
    "resolve_spec",
    "specs_dir",
]

SPECS_PACKAGE = "mockserver.bundled.specs"
FIXTURES_PACKAGE = "mockserver.bundled.fixtures"
SPEC_SUFFIXES = (".yaml", ".yml", ".json")


@functools.cache
def _package_dir(package: str) -> Path | None:
    """The folder of `package`, or None when it is not installed (or not as files on disk, e.g. zipped)."""
    try:
        root = resources.files(package)
    except ModuleNotFoundError:
        return None
    return root.resolve() if isinstance(root, Path) and root.is_dir() else None


def specs_dir() -> Path:
    """The folder of the bundled specs: `specs/` of the checkout, or `mockserver/bundled/specs` installed.

    Raises SpecLoadError when mockserver was not installed with them (run from a bare source tree)."""
    folder = _package_dir(SPECS_PACKAGE)
    if folder is None:
        raise SpecLoadError(
            SPECS_PACKAGE, SpecErrorKind.NOT_FOUND, "the bundled specs are not installed (pip install mockserver)"
        )
    return folder


def fixtures_root() -> Path | None:
    """The folder of the bundled fixtures (`<api>/<operationId>/<name>.yaml` inside), None if not installed."""
    return _package_dir(FIXTURES_PACKAGE)


def bundled_spec(name: str) -> Path | None:
    """The spec file of the bundled API `name` (`"openrouter"` → …/openrouter.yaml), or None."""
    folder = _package_dir(SPECS_PACKAGE)
    candidates = [] if folder is None else [folder / f"{name}{suffix}" for suffix in SPEC_SUFFIXES]
    return next((path for path in candidates if path.is_file()), None)


def resolve_spec(name_or_path: str | Path) -> Path:
    """A spec file or folder as given, else a bundled API's spec (`"openrouter"` → …/specs/openrouter.yaml).

    The one resolver behind every command and helper that takes "a bundled API name or a spec path". A path
    that exists wins over a bundled name; a name that matches nothing comes back unchanged, for the loader
    to report as missing."""
    path = Path(name_or_path)
    if path.exists():
        return path
    return bundled_spec(str(name_or_path)) or path


def is_bundled(spec_path: Path) -> bool:
    """Whether `spec_path` is one of the bundled spec files."""
    folder = _package_dir(SPECS_PACKAGE)
    return folder is not None and spec_path.resolve().parent == folder


def bundled_fixtures_dir(api_name: str) -> Path | None:
    """Where the fixtures of the bundled API `api_name` are (the folder may not exist); None if not installed."""
    root = fixtures_root()
    return None if root is None else root / api_name
