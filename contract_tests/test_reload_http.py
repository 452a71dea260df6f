"""`mockserver serve --reload`: a changed spec folder is served again without a restart by hand."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SPECS = Path(__file__).resolve().parent.parent / "specs"


def _index(url: str) -> list[str] | None:
    try:
        return [api["name"] for api in httpx.get(url, timeout=2).json()["apis"]]
    except (httpx.HTTPError, json.JSONDecodeError):
        return None


def _until(check: object, attempts: int = 200) -> object:
    for _ in range(attempts):  # bounded polling: the server answers or the test fails
        found = check()  # type: ignore[operator]
        if found:
            return found
        time.sleep(0.1)
    return None


def test_adding_a_spec_file_is_served_after_reload(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    shutil.copy(SPECS / "lightdash.yaml", tmp_path / "specs" / "lightdash.yaml")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "specs", "--reload", "--quiet", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _until(lambda: _index(url) == ["lightdash"]), "the server did not come up"
        shutil.copy(SPECS / "openrouter.yaml", tmp_path / "specs" / "openrouter.yaml")
        assert _until(lambda: _index(url) == ["lightdash", "openrouter"]), "the new spec was not served"
    finally:
        server.terminate()
        server.wait(timeout=10)
