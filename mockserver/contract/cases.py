"""The smallest valid request schemathesis can make for an operation: where probes and recordings start."""

from __future__ import annotations

import warnings
from typing import Any

from hypothesis import HealthCheck, find, settings
from schemathesis.generation import GenerationMode


def minimal_case(operation: Any) -> Any:
    """A schemathesis `Case` with the simplest valid parameters (deterministic: hypothesis shrinks to it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # hypothesis warns that find() is for interactive use
        return find(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            lambda _: True,
            settings=settings(database=None, suppress_health_check=list(HealthCheck)),
        )
