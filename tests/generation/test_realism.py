"""Realistic values from field names: counts, money, coherent records, recent dates, x-faker hints, error envelopes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from faker.providers.person.en_US import Provider as PersonProvider

from mockserver.errors import GenerationError
from mockserver.generation import semantics, values
from mockserver.generation.compiler import Compiler
from mockserver.generation.context import FieldError, Problem, make_context
from mockserver.generation.responses import ApiMock
from mockserver.generation.values import Pools, string_generators
from mockserver.generation.vocabulary import MODELS, NUMBER_KINDS
from mockserver.openapi.loader import load, load_all
from mockserver.openapi.rules import RequestValues
from mockserver.openapi.validation import schema_validator

SPECS = Path(__file__).resolve().parents[2] / "specs"
POOLS = Pools(0)
SEEDS = range(200)
TODAY = date(2026, 3, 1)
FIRST_NAMES = set(PersonProvider.first_names)


def generate(
    schema: Any,
    *,
    openapi_31: bool = False,
    name: str = "",
    parent: str = "",
    in_error: bool = False,
    seeds: range = SEEDS,
    **context: Any,
) -> list[Any]:
    """Values for `schema`, each checked against it."""
    gen = Compiler(POOLS, openapi_31=openapi_31).compile(schema, name=name, parent=parent, in_error=in_error)
    check = schema_validator(schema, openapi_31=openapi_31)
    out = []
    for seed in seeds:
        value = gen(make_context(seed, "realism", **context), 0)
        assert check(value) == [], (value, check(value))
        out.append(value)
    return out


def obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(props)}


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


@pytest.fixture(scope="module")
def activity_items() -> list[dict[str, Any]]:
    """OpenRouter activity rows, from the bundled spec's 200 schema."""
    api = load(SPECS / "openrouter.yaml")
    schema = api.operation("get-user-activity").response_for(200).schema  # type: ignore[union-attr]
    rows = generate(schema, openapi_31=api.is_31, seeds=range(60))
    return [item for body in rows for item in body["data"]]


# --- numbers named like counts and money ----------------------------------------------------------


@pytest.mark.parametrize("field", ["requests", "prompt_tokens", "completion_tokens", "reasoning_tokens"])
def test_count_fields_typed_number_are_non_negative_integers(activity_items: list[dict[str, Any]], field: str) -> None:
    found = [item[field] for item in activity_items]
    assert all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in found), found[:10]
    assert len(set(found)) > 10


@pytest.mark.parametrize("name", ["numberUsers", "requests", "prompt_tokens", "viewCount", "total_sessions"])
def test_count_named_number_field_is_a_non_negative_integer(name: str) -> None:
    found = [v[name] for v in generate(obj(**{name: {"type": "number", "format": "double"}}))]
    assert all(isinstance(v, int) and v >= 0 for v in found)


@pytest.mark.parametrize("field", ["usage", "byok_usage_inference"])
def test_money_fields_in_the_spec_are_non_negative_with_at_most_4_decimals(
    activity_items: list[dict[str, Any]], field: str
) -> None:
    found = [item[field] for item in activity_items]
    assert all(v >= 0 and round(v, 4) == v for v in found)
    assert any(isinstance(v, float) and not v.is_integer() for v in found)


@pytest.mark.parametrize("name", ["usage", "cost", "price", "total_spend"])
def test_money_named_number_field_is_non_negative_with_at_most_4_decimals(name: str) -> None:
    found = [v[name] for v in generate(obj(**{name: {"type": "number"}}))]
    assert all(0 <= v <= 1000 and round(v, 4) == v for v in found)


def test_percent_stays_between_0_and_100() -> None:
    assert all(0 <= v["percent"] <= 100 for v in generate(obj(percent={"type": "number"})))


# --- coherent records -----------------------------------------------------------------------------


def test_model_permaslug_and_provider_in_one_object_are_one_record(activity_items: list[dict[str, Any]]) -> None:
    rows = {(item["model"], item["model_permaslug"], item["provider_name"]) for item in activity_items}
    assert rows <= set(MODELS)
    assert len(rows) > 5


def test_model_fields_in_sibling_objects_are_drawn_independently() -> None:
    schema = {"type": "array", "minItems": 6, "items": obj(model={"type": "string"}, provider_name={"type": "string"})}
    lists = generate(schema, seeds=range(20))
    assert any(len({row["model"] for row in rows}) > 1 for rows in lists)


def test_first_last_name_and_email_in_one_object_are_one_person() -> None:
    people = generate(
        obj(firstName={"type": "string"}, lastName={"type": "string"}, email={"type": "string", "format": "email"})
    )
    for person in people:
        handle = person["email"].split("@")[0]
        assert person["firstName"].lower().replace(" ", "").replace("'", "") in handle, person
        assert person["lastName"].lower().replace(" ", "").replace("'", "") in handle, person
        assert person["firstName"] in FIRST_NAMES
    assert len({p["email"] for p in people}) > 100


