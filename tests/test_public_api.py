"""The public surface: `mockserver.__all__`, sorted, every name real, cheap to import, typed, versioned."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import mockserver
from mockserver import cli, errors

ROOT = Path(__file__).resolve().parent.parent


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert mockserver.__all__ == sorted(mockserver.__all__)
    assert len(set(mockserver.__all__)) == len(mockserver.__all__)
    for name in mockserver.__all__:
        assert getattr(mockserver, name) is not None, name


def test_exported_members_say_they_are_mockservers() -> None:
    """As httpx's test_exported_members: each exported class or function is defined in mockserver."""
    for name in mockserver.__all__:
        member = getattr(mockserver, name)
        if name != "__version__":
            assert member.__module__.startswith("mockserver."), (name, member.__module__)


def test_every_public_error_is_exported_and_in_one_tree() -> None:
    """Every exception class errors.py defines is exported, and (but for the kind enum) a MockServerError."""
    defined = {
        name for name, value in vars(errors).items() if isinstance(value, type) and value.__module__ == errors.__name__
    }
    assert defined <= set(mockserver.__all__)
    for name in defined - {"SpecErrorKind"}:
        assert issubclass(getattr(errors, name), errors.MockServerError), name
        assert name in (errors.__doc__ or ""), f"{name} is missing from the tree drawn in errors.py"


def test_errors_raised_elsewhere_are_the_trees_own() -> None:
    from mockserver.contract.limits import ResponseLimitExceeded
    from mockserver.pytest_plugin import MockJournalUnavailable
    from mockserver.serving.server import ListenError

    assert ListenError is mockserver.ListenError
    assert MockJournalUnavailable is mockserver.MockJournalUnavailable
    assert issubclass(MockJournalUnavailable, RuntimeError)  # as it was: callers catching that still do
    assert issubclass(ResponseLimitExceeded, mockserver.ResponseLimitError)


def test_unknown_attribute_is_an_attribute_error() -> None:
    assert not hasattr(mockserver, "no_such_thing")


def test_importing_mockserver_leaves_connexion_and_the_spec_loader_unimported() -> None:
    """`import mockserver` costs milliseconds: the heavy parts load when their name is first used."""
    heavy = ("connexion", "starlette", "hypothesis", "yaml", "mockserver.openapi.loader")
    code = f"import sys, mockserver; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def test_the_version_is_the_installed_distributions() -> None:
    assert mockserver.__version__ == metadata.version("mockserver")


def test_version_flag_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"mockserver {mockserver.__version__}\n"


def test_the_package_is_marked_typed() -> None:
    assert (ROOT / "mockserver" / "py.typed").is_file()
