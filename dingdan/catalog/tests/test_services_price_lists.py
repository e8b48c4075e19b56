from decimal import Decimal

import pytest

from dingdan.catalog import services
from dingdan.catalog.exceptions import (
    DuplicatePriceListItem,
    PriceListCodeTaken,
    UnknownChannel,
    UnknownSku,
)
from dingdan.catalog.models import PriceList, PriceListItem
from dingdan.catalog.services import price_lists as price_list_services
from dingdan.core.actors import SYSTEM, Actor
from dingdan.core.audit import audit_timeline, audit_verify
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.models import AuditEntry

from .factories import (
    PriceListFactory,
    catalog_counts,
    make_channel,
    shirt_fields,
)

pytestmark = pytest.mark.django_db

CLERK = Actor(username="wang.fang", user_id=8)


# Price lists


@pytest.fixture
def tees(vat13):
    product = services.product_create(actor=SYSTEM, **shirt_fields())
    return {sku.code: sku for sku in product.skus.all()}


def test_a_price_list_is_created_with_its_items_by_sku_code_and_audited(tees):
    channel = make_channel("web")

    price_list = services.price_list_create(
        actor=CLERK,
        code="web-vip",
        name="官网 VIP",
        channel="web",
        customer_grade="vip",
        items=[
            {"sku_code": "TS-001-BK-M", "price": Decimal("99")},
            {"sku": tees["TS-001-BK-M"], "price": Decimal("89.5"), "min_quantity": 10},
        ],
    )

    assert (price_list.channel_id, price_list.customer_grade, price_list.currency) == (
        channel.pk,
        "vip",
        "CNY",
    )
    items = [(i.sku.code, i.min_quantity, str(i.price)) for i in price_list.items.all()]
    assert items == [("TS-001-BK-M", 1, "99.00"), ("TS-001-BK-M", 10, "89.50")]
    [entry] = audit_timeline(aggregate_type="price_list", aggregate_id=price_list.pk)
    assert entry.after["items"] == {"TS-001-BK-M/1": "99.00", "TS-001-BK-M/10": "89.50"}
    assert entry.after["channel"] == channel.pk


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"items": [{"sku_code": "NOPE", "price": Decimal("1")}]}, UnknownSku),
        ({"channel": "nope"}, UnknownChannel),
        ({"currency": "ABC"}, ValidationFailed),
        ({"customer_grade": "VIP!"}, ValidationFailed),
        ({"valid_from": "2026-03-01", "valid_to": "2026-02-01"}, ValidationFailed),
        ({"items": [{"sku_code": "TS-001-BK-M", "price": Decimal("-1")}]}, ValidationFailed),
        (
            {"items": [{"sku_code": "TS-001-BK-M", "price": Decimal("1"), "min_quantity": 0}]},
            ValidationFailed,
        ),
        (
            {
                "items": [
                    {"sku_code": "TS-001-BK-M", "price": Decimal("1")},
                    {"sku_code": "TS-001-BK-M", "price": 2},
                ]
            },
            DuplicatePriceListItem,
        ),
    ],
)
def test_a_price_list_with_bad_terms_or_items_creates_nothing(tees, fields, error):
    before = catalog_counts()

    with pytest.raises(error):
        services.price_list_create(actor=CLERK, code="bad", name="bad", **fields)

    assert catalog_counts() == before


def test_a_valid_to_before_valid_from_is_reported_on_valid_to(tees):
    with pytest.raises(ValidationFailed) as caught:
        services.price_list_create(
            actor=CLERK, code="bad", name="bad", valid_from="2026-03-01", valid_to="2026-02-01"
        )

    assert [(e["field"], e["code"]) for e in caught.value.errors] == [("valid_to", "invalid_period")]


def test_a_taken_price_list_code_is_a_conflict(tees):
    PriceListFactory(code="retail")
    before = catalog_counts()

    with pytest.raises(PriceListCodeTaken):
        services.price_list_create(actor=CLERK, code="retail", name="again")

    assert catalog_counts() == before


def test_a_price_list_code_taken_by_a_racing_insert_is_the_same_conflict(tees, monkeypatch):
    PriceListFactory(code="retail")
    monkeypatch.setattr(price_list_services, "raise_if_taken", lambda error: None)
    before = catalog_counts()

    with pytest.raises(PriceListCodeTaken):
        services.price_list_create(
            actor=CLERK,
            code="retail",
            name="again",
            items=[{"sku": tees["TS-001-BK-M"], "price": Decimal("1")}],
        )

    assert catalog_counts() == before


