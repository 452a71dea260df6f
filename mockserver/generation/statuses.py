"""What an error says for an HTTP status when the spec does not: a code, an error name and a message."""

from __future__ import annotations

STATUS_PHRASES: dict[int, tuple[str, str, str]] = {
    # status: (code, name, message)
    400: ("invalid_parameter", "BadRequestError", "Invalid request parameters"),
    401: ("unauthorized", "UnauthorizedError", "Authentication required: provide a valid bearer token"),
    402: ("payment_required", "PaymentRequiredError", "Insufficient credits for this request"),
    403: ("forbidden", "ForbiddenError", "You do not have permission to access this resource"),
    404: ("not_found", "NotFoundError", "The requested resource was not found"),
    405: ("method_not_allowed", "MethodNotAllowedError", "Method not allowed on this resource"),
    406: ("not_acceptable", "NotAcceptableError", "The requested representation is not available"),
    408: ("request_timeout", "RequestTimeoutError", "The request timed out"),
    409: ("conflict", "ConflictError", "The resource was modified by another request"),
    413: ("payload_too_large", "PayloadTooLargeError", "The request body is too large"),
    414: ("uri_too_long", "URITooLongError", "The request URL is too long"),
    415: ("unsupported_media_type", "UnsupportedMediaTypeError", "Unsupported content type"),
    422: ("validation_error", "ValidationError", "The request could not be validated"),
    429: ("rate_limited", "TooManyRequestsError", "Rate limit exceeded, retry later"),
    431: ("headers_too_large", "HeadersTooLargeError", "The request headers are too large"),
    500: ("internal_error", "InternalServerError", "An unexpected error occurred on the server"),
    502: ("bad_gateway", "BadGatewayError", "The upstream service returned an invalid response"),
    503: ("service_unavailable", "ServiceUnavailableError", "The service is temporarily unavailable"),
    504: ("gateway_timeout", "GatewayTimeoutError", "The upstream service timed out"),
}


def status_phrase(status: int) -> tuple[str, str, str]:
    """(code, error name, message) for `status`, falling back on its class."""
    if status in STATUS_PHRASES:
        return STATUS_PHRASES[status]
    return STATUS_PHRASES[500] if status >= 500 else ("error", "Error", "The request failed")
