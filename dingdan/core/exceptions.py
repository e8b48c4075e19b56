"""The ApplicationError family: every expected failure, mapped by one handler to problem+json.

Each error has a stable snake_case `code`, an HTTP `status` and a localised message.
"""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    status: int = 400
    code: str = "bad_request"
    default_message: str | Promise = _("The request could not be processed.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.errors = errors or []
        self.headers = headers or {}
        super().__init__(str(self.message))


class ValidationFailed(ApplicationError):
    status = 422
    code = "validation_error"
    default_message = _("Some fields are not valid.")


class BadRequest(ApplicationError):
    status = 400
    code = "bad_request"


class AuthenticationRequired(ApplicationError):
    status = 401
    code = "authentication_required"
    default_message = _("Authentication is required.")


class PermissionDenied(ApplicationError):
    status = 403
    code = "permission_denied"
    default_message = _("You do not have permission to perform this action.")


class NotFound(ApplicationError):
    status = 404
    code = "not_found"
    default_message = _("The requested resource was not found.")


class Conflict(ApplicationError):
    status = 409
    code = "conflict"
    default_message = _("The request conflicts with the current state of the resource.")


class PreconditionFailed(ApplicationError):
    status = 412
    code = "precondition_failed"
    default_message = _("The resource has changed since you read it. Reload and try again.")


class PayloadTooLarge(ApplicationError):
    status = 413
    code = "payload_too_large"
    default_message = _("The request body is too large.")


class ServiceBusy(ApplicationError):
    status = 503
    code = "service_busy"
    default_message = _("The service is busy. Please retry shortly.")


class InvalidIdempotencyKey(BadRequest):
    code = "invalid_idempotency_key"
    default_message = _("The Idempotency-Key header must be 1 to 255 visible ASCII characters.")


class IdempotencyKeyReused(ApplicationError):
    status = 422
    code = "idempotency_key_reused"
    default_message = _("This Idempotency-Key was already used with a different request.")


class IdempotencyKeyInProgress(Conflict):
    code = "idempotency_key_in_progress"
    default_message = _("A request with this Idempotency-Key is still being processed.")
