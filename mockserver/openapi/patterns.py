"""A schema's `pattern` matched in time linear in the text: RE2 where it can, else a backtracking engine on a clock.

Python's `re` backtracks: `^(a+)+$` against thirty `a`s and a `!` takes half a minute, holding the GIL and so
the whole server. RE2 never backtracks, so patterns are translated to RE2 with the meaning Python gives them
(which is what the mock has always matched: `\\d` is any Unicode digit, `$` also before a final newline).
Only what RE2 cannot express (lookarounds, backreferences, possessive repeats, Unicode `\\b`) goes to the
`regex` module, under a time limit: `FALLBACK_LIMIT`, or what is left of the request's budget if less.

The keywords at the end are jsonschema's `pattern`, `patternProperties` and `additionalProperties` on top of
these matchers, for the request checks and every other validator of the mock.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import re2
import regex
from jsonschema.exceptions import ValidationError

from mockserver import deadline

if TYPE_CHECKING:  # typeshed only knows the deprecated public names
    import sre_constants as _c
    import sre_parse as _p
else:
    from re import _constants as _c
    from re import _parser as _p

__all__ = ["FALLBACK_LIMIT", "KEYWORDS", "PatternError", "PatternTimeout", "ecma_to_python", "matcher", "search"]

FALLBACK_LIMIT = 0.5  # seconds one match may take in the backtracking engine, within the request's budget
_RE2_REPEAT = 1000  # RE2's largest counted repetition
# ECMA-262 named groups `(?<name>...)`; Python 3.11 only accepts `(?P<name>...)`.
_ECMA_NAMED_GROUP = re.compile(r"(?<!\\)\(\?<(?=[A-Za-z_])")
# What Python's `\s` matches in text (str.isspace), `\w` (str.isalnum and `_`) and `\d` (decimal digits).
_SPACE = r"\t-\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
_CATEGORIES = {  # category: (Unicode class body, ASCII class body, negated)
    _c.CATEGORY_DIGIT: (r"\p{Nd}", "0-9", False),
    _c.CATEGORY_NOT_DIGIT: (r"\p{Nd}", "0-9", True),
    _c.CATEGORY_WORD: (r"\p{L}\p{N}_", "0-9A-Za-z_", False),
    _c.CATEGORY_NOT_WORD: (r"\p{L}\p{N}_", "0-9A-Za-z_", True),
    _c.CATEGORY_SPACE: (_SPACE, r"\t-\r ", False),
    _c.CATEGORY_NOT_SPACE: (_SPACE, r"\t-\r ", True),
}
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a pattern RE2 refuses goes to the fallback: nothing for stderr
_OPTIONS.never_capture = True  # only whether it matches is asked


class PatternError(ValueError):
    """No engine can compile the pattern (the schema is unusable for it, as with Python's `re` before)."""


class PatternTimeout(Exception):
    """The backtracking engine gave up on a match: the text is treated as not matching."""


def ecma_to_python(pattern: str) -> str:
    """`pattern` with ECMA-262's named groups spelled as Python's parser wants them."""
    return _ECMA_NAMED_GROUP.sub("(?P<", pattern)


def search(pattern: str, text: str) -> bool:
    """Does `pattern` match somewhere in `text`? (jsonschema's meaning of `pattern`.)"""
    return matcher(pattern)(text)


@functools.lru_cache(maxsize=1024)
def matcher(pattern: str) -> Callable[[str], bool]:
    """A function telling whether `pattern` matches somewhere in a text; raises PatternError if none can be made.

    The function raises PatternTimeout when the fallback engine gives up, and BudgetExceeded when the
    request's budget ran out meanwhile."""
    python = ecma_to_python(pattern)
    try:
        parsed = _p.parse(python)
    except (re.error, RecursionError, OverflowError):
        # Not Python syntax (ECMA's `\p{L}`, `\u{...}`): RE2 or `regex` may read it as written.
        return _re2_matcher(pattern, None) or _fallback_matcher(pattern)
    flags = parsed.state.flags
    try:
        translated = _sequence(parsed.data, flags)
    except Exception:  # _Untranslatable, or a parse this translator never met: the fallback reads any pattern
        return _fallback_matcher(python)
    if flags & re.IGNORECASE:
        translated = f"(?i:{translated})"
    return _re2_matcher(translated, lambda: _fallback_matcher(python)) or _fallback_matcher(python)


def _re2_matcher(pattern: str, fallback: Callable[[], Callable[[str], bool]] | None) -> Callable[[str], bool] | None:
    try:
        compiled = re2.compile(pattern, _OPTIONS)
    except (re2.error, UnicodeEncodeError):
        return None
    backup: list[Callable[[str], bool]] = []

    def match(text: str) -> bool:
        try:  # bytes: the wrapper's own str path maps offsets back to characters, which costs twice as much
            return compiled.search(text.encode("utf-8")) is not None
        except UnicodeEncodeError:  # a lone surrogate (JSON allows "\ud800"): not UTF-8, so not for RE2
            if fallback is None:
                return False
            if not backup:
                backup.append(fallback())
            return backup[0](text)

    return match


def _fallback_matcher(pattern: str) -> Callable[[str], bool]:
    try:
        compiled = regex.compile(pattern)
    except (regex.error, RecursionError, OverflowError, ValueError) as exc:
        raise PatternError(f"cannot compile pattern {pattern!r}: {exc}") from exc

    # The last text that timed out, by length and hash (not kept alive): a value is often checked twice.
    gave_up: list[tuple[int, int]] = []

    def match(text: str) -> bool:
        if gave_up and gave_up[0] == (len(text), hash(text)):
            raise PatternTimeout(f"pattern {pattern!r} took too long to match")
        left = deadline.remaining()
        limit = FALLBACK_LIMIT if left is None else min(FALLBACK_LIMIT, left)
        try:
            return compiled.search(text, timeout=limit) is not None
        except TimeoutError:
            deadline.check()  # the request's budget, not the match's own limit, ran out: that is a 503
            gave_up[:] = [(len(text), hash(text))]
            raise PatternTimeout(f"pattern {pattern!r} took more than {limit:.2g} s to match") from None

    return match


class _Untranslatable(Exception):
    """The pattern needs what RE2 lacks."""


def _sequence(items: Any, flags: int) -> str:
    """Python's parse of a pattern written back in RE2's syntax, with the meaning Python gives it."""
    return "".join(_node(op, av, flags) for op, av in items)


def _node(op: Any, av: Any, flags: int) -> str:
    if op is _c.LITERAL:
        return _char(av)
    if op is _c.NOT_LITERAL:
        return f"[^{_char(av)}]"
    if op is _c.ANY:
        return r"(?s:.)" if flags & re.DOTALL else r"[^\n]"
    if op is _c.IN:
        return _char_class(av, bool(flags & re.ASCII))
    if op is _c.AT:
        return _at(av, flags)
    if op is _c.BRANCH:
        return "(?:" + "|".join(_sequence(alt, flags) for alt in av[1]) + ")"
    if op is _c.SUBPATTERN:
        _group, add, delete, sub = av
        inner = _sequence(sub, (flags | add) & ~delete)
        on = "i" if add & re.IGNORECASE else ""
        off = "-i" if delete & re.IGNORECASE else ""
        return f"(?{on}{off}:{inner})"
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):  # laziness does not change whether a pattern matches
        low, high, sub = av
        if low > _RE2_REPEAT or (high != _c.MAXREPEAT and high > _RE2_REPEAT):
            raise _Untranslatable("repetition count")
        count = f"{{{low},}}" if high == _c.MAXREPEAT else f"{{{low},{high}}}"
        return f"(?:{_sequence(sub, flags)}){count}"
    # Lookarounds, backreferences, conditionals, atomic groups and possessive repeats: RE2 has none.
    raise _Untranslatable(str(op))


