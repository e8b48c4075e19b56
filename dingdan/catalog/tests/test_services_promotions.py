"""Promotions, shipping fee rules and coupons through the services: validation, audit,
redemption counters and their release."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dingdan.catalog import selectors, services
from dingdan.catalog.exceptions import (
    CouponAlreadyRedeemed,
    CouponCustomerLimitReached,
    CouponExhausted,
    CouponNotUsable,
    PromotionCodeTaken,
    UnknownChannel,
    UnknownPromotion,
)
from dingdan.catalog.models import Coupon, CouponCustomerUsage, CouponRedemption, Promotion, ShippingFeeRule
from dingdan.core.actors import SYSTEM
from dingdan.core.audit import audit_timeline
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.models import AuditEntry, OutboxEvent

from .factories import make_channel

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "promotions": Promotion.objects.count(),
        "coupons": Coupon.objects.count(),
        "rules": ShippingFeeRule.objects.count(),
        "redemptions": CouponRedemption.objects.count(),
        "audit": AuditEntry.objects.count(),
        "outbox": OutboxEvent.objects.count(),
    }


def make_promotion(code="welcome", **fields):
    values = {"kind": "amount_off", "target": "order", "amount": Decimal("20"), "requires_coupon": True}
    return services.promotion_create(actor=SYSTEM, code=code, name=f"促销 {code}", **{**values, **fields})


def make_coupon(code="HELLO", promotion=None, **fields):
    return services.coupon_create(actor=SYSTEM, code=code, promotion=promotion or make_promotion(), **fields)


def used(coupon, customer_id=None):
    coupon.refresh_from_db()
    if customer_id is None:
        return coupon.used_count
    usage = CouponCustomerUsage.objects.filter(coupon=coupon, customer_id=customer_id).first()
    return coupon.used_count, usage.used_count if usage else 0


def test_a_promotion_is_created_for_a_channel_audited_and_announced():
    channel = make_channel("web")
    terms = {"kind": "percent_off", "target": "line", "percent": Decimal("0.15"), "amount": Decimal("0")}
    promotion = make_promotion("tee15", scope="category", scope_codes=["apparel"], channel="web", **terms)

    assert (promotion.channel_id, promotion.scope_codes, promotion.percent) == (
        channel.pk,
        ["apparel"],
        Decimal("0.1500"),
    )
    (entry,) = audit_timeline(aggregate_type="promotion", aggregate_id=promotion.pk)
    assert (entry.action, entry.after["kind"], entry.after["scope"]) == ("created", "percent_off", "category")
    event = OutboxEvent.objects.get(type="promotion.changed")
    assert (event.aggregate_id, event.data["code"], event.data["changed"]) == (
        str(promotion.pk),
        "tee15",
        ["created"],
    )


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"kind": "percent_off", "percent": Decimal("0")}, "percent", "percent_required"),
        ({"kind": "threshold_off", "min_subtotal": Decimal("0")}, "min_subtotal", "min_subtotal_required"),
        ({"kind": "buy_x_get_y", "target": "line"}, "buy_quantity", "quantities_required"),
        ({"scope": "sku"}, "scope_codes", "scope_codes_mismatch"),
        ({"percent": Decimal("1.5"), "kind": "percent_off"}, "percent", "max_value"),
        (
            {"valid_from": dt.datetime(2026, 2, 1, tzinfo=dt.UTC), "valid_to": dt.datetime(2026, 1, 1)},
            "valid_to",
            "invalid_period",
        ),
    ],
)
def test_inconsistent_promotion_terms_are_refused_and_nothing_is_written(fields, field, code):
    before = counts()
    with pytest.raises(ValidationFailed) as raised:
        make_promotion(**fields)
    assert (raised.value.errors[0]["field"], raised.value.errors[0]["code"]) == (field, code)
    assert counts() == before


def test_a_promotion_code_is_unique_and_an_unknown_channel_is_named():
    make_promotion("welcome")
    before = counts()
    with pytest.raises(PromotionCodeTaken):
        make_promotion("welcome")
    with pytest.raises(UnknownChannel) as raised:
        make_promotion("other", channel="nowhere")
    assert raised.value.errors[0]["field"] == "channel"
    assert counts() == before


def test_a_promotion_update_audits_only_what_changed():
    promotion = make_promotion()
    services.promotion_update(actor=SYSTEM, promotion=promotion, amount=Decimal("25"), is_active=False)
    services.promotion_update(actor=SYSTEM, promotion=promotion, amount=Decimal("25"))

    entries = audit_timeline(aggregate_type="promotion", aggregate_id=promotion.pk)
    assert [e.action for e in entries] == ["created", "updated"]
    assert entries[1].before == {"amount": "20.00", "is_active": True}
    assert Promotion.objects.get().amount == Decimal("25.00")


def test_a_shipping_fee_rule_is_created_and_updated_with_its_provinces():
    make_channel("web")
    rule = services.shipping_fee_rule_create(
        actor=SYSTEM, code="sf", name="顺丰", channel="web", regions=["广东省"], base_fee=Decimal("12")
    )
    services.shipping_fee_rule_update(actor=SYSTEM, rule=rule, free_above=Decimal("99"), channel=None)

    rule.refresh_from_db()
    assert (rule.channel_id, rule.regions, rule.free_above) == (None, ["广东省"], Decimal("99.00"))
    assert [e.action for e in audit_timeline(aggregate_type="shipping_fee_rule", aggregate_id=rule.pk)] == [
        "created",
        "updated",
    ]


def test_a_coupon_code_is_kept_in_capitals_and_needs_a_known_promotion():
    coupon = make_coupon("hello-2026", usage_limit=10)
    assert (coupon.code, selectors.coupon_get(code=" Hello-2026 ").pk) == ("HELLO-2026", coupon.pk)
    before = counts()
    with pytest.raises(UnknownPromotion):
        services.coupon_create(actor=SYSTEM, code="X", promotion="nope")
    assert counts() == before


def test_redeeming_counts_in_total_and_per_customer_and_twice_for_one_order_counts_once():
    coupon = make_coupon(usage_limit=5, per_customer_limit=2)

    first = services.coupon_redeem(code="hello", order_number="SO1", customer_id=7, actor=SYSTEM)
    again = services.coupon_redeem(code="HELLO", order_number="SO1", customer_id=7, actor=SYSTEM)
    services.coupon_redeem(code="HELLO", order_number="SO2", customer_id=8, actor=SYSTEM)

    assert first.pk == again.pk
    assert used(coupon, 7) == (2, 1)
    assert [e.action for e in audit_timeline(aggregate_type="coupon", aggregate_id=coupon.pk)] == [
        "created",
        "redeemed",
        "redeemed",
    ]


def test_the_last_use_goes_to_one_order_and_the_next_is_refused_with_nothing_counted():
    coupon = make_coupon(usage_limit=1)
    services.coupon_redeem(code="HELLO", order_number="SO1", customer_id=7, actor=SYSTEM)
    before = counts()

    with pytest.raises(CouponExhausted) as raised:
        services.coupon_redeem(code="HELLO", order_number="SO2", customer_id=8, actor=SYSTEM)

    assert (raised.value.status, raised.value.code) == (409, "coupon_exhausted")
    assert (used(coupon), counts()) == (1, before)


def test_the_per_customer_limit_refuses_the_customers_next_use_only():
    coupon = make_coupon(per_customer_limit=1)
    services.coupon_redeem(code="HELLO", order_number="SO1", customer_id=7, actor=SYSTEM)

    with pytest.raises(CouponCustomerLimitReached):
        services.coupon_redeem(code="HELLO", order_number="SO2", customer_id=7, actor=SYSTEM)
    services.coupon_redeem(code="HELLO", order_number="SO3", customer_id=8, actor=SYSTEM)

    assert used(coupon, 7) == (2, 1)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"is_active": False}, "coupon_inactive"),
        ({"valid_to": "past"}, "coupon_expired"),
        ({"valid_from": "future"}, "coupon_not_yet_valid"),
    ],
)
def test_an_unusable_coupon_is_refused_with_the_reason_and_nothing_counted(fields, reason):
    now = timezone.now()
    moments = {"past": now - dt.timedelta(minutes=1), "future": now + dt.timedelta(hours=1)}
    coupon = make_coupon(**{name: moments.get(value, value) for name, value in fields.items()})
    before = counts()

    with pytest.raises(CouponNotUsable) as raised:
        services.coupon_redeem(code="HELLO", order_number="SO1", customer_id=7, actor=SYSTEM)

    assert (raised.value.status, raised.value.code) == (422, reason)
    assert "HELLO" in str(raised.value.message)
    assert (used(coupon), counts()) == (0, before)


def test_an_unknown_coupon_is_refused():
    with pytest.raises(CouponNotUsable) as raised:
        services.coupon_redeem(code="NOPE", order_number="SO1", customer_id=7, actor=SYSTEM)
    assert raised.value.code == "coupon_unknown"


def test_releasing_gives_the_use_back_once_and_the_order_may_redeem_again():
    coupon = make_coupon(usage_limit=1, per_customer_limit=1)
    services.coupon_redeem(code="HELLO", order_number="SO1", customer_id=7, actor=SYSTEM)

    assert services.coupon_release(order_number="SO1", actor=SYSTEM) == 1
    assert services.coupon_release(order_number="SO1", actor=SYSTEM) == 0
    assert used(coupon, 7) == (0, 0)
    assert CouponRedemption.objects.get().released_at is not None

    services.coupon_redeem(code="HELLO", order_number="SO1", customer_id=7, actor=SYSTEM)
    assert used(coupon, 7) == (1, 1)
    assert CouponRedemption.objects.get().released_at is None


def test_a_usage_limit_cannot_go_below_the_uses_so_far():
    coupon = make_coupon(usage_limit=5)
    for number in ("SO1", "SO2"):
        services.coupon_redeem(code="HELLO", order_number=number, customer_id=7, actor=SYSTEM)

    with pytest.raises(ValidationFailed) as raised:
        services.coupon_update(actor=SYSTEM, coupon=coupon, usage_limit=1)
    assert raised.value.errors[0]["code"] == "below_used_count"
    services.coupon_update(actor=SYSTEM, coupon=coupon, usage_limit=2)
    assert Coupon.objects.get().usage_limit == 2


def test_a_redemption_row_for_the_same_order_is_unique():
    coupon = make_coupon()
    CouponRedemption.objects.create(
        coupon=coupon, order_number="SO1", customer_id=7, redeemed_at=timezone.now()
    )
    # A row another transaction inserted meanwhile (not seen by the early check) is a conflict.
    with pytest.raises(CouponAlreadyRedeemed):
        services.coupons._record(coupon, "SO1", 7, timezone.now())  # type: ignore[attr-defined]
