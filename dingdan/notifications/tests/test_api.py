"""/api/v1/events and /api/v1/notifications: scopes, the feed's keyset order, webhook
subscriptions (SSRF checked), the delivery log with redelivery, templates with preview, and
customers' notification preferences."""

import datetime as dt

import pytest
from django.utils import timezone

from dingdan.core.models import AuditEntry, OutboxEvent
from dingdan.core.outbox import outbox_dispatch, outbox_emit
from dingdan.customers.models import Customer
from dingdan.customers.tests.factories import CustomerFactory
from dingdan.notifications.models import Delivery, MessageTemplate, WebhookSubscription
from dingdan.orders.events import OrderConfirmed

pytestmark = pytest.mark.django_db


def confirmed(customer_id, number):
    return OrderConfirmed(
        aggregate_id="7",
        number=number,
        status="confirmed",
        channel="web",
        customer_id=customer_id,
        total="10.00",
        currency="CNY",
    )


# Event feed ----------------------------------------------------------------------------


def test_the_feed_pages_through_every_event_in_order(api_as, notify_settings, django_assert_max_num_queries):
    api = api_as("manager")
    OutboxEvent.objects.all().delete()
    rows = [outbox_emit(confirmed(1, f"SO{n}")) for n in range(5)]

    with django_assert_max_num_queries(5):  # token, principal, one page
        first = api.get("/events", limit=2)
    second = api.get("/events", limit=2, after=first.json()["next"])
    third = api.get("/events", limit=2, after=second.json()["next"])

    pages = [first.json(), second.json(), third.json()]
    assert [[item["id"] for item in page["items"]] for page in pages] == [
        [str(rows[0].event_id), str(rows[1].event_id)],
        [str(rows[2].event_id), str(rows[3].event_id)],
        [str(rows[4].event_id)],
    ]
    assert third.json()["next"] is None
    assert pages[0]["items"][0]["type"] == "order.confirmed"
    assert pages[0]["items"][0]["data"]["number"] == "SO0"
    # a reader that kept the last cursor catches up with what came later
    later = outbox_emit(confirmed(1, "SO9"))
    caught_up = api.get("/events", limit=2, after=second.json()["next"]).json()
    assert [item["id"] for item in caught_up["items"]] == [str(rows[4].event_id), str(later.event_id)]


def test_the_feed_holds_back_events_that_may_still_be_overtaken(api_as, notify_settings):
    notify_settings["FEED_SETTLE_SECONDS"] = 60
    OutboxEvent.objects.all().delete()
    old = outbox_emit(confirmed(1, "SO-OLD"))
    OutboxEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    outbox_emit(confirmed(1, "SO-NEW"))

    items = api_as("manager").get("/events").json()["items"]

    assert [item["data"]["number"] for item in items] == ["SO-OLD"]


def test_the_feed_needs_events_read_and_a_valid_cursor(api_as, anonymous_api, notify_settings):
    assert anonymous_api.get("/events").status_code == 401
    assert api_as("order_clerk").get("/events").status_code == 403
    response = api_as("manager").get("/events", after="not-a-cursor")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_cursor")


# Webhook subscriptions -----------------------------------------------------------------


def test_an_administrator_subscribes_and_sees_the_secret_once(admin_api, notify_settings):
    response = admin_api.post(
        "/notifications/webhooks",
        {"name": "ERP", "url": "http://127.0.0.1:8999/hook", "events": ["order.*", "order.*"]},
        headers={"Idempotency-Key": "sub-1"},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["events"], len(body["secret"])) == ("ERP", ["order.*"], 64)
    sub = WebhookSubscription.objects.get()
    assert sub.secret == body["secret"]
    assert "secret" not in admin_api.get(f"/notifications/webhooks/{sub.pk}").json()
    assert AuditEntry.objects.filter(aggregate_type="webhook_subscription", action="created").count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost/hook",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://2130706433/hook",
        "http://0x7f000001/hook",
        "ftp://example.com/hook",
        "http://user:pw@example.com/hook",
    ],
)
def test_subscribing_a_hostile_url_is_refused_and_saves_nothing(admin_api, settings, url):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "WEBHOOK_ALLOWED_HOSTS": []}

    response = admin_api.post(
        "/notifications/webhooks",
        {"name": "x", "url": url, "events": ["*"]},
        headers={"Idempotency-Key": url},
    )

    assert response.status_code == 422
    assert response.json()["code"] in {"webhook_target_refused", "webhook_url_invalid"}
    assert WebhookSubscription.objects.count() == 0
    assert AuditEntry.objects.filter(aggregate_type="webhook_subscription").count() == 0