def test_setting_items_adds_and_reprices_and_audits_only_the_difference(tees):
    price_list = PriceListFactory(
        items=[
            {"sku_code": "TS-001-BK-M", "price": Decimal("99")},
            {"sku_code": "TS-001-BK-L", "price": Decimal("109")},
        ]
    )

    services.price_list_items_set(
        actor=CLERK,
        price_list=price_list,
        items=[
            {"sku_code": "TS-001-BK-M", "price": Decimal("95")},
            {"sku_code": "TS-001-BK-L", "price": Decimal("109.00")},
            {"sku_code": "TS-001-BK-L", "price": Decimal("99"), "min_quantity": 12},
        ],
    )

    prices = set(PriceListItem.objects.values_list("sku__code", "min_quantity", "price"))
    assert prices == {
        ("TS-001-BK-M", 1, Decimal("95.00")),
        ("TS-001-BK-L", 1, Decimal("109.00")),
        ("TS-001-BK-L", 12, Decimal("99.00")),
    }
    entry = AuditEntry.objects.get(aggregate_type="price_list", action="items_set")
    assert entry.before == {"items": {"TS-001-BK-M/1": "99.00"}}
    assert entry.after == {"items": {"TS-001-BK-M/1": "95.00", "TS-001-BK-L/12": "99.00"}}


def test_replacing_items_removes_the_prices_not_given(tees):
    price_list = PriceListFactory(
        items=[
            {"sku_code": "TS-001-BK-M", "price": Decimal("99")},
            {"sku_code": "TS-001-BK-L", "price": Decimal("109")},
        ]
    )

    result = services.price_list_items_set(
        actor=CLERK,
        price_list=price_list,
        items=[{"sku_code": "TS-001-BK-L", "price": Decimal("109")}],
        replace=True,
    )

    assert [(i.sku.code, i.price) for i in result.items.all()] == [("TS-001-BK-L", Decimal("109.00"))]
    entry = AuditEntry.objects.get(aggregate_type="price_list", action="items_set")
    assert (entry.before, entry.after) == ({"items": {"TS-001-BK-M/1": "99.00"}}, {"items": {}})


def test_setting_the_same_prices_again_writes_no_audit_entry(tees):
    items = [{"sku_code": "TS-001-BK-M", "price": Decimal("99")}]
    price_list = PriceListFactory(items=items)

    services.price_list_items_set(actor=CLERK, price_list=price_list, items=items, replace=True)

    assert not AuditEntry.objects.filter(action="items_set").exists()


def test_an_unknown_sku_in_the_items_changes_nothing(tees):
    price_list = PriceListFactory(items=[{"sku_code": "TS-001-BK-M", "price": Decimal("99")}])
    before = catalog_counts()

    with pytest.raises(UnknownSku) as caught:
        services.price_list_items_set(
            actor=CLERK,
            price_list=price_list,
            items=[
                {"sku_code": "TS-001-BK-M", "price": Decimal("1")},
                {"sku_code": "NOPE", "price": Decimal("1")},
            ],
            replace=True,
        )

    assert caught.value.errors[0]["field"] == "items.1.sku_code"
    assert PriceListItem.objects.get().price == Decimal("99.00")
    assert catalog_counts() == before


def test_a_price_list_update_resolves_the_channel_code_and_audits(tees):
    channel = make_channel("shop")
    price_list = PriceListFactory(priority=1)

    services.price_list_update(actor=CLERK, price_list=price_list, channel="shop", priority=5)
    services.price_list_update(actor=CLERK, price_list=price_list, channel=None)

    first, second = AuditEntry.objects.filter(action="updated").order_by("sequence")
    assert (first.before, first.after) == (
        {"channel": None, "priority": 1},
        {"channel": channel.pk, "priority": 5},
    )
    assert (second.before, second.after) == ({"channel": channel.pk}, {"channel": None})
    assert audit_verify(aggregate_type="price_list") == []


def test_a_price_list_update_with_an_unknown_channel_changes_nothing(tees):
    price_list = PriceListFactory()
    before = catalog_counts()

    with pytest.raises(UnknownChannel):
        price_list_services.price_list_update(actor=CLERK, price_list=price_list, channel="nope")

    assert PriceList.objects.get().channel_id is None
    assert catalog_counts() == before
