"""The `x-mock` extension as typed data, built and checked once when a spec loads.

Every key is known (see docs/x-mock.md): an unknown key, an unknown rule kind, a parameter the operation
does not declare or a body path its success response does not have is a `SpecLoadError` naming the file,
the operation and the key. Whoever reads `Operation.x_mock` (the mock, the checks, the probes) gets these
dataclasses, never the raw mapping.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, Field, dataclass, fields
from typing import TYPE_CHECKING, Any

from mockserver.errors import SpecErrorKind, SpecLoadError
from mockserver.openapi.matching import OPERATORS, Condition, MatchRule, valid_pointer
from mockserver.openapi.patterns import PatternError, matcher
from mockserver.openapi.rules import REF_LOCATIONS, RULE_KINDS, Path, Ref, RequestRule, parse_path

if TYPE_CHECKING:
    from mockserver.openapi.model import Operation


@dataclass(frozen=True)
class Binding:
    """A body field tied to a request value: `period.start: query.start_date`."""

    field: str  # as written: `data[].user.id`
    ref: Ref

    @property
    def path(self) -> Path:
        return parse_path(self.field)


def _array(text: str) -> Path:
    """`data` and `data[]` both name the array at `data`."""
    path = parse_path(text)
    return path[:-1] if path[-1] == "[]" else path


@dataclass(frozen=True)
class Limit:
    """`param` bounds the list at `array`; `echo`, when given, repeats it in the body."""

    param: Ref
    array: str
    echo: str | None = None

    @property
    def array_path(self) -> Path:
        return _array(self.array)


@dataclass(frozen=True)
class Series:
    """The list at `array` holds one item per period from `start` to `end`, its date in `field`."""

    array: str
    start: Ref
    end: Ref
    field: str = "date"
    step: Ref | None = None  # daily/weekly/monthly/quarterly; daily when not given

    @property
    def array_path(self) -> Path:
        return _array(self.array)


@dataclass(frozen=True)
class ResourceKey:
    """`x-mock.resource`: the operation belongs to the resource at `collection` and `item`, its id in `id`."""

    collection: str  # a path of the spec: `/tasks`
    item: str  # a path of the spec ending in its id parameter: `/tasks/{taskId}`
    id: str  # the entity's field holding that id
    array: str | None = None  # a list operation: where its body holds the entities (`data`); a top-level array if unset


@dataclass(frozen=True)
class XMock:
    """An operation's `x-mock`; empty (and false) when the operation has none."""

    echo: tuple[Binding, ...] = ()
    filter: tuple[Binding, ...] = ()
    limit: Limit | None = None
    series: Series | None = None
    request_rules: tuple[RequestRule, ...] = ()
    heuristics: bool = True
    match: tuple[MatchRule, ...] = ()  # x-mock.match: which example or fixture a request selects
    # None: inferred from the paths (openapi/resources.py); False: this operation keeps no state.
    resource: ResourceKey | bool | None = None
    given: bool = False  # the operation has a non-empty `x-mock`

    def __bool__(self) -> bool:
        return self.given


NO_XMOCK = XMock()
KEYS = ("echo", "filter", "limit", "series", "request_rules", "heuristics", "match", "resource")
# Headers OpenAPI forbids declaring as parameters (it ignores such definitions): a match may name them anyway.
_UNDECLARABLE_HEADERS = frozenset({"accept", "content-type", "authorization"})


