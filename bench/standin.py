"""The proxy's upstream in `make bench`: the faithful OpenRouter stand-in of contract_tests/upstreams, alone.

    python bench/standin.py --port 8100      # GET http://127.0.0.1:8100/api/v1/activity (Bearer good-token)

The proxy target forwards to it; the bench measures both, so the ratio is the proxy's own cost.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "contract_tests"))

from upstreams.server import create_app

TOKEN = "good-token"  # the only token the stand-ins take


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api", default="openrouter")
    args = parser.parse_args()
    uvicorn.run(create_app(args.api), host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
