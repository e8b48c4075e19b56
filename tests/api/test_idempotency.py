"""Idempotency-Key on POST /api/v1/channels: every outcome, two requests at a time (I1 to I6)."""

import datetime as dt
from unittest import mock

import pytest
from django.test import override_settings
from django.utils import timezone

from dingdan.channels.models import Channel
from dingdan.core.models import IdempotencyKey
from dingdan.core.tasks import idempotency_keys_purge

pytestmark = pytest.mark.django_db

WEB = {"code": "web", "name": "Web shop 官网", "kind": "web", "number_prefix": "SO"}


def _key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


def _interrupted(admin_api, key: str, *, locked_seconds_ago: int) -> None:
    """The state a crashed first request leaves behind: the key claimed, its work rolled back."""
    admin_api.post("/channels", WEB, headers=_key(key))
    Channel.objects.all().delete()
    IdempotencyKey.objects.filter(key=key).update(
        status=IdempotencyKey.Status.IN_PROGRESS,
        locked_at=timezone.now() - dt.timedelta(seconds=locked_seconds_ago),
        response_status=None,
        response_body=None,
        response_content_type="",
    )


def test_the_first_request_creates_and_stores_its_response(admin_api):
    response = admin_api.post("/channels", WEB, headers=_key("k-1"))

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    row = IdempotencyKey.objects.get()
    assert (row.key, row.status, row.response_status) == ("k-1", "completed", 201)
    assert bytes(row.response_body) == response.content


def test_a_replay_returns_the_same_bytes_and_creates_nothing_more(admin_api):
    first = admin_api.post("/channels", WEB, headers=_key("k-1"))

    replay = admin_api.post("/channels", WEB, headers=_key("k-1"))

    assert replay.status_code == 201
    assert replay.content == first.content
    assert replay["Idempotent-Replayed"] == "true"
    assert replay["Content-Type"] == first["Content-Type"]
    assert Channel.objects.count() == 1


def test_the_same_key_with_another_body_is_422_and_creates_nothing(admin_api):
    admin_api.post("/channels", WEB, headers=_key("k-1"))

    response = admin_api.post("/channels", {**WEB, "code": "shop"}, headers=_key("k-1"))

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert list(Channel.objects.values_list("code", flat=True)) == ["web"]


def test_a_duplicate_while_the_first_is_in_progress_is_409_with_retry_after(admin_api):
    _interrupted(admin_api, "k-1", locked_seconds_ago=0)

    response = admin_api.post("/channels", WEB, headers=_key("k-1"))

    assert response.status_code == 409
    assert response["Retry-After"] == "1"
    assert response.json()["code"] == "idempotency_key_in_progress"
    assert not Channel.objects.exists()
    assert IdempotencyKey.objects.get().status == "in_progress"


@override_settings(
    DINGDAN={"IDEMPOTENCY_LOCK_SECONDS": 30, "IDEMPOTENCY_RETENTION_HOURS": 48, "RETRY_AFTER_SECONDS": 1}
)
def test_an_in_progress_key_within_its_lock_is_not_taken_over(admin_api):
    _interrupted(admin_api, "k-1", locked_seconds_ago=29)

    response = admin_api.post("/channels", WEB, headers=_key("k-1"))

    assert response.status_code == 409
    assert not Channel.objects.exists()


@override_settings(
    DINGDAN={"IDEMPOTENCY_LOCK_SECONDS": 30, "IDEMPOTENCY_RETENTION_HOURS": 48, "RETRY_AFTER_SECONDS": 1}
)
def test_an_in_progress_key_older_than_its_lock_is_taken_over_and_completed(admin_api):
    _interrupted(admin_api, "k-1", locked_seconds_ago=31)

    response = admin_api.post("/channels", WEB, headers=_key("k-1"))
    replay = admin_api.post("/channels", WEB, headers=_key("k-1"))

    assert response.status_code == 201
    assert replay.content == response.content
    assert Channel.objects.count() == 1
    row = IdempotencyKey.objects.get()
    assert (row.status, row.response_status) == ("completed", 201)


def test_keys_are_scoped_to_the_caller(api_as):
    alice, bob = api_as("administrator"), api_as("administrator")

    first = alice.post("/channels", WEB, headers=_key("shared"))
    second = bob.post("/channels", {**WEB, "code": "shop"}, headers=_key("shared"))

    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in second
    assert sorted(Channel.objects.values_list("code", flat=True)) == ["shop", "web"]
    assert IdempotencyKey.objects.filter(key="shared").count() == 2


