"""Coupons: created and changed by staff, redeemed by orders and released when an order is
cancelled. Use counts change only by conditional UPDATE, so a limit is never passed however
many orders race for the last use: the UPDATE holds the coupon's row until the order commits,
which also keeps the coupon's audit chain in order. An order redeeming several coupons takes
them in code order, so two orders never wait for each other."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record
from dingdan.core.exceptions import ApplicationError, ValidationFailed
from dingdan.core.validation import snapshot

from ..exceptions import (
    CouponAlreadyRedeemed,
    CouponCodeTaken,
    UnknownPromotion,
    coupon_error,
)
from ..models import Coupon, CouponCustomerUsage, CouponRedemption, Promotion
from ..pricing import CouponRejection, in_period, normalize_coupon_code
from ._common import (
    apply_changes,
    aware,
    aware_fields,
    changed_fields,
    clean,
    field_error,
    insert,
    raise_if_taken,
    update,
)

AUDITED = ["code", "promotion", "usage_limit", "per_customer_limit", "valid_from", "valid_to", "is_active"]
CHANGEABLE = AUDITED[2:]


def _code_taken(code: str) -> ApplicationError | None:
    return CouponCodeTaken() if Coupon.objects.filter(code=code).exists() else None


def _promotion(ref: Promotion | str) -> Promotion:
    if isinstance(ref, Promotion):
        return ref
    promotion = Promotion.objects.filter(code=ref).first()
    if promotion is None:
        raise field_error(UnknownPromotion(), "promotion")
    return promotion


def _validate(coupon: Coupon) -> None:
    clean(coupon, exclude=["promotion"])
    errors = []
    if coupon.valid_from and coupon.valid_to and coupon.valid_to <= coupon.valid_from:
        message = _("Must be after valid from.")
        errors.append({"field": "valid_to", "message": message, "code": "invalid_period"})
    if coupon.usage_limit is not None and coupon.usage_limit < coupon.used_count:
        message = _("The coupon has been used %(count)d times already.") % {"count": coupon.used_count}
        errors.append({"field": "usage_limit", "message": message, "code": "below_used_count"})
    if errors:
        raise ValidationFailed(errors=errors)


@transaction.atomic
def coupon_create(
    *,
    actor: Actor,
    code: str,
    promotion: Promotion | str,
    usage_limit: int | None = None,
    per_customer_limit: int | None = None,
    valid_from: dt.datetime | None = None,
    valid_to: dt.datetime | None = None,
    is_active: bool = True,
) -> Coupon:
    """A new coupon for a promotion (object or code); codes are kept in capitals. Limits of
    None are unlimited. Raises ValidationFailed, UnknownPromotion and CouponCodeTaken."""
    code = normalize_coupon_code(code)
    coupon = Coupon(
        code=code,
        promotion=_promotion(promotion),
        usage_limit=usage_limit,
        per_customer_limit=per_customer_limit,
        valid_from=aware(valid_from),
        valid_to=aware(valid_to),
        is_active=is_active,
    )
    _validate(coupon)
    raise_if_taken(_code_taken(code))
    insert(coupon, conflict=lambda: _code_taken(code))
    audit_record(
        aggregate_type="coupon",
        aggregate_id=coupon.pk,
        action="created",
        actor=actor,
        after=snapshot(coupon, AUDITED),
    )
    return coupon


@transaction.atomic
def coupon_update(*, actor: Actor, coupon: Coupon, **changes: Any) -> Coupon:
    """Change a coupon's limits, validity or active flag (not its code or promotion). The
    usage limit cannot go below the uses so far. Raises ValidationFailed."""
    # The conditional UPDATE of a redemption holds this row; lock it too, so a lowered limit
    # is checked against the current count.
    locked = Coupon.objects.select_for_update().filter(pk=coupon.pk).values_list("used_count", flat=True)
    coupon.used_count = locked.get()
    before = snapshot(coupon, AUDITED)
    apply_changes(coupon, aware_fields(changes, ("valid_from", "valid_to")), CHANGEABLE)
    _validate(coupon)
    changed = changed_fields(before, coupon, CHANGEABLE)
    if changed:
        update(coupon, changed, conflict=lambda: None)
        audit_record(
            aggregate_type="coupon",
            aggregate_id=coupon.pk,
            action="updated",
            actor=actor,
            before={k: before[k] for k in changed},
            after=snapshot(coupon, changed),
        )
    return coupon


def _usable(code: str, at: dt.datetime) -> Coupon:
    coupon = Coupon.objects.select_related("promotion").filter(code=code).first()
    if coupon is None:
        raise coupon_error(code, CouponRejection.UNKNOWN)
    if not (coupon.is_active and coupon.promotion.is_active):
        raise coupon_error(code, CouponRejection.INACTIVE)
    if not in_period(at, coupon.valid_from, coupon.valid_to):
        expired = coupon.valid_to is not None and at >= coupon.valid_to
        raise coupon_error(code, CouponRejection.EXPIRED if expired else CouponRejection.NOT_YET_VALID)
    return coupon


def _count_use(coupon: Coupon, customer_id: int, now: dt.datetime) -> None:
    """One more use in total and by the customer, each within its limit (conditional UPDATEs)."""
    within_limit = Q(usage_limit__isnull=True) | Q(used_count__lt=F("usage_limit"))
    counted = Coupon.objects.filter(within_limit, pk=coupon.pk).update(
        used_count=F("used_count") + 1, updated_at=now
    )
    if not counted:
        raise coupon_error(coupon.code, CouponRejection.EXHAUSTED)
    CouponCustomerUsage.objects.get_or_create(coupon=coupon, customer_id=customer_id)
    usage = CouponCustomerUsage.objects.filter(coupon=coupon, customer_id=customer_id)
    if coupon.per_customer_limit is not None:
        usage = usage.filter(used_count__lt=coupon.per_customer_limit)
    if not usage.update(used_count=F("used_count") + 1):
        raise coupon_error(coupon.code, CouponRejection.CUSTOMER_LIMIT)


def _record(coupon: Coupon, order_number: str, customer_id: int, now: dt.datetime) -> CouponRedemption:
    """The redemption row: a released one of the same order is taken again, else a new one."""
    again = CouponRedemption.objects.filter(
        coupon=coupon, order_number=order_number, released_at__isnull=False
    ).update(released_at=None, redeemed_at=now, customer_id=customer_id)
    if not again:
        try:
            with transaction.atomic():
                return CouponRedemption.objects.create(
                    coupon=coupon, order_number=order_number, customer_id=customer_id, redeemed_at=now
                )
        except IntegrityError:
            raise CouponAlreadyRedeemed() from None
    return CouponRedemption.objects.get(coupon=coupon, order_number=order_number)


@transaction.atomic
def coupon_redeem(
    *, code: str, order_number: str, customer_id: int, actor: Actor, at: dt.datetime | None = None
) -> CouponRedemption:
    """Use a coupon for an order, inside the caller's transaction. The coupon must exist, be
    active (and its promotion), be valid at `at` (default now), and have a use left in total
    and for the customer. Redeeming it again for the same order changes nothing. Raises
    CouponNotUsable (422: unknown, inactive, not yet valid, expired), CouponExhausted and
    CouponCustomerLimitReached (409); nothing is counted then."""
    now = timezone.now()
    coupon = _usable(normalize_coupon_code(code), aware(at) or now)
    held = CouponRedemption.objects.filter(coupon=coupon, order_number=order_number, released_at__isnull=True)
    existing = held.first()
    if existing is not None:
        return existing
    _count_use(coupon, customer_id, now)
    redemption = _record(coupon, order_number, customer_id, now)
    audit_record(
        aggregate_type="coupon",
        aggregate_id=coupon.pk,
        action="redeemed",
        actor=actor,
        after={"order_number": order_number, "customer_id": customer_id},
    )
    return redemption


@transaction.atomic
def coupon_release(*, order_number: str, actor: Actor, code: str | None = None) -> int:
    """Give back the uses an order made (all its coupons, or the one with `code`), e.g. when
    it is cancelled, inside the caller's transaction. Releasing twice changes nothing. Returns
    how many redemptions were released."""
    now = timezone.now()
    held = CouponRedemption.objects.filter(order_number=order_number, released_at__isnull=True)
    if code is not None:
        held = held.filter(coupon__code=normalize_coupon_code(code))
    released = 0
    for redemption in held.select_related("coupon").order_by("coupon__code"):
        mine = CouponRedemption.objects.filter(pk=redemption.pk, released_at__isnull=True)
        if not mine.update(released_at=now):
            continue  # a concurrent release got there first
        Coupon.objects.filter(pk=redemption.coupon_id, used_count__gt=0).update(
            used_count=F("used_count") - 1, updated_at=now
        )
        CouponCustomerUsage.objects.filter(
            coupon_id=redemption.coupon_id, customer_id=redemption.customer_id, used_count__gt=0
        ).update(used_count=F("used_count") - 1)
        audit_record(
            aggregate_type="coupon",
            aggregate_id=redemption.coupon_id,
            action="released",
            actor=actor,
            before={"order_number": order_number, "customer_id": redemption.customer_id},
        )
        released += 1
    return released
