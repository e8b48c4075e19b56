"""Same-key concurrent storm against a live server (reliability target I2, CI size).

50 keys, each sent by 8 threads released at the same moment with an identical body, through
real HTTP, real threads and the real database (SQLite file or PostgreSQL). Every key must
create exactly one channel; every answer is the first 201, a byte-identical replay, or 409
with Retry-After; no answer is a 5xx.
"""

import json
from collections import Counter
from typing import Any

import pytest
import requests

from dingdan.accounts.services import token_create
from dingdan.channels.models import Channel
from dingdan.core.actors import SYSTEM
from dingdan.core.models import IdempotencyKey
from dingdan.testing.live import release_together

KEYS = 50
RACERS = 8
# One key per round: 8 connections at once fit the live server's listen backlog (10).
KEYS_PER_ROUND = 1


def _body(n: int) -> dict[str, Any]:
    return {"code": f"race-{n}", "name": f"Race {n}", "kind": "web", "number_prefix": "RC"}


def _post(url: str, token: str, key: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(
        url,
        data=json.dumps(body),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
        timeout=30,
    )


@pytest.fixture
def token(transactional_db: None, make_user: Any) -> str:
    user = make_user("administrator", username="racer")
    _token, raw = token_create(user=user, name="race", actor=SYSTEM)
    return raw


def test_concurrent_identical_requests_per_key_create_exactly_one_channel_and_never_a_5xx(
    live_server: Any, token: str, record_property: Any
) -> None:
    url = f"{live_server.url}/api/v1/channels"
    responses: dict[int, list[requests.Response]] = {}
    for first in range(0, KEYS, KEYS_PER_ROUND):
        keys = range(first, first + KEYS_PER_ROUND)
        calls = [
            (lambda n=n: _post(url, token, f"race-key-{n}", _body(n)))
            for n in keys
            for _racer in range(RACERS)
        ]
        results = release_together(calls)
        for index, n in enumerate(keys):
            responses[n] = results[index * RACERS : (index + 1) * RACERS]

    statuses = Counter(r.status_code for rs in responses.values() for r in rs)
    replays = sum(
        1 for rs in responses.values() for r in rs if r.headers.get("Idempotent-Replayed") == "true"
    )
    channels_per_key = Counter(
        Channel.objects.filter(code__startswith="race-").values_list("code", flat=True)
    )
    record_property(
        "figures",
        f"{KEYS * RACERS} requests over {KEYS} keys x {RACERS} racers: {statuses[201] - replays} created, "
        f"{replays} replays, {statuses[409]} 409s, {sum(n for s, n in statuses.items() if s >= 500)} 5xx, "
        f"channels per key {sorted(set(channels_per_key.values()))}",
    )
    assert set(statuses) <= {201, 409}, statuses
    assert statuses[201] - replays == KEYS
    assert channels_per_key == {f"race-{n}": 1 for n in range(KEYS)}
    for n, rs in responses.items():
        created = [r for r in rs if r.status_code == 201]
        assert len({r.content for r in created}) == 1, n
        assert json.loads(created[0].content)["code"] == f"race-{n}"
        assert all(r.headers["Retry-After"] == "1" for r in rs if r.status_code == 409)
    assert IdempotencyKey.objects.filter(status=IdempotencyKey.Status.COMPLETED).count() == KEYS
    assert not IdempotencyKey.objects.filter(status=IdempotencyKey.Status.IN_PROGRESS).exists()


def test_a_completed_key_replays_its_body_and_refuses_a_different_body_without_creating_anything(
    live_server: Any, token: str
) -> None:
    url = f"{live_server.url}/api/v1/channels"
    first = _post(url, token, "settled", _body(1))

    replay = _post(url, token, "settled", _body(1))
    other = _post(url, token, "settled", {**_body(1), "code": "race-other"})

    assert first.status_code == 201
    assert (replay.status_code, replay.content, replay.headers["Idempotent-Replayed"]) == (
        201,
        first.content,
        "true",
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert list(Channel.objects.values_list("code", flat=True)) == ["race-1"]
