"""Idempotency keys (ARCHITECTURE §6), as a view decorator for creating endpoints.

1. Claim: insert (principal, key) as `in_progress` in its own, immediately committed
   transaction. The unique constraint makes exactly one concurrent request the owner.
2. Work: the owner runs the operation in a transaction; on success the key becomes
   `completed` with the response in that same transaction, so work and key commit together.
3. Others: a completed key with the same fingerprint replays the stored status and body byte
   for byte; a different fingerprint is 422; an `in_progress` key is 409 with Retry-After,
   unless its lock is older than the timeout, in which case the request takes it over.

Failures: a 4xx outcome is stored like a success (the same request gets the same answer),
except those that depend on the moment or on the caller's current rights (401, 403, 409, 412,
423, 429); those, a 5xx/503 and a crash release the key so a retry can run.

Ownership: completing or releasing a key is conditional on still holding the claim (status
`in_progress` and our `locked_at`). An owner that outlived its lock and was taken over rolls its
work back and answers 409, so the work of a key is done and committed at most once.
"""

import contextlib
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .exceptions import (
    IdempotencyKeyInProgress,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
    PayloadTooLarge,
)
from .models import IdempotencyKey
from .problems import error_response
from .rows import column_of, fields_of, rows_insert, value_for

HEADER = "Idempotency-Key"
_KEY_FORMAT = re.compile(r"[\x21-\x7e]{1,255}")  # fullmatch: no trailing newline slips through
# Outcomes that depend on the moment or on the caller's current rights, not on the request:
# a retry may succeed (a role granted meanwhile must not meet a stored 403).
_TRANSIENT = {401, 403, 409, 412, 423, 429}

Run = Callable[..., HttpResponse]


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() if request.method else b"")
    digest.update(b" " + request.path.encode() + b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def _lock_timeout() -> dt.timedelta:
    return dt.timedelta(seconds=settings.DINGDAN["IDEMPOTENCY_LOCK_SECONDS"])


def _retry_after() -> dict[str, str]:
    return {"Retry-After": str(settings.DINGDAN["RETRY_AFTER_SECONDS"])}


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        bytes(row.response_body or b""),
        status=row.response_status or 200,
        content_type=row.response_content_type or "application/json",
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _own_commit() -> Any:
    if transaction.get_connection().in_atomic_block:
        return transaction.atomic()
    return contextlib.nullcontext()


def _claim(principal: str, key: str, fingerprint: str) -> IdempotencyKey | HttpResponse:
    """The claimed row, or the response that ends the request (replay, 409, 422)."""
    now = timezone.now()
    claim = IdempotencyKey(
        principal=principal,
        key=key,
        fingerprint=fingerprint,
        status=IdempotencyKey.Status.IN_PROGRESS,
        locked_at=now,
    )
    try:
        # In autocommit mode the INSERT commits on its own (no BEGIN/COMMIT round trips);
        # inside a caller's transaction a savepoint keeps a duplicate from breaking it.
        with _own_commit():
            rows_insert([claim])
        return claim
    except IntegrityError:
        pass
    row = IdempotencyKey.objects.filter(principal=principal, key=key).first()
    if row is None:  # released between our insert and our read: let the client retry
        return error_response(IdempotencyKeyInProgress(headers=_retry_after()))
    if row.fingerprint != fingerprint:
        return error_response(IdempotencyKeyReused())
    if row.status == IdempotencyKey.Status.COMPLETED:
        return _replay(row)
    if row.locked_at > now - _lock_timeout():
        return error_response(IdempotencyKeyInProgress(headers=_retry_after()))
    taken = IdempotencyKey.objects.filter(
        pk=row.pk, status=IdempotencyKey.Status.IN_PROGRESS, locked_at=row.locked_at
    ).update(locked_at=now)
    if not taken:  # another retry took it over first
        return error_response(IdempotencyKeyInProgress(headers=_retry_after()))
    row.locked_at = now
    return row


def _held(row: IdempotencyKey) -> QuerySet[IdempotencyKey]:
    """The key row, if this request still holds its claim."""
    return IdempotencyKey.objects.filter(
        pk=row.pk, status=IdempotencyKey.Status.IN_PROGRESS, locked_at=row.locked_at
    )


_COMPLETE_FIELDS = fields_of(
    IdempotencyKey, "status", "response_status", "response_body", "response_content_type", "locked_at"
)
# Written once: every idempotent request completes its key (the ORM's query building cost
# more than the statement). The same condition as _held: the claim is still ours.
_COMPLETE_SQL = (
    f'UPDATE "{IdempotencyKey._meta.db_table}" SET '  # noqa: S608
    + ", ".join(f"{column_of(f)} = %s" for f in _COMPLETE_FIELDS[:4])
    + f" WHERE {column_of(IdempotencyKey._meta.pk)} = %s"
    + f" AND {column_of(_COMPLETE_FIELDS[0])} = %s AND {column_of(_COMPLETE_FIELDS[4])} = %s"
)


def _complete(row: IdempotencyKey, response: HttpResponse) -> bool:
    """Store the response; False when the claim was lost (taken over after its lock expired)."""
    values = [
        IdempotencyKey.Status.COMPLETED.value,
        response.status_code,
        value_for(_COMPLETE_FIELDS[2], response.content),
        response.get("Content-Type", ""),
    ]
    held = [row.pk, IdempotencyKey.Status.IN_PROGRESS.value, value_for(_COMPLETE_FIELDS[4], row.locked_at)]
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(_COMPLETE_SQL, [*values, *held])
        return cursor.rowcount == 1


def _release(row: IdempotencyKey) -> None:
    _held(row).delete()


def _principal_key(request: HttpRequest) -> str | None:
    principal = getattr(request, "principal", None)
    return getattr(principal, "key", None)


def idempotent(run: Run) -> Run:
    """Wrap an API operation (through ninja's `decorate_view`) so it honours Idempotency-Key.
    Without the header the operation runs once. Either way it runs in one transaction that
    an error response (4xx, 5xx) rolls back whole, so the operation may skip savepoints."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.headers.get(HEADER)
        principal = _principal_key(request)
        if key is None or principal is None:  # unauthenticated requests end in 401 anyway
            with transaction.atomic():
                response = run(request, *args, **kwargs)
                if response.status_code >= 400:
                    transaction.set_rollback(True)
            return response
        if not _KEY_FORMAT.fullmatch(key):
            return error_response(InvalidIdempotencyKey())
        try:
            fingerprint = _fingerprint(request)
        except RequestDataTooBig:
            return error_response(PayloadTooLarge())
        claimed = _claim(principal, key, fingerprint)
        if isinstance(claimed, HttpResponse):
            return claimed
        try:
            with transaction.atomic():
                response = run(request, *args, **kwargs)
                if response.status_code < 400:
                    if _complete(claimed, response):
                        return response
                    response = error_response(IdempotencyKeyInProgress(headers=_retry_after()))
                transaction.set_rollback(True)
        except BaseException:
            _release(claimed)
            raise
        if response.status_code < 500 and response.status_code not in _TRANSIENT:
            _complete(claimed, response)
        else:
            _release(claimed)
        return response

    return wrapper
