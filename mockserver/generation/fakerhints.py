"""`x-faker` hints (Prism-compatible): `internet.email`, `name.firstName`, `{datatype.number: {min: 1}}`.

Both faker.js names (what Prism users write) and Python Faker method names are accepted. The hinted
provider is drawn into a pool at start-up, keeping only values of the schema's type.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from faker import Faker

from mockserver.errors import GenerationError
from mockserver.generation.context import GenContext
from mockserver.generation.values import Pools

# faker.js name (last segment) → (Python Faker method, argument renames)
ALIASES: dict[str, tuple[str, dict[str, str]]] = {
    "number": ("pyint", {"min": "min_value", "max": "max_value"}),
    "int": ("pyint", {"min": "min_value", "max": "max_value"}),
    "float": ("pyfloat", {"min": "min_value", "max": "max_value"}),
    "uuid": ("uuid4", {}),
    "firstname": ("first_name", {}),
    "lastname": ("last_name", {}),
    "fullname": ("name", {}),
    "findname": ("name", {}),
    "username": ("user_name", {}),
    "phonenumber": ("phone_number", {}),
    "companyname": ("company", {}),
    "countrycode": ("country_code", {}),
    "streetaddress": ("street_address", {}),
    "zipcode": ("postcode", {}),
    "ip": ("ipv4", {}),
    "past": ("past_datetime", {}),
    "recent": ("past_datetime", {}),
    "future": ("future_datetime", {}),
    "boolean": ("pybool", {}),
    "alphanumeric": ("pystr", {}),
    "avatar": ("image_url", {}),
    "jobtitle": ("job", {}),
    "productname": ("catch_phrase", {}),
}
_TEMPLATE_RE = re.compile(r"^\{\{\s*([\w.]+)\s*\}\}$")
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _method(faker: Faker, hint: str) -> tuple[str, dict[str, str]]:
    last = hint.split(".")[-1]
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", last).lower()
    if hasattr(faker, snake) and callable(getattr(faker, snake)):
        return snake, {}
    return ALIASES.get(last.lower(), (snake, {}))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (str, int, float, bool, list, dict)) or value is None:
        return value
    return str(value)


def faker_hint(pools: Pools, hint: Any, schema: dict[str, Any], where: str) -> Callable[[GenContext, int], Any]:
    """A generator drawing from the Faker provider named by `hint`; raises GenerationError if there is none."""
    if isinstance(hint, dict) and len(hint) == 1:
        name, args = next(iter(hint.items()))
        args = args if isinstance(args, dict) else {}
    elif isinstance(hint, str):
        template = _TEMPLATE_RE.match(hint.strip())
        name, args = (template.group(1) if template else hint.strip()), {}
    else:
        raise GenerationError(f"{where}: x-faker={hint!r} must be a provider name or {{provider: {{args}}}}")
    probe = Faker("en_US")
    method, renames = _method(probe, str(name))
    if not callable(getattr(probe, method, None)):
        raise GenerationError(f"{where}: x-faker={hint!r}: Faker has no provider {method!r}")
    kwargs: dict[str, Any] = {str(renames.get(k, k)): v for k, v in args.items()}
    try:
        getattr(probe, method)(**kwargs)
    except (TypeError, ValueError, AttributeError) as exc:
        raise GenerationError(f"{where}: x-faker={hint!r}: {exc}") from exc
    pool = pools.get(f"x-faker:{name}:{sorted(kwargs.items())}", lambda f: _jsonable(getattr(f, method)(**kwargs)))
    kind = schema.get("type")
    wanted = _JSON_TYPES.get(kind) if isinstance(kind, str) else None
    if wanted:
        pool = tuple(v for v in pool if isinstance(v, wanted) and not (isinstance(v, bool) and bool not in wanted))
        if kind == "string":
            pool = tuple(
                v for v in pool if len(v) >= schema.get("minLength", 0) and len(v) <= schema.get("maxLength", len(v))
            )
        if not pool:
            raise GenerationError(f"{where}: x-faker={hint!r} gives no values of type {kind!r}")
    values, size = pool, len(pool)
    return lambda ctx, depth: values[int(ctx.rng.random() * size)]
