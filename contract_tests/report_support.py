"""A contract report of a drifting stand-in, written to disk: for tests that open it (the browser test, too).

`write_drift_report(tmp_path)` runs `python -m mockserver contract` in a subprocess, as a user would, against
OpenRouter's stand-in upstream with the `wrong_type` defect (a count sent as a string), and returns the paths
of the HTML and JSON reports it wrote. The stand-in runs on loopback for the length of the call only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from upstreams.server import base_url, serve_all

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "good-token"  # the one token the stand-in upstreams accept: it must not appear in a report
API, DEFECT = "openrouter", "wrong_type"
FAST = ("--max-examples", "8", "--rate-limit", "500/s")


def run_contract_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m mockserver contract ARGS` from the repository root, no `<API>_API_KEY` of the developer's."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    return subprocess.run(
        [sys.executable, "-m", "mockserver", "contract", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def write_drift_report(tmp_path: Path, *extra: str, expect_exit: int = 1) -> tuple[Path, Path]:
    """Check the drifting stand-in, writing `tmp_path/contract.html` and `.json`; return (html_path, json_path).

    `extra` options are added to the command line. Raises if the run did not exit `expect_exit` (1: the
    violation was found and is new; 0 with `--write-baseline`, which accepts it) or wrote no report."""
    html, data = tmp_path / "contract.html", tmp_path / "contract.json"
    with serve_all() as root:
        result = run_contract_cli(
            API, "--base-url", base_url(root, API, DEFECT), "--header", f"Authorization: Bearer {TOKEN}",
            "--report", str(html), "--report", str(data), *FAST, *extra,
        )  # fmt: skip
    if result.returncode != expect_exit or not html.is_file() or not data.is_file():
        raise RuntimeError(f"contract run: exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return html, data
