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


@dataclass(frozen=True)
class Target:
    """Where to send requests: `base_url` of a server, or an ASGI `app` mounted at `mount_path`."""

    base_url: str | None = None
    app: Any = None
    mount_path: str = ""

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
        return (self.base_url or f"http://testserver{self.mount_path}").rstrip("/")
