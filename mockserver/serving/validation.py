"""Request parameter validation that reports every problem, with where it was (FastAPI-style)."""

from __future__ import annotations

from typing import Any

from connexion.exceptions import BadRequestProblem
from connexion.lifecycle import ConnexionRequest
from connexion.utils import is_null, is_nullable
from connexion.validators import ParameterValidator
from jsonschema import Draft4Validator, FormatChecker

from mockserver.generation.context import FieldError

# Every format jsonschema knows (date, uuid, …), not only Draft 4's: `format: date` is a contract too.
_FORMATS = FormatChecker()


class InvalidRequest(BadRequestProblem):  # type: ignore[misc]
    """Raised with every invalid parameter; the mock answers it in the API's own error envelope."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__(detail="; ".join(e.message for e in errors))


class CollectingParameterValidator(ParameterValidator):  # type: ignore[misc]
    """Connexion's parameter validator, with validators compiled once and all errors collected."""

    def __init__(
        self,
        parameters: list[dict[str, Any]],
        uri_parser: Any,
        strict_validation: bool = False,
        security_query_params: Any = None,
    ) -> None:
        super().__init__(parameters, uri_parser, strict_validation, security_query_params)
        self._compiled = {
            (p["in"], p["name"]): Draft4Validator(p.get("schema", {}), format_checker=_FORMATS) for p in parameters
        }

    def validate(self, scope: Any) -> None:
        request = ConnexionRequest(scope, uri_parser=self.uri_parser)
        errors: list[FieldError] = []
        for location in ("path", "query", "header", "cookie"):
            for param in self.parameters.get(location, []):
                value = self._value(location, param["name"], request)
                error = self._check(location, param, value)
                if error is not None:
                    errors.append(error)
        if errors:
            raise InvalidRequest(errors)

    @staticmethod
    def _value(location: str, name: str, request: ConnexionRequest) -> Any:
        if location == "query":
            return request.query_params.get(name)
        if location == "path":
            return request.path_params.get(name.replace("-", "_"))
        if location == "header":
            return request.headers.get(name)
        return request.cookies.get(name)

    def _check(self, location: str, param: dict[str, Any], value: Any) -> FieldError | None:
        name = param["name"]
        where = (location, name)
        if value is None:
            if param.get("required"):
                return FieldError(where, f"Missing required {location} parameter '{name}'", "missing")
            return None
        if is_nullable(param) and is_null(value):
            return None
        error = next(iter(self._compiled[(location, name)].iter_errors(value)), None)
        if error is None:
            return None
        return FieldError(
            where, f"Invalid {location} parameter '{name}': {error.message}", f"{error.validator}_error", value
        )