class _Reader:
    """Reads one operation's `x-mock`; every mistake is one `SpecLoadError` line."""

    def __init__(self, op: Operation, where: str, paths: frozenset[str] | None = None) -> None:
        self.where = where
        self.op = op
        self.paths = paths  # the spec's paths, when known
        self.label = f"{op.method.upper()} {op.path}"
        self.params = {(p.location, p.name.lower() if p.location == "header" else p.name) for p in op.parameters}
        success = op.response_for(op.success_status)
        self.status = success.status if success else str(op.success_status)
        self.fields = field_paths(success.schema) if success and success.schema is not None else None
        self.examples = {name for response in op.responses.values() for name in response.examples}
        self.takes_body = bool(op.request_content)

    def fail(self, key: str, detail: str) -> SpecLoadError:
        return SpecLoadError(self.where, SpecErrorKind.BAD_EXTENSION, f"{self.label}: x-mock.{key}: {detail}")

    def mapping(self, key: str, value: Any, known: Iterable[str] | None = None) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a mapping, got {type(value).__name__}")
        if known is not None:
            unknown = sorted(str(k) for k in value if k not in known)
            if unknown:
                raise self.fail(f"{key}.{unknown[0]}", f"unknown key (known: {', '.join(known)})")
        return value

    def ref(self, key: str, value: Any) -> Ref:
        location, _, name = str(value).partition(".") if isinstance(value, str) else ("", "", "")
        if location not in REF_LOCATIONS or not name:
            raise self.fail(key, f"{value!r} is not a parameter reference (query.NAME, path.NAME or header.NAME)")
        if (location, name.lower() if location == "header" else name) not in self.params:
            names = sorted(f"{loc}.{n}" for loc, n in self.params)
            declared = ", ".join(names[:12]) + (", …" if len(names) > 12 else "") if names else "none"
            raise self.fail(key, f"{value!r} names no parameter of the operation (declared: {declared})")
        return Ref(location, name)

    def body_path(self, key: str, value: Any, *, array: bool = False) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(key, f"{value!r} is not a body path (like data[].user.id)")
        if self.fields is None:
            raise self.fail(key, f"names {value!r}, but the {self.status} response has no schema")
        wanted = (*_array(value), "[]") if array else parse_path(value)  # an array path names its items' list
        if wanted not in self.fields:
            what = "an array field" if array else "a field"
            raise self.fail(key, f"{value!r} is not {what} of the {self.status} response")
        return value

    def text(self, key: str, value: Any) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(key, f"must be a non-empty string, got {value!r}")
        return value

    def bindings(self, key: str, value: Any) -> tuple[Binding, ...]:
        pairs = self.mapping(key, value)
        return tuple(
            Binding(self.body_path(f"{key}.{path}", path), self.ref(f"{key}.{path}", ref))
            for path, ref in pairs.items()
        )

    def limit(self, value: Any) -> Limit:
        raw = self.mapping("limit", value, ("param", "array", "echo"))
        self.required("limit", raw, ("param", "array"))
        echo = raw.get("echo")
        return Limit(
            param=self.ref("limit.param", raw["param"]),
            array=self.body_path("limit.array", raw["array"], array=True),
            echo=self.body_path("limit.echo", echo) if echo is not None else None,
        )

    def series(self, value: Any) -> Series:
        raw = self.mapping("series", value, ("array", "field", "start", "end", "step"))
        self.required("series", raw, ("array", "start", "end"))
        array = self.body_path("series.array", raw["array"], array=True)
        item_field = self.text("series.field", raw.get("field", "date"))
        self.body_path("series.field", f"{'.'.join(_array(array))}[].{item_field}")
        step = raw.get("step")
        return Series(
            array=array,
            start=self.ref("series.start", raw["start"]),
            end=self.ref("series.end", raw["end"]),
            field=item_field,
            step=self.ref("series.step", step) if step is not None else None,
        )

    def resource(self, value: Any) -> ResourceKey | bool:
        if value is False:
            return False
        raw = self.mapping("resource", value, ("collection", "item", "id", "array"))
        self.required("resource", raw, ("collection", "item", "id"))
        collection, item = (
            self.spec_path("resource.collection", raw["collection"]),
            self.spec_path("resource.item", raw["item"]),
        )
        if not (item.rsplit("/", 1)[-1].startswith("{") and item.endswith("}")):
            raise self.fail("resource.item", f"{item!r} must end in its id parameter, like /things/{{id}}")
        if self.op.path not in (collection, item):
            raise self.fail("resource", f"the operation's path {self.op.path} is neither {collection} nor {item}")
        listing = self.op.path == collection and self.op.method == "get"
        array = raw.get("array")
        if array is not None and not listing:
            raise self.fail("resource.array", f"only a GET on {collection} lists entities")
        if array is not None:
            self.body_path("resource.array", array, array=True)
        id_field = self.text("resource.id", raw["id"])
        if self.fields is not None:
            where = (*(_array(array) if array else ()), "[]", id_field) if listing else (id_field,)
            if where not in self.fields:
                text = f"{'.'.join(where[:-2])}[].{id_field}" if listing else id_field
                raise self.fail("resource.id", f"{text!r} is not a field of the {self.status} response")
        return ResourceKey(collection=collection, item=item, id=id_field, array=array)

    def spec_path(self, key: str, value: Any) -> str:
        text = self.text(key, value)
        if self.paths is not None and text not in self.paths:
            raise self.fail(key, f"{text!r} is not a path of the spec")
        return text

    def rules(self, value: Any) -> tuple[RequestRule, ...]:
        if not isinstance(value, list):
            raise self.fail("request_rules", f"must be a list, got {type(value).__name__}")
        return tuple(self.rule(f"request_rules[{i}]", raw) for i, raw in enumerate(value))

    def rule(self, key: str, value: Any) -> RequestRule:
        raw = self.mapping(key, value)
        kind = raw.get("rule")
        cls = RULE_KINDS.get(str(kind))
        if cls is None:
            raise self.fail(f"{key}.rule", f"unknown rule kind {kind!r} (known: {', '.join(sorted(RULE_KINDS))})")
        hints = typing.get_type_hints(cls)
        spec = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
        self.mapping(key, raw, ("rule", *spec))
        self.required(key, raw, [n for n, f in spec.items() if _required(f)])
        values = {name: self.value(f"{key}.{name}", raw[name], hints[name]) for name in spec if name in raw}
        return cls(**values)

    def value(self, key: str, value: Any, hint: Any) -> Any:
        """A rule field's value, read as its annotation says (`Ref`, `int` or `str`, maybe optional)."""
        wanted = set(typing.get_args(hint)) - {type(None)} if isinstance(hint, types.UnionType) else {hint}
        if Ref in wanted:
            return self.ref(key, value)
        if int in wanted:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise self.fail(key, f"must be a whole number of at least 0, got {value!r}")
            return value
        return self.text(key, value)

    # --- x-mock.match (see docs/x-mock.md#match) ---

    def match(self, value: Any) -> tuple[MatchRule, ...]:
        if not isinstance(value, list):
            raise self.fail("match", f"must be a list, got {type(value).__name__}")
        return tuple(self.match_rule(f"match[{i}]", raw) for i, raw in enumerate(value))

    def match_rule(self, key: str, value: Any) -> MatchRule:
        raw = self.mapping(key, value, ("when", "example", "fixture"))
        self.required(key, raw, ("when",))
        targets = [name for name in ("example", "fixture") if name in raw]
        if len(targets) != 1:
            raise self.fail(key, "needs exactly one of `example` or `fixture`")
        target = self.text(f"{key}.{targets[0]}", raw[targets[0]])
        if targets[0] == "example" and target not in self.examples:
            known = ", ".join(sorted(self.examples)) or "none"
            raise self.fail(f"{key}.example", f"{target!r} is no named example of the operation (examples: {known})")
        when = self.mapping(f"{key}.when", raw["when"])
        if not when:
            raise self.fail(f"{key}.when", "needs at least one condition")
        conditions = tuple(self.condition(f"{key}.when.{ref}", str(ref), test) for ref, test in when.items())
        return MatchRule(conditions, **{targets[0]: target})

    def condition(self, key: str, ref: str, test: Any) -> Condition:
        if ref == "body" or ref.startswith("body#"):
            pointer = ref[len("body#") :]
            if not valid_pointer(pointer):
                raise self.fail(key, f"{pointer!r} is not a JSON pointer (like body#/customer/tier)")
            if not self.takes_body:
                raise self.fail(key, "the operation takes no request body")
            source, name = "body", pointer
        else:
            location, _, name = ref.partition(".")
            if location == "header" and name.lower() in _UNDECLARABLE_HEADERS:
                source, name = "header", name.lower()
            else:
                found = self.ref(key, ref)
                source, name = found.location, found.name.lower() if found.location == "header" else found.name
        # A bare value is `equals`; a mapping names its operators.
        ops = test if isinstance(test, dict) else {"equals": test}
        unknown = sorted(str(k) for k in ops if k not in OPERATORS)
        if unknown:
            raise self.fail(f"{key}.{unknown[0]}", f"unknown operator (known: {', '.join(OPERATORS)})")
        if not ops:
            raise self.fail(key, f"needs an operator ({', '.join(OPERATORS)})")
        regex = ops.get("regex")
        if regex is not None:
            self.pattern(f"{key}.regex", regex)
        bounds = {name: self.number(f"{key}.{name}", ops[name]) for name in ("min", "max") if name in ops}
        if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
            raise self.fail(key, f"min {bounds['min']!r} is above max {bounds['max']!r}")
        present = ops.get("present")
        if present is not None and not isinstance(present, bool):
            raise self.fail(f"{key}.present", f"must be true or false, got {present!r}")
        extra = {"equals": ops["equals"]} if "equals" in ops else {}
        return Condition(source, name, regex=regex, present=present, **bounds, **extra)

    def pattern(self, key: str, value: Any) -> None:
        if not isinstance(value, str):
            raise self.fail(key, f"must be a regular expression as text, got {value!r}")
        try:
            matcher(value)
        except PatternError as exc:
            raise self.fail(key, str(exc)) from None

    def number(self, key: str, value: Any) -> float:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise self.fail(key, f"must be a number, got {value!r}")
        return float(value)

    def required(self, key: str, raw: Mapping[str, Any], names: Iterable[str]) -> None:
        missing = [name for name in names if name not in raw]
        if missing:
            raise self.fail(f"{key}.{missing[0]}", "is required")


