import datetime as dt
import io
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from dingdan.accounts.scopes import ROLES
from dingdan.channels.services import channel_create
from dingdan.core.actors import SYSTEM
from dingdan.core.exceptions import ValidationFailed
from dingdan.demo import loader
from dingdan.demo.data.staff import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

COUNTED = [
    "channels.Channel",
    "auth.User",
    "inventory.Warehouse",
    "catalog.TaxRate",
    "catalog.Product",
    "catalog.Sku",
    "catalog.PriceList",
    "catalog.PriceListItem",
    "customers.Customer",
    "customers.Address",
    "customers.Contact",
    "inventory.StockLevel",
    "inventory.StockMovement",
    "inventory.Reservation",
    "orders.Order",
    "orders.OrderLine",
    "core.AuditEntry",
    "core.OutboxEvent",
]


def counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


def demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def test_the_demo_loads_once_its_logins_work_and_verify_stays_clean():
    first_output = demo()
    loaded = counts()
    second_output = demo()

    assert counts() == loaded
    assert {k: loaded[k] for k in COUNTED[:4]} == {
        "channels.Channel": 7,
        "auth.User": len(ROLES) + 1,
        "inventory.Warehouse": 4,
        "catalog.TaxRate": 2,
    }
    assert (loaded["catalog.Product"], loaded["catalog.PriceList"], loaded["customers.Customer"]) == (
        320,
        9,
        320,
    )
    assert (loaded["orders.Order"], loaded["inventory.StockMovement"]) == (
        3000,
        loaded["inventory.StockLevel"],
    )
    assert "products       320 created" in first_output
    assert "orders-15      200 created" in first_output
    assert second_output.count("already loaded") == len(loader.SECTIONS)
    call_command("verify", stdout=io.StringIO())
    for username in [*ROLES, "admin"]:
        assert f"  {username:<18} {DEMO_PASSWORD}" in second_output
        assert Client().login(username=username, password=DEMO_PASSWORD), username
    assert get_user_model().objects.get(username="admin").is_superuser


def test_every_row_was_written_by_the_services_as_the_demo_actor(monkeypatch):
    monkeypatch.setattr(loader, "SECTIONS", loader.SECTIONS[:3])  # channels, staff, warehouses

    demo()

    audit = apps.get_model("core.AuditEntry").objects
    assert audit.filter(aggregate_type="channel", action="created", actor="demo").count() == 7
    assert audit.filter(aggregate_type="warehouse", action="created", actor="demo").count() == 4
    assert audit.filter(aggregate_type="user", action="created", actor="demo").count() == len(ROLES) + 1
    assert list(
        audit.filter(aggregate_type="demo_data").order_by("pk").values_list("aggregate_id", flat=True)
    ) == [
        "channels",
        "staff",
        "warehouses",
    ]


def test_a_failing_section_writes_nothing_and_loads_on_the_next_run(monkeypatch):
    monkeypatch.setattr(loader, "SECTIONS", loader.SECTIONS[:3])
    good = loader.WAREHOUSES
    monkeypatch.setattr(loader, "WAREHOUSES", [*good[:2], {**good[2], "postal_code": "1"}, good[3]])

    with pytest.raises(ValidationFailed):
        demo()

    assert counts()["inventory.Warehouse"] == 0
    assert not loader.demo_is_loaded("warehouses")
    assert loader.demo_is_loaded("staff")
    monkeypatch.setattr(loader, "WAREHOUSES", good)
    demo()
    assert counts()["inventory.Warehouse"] == 4


def test_a_channel_made_by_hand_is_kept_and_the_others_are_created(monkeypatch):
    monkeypatch.setattr(loader, "SECTIONS", loader.SECTIONS[:1])
    channel_create(actor=SYSTEM, code="web", name="我们的官网", kind="web", number_prefix="WEB")

    output = demo()

    channels = apps.get_model("channels.Channel").objects
    assert channels.count() == 7
    assert channels.get(code="web").name == "我们的官网"
    assert "channels         6 created" in output


def test_the_demo_orders_reach_every_status_so_far_dated_over_the_last_60_days(monkeypatch):
    monkeypatch.setattr(loader, "ORDER_COUNT", 600)

    demo()

    orders = apps.get_model("orders.Order").objects
    audit = apps.get_model("core.AuditEntry").objects.filter(aggregate_type="order")
    statuses = Counter(orders.values_list("status", flat=True))
    reasons = Counter(r["reason"] for held in orders.filter(status="on_hold") for r in held.hold_reasons)
    assert set(statuses) == {"confirmed", "pending_review", "on_hold", "rejected", "cancelled", "draft"}
    assert sum(statuses.values()) == 600
    assert {"insufficient_stock", "manual_hold"} <= set(reasons)
    assert set(audit.values_list("actor", flat=True)) == {"demo"}
    assert set(audit.values_list("action", flat=True)) == {
        "created",
        "submitted",
        "approved",
        "held",
        "rejected",
        "cancelled",
    }
    now, zone = timezone.now(), timezone.get_default_timezone()
    first, last = orders.order_by("pk").first(), orders.order_by("pk").last()
    assert now - dt.timedelta(days=60) < first.created_at < now - dt.timedelta(days=55)
    assert now - dt.timedelta(days=1) < last.created_at < now
    assert last.number[2:8] == f"{timezone.localdate(last.created_at, zone):%y%m%d}"
    assert list(orders.order_by("pk").values_list("created_at", flat=True)) == sorted(
        orders.values_list("created_at", flat=True)
    )
    call_command("verify", stdout=io.StringIO())
