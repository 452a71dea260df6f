"""Compile a JSON Schema ``pattern`` once into a fast generator of matching strings.

Length bounds: ``compile_pattern`` raises :class:`UnsupportedPattern` when the pattern's
length range cannot meet ``min_length``/``max_length`` at all.  Gaps inside that range
(e.g. ``^(ab|abcdef)$`` with lengths 3..5) are not detected: the generator retries a few
times and then returns its best effort, which may violate the bounds.

Size: a pattern whose shortest string is longer than ``MAX_GENERATED`` characters, or whose generation takes
more than that many steps at the least (``a{1000000000}``, ``((a?){1000}){1000}``), or a ``min_length`` beyond
it, is :class:`UnsupportedPattern` too: a spec may be hostile, and no realistic value is that long.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from itertools import islice
from random import Random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # typeshed only knows the deprecated public names
    import sre_constants as _c
    import sre_parse as _p
else:
    from re import _constants as _c
    from re import _parser as _p

from mockserver.openapi.patterns import ecma_to_python

__all__ = ["UnsupportedPattern", "compile_pattern"]


class UnsupportedPattern(ValueError):
    """The pattern uses a construct this generator cannot produce (e.g. lookaround, backreference)."""


MAX_GENERATED = 65_536  # characters of, and steps to make, one string from a pattern
INF = 1 << 40  # "unbounded" length; large enough never to be reached, small enough to add safely
_UNBOUNDED_EXTRA = 4  # `\d+` -> 1..5 digits: short values read better in mocks
_BOUNDED_EXTRA = 16  # `{0,255}` is usually "anything up to", so do not fill it
_ATTEMPTS = 8
_ALNUM = string.ascii_letters + string.digits
# Readable characters first; a class only falls through to a later tier when it excludes all earlier ones.
_TIERS = (_ALNUM, string.punctuation + " ")
# Python semantics, because the generated string is checked with Python's `re`.
_CATEGORY_RE = {
    _c.CATEGORY_DIGIT: re.compile(r"\d"),
    _c.CATEGORY_NOT_DIGIT: re.compile(r"\D"),
    _c.CATEGORY_WORD: re.compile(r"\w"),
    _c.CATEGORY_NOT_WORD: re.compile(r"\W"),
    _c.CATEGORY_SPACE: re.compile(r"\s"),
    _c.CATEGORY_NOT_SPACE: re.compile(r"\S"),
}

Gen = Callable[[Random, int, int], str]  # (rng, min_len, max_len) -> string, lengths are a best-effort budget
Node = tuple[Gen, int, int, "tuple[str, ...] | None"]  # generator, min length, max length, chars if a single char


def compile_pattern(
    pattern: str, *, min_length: int | None = None, max_length: int | None = None
) -> Callable[[Random], str]:
    """Compile `pattern` into a function that draws a matching string from a Random."""
    try:
        parsed = _p.parse(ecma_to_python(pattern))
    except (re.error, RecursionError, OverflowError) as exc:
        raise UnsupportedPattern(f"invalid pattern {pattern!r}: {exc}") from exc
    steps = _steps(parsed.data)
    if steps > MAX_GENERATED or (min_length or 0) > MAX_GENERATED:
        raise UnsupportedPattern(
            f"{pattern!r} (minLength {min_length or 0}) takes more than {MAX_GENERATED} characters or steps "
            "per string: more than the mock makes from a pattern"
        )
    anchored = [False]
    root, pmin, pmax, _ = _seq(parsed.data, bool(parsed.state.flags & re.IGNORECASE), anchored)
    lo, hi = min_length or 0, INF if max_length is None else max_length
    # Without anchors or boundaries, any suffix keeps the match, so short strings can be padded.
    pad = not anchored[0]
    if lo > hi or pmin > hi or (pmax < lo and not pad):
        raise UnsupportedPattern(f"{pattern!r} cannot produce a string of length {lo}..{max_length}")
    if lo == 0 and hi >= pmax:
        return lambda rng: root(rng, 0, INF)

    def generate(rng: Random) -> str:
        s = ""
        for _ in range(_ATTEMPTS):
            s = root(rng, lo, hi)
            if pad and len(s) < lo:
                s += "".join(rng.choices(_ALNUM, k=lo - len(s)))
            if lo <= len(s) <= hi:
                return s
        return s

    return generate


def _steps(items: Any) -> int:
    """The least work (characters and generator calls) a string of the pattern takes, counted before any."""
    total = 0
    for op, av in items:
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            total += av[0] * max(1, _steps(av[2]))
        elif op is _c.SUBPATTERN:
            total += _steps(av[3])
        elif op is _c.BRANCH:
            total += max(_steps(alt) for alt in av[1])
        elif op is _c.ATOMIC_GROUP:
            total += _steps(av)
        else:
            total += 1
        if total > MAX_GENERATED:
            return total  # stop counting: `((a{1000}){1000}){1000}` is large enough already
    return total


def _node(op: Any, av: Any, icase: bool, anchored: list[bool]) -> Node:
    if op is _c.LITERAL:
        ch = chr(av)
        return (lambda rng, lo, hi: ch), 1, 1, (ch,)
    if op in (_c.NOT_LITERAL, _c.IN, _c.ANY):
        if op is _c.ANY:
            chars: tuple[str, ...] = tuple(_ALNUM)  # never a newline, which `.` may not match
        elif op is _c.NOT_LITERAL:
            chars = _class_chars([(_c.LITERAL, av)], True, icase)
        else:
            negate = bool(av) and av[0][0] is _c.NEGATE
            chars = _class_chars(av[1:] if negate else av, negate, icase)
        return (lambda rng, lo, hi: rng.choice(chars)), 1, 1, chars
    if op is _c.AT:
        anchored[0] = True
        return (lambda rng, lo, hi: ""), 0, 0, None
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        icase = bool((icase or add_flags & re.IGNORECASE) and not del_flags & re.IGNORECASE)
        return _seq(list(sub), icase, anchored)
    if op is _c.BRANCH:
        return _branch([_seq(list(alt), icase, anchored) for alt in av[1]])
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):  # laziness does not change which strings match
        return _repeat(av[0], av[1], _seq(list(av[2]), icase, anchored))
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        raise UnsupportedPattern("lookahead/lookbehind assertions are not supported")
    if op in (_c.GROUPREF, _c.GROUPREF_EXISTS):
        raise UnsupportedPattern("backreferences are not supported")
    raise UnsupportedPattern(f"unsupported regex construct {op}")


def _seq(items: list[Any], icase: bool, anchored: list[bool]) -> Node:
    nodes = [_node(op, av, icase, anchored) for op, av in items]
    if len(nodes) == 1:
        return nodes[0]
    lo_total, hi_total = sum(n[1] for n in nodes), min(INF, sum(n[2] for n in nodes))
    if all(n[3] is not None and len(n[3]) == 1 for n in nodes):  # pure literal run: precompute it
        text = "".join(n[3][0] for n in nodes if n[3] is not None)
        return (lambda rng, lo, hi: text), lo_total, hi_total, None
    # Each part gets the budget left after reserving the rest's min (for hi) and max (for lo).
    plan, rest_min, rest_max = [], 0, 0
    for gen, nmin, nmax, _ in reversed(nodes):
        plan.append((gen, rest_min, rest_max))
        rest_min, rest_max = rest_min + nmin, min(INF, rest_max + nmax)
    plan.reverse()

    def gen_seq(rng: Random, lo: int, hi: int) -> str:
        out, used = [], 0
        for gen, rmin, rmax in plan:
            s = gen(rng, max(0, lo - used - rmax), hi - used - rmin)
            out.append(s)
            used += len(s)
        return "".join(out)

    return gen_seq, lo_total, hi_total, None


def _branch(alts: list[Node]) -> Node:
    def gen_branch(rng: Random, lo: int, hi: int) -> str:
        fitting = [a for a in alts if a[1] <= hi and a[2] >= lo]
        return rng.choice(fitting or alts)[0](rng, lo, hi)

    return gen_branch, min(a[1] for a in alts), max(a[2] for a in alts), None


def _repeat(min_n: int, max_n: int, item: Node) -> Node:
    gen, imin, imax, chars = item
    unbounded = max_n is _c.MAXREPEAT
    top = INF if unbounded else max_n
    soft_top = min_n + _UNBOUNDED_EXTRA if unbounded else min(max_n, min_n + _BOUNDED_EXTRA)

    def gen_repeat(rng: Random, lo: int, hi: int) -> str:
        n_lo = min(top, max(min_n, -(-lo // imax))) if imax else min_n  # never exceed the pattern's own max
        n_hi = min(top, hi // imin) if imin else top
        n = rng.randint(n_lo, max(n_lo, min(n_hi, max(n_lo, soft_top))))
        if chars is not None:
            return "".join(rng.choices(chars, k=n))
        out, used = [], 0
        for i in range(n, 0, -1):  # i = copies left including this one
            s = gen(rng, max(0, lo - used - (i - 1) * imax), hi - used - (i - 1) * imin)
            out.append(s)
            used += len(s)
        return "".join(out)

    return gen_repeat, min_n * imin, (INF if unbounded and imax else min(INF, top * imax)), None


def _class_chars(items: list[Any], negate: bool, icase: bool) -> tuple[str, ...]:
    def member(ch: str) -> bool:
        for op, av in items:
            if op is _c.LITERAL and chr(av) == ch:
                return True
            if op is _c.RANGE and av[0] <= ord(ch) <= av[1]:
                return True
            if op is _c.CATEGORY and av in _CATEGORY_RE and _CATEGORY_RE[av].match(ch):
                return True
        return False

    def ok(ch: str) -> bool:
        hit = member(ch) or (icase and (member(ch.lower()) or member(ch.upper())))
        return hit != negate

    for tier in _TIERS:
        chars = tuple(ch for ch in tier if ok(ch))
        if chars:
            return chars
    pool: Any  # only non-ASCII characters qualify: take the class's own, or scan the BMP for a negation
    if negate:
        pool = (ch for ch in map(chr, range(0xA0, 0x10000)) if ch.isprintable() and ok(ch))
    else:
        spans = [(av, av) if op is _c.LITERAL else av for op, av in items if op in (_c.LITERAL, _c.RANGE)]
        pool = (chr(c) for a, b in spans for c in range(a, min(b, a + 255) + 1))
    chars = tuple(dict.fromkeys(islice(pool, 256)))
    if not chars:
        raise UnsupportedPattern("character class matches nothing this generator can produce")
    return chars
