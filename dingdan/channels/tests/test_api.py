import pytest

from dingdan.channels.models import Channel
from dingdan.core.models import AuditEntry

pytestmark = pytest.mark.django_db

WEB = {"code": "web", "name": "Web shop 官网", "kind": "web", "number_prefix": "SO"}


def test_administrator_creates_a_channel_with_defaults_and_an_audit_entry(admin_api):
    response = admin_api.post("/channels", WEB)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "web"
    assert body["review_policy"] == "auto_confirm"
    assert body["payment_policy"] == "prepaid"
    assert body["currency"] == "CNY"
    assert body["sla_hours"] == 48
    entry = AuditEntry.objects.get(aggregate_type="channel", aggregate_id=str(body["id"]))
    assert entry.action == "created"
    assert entry.after["number_prefix"] == "SO"


def test_a_duplicate_code_is_409_and_creates_nothing(admin_api):
    admin_api.post("/channels", WEB)

    response = admin_api.post("/channels", {**WEB, "name": "other"})

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "channel_code_taken"
    assert Channel.objects.count() == 1


def test_unknown_fields_are_rejected(admin_api):
    response = admin_api.post("/channels", {**WEB, "status": "x"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"
    assert not Channel.objects.exists()


def test_an_unknown_currency_is_422_with_a_localised_message(api_as):
    api = api_as("administrator", language="zh-hans")

    response = api.post("/channels", {**WEB, "currency": "ABC"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "currency"
    assert not Channel.objects.exists()


def test_an_order_clerk_may_read_but_not_create_channels(api_as):
    clerk = api_as("order_clerk")

    assert clerk.get("/channels").status_code == 200
    response = clerk.post("/channels", WEB)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Channel.objects.exists()


def test_anonymous_callers_get_401_problem(anonymous_api):
    response = anonymous_api.get("/channels")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_required"


def test_patch_changes_only_given_fields_and_audits_the_difference(admin_api):
    channel_id = admin_api.post("/channels", WEB).json()["id"]

    response = admin_api.patch(f"/channels/{channel_id}", {"sla_hours": 24})

    assert response.status_code == 200
    assert response.json()["sla_hours"] == 24
    assert response.json()["name"] == WEB["name"]
    entry = AuditEntry.objects.get(aggregate_id=str(channel_id), action="updated")
    assert entry.before == {"sla_hours": 48}
    assert entry.after == {"sla_hours": 24}


def test_the_review_sla_defaults_to_4_hours_and_cannot_be_zero(admin_api):
    channel_id = admin_api.post("/channels", WEB).json()["id"]

    zero = admin_api.patch(f"/channels/{channel_id}", {"review_sla_hours": 0})
    changed = admin_api.patch(f"/channels/{channel_id}", {"review_sla_hours": 8})

    assert zero.status_code == 422
    assert (changed.status_code, changed.json()["review_sla_hours"]) == (200, 8)
    entry = AuditEntry.objects.get(aggregate_id=str(channel_id), action="updated")
    assert (entry.before, entry.after) == ({"review_sla_hours": 4}, {"review_sla_hours": 8})


def test_list_pages_with_a_cursor(admin_api):
    for n in range(5):
        admin_api.post("/channels", {**WEB, "code": f"c{n}", "number_prefix": "SO"})

    first = admin_api.get("/channels", limit=2).json()
    second = admin_api.get("/channels", limit=2, cursor=first["next"]).json()
    third = admin_api.get("/channels", limit=2, cursor=second["next"]).json()

    codes = [c["code"] for page in (first, second, third) for c in page["items"]]
    assert codes == ["c0", "c1", "c2", "c3", "c4"]
    assert third["next"] is None
