"""Two versions of one schema compared as what they mean (`canonical.view`), in the direction data flows.

In a response the server writes and the client reads: anything new a client may receive (a type, an enum
value, null, a missing field) breaks it. In a request the client writes and the server reads: anything a
client may have sent that is now refused breaks it. A pair of schemas is compared once per direction: a
recursive schema is a cycle of shared objects, and meeting a pair again ends the walk there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver.diff.canonical import SIZE_BOUNDS, Child, View, view
from mockserver.diff.findings import Findings

MAX_PAIRS = 200_000  # schema pairs one diff compares: bounded work on any document


@dataclass(frozen=True)
class Place:
    operation: str
    where: str  # "response 200 body", "query parameter limit"
    field: str  # "data[].name" ("" at the root)
    base: str
    revision: str

    def child(self, name: str, base: str, revision: str) -> Place:
        joined = f"{self.field}.{name}" if self.field and not name.startswith("[") else f"{self.field}{name}"
        return Place(self.operation, self.where, joined, base, revision)

    @property
    def label(self) -> str:
        return f"{self.where}: {self.field}" if self.field else self.where


class SchemaComparer:
    def __init__(self, findings: Findings) -> None:
        self.findings = findings
        self._seen: set[tuple[int, int, bool]] = set()

    def compare(self, base: Any, revision: Any, place: Place, *, response: bool) -> None:
        pending = [(base, revision, place)]
        while pending:
            old, new, at = pending.pop()
            key = (id(old), id(new), response)
            if key in self._seen or len(self._seen) >= MAX_PAIRS:
                continue
            self._seen.add(key)
            before, after = view(old, at.base), view(new, at.revision)
            if bool(before.union) != bool(after.union):
                # A union against a plain schema (`oneOf: [A, B]` → `A`): the plain one is a union of itself.
                before, after = _as_union(before, old, after), _as_union(after, new, before)
            at = Place(at.operation, at.where, at.field, before.pointer, after.pointer)
            self._node(before, after, at, response)
            pending.extend(reversed(self._children(before, after, at, response)))

    def _add(self, rule_id: str, at: Place, detail: str, base: str | None = "", revision: str | None = "") -> None:
        self.findings.add(
            rule_id,
            at.operation,
            at.label,
            detail,
            at.base if base == "" else base,
            at.revision if revision == "" else revision,
        )

    def _node(self, old: View, new: View, at: Place, response: bool) -> None:
        side = "response" if response else "request"
        if old.nullable != new.nullable:
            if response:
                self._add("response-now-nullable" if new.nullable else "response-no-longer-nullable", at, _null(new))
            else:
                self._add("request-now-nullable" if new.nullable else "request-no-longer-nullable", at, _null(new))
        self._types(old, new, at, side)
        self._enum(old, new, at, side)
        self._bounds(old, new, at, side)
        if old.format != new.format:
            self._add("format-changed", at, f"format {old.format or 'none'} → {new.format or 'none'}")
        if old.pattern != new.pattern:
            if old.pattern is None and not response:
                self._add("request-constraint-narrowed", at, f"pattern {new.pattern!r} added")
            elif new.pattern is None:
                self._add(f"{side}-constraint-widened", at, "pattern removed")
            else:
                self._add("pattern-changed", at, f"pattern {old.pattern!r} → {new.pattern!r}")
        if old.default != new.default:
            self._add(f"{side}-default-changed", at, f"default {old.default or 'none'} → {new.default or 'none'}")

    def _types(self, old: View, new: View, at: Place, side: str) -> None:
        if old.types == new.types:
            return
        before, after = _widen(old.types), _widen(new.types)
        shown = f"type {_types(old.types)} → {_types(new.types)}"
        gained = (after is None and before is not None) or (before is not None and after is not None and after - before)
        lost = (before is None and after is not None) or (before is not None and after is not None and before - after)
        if side == "response":
            self._add("response-type-widened" if gained else "response-type-narrowed", at, shown)
        else:
            self._add("request-type-narrowed" if lost else "request-type-widened", at, shown)

    def _enum(self, old: View, new: View, at: Place, side: str) -> None:
        if old.enum == new.enum:
            return
        if old.enum is None or new.enum is None:
            # An enum added narrows; an enum dropped lets any value through.
            narrowed = old.enum is None
            shown = "enum added" if narrowed else "enum removed (any value)"
            if side == "response":
                self._add("response-enum-value-removed" if narrowed else "response-enum-value-added", at, shown)
            else:
                self._add("request-enum-value-removed" if narrowed else "request-enum-value-added", at, shown)
            return
        added, removed = sorted(new.enum - old.enum), sorted(old.enum - new.enum)
        if added:
            self._add(f"{side}-enum-value-added", at, f"enum value {', '.join(added)} added")
        if removed:
            self._add(f"{side}-enum-value-removed", at, f"enum value {', '.join(removed)} removed")

    def _bounds(self, old: View, new: View, at: Place, side: str) -> None:
        changes: list[tuple[str, bool]] = []  # (what, narrowed)
        for name, bound, tighter in (("minimum", "low", 1), ("maximum", "high", -1)):
            before, after = getattr(old, bound), getattr(new, bound)
            if before == after:
                continue
            shown = f"{name} {_bound(before)} → {_bound(after)}"
            if before is None or after is None:
                changes.append((shown, before is None))
            else:
                changes.append((shown, _tighter(before, after, tighter)))
        for key, tighter in SIZE_BOUNDS:
            before, after = old.sizes.get(key), new.sizes.get(key)
            if before != after:
                shown = f"{key} {_num(before)} → {_num(after)}"
                narrowed = before is None or (after is not None and (after - before) * tighter > 0)
                changes.append((shown, narrowed))
        for shown, narrowed in changes:
            if side == "response":
                self._add("response-constraint-narrowed" if narrowed else "response-constraint-widened", at, shown)
            else:
                self._add("request-constraint-narrowed" if narrowed else "request-constraint-widened", at, shown)

    def _children(self, old: View, new: View, at: Place, response: bool) -> list[tuple[Any, Any, Place]]:
        pairs: list[tuple[Any, Any, Place]] = []
        side = "response" if response else "request"
        for name, before in old.properties.items():
            after = new.properties.get(name)
            place = at.child(name, before.pointer, after.pointer if after else at.revision)
            if after is None:
                if response:
                    self._add("response-property-removed", place, f"{name!r} removed", revision=None)
                elif new.additional is False:
                    self._add("request-property-rejected", place, f"{name!r} removed and refused", revision=None)
                else:
                    self._add("request-property-removed", place, f"{name!r} removed", revision=None)
                continue
            was, now = name in old.required, name in new.required
            if was and not now:
                rule = "response-property-now-optional" if response else "request-property-now-optional"
                self._add(rule, place, f"{name!r} no longer required")
            elif now and not was:
                rule = "response-property-now-required" if response else "request-property-now-required"
                self._add(rule, place, f"{name!r} now required")
            pairs.append((before.schema, after.schema, place))
        for name, after in new.properties.items():
            if name in old.properties:
                continue
            place = at.child(name, at.base, after.pointer)
            if not response and name in new.required:
                self._add("request-required-property-added", place, f"{name!r} added, required", base=None)
            else:
                self._add(f"{side}-property-added", place, f"{name!r} added", base=None)
        if (
            not response
            and old.additional is not False
            and new.additional is False
            and not old.properties.keys() - new.properties.keys()
        ):
            self._add("request-property-rejected", at, "additionalProperties: false (other fields refused)")
        if isinstance(old.additional, Child) and isinstance(new.additional, Child):
            place = at.child("{*}", old.additional.pointer, new.additional.pointer)
            pairs.append((old.additional.schema, new.additional.schema, place))
        if old.items is not None and new.items is not None:
            pairs.append((old.items.schema, new.items.schema, at.child("[]", old.items.pointer, new.items.pointer)))
        pairs.extend(self._union(old, new, at, side))
        return pairs

    def _union(self, old: View, new: View, at: Place, side: str) -> list[tuple[Any, Any, Place]]:
        if not old.union and not new.union:
            return []
        before = {_branch_key(c, i): c for i, c in enumerate(old.union)}
        after = {_branch_key(c, i): c for i, c in enumerate(new.union)}
        pairs = []
        for key, branch in before.items():
            other = after.get(key)
            if other is None:
                rule = "response-union-narrowed" if side == "response" else "request-union-narrowed"
                self._add(rule, at, f"{old.union_kind} branch {key} removed", base=branch.pointer, revision=None)
            else:
                pairs.append((branch.schema, other.schema, at.child(f"<{key}>", branch.pointer, other.pointer)))
        for key, branch in after.items():
            if key not in before:
                rule = "response-union-widened" if side == "response" else "request-union-widened"
                self._add(
                    rule, at, f"{new.union_kind or 'anyOf'} branch {key} added", base=None, revision=branch.pointer
                )
        return pairs


def _as_union(found: View, schema: Any, other: View) -> View:
    if found.union:
        return found
    return View(
        found.pointer, nullable=found.nullable, union=[Child(schema, found.pointer)], union_kind=other.union_kind
    )


def _branch_key(branch: Child, index: int) -> str:
    """A branch by the name of the schema it refers to, else by its place in the list."""
    schema = branch.schema
    for _ in range(4):  # `oneOf: [$ref: Card]` (or one non-null branch beside null) is Card too
        if not isinstance(schema, dict) or isinstance(schema.get("x-ref"), str):
            break
        members = [m for kind in ("oneOf", "anyOf", "allOf") for m in schema.get(kind) or () if not _null_only(m)]
        if len(members) != 1:
            break
        schema = members[0]
    ref = schema.get("x-ref") if isinstance(schema, dict) else None
    return str(ref).rsplit("/", 1)[-1] if isinstance(ref, str) else f"#{index}"


def _null_only(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") in ("null", ["null"])


def _widen(types: frozenset[str] | None) -> frozenset[str] | None:
    """`number` takes every integer: {integer} → {number} widens, the other way narrows."""
    if types is None:
        return None
    return types | {"integer"} if "number" in types else types


def _tighter(before: tuple[float, bool], after: tuple[float, bool], direction: int) -> bool:
    if before[0] != after[0]:
        return (after[0] - before[0]) * direction > 0
    return after[1] and not before[1]


def _types(types: frozenset[str] | None) -> str:
    if types is None:
        return "any"
    return "|".join(sorted(types)) or "null"


def _null(new: View) -> str:
    return "now takes null" if new.nullable else "no longer takes null"


def _bound(bound: tuple[float, bool] | None) -> str:
    if bound is None:
        return "none"
    return f"{'>' if bound[1] else ''}{_num(bound[0])}"


def _num(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"