def test_managing_subscriptions_needs_the_manage_scope(api_as, notify_settings):
    manager = api_as("manager")
    response = manager.post(
        "/notifications/webhooks",
        {"name": "x", "url": "http://127.0.0.1:1/h", "events": ["*"]},
        headers={"Idempotency-Key": "k"},
    )
    assert response.status_code == 403
    assert WebhookSubscription.objects.count() == 0
    assert manager.get("/notifications/webhooks").status_code == 200


def test_a_subscription_is_paused_edited_and_removed(admin_api, notify_settings):
    sub = WebhookSubscription.objects.create(name="a", url="http://127.0.0.1:1/h", events=["*"], secret="s")

    paused = admin_api.patch(
        f"/notifications/webhooks/{sub.pk}", {"is_active": False, "events": ["order.placed"]}
    )
    refused = admin_api.patch(f"/notifications/webhooks/{sub.pk}", {"url": "http://192.168.0.1/h"})
    settings_url = WebhookSubscription.objects.get().url
    removed = admin_api.delete(f"/notifications/webhooks/{sub.pk}")

    assert (paused.status_code, paused.json()["is_active"], paused.json()["events"]) == (
        200,
        False,
        ["order.placed"],
    )
    assert refused.status_code == 422
    assert settings_url == "http://127.0.0.1:1/h"
    assert removed.status_code == 204
    assert WebhookSubscription.objects.count() == 0
    assert admin_api.get(f"/notifications/webhooks/{sub.pk}").status_code == 404


# Deliveries ----------------------------------------------------------------------------


def test_the_delivery_log_lists_attempts_and_redelivers(admin_api, notify_settings, receiver):
    sub = WebhookSubscription.objects.create(name="a", url=receiver.url(), events=["*"], secret="s")
    customer = CustomerFactory(name="c", notify_email=False, notify_sms=False)
    row = outbox_emit(confirmed(customer.pk, "SO1"))
    outbox_dispatch(event_pk=row.pk)
    from dingdan.notifications import services

    services.deliveries_pump(budget_seconds=5)
    delivery = Delivery.objects.get()

    listing = admin_api.get("/notifications/deliveries", subscription_id=sub.pk)
    detail = admin_api.get(f"/notifications/deliveries/{delivery.pk}")
    redelivered = admin_api.post(f"/notifications/deliveries/{delivery.pk}/redeliver")

    assert [(d["event_id"], d["state"], d["last_status"]) for d in listing.json()["items"]] == [
        (str(row.event_id), "delivered", 200)
    ]
    assert [(a["number"], a["outcome"], a["status_code"]) for a in detail.json()["attempt_log"]] == [
        (1, "delivered", 200)
    ]
    assert (redelivered.status_code, redelivered.json()["state"]) == (200, "pending")
    assert admin_api.post("/notifications/deliveries/999999/redeliver").status_code == 404
    assert api_list_filtered(admin_api, event_id=str(row.event_id)) == [delivery.pk]


def api_list_filtered(api, **filters):
    return [d["id"] for d in api.get("/notifications/deliveries", **filters).json()["items"]]


# Templates -----------------------------------------------------------------------------


def test_an_administrator_overrides_a_template_and_previews_it(admin_api):
    stored = admin_api.put(
        "/notifications/templates/email/order.confirmed/en",
        {
            "subject": "Yay {{ number }}",
            "text": "Order {{ number }}: {{ total }}",
            "html": "<b>{{ number }}</b>",
        },
    )
    preview = admin_api.post(
        "/notifications/templates/preview", {"event_type": "order.confirmed", "language": "en"}
    )
    draft = admin_api.post(
        "/notifications/templates/preview",
        {"event_type": "order.confirmed", "text": "Draft {{ data.carrier }}", "html": "<i>{{ number }}</i>"},
    )

    assert stored.status_code == 200
    assert preview.json() == {
        "subject": "Yay SO260101-000042",
        "text": "Order SO260101-000042: 199.00",
        "html": "<b>SO260101-000042</b>",
    }
    assert draft.json() == {"subject": "", "text": "Draft SF Express", "html": "<i>SO260101-000042</i>"}
    assert MessageTemplate.objects.get().updated_by.startswith("user")