@pytest.mark.parametrize(
    "key",
    ["", " ", "a b", "ключ", "订单-1", "x" * 256, "tab\tin", "new\nline", "trailing\n"],
    ids=[
        "empty",
        "space",
        "inner-space",
        "cyrillic",
        "chinese",
        "256-chars",
        "tab",
        "newline",
        "trailing-newline",
    ],
)
def test_a_malformed_key_is_400_and_creates_nothing(admin_api, key):
    response = admin_api.post("/channels", WEB, headers=_key(key))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert not Channel.objects.exists()
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["a", "x" * 255, "~!#$%&'*+-.^_`|0123456789"])
def test_a_key_of_1_to_255_visible_ascii_characters_is_accepted(admin_api, key):
    response = admin_api.post("/channels", WEB, headers=_key(key))

    assert response.status_code == 201


def test_a_transient_conflict_is_not_stored_so_a_retry_can_succeed(admin_api):
    admin_api.post("/channels", WEB)

    conflict = admin_api.post("/channels", WEB, headers=_key("k-1"))
    Channel.objects.all().delete()
    retry = admin_api.post("/channels", WEB, headers=_key("k-1"))

    assert conflict.status_code == 409
    assert conflict.json()["code"] == "channel_code_taken"
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert Channel.objects.count() == 1


def test_a_validation_failure_is_stored_and_replayed(admin_api):
    invalid = {**WEB, "currency": "ABC"}

    first = admin_api.post("/channels", invalid, headers=_key("k-1"))
    replay = admin_api.post("/channels", invalid, headers=_key("k-1"))

    assert first.status_code == 422
    assert (replay.status_code, replay.content, replay["Idempotent-Replayed"]) == (422, first.content, "true")
    row = IdempotencyKey.objects.get()
    assert (row.status, row.response_status) == ("completed", 422)
    assert not Channel.objects.exists()


def test_a_refusal_for_missing_rights_is_not_stored(api_as):
    clerk = api_as("order_clerk")

    refused = clerk.post("/channels", WEB, headers=_key("k-1"))

    assert refused.status_code == 403
    assert not IdempotencyKey.objects.exists()


def test_a_crash_releases_the_key_so_a_retry_creates_once(admin_api):
    with mock.patch("dingdan.channels.services.channel_create", side_effect=RuntimeError("crash")):
        crashed = admin_api.post("/channels", WEB, headers=_key("k-1"))

    assert crashed.status_code == 500
    assert not IdempotencyKey.objects.exists()
    retry = admin_api.post("/channels", WEB, headers=_key("k-1"))
    assert retry.status_code == 201
    assert Channel.objects.count() == 1


def test_a_crash_after_the_work_rolls_the_work_back_with_the_key(admin_api):
    # The channel is written, then the response fails to render: nothing may remain.
    crash = mock.patch("dingdan.core.idempotency._complete", side_effect=RuntimeError("crash"))
    with crash, pytest.raises(RuntimeError):
        admin_api.post("/channels", WEB, headers=_key("k-1"))

    assert not Channel.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_without_a_key_each_request_runs(admin_api):
    first = admin_api.post("/channels", WEB)
    second = admin_api.post("/channels", WEB)

    assert (first.status_code, second.status_code) == (201, 409)
    assert not IdempotencyKey.objects.exists()


@override_settings(
    DINGDAN={"IDEMPOTENCY_LOCK_SECONDS": 30, "IDEMPOTENCY_RETENTION_HOURS": 48, "RETRY_AFTER_SECONDS": 1}
)
def test_the_purge_removes_keys_past_retention_and_keeps_younger_ones(admin_api):
    for n in range(4):
        admin_api.post("/channels", {**WEB, "code": f"c{n}"}, headers=_key(f"k-{n}"))
    now = timezone.now()
    ages = {"k-0": dt.timedelta(hours=48, seconds=1), "k-1": dt.timedelta(days=30)}
    ages |= {"k-2": dt.timedelta(hours=48, seconds=-1), "k-3": dt.timedelta(0)}
    for key, age in ages.items():
        IdempotencyKey.objects.filter(key=key).update(created_at=now - age)

    with mock.patch("django.utils.timezone.now", return_value=now):
        idempotency_keys_purge.call()

    assert sorted(IdempotencyKey.objects.values_list("key", flat=True)) == ["k-2", "k-3"]
