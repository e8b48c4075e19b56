"""The idempotent decorator itself: who owns a key, and what a crash leaves behind."""

import datetime as dt
import json
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from dingdan.core import idempotency
from dingdan.core.idempotency import idempotent
from dingdan.core.models import IdempotencyKey, OutboxEvent

pytestmark = pytest.mark.django_db

BODY = {"code": "web"}


def _request(key: str | None = "k-1", principal: str | None = "token:1") -> HttpRequest:
    headers = {"Idempotency-Key": key} if key is not None else {}
    request = RequestFactory().post("/api/v1/things", json.dumps(BODY), "application/json", headers=headers)
    request.principal = SimpleNamespace(key=principal) if principal else None  # type: ignore[attr-defined]
    return request


def _operation(during: Callable[[], None] = lambda: None, status: int = 201) -> Callable[..., HttpResponse]:
    """An operation that writes a row, lets `during` happen, and answers `status`."""

    def run(request: HttpRequest) -> HttpResponse:
        OutboxEvent.objects.create(type="thing.made", aggregate_type="thing", aggregate_id="1", data={})
        during()
        return HttpResponse(b'{"id": 1}', status=status, content_type="application/json")

    return idempotent(run)


_REAL_CLAIM = idempotency._claim


def _claimed_then_taken_over(*args: object) -> object:
    """The real claim, after which another request takes the key over (committed), as if this
    one had outlived its lock: the state a slow owner finds when it comes to complete."""
    claimed = _REAL_CLAIM(*args)  # type: ignore[arg-type]
    IdempotencyKey.objects.update(locked_at=F("locked_at") + dt.timedelta(seconds=31))
    return claimed


@pytest.fixture
def overtaken() -> Iterator[None]:
    with mock.patch.object(idempotency, "_claim", side_effect=_claimed_then_taken_over):
        yield


def test_an_owner_that_lost_its_key_rolls_its_work_back_and_answers_409(overtaken):
    response = _operation()(_request())

    assert response.status_code == 409
    assert response["Retry-After"] == "1"
    assert json.loads(response.content)["code"] == "idempotency_key_in_progress"
    assert not OutboxEvent.objects.exists()
    assert IdempotencyKey.objects.get().status == "in_progress"  # still the new owner's


def test_an_owner_that_lost_its_key_does_not_release_the_new_owners_claim_when_it_fails(overtaken):
    response = _operation(status=500)(_request())

    assert response.status_code == 500
    assert IdempotencyKey.objects.get().status == "in_progress"


def test_an_exception_escaping_the_operation_rolls_back_releases_the_key_and_propagates():
    def crash() -> None:
        raise SystemExit("worker stopped")

    with pytest.raises(SystemExit):
        _operation(during=crash)(_request())

    assert not OutboxEvent.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_a_server_error_releases_the_key_and_keeps_nothing():
    response = _operation(status=503)(_request())

    assert response.status_code == 503
    assert not OutboxEvent.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_a_stored_client_error_rolls_the_work_back_but_keeps_the_answer():
    response = _operation(status=422)(_request())

    assert response.status_code == 422
    assert not OutboxEvent.objects.exists()
    row = IdempotencyKey.objects.get()
    assert (row.status, row.response_status, bytes(row.response_body)) == ("completed", 422, b'{"id": 1}')


@pytest.mark.parametrize(("key", "principal"), [(None, "token:1"), ("k-1", None)])
def test_without_a_key_or_a_caller_the_operation_simply_runs(key, principal):
    response = _operation()(_request(key=key, principal=principal))

    assert response.status_code == 201
    assert OutboxEvent.objects.count() == 1
    assert not IdempotencyKey.objects.exists()
