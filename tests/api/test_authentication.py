"""Who may call: tokens for integrations, sessions (CSRF-checked) for staff; 401 otherwise."""

import pytest
from django.test import Client
from django.utils import timezone

from dingdan.accounts.models import ApiToken
from dingdan.channels.models import Channel

pytestmark = pytest.mark.django_db

WEB = {"code": "web", "name": "Web shop", "kind": "web", "number_prefix": "SO"}


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer ", "Bearer ddn_not-a-token", "Basic dXNlcjpwdw==", "garbage"],
    ids=["none", "empty-bearer", "unknown-token", "basic", "garbage"],
)
def test_a_write_without_valid_credentials_is_401_not_a_csrf_failure(authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}

    client = Client(enforce_csrf_checks=True)  # as real clients meet it; the default skips CSRF

    response = client.post("/api/v1/channels", WEB, content_type="application/json", headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == "authentication_required"
    assert not Channel.objects.exists()


def test_a_revoked_token_is_401(api_as):
    api = api_as("administrator")
    ApiToken.objects.update(revoked_at=timezone.now())

    response = api.post("/channels", WEB)

    assert response.status_code == 401


def test_a_staff_session_write_without_the_csrf_token_is_403(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("administrator"))

    response = client.post("/api/v1/channels", WEB, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not Channel.objects.exists()


def test_a_staff_session_write_with_the_csrf_token_is_accepted(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("administrator"))
    token = "t" * 32  # the double-submit pair a browser holds: cookie and header agree
    client.cookies["csrftoken"] = token

    response = client.post(
        "/api/v1/channels", WEB, content_type="application/json", headers={"X-CSRFToken": token}
    )

    assert response.status_code == 201
    assert Channel.objects.get().code == "web"