def _at(code: Any, flags: int) -> str:
    if code is _c.AT_BEGINNING:
        return "(?m:^)" if flags & re.MULTILINE else r"\A"
    if code is _c.AT_BEGINNING_STRING:
        return r"\A"
    if code is _c.AT_END:
        # Python's `$` also matches before a final newline; for "does it match" consuming it is the same.
        return "(?m:$)" if flags & re.MULTILINE else r"(?:\n?\z)"
    if code is _c.AT_END_STRING:
        return r"\z"
    if code in (_c.AT_BOUNDARY, _c.AT_NON_BOUNDARY) and flags & re.ASCII:
        return r"\b" if code is _c.AT_BOUNDARY else r"\B"
    raise _Untranslatable(str(code))  # RE2's word boundary is ASCII-only, Python's is Unicode


def _char(code: int) -> str:
    ch = chr(code)
    return ch if ch.isascii() and ch.isalnum() else f"\\x{{{code:x}}}"


def _char_class(items: Any, ascii_only: bool) -> str:
    negate = bool(items) and items[0][0] is _c.NEGATE
    positive: list[str] = []
    complements: list[str] = []  # bodies of negated categories: `[\W]` is "anything but a word character"
    for op, av in items[1:] if negate else items:
        if op is _c.LITERAL:
            positive.append(_char(av))
        elif op is _c.RANGE:
            positive.append(f"{_char(av[0])}-{_char(av[1])}")
        elif op is _c.CATEGORY and av in _CATEGORIES:
            unicode_body, ascii_body, negated = _CATEGORIES[av]
            (complements if negated else positive).append(ascii_body if ascii_only else unicode_body)
        else:
            raise _Untranslatable(str(op))
    if not complements:
        return f"[{'^' if negate else ''}{''.join(positive)}]"
    if negate:  # "none of these, and not outside that": an intersection, which RE2's classes cannot say
        raise _Untranslatable("negated class with a negated category")
    parts = ([f"[{''.join(positive)}]"] if positive else []) + [f"[^{body}]" for body in complements]
    return "(?:" + "|".join(parts) + ")"


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "string"):
        return
    try:
        if search(pattern, instance):
            return
    except PatternTimeout:
        yield ValidationError(f"the value could not be matched against {pattern!r} in time; it is refused")
        return
    yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _matches_any(patterns: Any, key: str) -> bool:
    for pattern in patterns:
        try:
            if search(pattern, key):
                return True
        except PatternTimeout:
            continue  # not known to match: the key is checked as an additional one
    return False


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _matches_any((pattern,), key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, extra: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    declared = schema.get("properties") or {}
    patterns = schema.get("patternProperties") or {}
    extras = [key for key in instance if key not in declared and not _matches_any(patterns, key)]
    if validator.is_type(extra, "object"):
        for key in extras:
            yield from validator.descend(instance[key], extra, path=key)
    elif extra is False and extras:
        names = ", ".join(repr(key) for key in sorted(extras, key=str))
        if patterns:
            listed = ", ".join(repr(p) for p in sorted(patterns))
            yield ValidationError(
                f"{names} {'does' if len(extras) == 1 else 'do'} not match any of the regexes: {listed}"
            )
        else:
            yield ValidationError(
                f"Additional properties are not allowed ({names} {'was' if len(extras) == 1 else 'were'} unexpected)"
            )


# jsonschema keywords that match patterns, for `jsonschema.validators.extend` (OpenAPI 3.0 has no patternProperties).
KEYWORDS: dict[str, Callable[..., Iterator[ValidationError]]] = {
    "pattern": _pattern,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
}
