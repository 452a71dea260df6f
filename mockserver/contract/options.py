"""What a contract run is told: where to send requests (`Target`) and how (`ContractOptions`).

Their own module so that the runner, the probes and the x-mock check share them without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from mockserver.contract.limits import ResponseLimits


def _today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class ContractOptions:
    headers: dict[str, str] = field(default_factory=dict)
    max_examples: int = 25
    seed: int = 0
    allow_unsafe: bool = False
    rate_limit: str | None = None  # "10/s"; None: unlimited in process, "auto" (honours 429) for a URL
    limits: ResponseLimits = field(default_factory=ResponseLimits)  # per response from a URL: bytes, seconds
    today: Callable[[], date] = field(default=_today)
    excluded_checks: frozenset[str] = frozenset()  # --exclude-check: neither run (where schemathesis' own) nor reported


@dataclass(frozen=True)
class Target:
    """Where to send requests: `base_url` of a server, or an ASGI `app` mounted at `mount_path`."""

    base_url: str | None = None
    app: Any = None
    mount_path: str = ""
    # In process nothing listens on a URL: a curl line names where the mock would be if served as `serve_command`
    # says (its printed base URL), and the report says so.
    serve_command: str = "mockserver serve SPEC --seed 0"
    replay_origin: str = "http://127.0.0.1:8000"

    @property
    def label(self) -> str:
        """Where requests go, safe to print: a password in the URL is masked."""
        if self.base_url:
            parts = urlsplit(self.base_url)
            if parts.password:
                netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
                return urlunsplit(parts._replace(netloc=netloc))
            return self.base_url
        return f"the mock (in process){self.mount_path}"

    @property
    def url(self) -> str:
        return (self.base_url or f"{_IN_PROCESS}{self.mount_path}").rstrip("/")

    def shown_url(self, url: str) -> str:
        """`url` as a reader can send it again: in process, at the origin `serve_command` listens on."""
        if self.base_url is None and url.startswith(_IN_PROCESS):
            return self.replay_origin + url[len(_IN_PROCESS) :]
        return url

    @property
    def reproduce(self) -> str:
        """How to replay a report's curl lines; empty for a URL (they go to it as they are)."""
        if self.base_url is not None:
            return ""
        return (
            "in process: no server listened during this run; to replay a curl line, start the mock with "
            f"`{self.serve_command}` (it serves at {self.replay_origin}{self.mount_path}); in place of *** any token "
            "will do unless it was started with --token"
        )


_IN_PROCESS = "http://testserver"  # the origin schemathesis' ASGI transport sends to
