"""Model validation turned into the ApplicationError family (422 with per-field errors)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model

from .exceptions import ValidationFailed


def validation_errors(error: DjangoValidationError) -> list[dict[str, str]]:
    if hasattr(error, "error_dict"):
        return [
            {"field": field, "message": str(message), "code": getattr(e, "code", None) or "invalid"}
            for field, errors in error.error_dict.items()
            for e in errors
            for message in e.messages
        ]
    return [{"field": "__all__", "message": str(m), "code": "invalid"} for m in error.messages]


def full_clean_or_raise(
    instance: Model, *, exclude: list[str] | None = None, validate_unique: bool = True
) -> None:
    """Run the model's validators; raise ValidationFailed listing every field problem."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=validate_unique)
    except DjangoValidationError as error:
        raise ValidationFailed(errors=validation_errors(error)) from error


def snapshot(instance: Model, fields: list[str]) -> dict[str, object]:
    """The audited view of an instance: the named fields' values (foreign keys by id)."""
    return {
        name: getattr(instance, getattr(instance._meta.get_field(name), "attname", name)) for name in fields
    }
