"""Statistics over wrk rounds: a target's medians, and the ratios between targets (of medians, per round)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator
from dataclasses import dataclass

from settings import WORKERS
from wrk import WrkResult

RPS_RATIOS = {  # ratio name → (numerator target, denominator target), by req/s
    "mock_over_prism_rps": ("mock", "prism"),
    "mock_over_connexion_rps": ("mock", "connexion"),
    "mock_over_starlette_rps": ("mock", "starlette"),
    "mock_2_workers_over_mock_rps": ("mock-2w", "mock"),
    "proxy_over_standin_rps": ("proxy", "standin"),
}
RATIO_LABELS = {
    "mock_over_prism_rps": "mock / Prism throughput",
    "mock_over_connexion_rps": "mock / Connexion-ceiling throughput",
    "mock_over_starlette_rps": "mock / Starlette throughput",
    "mock_2_workers_over_mock_rps": f"mock --workers {WORKERS} / mock",
    "proxy_over_standin_rps": "proxy → stand-in / stand-in (target 0.5)",
}


@dataclass(frozen=True)
class Summary:
    """Medians over a target's rounds; errors summed."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    bytes_per_response: float
    errors: int


@dataclass(frozen=True)
class TargetResult:
    key: str
    label: str
    command: str
    url: str
    ready_s: float
    sample_status: int
    sample_body_bytes: int
    sample_content_type: str
    median: Summary
    rounds: tuple[WrkResult, ...]


@dataclass(frozen=True)
class RoundRatio:
    rounds: tuple[float, ...]
    median: float
    min: float
    max: float


def summarize(rounds: list[WrkResult]) -> Summary:
    def median(values: Iterator[float]) -> float:
        return round(statistics.median(values), 3)

    return Summary(
        requests_per_s=median(r.requests_per_s for r in rounds),
        p50_ms=median(r.p50_ms for r in rounds),
        p99_ms=median(r.p99_ms for r in rounds),
        bytes_per_response=median(r.bytes_per_response for r in rounds),
        errors=sum(r.socket_errors + r.non_2xx_3xx for r in rounds),
    )


def median_ratios(results: dict[str, TargetResult]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, (top, bottom) in RPS_RATIOS.items():
        num, den = results.get(top), results.get(bottom)
        if num and den and den.median.requests_per_s:
            out[name] = round(num.median.requests_per_s / den.median.requests_per_s, 3)
    mock, prism = results.get("mock"), results.get("prism")
    if mock and prism and prism.median.p50_ms:
        out["mock_p99_over_prism_p50"] = round(mock.median.p99_ms / prism.median.p50_ms, 3)
    return out


def round_ratios(results: dict[str, TargetResult]) -> dict[str, RoundRatio]:
    """Each round's req/s of one target over another's in the same round; rounds align (all targets ran all)."""
    out: dict[str, RoundRatio] = {}
    for name, (top, bottom) in RPS_RATIOS.items():
        num, den = results.get(top), results.get(bottom)
        if num is None or den is None:
            continue
        pairs = zip(num.rounds, den.rounds, strict=True)
        values = tuple(round(m.requests_per_s / o.requests_per_s, 3) for m, o in pairs if o.requests_per_s)
        if values:
            out[name] = RoundRatio(values, round(statistics.median(values), 3), min(values), max(values))
    return out


def median_time(values: list[float | None]) -> float | None:
    """Median with a timeout (None) counting as slower than any answer; None when the median is a timeout."""
    middle = statistics.median(math.inf if v is None else v for v in values)
    return None if math.isinf(middle) else round(middle, 3)
