"""What a contract run exercised, beyond which statuses came back: parameters sent and schema keywords tested.

schemathesis 4 records, for each case it generates, its phase and, in the coverage phase, the scenario it
built (`CoverageScenario`: "string_below_min_length", "invalid_enum_value", …) and the parameter it aimed
at; negative fuzzing records its mutations with the keywords they broke. That is what is read here; nothing
is inferred from the values themselves. The probes' own requests are not counted (they are not cases).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from schemathesis.core import NOT_SET

# Each coverage scenario schemathesis names, and the schema keyword it exercises (None: no one keyword, e.g.
# the default positive case). A test checks every `CoverageScenario` is in this table.
SCENARIO_KEYWORDS: dict[str, str | None] = {
    "example_value": "example",
    "default_value": "default",
    "enum_value": "enum",
    "const_value": "const",
    "valid_string": "type",
    "valid_number": "type",
    "valid_boolean": "type",
    "valid_array": "type",
    "valid_object": "type",
    "null_value": "type",
    "minimum_length_string": "minLength",
    "maximum_length_string": "maxLength",
    "near_boundary_length_string": "minLength",
    "minimum_value": "minimum",
    "maximum_value": "maximum",
    "near_boundary_number": "minimum",
    "maximum_items_array": "maxItems",
    "near_boundary_items_array": "minItems",
    "enum_value_items_array": "enum",
    "object_only_required": "required",
    "object_required_and_optional": "properties",
    "object_additional_property": "additionalProperties",
    "default_positive_test": None,
    "value_above_maximum": "maximum",
    "value_below_minimum": "minimum",
    "string_above_max_length": "maxLength",
    "string_below_min_length": "minLength",
    "array_above_max_items": "maxItems",
    "array_below_min_items": "minItems",
    "object_above_max_properties": "maxProperties",
    "object_below_min_properties": "minProperties",
    "object_unexpected_properties": "additionalProperties",
    "object_missing_required_property": "required",
    "object_invalid_property_name": "propertyNames",
    "incorrect_type": "type",
    "invalid_enum_value": "enum",
    "invalid_format": "format",
    "invalid_pattern": "pattern",
    "not_multiple_of": "multipleOf",
    "non_unique_items": "uniqueItems",
    "unique_items_array": "uniqueItems",
    "missing_parameter": "required",
    "duplicate_parameter": None,
    "unsupported_path_pattern": None,
    "unspecified_http_method": None,
    "malformed_content_type": None,
    "unsupported_content_type": None,
}
_LOCATIONS = (("path", "path_parameters"), ("query", "query"), ("header", "headers"), ("cookie", "cookies"))


@dataclass
class Exercised:
    """One operation's cases: how many carried each parameter, which phases and scenarios ran, which keywords."""

    cases: int = 0
    parameters: Counter[tuple[str, str]] = field(default_factory=Counter)  # (location, name) -> cases sending it
    phases: Counter[str] = field(default_factory=Counter)
    scenarios: Counter[str] = field(default_factory=Counter)
    keywords: dict[str, set[str]] = field(default_factory=dict)  # keyword -> parameters it was tested on

    def note(self, case: Any) -> None:
        """Count one schemathesis `Case` (what it sent and, from its metadata, why)."""
        self.cases += 1
        for location, attribute in _LOCATIONS:
            for name in getattr(case, attribute, None) or {}:
                self.parameters[(location, str(name))] += 1
        body = getattr(case, "body", None)
        if body is not None and body is not NOT_SET:
            self.parameters[("body", "")] += 1
        meta = getattr(case, "meta", None)
        phase = getattr(meta, "phase", None)
        if phase is None:
            return
        self.phases[str(phase.name.value)] += 1
        data = phase.data
        scenario = getattr(data, "scenario", None)
        where = _parameter(data)
        if scenario is not None:
            self.scenarios[str(scenario.value)] += 1
            keyword = SCENARIO_KEYWORDS.get(str(scenario.value))
            if keyword:
                self.keywords.setdefault(keyword, set()).add(where)
        for mutation in getattr(data, "mutations", ()) or ():
            for keyword in mutation.keywords:
                self.keywords.setdefault(str(keyword), set()).add(_parameter(mutation))


def _parameter(data: Any) -> str:
    """`query.date` for the parameter a scenario or mutation aimed at; `body` or `` for none."""
    name = getattr(data, "parameter", None)
    location = getattr(data, "parameter_location", None)
    where = str(getattr(location, "value", location or ""))
    return f"{where}.{name}" if name and where else (name or where or "")


def documented_key(status: int, keys: list[str]) -> str | None:
    """The documented response key `status` falls under: exact, then `4XX`, then `default`; None: undocumented."""
    for key in (str(status), f"{str(status)[0]}XX"):
        if key in keys or key.lower() in keys:
            return key if key in keys else key.lower()
    return "default" if "default" in keys else None
