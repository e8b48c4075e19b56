"""One error format for every failure (RFC 9457), in the caller's language, and no 500s."""

import json
from unittest import mock

import pytest
from django.db import DataError, InterfaceError, OperationalError
from django.test import Client
from django.utils import translation

from dingdan.channels.models import Channel
from dingdan.core.models import IdempotencyKey

pytestmark = pytest.mark.django_db

WEB = {"code": "web", "name": "Web shop 官网", "kind": "web", "number_prefix": "SO"}
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code", "errors"}


def _translated(message: str, language: str) -> str:
    with translation.override(language):
        return str(translation.gettext(message))


def test_an_error_is_problem_json_with_every_field(anonymous_api):
    response = anonymous_api.get("/channels")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:dingdan:problem:authentication_required",
        "title": "Unauthorized",
        "status": 401,
        "detail": "Authentication is required.",
        "code": "authentication_required",
        "errors": [],
    }


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_the_accept_language_header_chooses_the_language_of_the_detail(api_as, language):
    api = api_as("administrator", language=language)

    response = api.post("/channels", {**WEB, "currency": "ABC"})

    assert response.status_code == 422
    assert response["Content-Language"] == language
    body = response.json()
    assert body["detail"] == _translated("Some fields are not valid.", language)
    assert body["errors"] == [
        {
            "field": "currency",
            "message": _translated("Unknown currency code.", language),
            "code": "unknown_currency",
        }
    ]


def test_without_accept_language_the_company_language_is_used(admin_api, settings):
    settings.LANGUAGE_CODE = "zh-hans"  # the product's default; the test settings use English
    del admin_api.headers["Accept-Language"]

    response = admin_api.get("/channels/999")

    assert response["Content-Language"] == "zh-hans"
    assert response.json()["detail"] == _translated("No such sales channel.", "zh-hans")


def test_a_body_over_two_megabytes_is_413(admin_api):
    body = json.dumps({**WEB, "name": "x" * (2 * 1024 * 1024)})

    response = admin_api.post("/channels", body)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "payload_too_large"
    assert not Channel.objects.exists()


def test_a_body_over_two_megabytes_with_an_idempotency_key_is_413_and_claims_nothing(admin_api):
    body = json.dumps({**WEB, "name": "x" * (2 * 1024 * 1024)})

    response = admin_api.post("/channels", body, headers={"Idempotency-Key": "big"})

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"code": "web",', b"\xff\xfe{}", b'{"code": "w\xffb"}'],
    ids=["syntax", "truncated", "invalid-utf8", "invalid-utf8-in-a-string"],
)
def test_a_body_that_is_not_json_is_400_malformed_request(admin_api, body):
    response = admin_api.post("/channels", body)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "malformed_request"
    assert not Channel.objects.exists()


def test_an_empty_body_is_422_missing_body(admin_api):
    response = admin_api.post("/channels", b"")

    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("body", "missing")]


@pytest.mark.parametrize("body", [[WEB], "null", 42, "text"])
def test_json_that_is_not_an_object_is_422(admin_api, body):
    response = admin_api.post("/channels", json.dumps(body))

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert not Channel.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("is_active", 0, "bool_type"),
        ("is_active", "true", "bool_type"),
        ("sla_hours", "24", "int_type"),
        ("sla_hours", True, "int_type"),
        ("sla_hours", 24.5, "int_from_float"),
        ("name", "a\x00b", "string_nul"),
        ("currency", "XYZ", "unknown_currency"),
    ],
)
def test_a_value_the_schema_does_not_allow_is_422_and_never_coerced(admin_api, field, value, code):
    response = admin_api.post("/channels", {**WEB, field: value})

    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]
    assert not Channel.objects.exists()


def test_a_whole_number_written_as_a_float_is_an_integer(admin_api):
    response = admin_api.post("/channels", {**WEB, "sla_hours": 24.0})

    assert response.status_code == 201
    assert response.json()["sla_hours"] == 24


@pytest.mark.parametrize(
    "error", [OperationalError("database is locked"), InterfaceError("connection already closed")]
)
def test_a_busy_or_lost_database_is_503_with_retry_after(admin_api, error):
    with mock.patch("dingdan.channels.selectors.channel_list", side_effect=error):
        response = admin_api.get("/channels")

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "service_busy"


def test_a_busy_database_during_an_idempotent_create_is_503_and_releases_the_key(admin_api):
    key = {"Idempotency-Key": "busy-1"}
    with mock.patch(
        "dingdan.channels.services.channel_create", side_effect=OperationalError("database is locked")
    ):
        busy = admin_api.post("/channels", WEB, headers=key)

    retry = admin_api.post("/channels", WEB, headers=key)

    assert (busy.status_code, busy["Retry-After"]) == (503, "1")
    assert retry.status_code == 201
    assert Channel.objects.count() == 1


def test_an_unexpected_exception_is_a_500_problem_without_details(admin_api):
    with mock.patch("dingdan.channels.selectors.channel_list", side_effect=RuntimeError("secret detail")):
        response = admin_api.get("/channels")

    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert b"secret detail" not in response.content


def test_health_is_200_when_the_database_answers():
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_health_is_503_with_retry_after_when_the_database_is_busy():
    with mock.patch("dingdan.core.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("database is locked")
        response = Client().get("/healthz")

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["code"] == "service_busy"


@pytest.mark.parametrize("path", ["/nothing", "/channels/-1", "/channels/abc", "/channels/1/\n"])
def test_an_unknown_path_under_the_api_is_a_problem_json_404(admin_api, path):
    response = admin_api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()) == PROBLEM_FIELDS
    assert response.json()["code"] == "not_found"


def test_the_schema_documents_errors_as_problem_json(anonymous_api):
    schema = anonymous_api.get("/openapi.json").json()

    responses = schema["paths"]["/api/v1/channels"]["post"]["responses"]
    assert list(responses["201"]["content"]) == ["application/json"]
    assert list(responses["422"]["content"]) == ["application/problem+json"]
    name = schema["components"]["schemas"]["ChannelIn"]["properties"]["name"]
    assert name["pattern"] == "^[^\\u0000]*$"


@pytest.mark.parametrize("query", [{"cursor": "a\x00b"}, {"kind\x00": "web"}])
def test_nul_in_the_query_is_422_before_it_reaches_the_database(admin_api, query):
    response = admin_api.get("/channels", **query)

    assert response.status_code == 422
    assert [e["code"] for e in response.json()["errors"]] == ["string_nul"]


def test_the_schema_lists_the_errors_the_framework_gives_every_operation(anonymous_api):
    schema = anonymous_api.get("/openapi.json").json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"401", "403"} <= declared, (method, path)
            if operation.get("parameters") or "requestBody" in operation:
                assert "422" in declared, (method, path)
            if "requestBody" in operation:
                assert "400" in declared, (method, path)


def test_an_id_beyond_64_bits_in_the_path_is_404(admin_api):
    response = admin_api.patch(f"/channels/{2**64}", {"name": "x"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_number_too_large_for_the_database_is_422_not_500(admin_api):
    with mock.patch("dingdan.channels.selectors.channel_list", side_effect=OverflowError("int too large")):
        response = admin_api.get("/channels")

    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("__all__", "out_of_range")]


def test_a_value_the_database_refuses_is_422_not_500(admin_api):
    refused = DataError('time zone displacement out of range: "0551-03-31 06:24:36+19:20"')
    with mock.patch("dingdan.channels.selectors.channel_list", side_effect=refused):
        response = admin_api.get("/channels")

    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("__all__", "out_of_range")]