def test_the_default_template_previews_in_each_language(api_as):
    api = api_as("manager")

    subjects = [
        api.post(
            "/notifications/templates/preview", {"event_type": "shipment.shipped", "language": lang}
        ).json()
        for lang in ("zh-hans", "zh-hant", "en")
    ]

    assert [s["subject"] for s in subjects] == [
        "订单 SO260101-000042 已发货",
        "訂單 SO260101-000042 已出貨",
        "Order SO260101-000042 has shipped",
    ]
    assert "SF1234567890" in subjects[2]["text"]
    assert subjects[2]["html"].startswith("<!doctype html>")


def test_a_broken_template_is_refused_and_nothing_is_stored(admin_api):
    response = admin_api.put("/notifications/templates/sms/order.confirmed/zh-hans", {"text": "{% if %}"})
    unknown = admin_api.post("/notifications/templates/preview", {"event_type": "order.unknown"})

    assert (response.status_code, response.json()["code"]) == (422, "invalid_message_template")
    assert MessageTemplate.objects.count() == 0
    assert (unknown.status_code, unknown.json()["code"]) == (404, "message_template_not_found")


def test_removing_an_override_restores_the_default(admin_api):
    admin_api.put("/notifications/templates/email/order.cancelled/en", {"subject": "X", "text": "X"})

    assert admin_api.delete("/notifications/templates/email/order.cancelled/en").status_code == 204
    assert admin_api.delete("/notifications/templates/email/order.cancelled/en").status_code == 404
    preview = admin_api.post(
        "/notifications/templates/preview", {"event_type": "order.cancelled", "language": "en"}
    )
    assert preview.json()["subject"] == "Order SO260101-000042 is cancelled"


# Preferences ---------------------------------------------------------------------------


def test_preferences_are_read_and_replaced_with_if_match(admin_api):
    customer = CustomerFactory(name="c", email="c@example.com")
    read = admin_api.get(f"/notifications/preferences/{customer.pk}")
    etag = read["ETag"]
    body = {
        "notify_email": True,
        "notify_sms": True,
        "notify_opt_out": False,
        "notify_muted_events": ["order.cancelled"],
        "sms_quiet_start": "22:00",
        "sms_quiet_end": "08:00",
    }

    stored = admin_api.put(f"/notifications/preferences/{customer.pk}", body, headers={"If-Match": etag})
    stale = admin_api.put(
        f"/notifications/preferences/{customer.pk}", {**body, "notify_sms": False}, headers={"If-Match": etag}
    )

    assert read.json()["notify_muted_events"] == []
    assert stored.status_code == 200
    assert stored.json()["sms_quiet_start"] == "22:00"
    assert stale.status_code == 412
    customer.refresh_from_db()
    assert (customer.notify_sms, customer.notify_muted_events) == (True, ["order.cancelled"])
    assert (
        AuditEntry.objects.filter(aggregate_type="customer", action="notification_preferences_set").count()
        == 1
    )


def test_half_given_quiet_hours_are_refused(admin_api):
    customer = CustomerFactory(name="c")
    body = {"notify_email": True, "notify_sms": True, "sms_quiet_start": "22:00"}

    response = admin_api.put(f"/notifications/preferences/{customer.pk}", body)

    assert response.status_code == 422
    assert Customer.objects.get(pk=customer.pk).sms_quiet_start is None
    assert admin_api.get("/notifications/preferences/999999").status_code == 404


def test_low_stock_alerts_are_listed_for_the_dashboard(api_as):
    from dingdan.inventory.events import StockLow

    outbox_emit(
        StockLow(
            aggregate_id="1",
            warehouse_id=1,
            warehouse_code="sh",
            sku_id=2,
            sku_code="MUG-01",
            available=1,
            reorder_point=5,
        )
    )

    alerts = api_as("manager").get("/notifications/low-stock").json()

    assert [(a["warehouse_code"], a["sku_code"], a["available"], a["emails_sent"]) for a in alerts] == [
        ("sh", "MUG-01", 1, 0)
    ]


def test_the_delivery_list_reads_a_page_in_constant_queries(
    admin_api, notify_settings, django_assert_max_num_queries
):
    customer = CustomerFactory(name="c", email="c@example.com", notify_sms=False)
    for n in range(6):
        outbox_dispatch(event_pk=outbox_emit(confirmed(customer.pk, f"SO{n}")).pk)

    with django_assert_max_num_queries(5):  # token, principal, one page with its events
        page = admin_api.get("/notifications/deliveries", limit=4).json()

    assert len(page["items"]) == 4
    assert page["next"] is not None
    assert {item["channel"] for item in page["items"]} == {"email"}
