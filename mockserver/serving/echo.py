"""Request data echoed into the mock's answers (and its journal), cut to a length.

Error messages name the bad input, as they should; a 5 MB body or a 30 KB path must not come back
whole. Every error the mock sends passes through `clip_problem` (envelopes) or `clip` (its own
problem+json), so no path can echo more than `MESSAGE_LIMIT` characters of what a client sent.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from mockserver.generation.context import FieldError, Problem

ECHO_LIMIT = 300  # characters of one echoed value (a path, a header, a parameter's value)
MESSAGE_LIMIT = 1000  # characters of a whole message (several invalid parameters, each named)
ERROR_COUNT = 20  # field errors listed per answer
INT_DIGITS = 4300  # Python reads no longer integer from text (`sys.get_int_max_str_digits`)


def clip(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text`, or its first `limit` characters and how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def plain(exc: BaseException) -> str:
    """What went wrong, in the mock's words where Python's would point at its own internals."""
    text = str(exc)
    if isinstance(exc, ValueError) and "int_max_str_digits" in text:
        return f"an integer has more than {INT_DIGITS} digits"
    return clip(text)


def clip_value(value: Any, limit: int = ECHO_LIMIT) -> Any:
    """`value` as it is when small; a long string, or a list or object whose JSON is long, as a clipped string."""
    if isinstance(value, str):
        return clip(value, limit)
    if isinstance(value, (list, dict)):
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (RecursionError, ValueError):  # nested past the stack, or not JSON: not worth echoing
            return "(not shown)"
        return value if len(text) <= limit else clip(text, limit)
    return value


def clip_problem(problem: Problem) -> Problem:
    """`problem` with its message, details and field errors cut to their limits."""
    errors = tuple(
        FieldError(e.location, clip(e.message, MESSAGE_LIMIT), e.type, clip_value(e.input))
        for e in problem.errors[:ERROR_COUNT]
    )
    details = {clip(str(k)): clip_value(v) for k, v in list(problem.details.items())[:ERROR_COUNT]}
    return replace(problem, message=clip(problem.message, MESSAGE_LIMIT), details=details, errors=errors)