def test_name_inside_a_person_object_is_a_full_name_and_elsewhere_a_title() -> None:
    schema = obj(user=obj(name={"type": "string"}, email={"type": "string"}), dashboard=obj(name={"type": "string"}))
    for body in generate(schema):
        first, _, last = body["user"]["name"].partition(" ")
        assert first in FIRST_NAMES and last
        assert first.lower() in body["user"]["email"]
        assert body["dashboard"]["name"].split(" ")[0] not in FIRST_NAMES


# --- dates and times ------------------------------------------------------------------------------


@pytest.mark.parametrize("schema", [{"type": "string"}, {"type": "string", "format": "date"}])
def test_dates_fall_in_the_30_days_before_today(schema: dict[str, Any]) -> None:
    days = [date.fromisoformat(v["date"]) for v in generate(obj(date=schema), today=TODAY)]
    assert all(TODAY - timedelta(days=30) <= d < TODAY for d in days)
    assert len(set(days)) > 15


@pytest.mark.parametrize("name", ["created_at", "updatedAt", "timestamp", "last_seen_time"])
def test_timestamps_are_utc_with_z_and_recent(name: str) -> None:
    midnight = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)
    for body in generate(obj(**{name: {"type": "string"}}), today=TODAY):
        value = body[name]
        assert value.endswith("Z"), value
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        assert midnight - timedelta(days=30) <= moment <= midnight


# --- no placeholder text --------------------------------------------------------------------------


def test_bundled_specs_never_produce_placeholder_strings() -> None:
    apis = load_all([SPECS])
    checked = 0
    for api in apis:
        mock = ApiMock(api, Pools(1))
        for op in mock.operations.values():
            for key in op.op.responses:
                status = int(key) if key.isdigit() else (int(key[0]) * 100 if key[0].isdigit() else 500)
                for seed in range(15):
                    body = op.render(status, make_context(seed, key), RequestValues()).body
                    for text in strings(body):
                        low = text.lower()
                        assert low.strip() != "string" and "lorem" not in low and "ipsum" not in low, (api.name, text)
                        checked += 1
    assert checked > 1000


def test_plain_strings_are_words_not_placeholders() -> None:
    found = {v for body in generate(obj(x={"type": "string"}, value={"type": "string"})) for v in body.values()}
    assert len(found) > 5
    assert all(v.lower() != "string" and re.fullmatch(r"[A-Za-z0-9 .,_'-]+", v) for v in found)


# --- array lengths --------------------------------------------------------------------------------


def test_top_level_arrays_have_varied_plausible_lengths() -> None:
    lengths = [
        len(v)
        for v in generate({"type": "array", "items": obj(id={"type": "string", "format": "uuid"})}, seeds=range(50))
    ]
    assert len(set(lengths)) >= 3
    assert all(1 <= n <= 20 for n in lengths)
    assert sum(n == 1 for n in lengths) < len(lengths) / 2


def test_main_list_in_an_envelope_has_varied_lengths() -> None:
    api = load(SPECS / "openrouter.yaml")
    schema = api.operation("get-user-activity").response_for(200).schema  # type: ignore[union-attr]
    lengths = {len(body["data"]) for body in generate(schema, openapi_31=api.is_31, seeds=range(50))}
    assert len(lengths) >= 3


# --- x-faker --------------------------------------------------------------------------------------


