"""What every catalog write shares: validation without hidden queries, inserts whose unique
violations become the same 409 as our own checks, and change tracking for the audit trail."""

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, Model

from dingdan.channels.exceptions import ChannelNotFound
from dingdan.channels.selectors import channel_get
from dingdan.core.exceptions import ApplicationError, ValidationFailed
from dingdan.core.validation import snapshot, validation_errors

from ..exceptions import UnknownChannel

Conflict = Callable[[], ApplicationError | None]


def clean(instance: Model, *, exclude: list[str] | None = None, prefix: str = "") -> None:
    """Field validation (422). Uniqueness is checked by the services themselves (409), and
    foreign keys they resolved are excluded, so cleaning runs no queries."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except DjangoValidationError as error:
        errors = validation_errors(error)
        raise ValidationFailed(errors=[{**e, "field": prefix + e["field"]} for e in errors]) from error
    _fix_decimal_places(instance)


def _fix_decimal_places(instance: Model) -> None:
    """Store and answer "10.00", not "10": the value as the database will hold it."""
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(field, DecimalField) and isinstance(value, Decimal):
            setattr(instance, field.attname, value.quantize(Decimal(1).scaleb(-field.decimal_places)))


def field_error(error: ApplicationError, field: str) -> ApplicationError:
    """`error` with a per-field entry saying which input caused it."""
    error.errors = [*error.errors, {"field": field, "message": str(error.message), "code": error.code}]
    return error


def raise_if_taken(error: ApplicationError | None) -> None:
    """Raise the conflict a uniqueness check found (None: no conflict)."""
    if error is not None:
        raise error


def _saved(save: Callable[[], None], conflict: Conflict) -> None:
    try:
        with transaction.atomic():  # a savepoint, so the transaction survives the violation
            save()
    except IntegrityError:
        error = conflict()
        if error is None:
            raise
        raise error from None


def insert(instance: Model, *, conflict: Conflict) -> None:
    """Insert `instance`. A racing insert that got past the service's checks breaks a unique
    constraint; `conflict` names the error the check would have raised."""
    _saved(lambda: instance.save(force_insert=True), conflict)


def update(instance: Model, fields: list[str], *, conflict: Conflict) -> None:
    _saved(lambda: instance.save(update_fields=[*fields, "updated_at"]), conflict)


def apply_changes(instance: Model, changes: Mapping[str, Any], changeable: Collection[str]) -> None:
    unknown = sorted(set(changes) - set(changeable))
    if unknown:
        raise TypeError(f"{type(instance).__name__} cannot change {', '.join(unknown)}")
    for name, value in changes.items():
        setattr(instance, name, value)


def changed_fields(before: Mapping[str, Any], instance: Model, names: Collection[str]) -> list[str]:
    after = snapshot(instance, list(names))
    return [name for name in names if before[name] != after[name]]


def channel_id_for(channel: str | None) -> int | None:
    """The id of the channel with this code (None or "": every channel). Raises
    UnknownChannel naming the `channel` field."""
    if channel is None or channel == "":
        return None
    try:
        return channel_get(code=channel).pk
    except ChannelNotFound:
        raise field_error(UnknownChannel(), "channel") from None


def aware(value: Any) -> Any:
    """A datetime without a time zone read as UTC (the API's times are UTC), so periods
    compare; anything else unchanged."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def aware_fields(values: Mapping[str, Any], names: Collection[str]) -> dict[str, Any]:
    return {name: aware(value) if name in names else value for name, value in values.items()}
