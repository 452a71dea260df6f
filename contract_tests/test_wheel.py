"""mockserver as a user installs it: the wheel, in a fresh venv outside the checkout, with its bundled specs.

The wheel is built from a copy of the checkout's sources (nothing written into the checkout) with this
environment's setuptools, offline (`--no-build-isolation --no-index`). The fresh venv gets the wheel
alone (`--no-deps`); the project's dependencies come from this environment's site-packages through a
`.pth` file, which Python appends after the venv's own site-packages, so `import mockserver` is the
wheel's copy (asserted). Every command then runs from a working directory outside the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from serve_support import serving

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "mockserver", "specs", "fixtures")
APIS = sorted(p.stem for p in (ROOT / "specs").glob("*.yaml"))
TIMEOUT = 120  # per command; the whole module takes about 15 s


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    work: Path  # an empty working directory outside the checkout
    env: dict[str, str]

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    @property
    def site_packages(self) -> Path:
        (found,) = self.venv.glob("lib/python3*/site-packages")
        return found.resolve()

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, cwd=self.work, env=self.env, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )


def _checked(*args: str | Path, cwd: Path) -> None:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel").resolve()
    assert not base.is_relative_to(ROOT), f"{base} must lie outside the checkout"
    src, dist, venv, work = base / "src", base / "dist", base / "venv", base / "work"
    src.mkdir()
    work.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, src / name)
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input")
    _checked(*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, src, cwd=base)
    (wheel,) = dist.glob("mockserver-*.whl")
    _checked(sys.executable, "-m", "venv", "--without-pip", venv, cwd=base)
    _checked(*pip, "--python", venv / "bin" / "python", "install", "--no-deps", "--no-index", wheel, cwd=base)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    ready = Installed(wheel=wheel, venv=venv, work=work, env=env)
    # The dependencies: this environment's site-packages, after the venv's own (so after the wheel).
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (ready.site_packages / "mockserver-test-deps.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    return ready


def test_the_wheel_holds_every_module_spec_and_fixture(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "mockserver").rglob("*.py")}
    assert modules - names == set(), "packages missing from [tool.setuptools] packages in pyproject.toml"
    assert "mockserver/py.typed" in names, "py.typed missing from [tool.setuptools.package-data]"
    for folder in ("specs", "fixtures"):
        files = {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*.yaml")}
        assert files and {f"mockserver/bundled/{f}" for f in files} - names == set()
    assets = {p.relative_to(ROOT).as_posix() for p in (ROOT / "mockserver/serving/dashboard_assets").iterdir()}
    assert assets and assets - names == set(), "the dashboard's files missing from [tool.setuptools.package-data]"


def test_import_resolves_to_the_wheel_not_the_checkout(installed: Installed) -> None:
    script = (
        "import mockserver, mockserver.bundled as b; "
        "print(mockserver.__file__); print(b.specs_dir()); print(b.fixtures_root())"
    )
    result = installed.run(installed.python, "-c", script)
    assert result.returncode == 0, result.stderr
    module, specs, fixtures = map(Path, result.stdout.split())
    for path in (module, specs, fixtures):
        assert path.resolve().is_relative_to(installed.site_packages), path
    assert sorted(p.stem for p in specs.glob("*.yaml")) == APIS


def test_list_names_the_bundled_apis(installed: Installed) -> None:
    result = installed.run("mockserver", "list")
    assert result.returncode == 0, result.stderr
    listed = sorted(line.split()[0] for line in result.stdout.splitlines() if line and not line.startswith(" "))
    assert listed == APIS == ["client-analytics", "lightdash", "onepin", "openrouter"]


@pytest.fixture
def served(installed: Installed) -> Iterator[str]:
    with serving("--quiet", cwd=installed.work, command=["mockserver"], env=installed.env) as server:
        yield server.base


def test_serve_answers_with_generated_data_and_bundled_fixtures(served: str) -> None:
    auth = {"Authorization": "Bearer anything"}
    generated = httpx.get(f"{served}/onepin/api/v1/usage/activity?limit=2", headers=auth, timeout=10)
    assert generated.status_code == 200, generated.text
    assert generated.json()["pagination"]["limit"] == 2
    fixture = httpx.get(f"{served}/openrouter/api/v1/activity", headers={**auth, "Prefer": "example=empty"}, timeout=10)
    assert (fixture.status_code, fixture.json()) == (200, {"data": []})


def test_the_installed_server_serves_its_dashboard_from_package_data(served: str) -> None:
    page = httpx.get(f"{served}/__mock/", timeout=10)
    assert page.status_code == 200 and "dashboard.js" in page.text
    for name in ("dashboard.js", "dashboard.css"):
        assert httpx.get(f"{served}/__mock/assets/{name}", timeout=10).status_code == 200, name


USER_TESTS = """
from pathlib import Path

import httpx
import mockserver
from hypothesis import given, settings

from mockserver.strategies import response_bodies

SITE = Path({site!r})


def test_mock_server_fixture_serves_the_bundled_specs(mock_server):
    assert Path(mockserver.__file__).resolve().is_relative_to(SITE)
    url = mock_server.base_url("onepin") + "/api/v1/usage/activity"
    answer = httpx.get(url, headers={{"Authorization": "Bearer x", "Prefer": "example=last-page"}}, timeout=10)
    assert answer.status_code == 200
    assert answer.json()["pagination"]["next"] is None


@settings(max_examples=10, database=None)
@given(response_bodies("onepin", "usage_activity_api_v1_usage_activity_get"))
def test_response_bodies_of_a_bundled_api(body):
    assert isinstance(body["data"], list)
"""


def test_pytest_plugin_and_strategies_work_installed(installed: Installed) -> None:
    (installed.work / "test_user.py").write_text(USER_TESTS.format(site=str(installed.site_packages)), encoding="utf-8")
    result = installed.run(installed.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
