"""The bench's tools, installed when missing (wrk from Debian, Prism 5.16 from npm into bench/.prism), and the
machine facts a result is read against."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess

from settings import ROOT, BenchError, say

PRISM_PREFIX = "bench/.prism"  # relative to ROOT, as typed in the npm command
PRISM_SPEC = "@stoplight/prism-cli@5.16"
PRISM_VERSION_PREFIX = "5.16."
PRISM_BIN = ROOT / PRISM_PREFIX / "node_modules" / ".bin" / "prism"
PRISM_PACKAGE = ROOT / PRISM_PREFIX / "node_modules" / "@stoplight" / "prism-cli" / "package.json"


def run_checked(argv: list[str], env: dict[str, str] | None = None) -> None:
    say("$ " + shlex.join(argv))
    result = subprocess.run(argv, cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        raise BenchError(f"`{shlex.join(argv)}` exited with {result.returncode}")


def apt_has_candidate(package: str) -> bool:
    out = subprocess.run(["apt-cache", "policy", package], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        if line.strip().startswith("Candidate:"):
            return line.split(":", 1)[1].strip() not in ("", "(none)")
    return False


def ensure_wrk() -> str:
    if shutil.which("wrk"):
        say("wrk already installed")
    else:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if not apt_has_candidate("wrk"):
            run_checked(["apt-get", "update"], env)
        run_checked(["apt-get", "install", "-y", "wrk"], env)
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).splitlines()[0].strip()


def installed_prism_version() -> str | None:
    try:
        version = json.loads(PRISM_PACKAGE.read_text())["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(version) if PRISM_BIN.exists() else None


def ensure_prism() -> str:
    version = installed_prism_version()
    if version and version.startswith(PRISM_VERSION_PREFIX):
        say(f"Prism {version} already installed in {PRISM_PREFIX}")
        return version
    if not shutil.which("npm"):
        raise BenchError("npm not found: Prism needs Node.js and npm (apt-get install -y nodejs npm)")
    run_checked(["npm", "install", "--prefix", PRISM_PREFIX, "--no-audit", "--no-fund", PRISM_SPEC])
    version = installed_prism_version()
    if not version:
        raise BenchError(f"npm install succeeded but {PRISM_BIN} is missing")
    return version


def node_version() -> str:
    node = shutil.which("node")
    if not node:
        return "absent"
    return subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()


def nproc() -> int:
    out = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    return int(out) if out.isdigit() else len(os.sched_getaffinity(0))


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]