def test_x_faker_internet_email_gives_email_addresses() -> None:
    found = [v["contact"] for v in generate(obj(contact={"type": "string", "x-faker": "internet.email"}))]
    assert all(re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", v) for v in found)
    assert len(set(found)) > 50


@pytest.mark.parametrize("hint", ["name.firstName", "first_name", "{{name.firstName}}"])
def test_x_faker_first_name_in_faker_js_or_python_style(hint: str) -> None:
    found = [v["who"] for v in generate(obj(who={"type": "string", "x-faker": hint}))]
    assert set(found) <= FIRST_NAMES
    assert len(set(found)) > 50


def test_x_faker_number_with_arguments_respects_min_and_max() -> None:
    schema = obj(stars={"type": "integer", "x-faker": {"datatype.number": {"min": 1, "max": 5}}})
    assert {v["stars"] for v in generate(schema)} == {1, 2, 3, 4, 5}


def test_x_faker_with_nullable_is_sometimes_null() -> None:
    found = [v["who"] for v in generate(obj(who={"type": "string", "nullable": True, "x-faker": "name.lastName"}))]
    assert None in found and any(isinstance(v, str) for v in found)


@pytest.mark.parametrize(
    "hint", ["internet.noSuchThing", "definitely_not_a_provider", {"datatype.number": {"bogus_argument": 1}}, 42]
)
def test_x_faker_unknown_provider_raises_at_compile_time(hint: Any) -> None:
    with pytest.raises(GenerationError, match="x-faker"):
        Compiler(POOLS).compile(obj(v={"type": "string", "x-faker": hint}))


def test_x_faker_without_values_of_the_schema_type_raises() -> None:
    with pytest.raises(GenerationError, match="no values of type"):
        Compiler(POOLS).compile({"type": "integer", "x-faker": "internet.email"})


# --- error envelopes ------------------------------------------------------------------------------

NOT_FOUND = Problem(404, "No such user", code="not_found")


def test_error_message_and_codes_carry_the_problem() -> None:
    schema = obj(
        error=obj(code={"type": "integer"}, message={"type": "string"}),
        statusCode={"type": "integer"},
        code={"type": "string"},
        message={"type": "string"},
        detail={"type": "string"},
        status={"type": "integer"},
    )
    for body in generate(schema, in_error=True, status=404, problem=NOT_FOUND):
        assert body["error"] == {"code": 404, "message": "No such user"}
        assert body["statusCode"] == 404 and body["status"] == 404
        assert body["code"] == "not_found"
        assert body["message"] == "No such user" and body["detail"] == "No such user"


def test_error_without_problem_code_uses_the_status_phrase() -> None:
    problem = Problem(503, "Try again later")
    schema = obj(code={"type": "string"}, title={"type": "string"}, message={"type": "string"})
    for body in generate(schema, in_error=True, status=503, problem=problem):
        assert body == {"code": "service_unavailable", "title": "ServiceUnavailableError", "message": "Try again later"}


def test_error_fields_are_not_rewritten_outside_error_responses() -> None:
    for body in generate(obj(message={"type": "string"}, code={"type": "integer"}), status=404, problem=NOT_FOUND):
        assert body["message"] != "No such user"


FASTAPI_422 = obj(
    detail={
        "type": "array",
        "items": {
            "type": "object",
            "required": ["loc", "msg", "type"],
            "properties": {
                "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                "msg": {"type": "string"},
                "type": {"type": "string"},
                "input": {},
                "ctx": {"type": "object"},
            },
        },
    }
)


def test_fastapi_422_lists_exactly_the_field_errors() -> None:
    problem = Problem(
        422, "Validation error", errors=(FieldError(("query", "limit"), "too big", "less_than_equal", 500),)
    )
    for body in generate(FASTAPI_422, openapi_31=True, in_error=True, status=422, problem=problem):
        assert len(body["detail"]) == 1
        item = body["detail"][0]
        assert item["loc"] == ["query", "limit"]
        assert item["msg"] == "too big" and item["type"] == "less_than_equal"
        assert item.get("input", 500) == 500 and "ctx" not in item


def test_fastapi_422_with_two_errors_lists_both_in_order() -> None:
    errors = (
        FieldError(("query", "limit"), "too big", "less_than_equal", 500),
        FieldError(("path", "user_id"), "not a uuid", "uuid_parsing", "x"),
    )
    problem = Problem(422, "Validation error", errors=errors)
    for body in generate(FASTAPI_422, openapi_31=True, in_error=True, status=422, problem=problem, seeds=range(20)):
        assert [i["loc"] for i in body["detail"]] == [["query", "limit"], ["path", "user_id"]]


# --- tables ---------------------------------------------------------------------------------------


def test_every_string_kind_in_the_tables_has_a_generator() -> None:
    generators = string_generators(POOLS)
    kinds = {kind for _, kind in (*semantics.STRING_RULES, *semantics.ERROR_STRING_RULES)}
    # FORMAT_KINDS values reach the generators through string_kind (format email becomes person.email).
    kinds |= {semantics.string_kind("", {"format": fmt}) for fmt in semantics.FORMAT_KINDS}
    kinds |= {"date", "datetime", "id", "uuid", "title", "word", "person.full", "request_id"}
    missing = sorted(kinds - set(generators))
    assert missing == []


def test_every_format_kind_other_than_email_is_a_generator_name() -> None:
    generators = string_generators(POOLS)
    assert sorted(k for k in set(semantics.FORMAT_KINDS.values()) if k not in generators) == ["email"]
    assert semantics.string_kind("anything", {"format": "email"}) == "person.email"


def test_every_number_kind_in_the_tables_has_a_range() -> None:
    kinds = {kind for _, kind in (*semantics.NUMBER_RULES, *semantics.ERROR_NUMBER_RULES)} | {"plain"}
    assert sorted(kinds - set(NUMBER_KINDS)) == []
    assert all(lo <= hi for lo, hi, _ in NUMBER_KINDS.values())


def test_every_string_generator_gives_a_non_empty_string() -> None:
    ctx = make_context(0, "table", problem=NOT_FOUND, status=404)
    for kind, gen in values.string_generators(POOLS).items():
        ctx.frames.append({})
        value = gen(ctx)
        ctx.frames.pop()
        assert isinstance(value, str) and value and value.lower() != "string", kind