def _required(f: Field[Any]) -> bool:
    return f.default is MISSING and f.default_factory is MISSING


def parse_xmock(raw: Any, op: Operation, where: str, paths: frozenset[str] | None = None) -> XMock:
    """`op`'s `x-mock` (the raw extension) as an `XMock`; a mistake is a `SpecLoadError` naming the key.

    `paths`: the spec's paths, which `resource` must name."""
    if raw is None or raw == {}:
        return NO_XMOCK  # before the reader: it walks the success schema, seconds over a large spec's operations
    reader = _Reader(op, where, paths)
    if not isinstance(raw, dict):
        raise SpecLoadError(where, SpecErrorKind.BAD_EXTENSION, f"{reader.label}: x-mock must be a mapping")
    unknown = sorted(str(k) for k in raw if k not in KEYS)
    if unknown:
        raise reader.fail(unknown[0], f"unknown key (known: {', '.join(KEYS)})")
    heuristics = raw.get("heuristics", True)
    if not isinstance(heuristics, bool):
        raise reader.fail("heuristics", f"must be true or false, got {heuristics!r}")
    return XMock(
        echo=reader.bindings("echo", raw["echo"]) if raw.get("echo") is not None else (),
        filter=reader.bindings("filter", raw["filter"]) if raw.get("filter") is not None else (),
        limit=reader.limit(raw["limit"]) if raw.get("limit") is not None else None,
        series=reader.series(raw["series"]) if raw.get("series") is not None else None,
        request_rules=reader.rules(raw["request_rules"]) if raw.get("request_rules") is not None else (),
        heuristics=heuristics,
        match=reader.match(raw["match"]) if raw.get("match") is not None else (),
        resource=reader.resource(raw["resource"]) if raw.get("resource") is not None else None,
        given=True,
    )


def field_paths(schema: Any, prefix: Path = (), depth: int = 0) -> set[Path]:
    """Every field path a response schema reaches (all branches of allOf/anyOf/oneOf; bounded depth)."""
    out: set[Path] = set()
    if not isinstance(schema, dict) or depth > 6:
        return out
    for branch in [*(schema.get("allOf") or []), *(schema.get("anyOf") or []), *(schema.get("oneOf") or [])]:
        out |= field_paths(branch, prefix, depth + 1)
    if isinstance(schema.get("items"), dict):
        out.add((*prefix, "[]"))
        out |= field_paths(schema["items"], (*prefix, "[]"), depth + 1)
    properties = schema.get("properties")
    for name, sub in properties.items() if isinstance(properties, dict) else ():
        out.add((*prefix, name))
        out |= field_paths(sub, (*prefix, name), depth + 1)
    return out
