"""Promotions and shipping fee rules: created, changed and deactivated (never deleted: orders
name them in their explanations)."""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record
from dingdan.core.exceptions import ApplicationError, ValidationFailed
from dingdan.core.outbox import outbox_emit
from dingdan.core.validation import snapshot

from ..events import PromotionChanged
from ..exceptions import PromotionCodeTaken, ShippingFeeRuleCodeTaken
from ..models import Promotion, PromotionScope, ShippingFeeRule
from ..pricing import promotion_problems
from ._common import (
    apply_changes,
    aware_fields,
    changed_fields,
    channel_id_for,
    clean,
    insert,
    raise_if_taken,
    update,
)

PERIOD = ("valid_from", "valid_to")

PROMOTION_AUDITED = [
    "code",
    "name",
    "kind",
    "target",
    "scope",
    "scope_codes",
    "percent",
    "amount",
    "min_subtotal",
    "buy_quantity",
    "get_quantity",
    "priority",
    "stackable",
    "requires_coupon",
    "channel",
    "customer_grade",
    "valid_from",
    "valid_to",
    "is_active",
]
PROMOTION_CHANGEABLE = PROMOTION_AUDITED[1:]
RULE_AUDITED = [
    "code",
    "name",
    "channel",
    "regions",
    "base_fee",
    "included_grams",
    "fee_per_kg",
    "free_above",
    "priority",
    "is_active",
]
RULE_CHANGEABLE = RULE_AUDITED[1:]

PROBLEM_MESSAGES = {
    "percent_required": _("Give a percentage above 0 and at most 1."),
    "amount_required": _("Give an amount above 0."),
    "min_subtotal_required": _("Give the minimum spend."),
    "order_target_required": _("This kind of promotion applies to the order."),
    "line_target_required": _("This kind of promotion applies to lines."),
    "quantities_required": _("Give how many to buy and how many are free (at least 1 each)."),
    "scope_codes_mismatch": _("Give codes for a SKU, product or category scope, and none for all goods."),
    "invalid_period": _("Must be after valid from."),
}


def _channel_in(changes: dict[str, Any]) -> dict[str, Any]:
    """`channel` (a code) replaced by `channel_id`."""
    if "channel" not in changes:
        return changes
    resolved = {name: value for name, value in changes.items() if name != "channel"}
    resolved["channel_id"] = channel_id_for(changes["channel"])
    return resolved


def _field_errors(problems: Sequence[tuple[str, str]]) -> ValidationFailed:
    return ValidationFailed(
        errors=[
            {"field": field, "message": str(PROBLEM_MESSAGES[code]), "code": code} for field, code in problems
        ]
    )


def _period_problems(valid_from: dt.datetime | None, valid_to: dt.datetime | None) -> list[tuple[str, str]]:
    if valid_from is not None and valid_to is not None and valid_to <= valid_from:
        return [("valid_to", "invalid_period")]
    return []


def _validate_promotion(promotion: Promotion) -> None:
    clean(promotion, exclude=["channel"])
    problems = promotion_problems(
        kind=promotion.kind,
        target=promotion.target,
        scope=promotion.scope,
        scope_codes=promotion.scope_codes,
        percent=Decimal(promotion.percent),
        amount=Decimal(promotion.amount),
        min_subtotal=Decimal(promotion.min_subtotal),
        buy_quantity=promotion.buy_quantity,
        get_quantity=promotion.get_quantity,
    )
    problems += _period_problems(promotion.valid_from, promotion.valid_to)
    if problems:
        raise _field_errors(problems)


def _promotion_code_taken(code: str) -> ApplicationError | None:
    return PromotionCodeTaken() if Promotion.objects.filter(code=code).exists() else None


@transaction.atomic
def promotion_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    target: str,
    scope: str = PromotionScope.ALL,
    channel: str | None = None,
    **fields: Any,
) -> Promotion:
    """A new promotion (fields: see the model; `channel` is a channel code, None for every
    channel). Its terms must be consistent (pricing.promotion_problems). Raises
    ValidationFailed, UnknownChannel and PromotionCodeTaken."""
    unknown = sorted(set(fields) - set(PROMOTION_CHANGEABLE))
    if unknown:
        raise TypeError(f"Promotion fields {', '.join(unknown)} are not known")
    channel_id = channel_id_for(channel)
    fields = aware_fields(fields, PERIOD)
    promotion = Promotion(
        code=code, name=name, kind=kind, target=target, scope=scope, channel_id=channel_id, **fields
    )
    promotion.scope_codes = list(promotion.scope_codes or [])
    _validate_promotion(promotion)
    raise_if_taken(_promotion_code_taken(code))
    insert(promotion, conflict=lambda: _promotion_code_taken(code))
    audit_record(
        aggregate_type="promotion",
        aggregate_id=promotion.pk,
        action="created",
        actor=actor,
        after=snapshot(promotion, PROMOTION_AUDITED),
    )
    outbox_emit(PromotionChanged(aggregate_id=str(promotion.pk), code=code, changed=["created"]))
    return promotion


@transaction.atomic
def promotion_update(*, actor: Actor, promotion: Promotion, **changes: Any) -> Promotion:
    """Change a promotion's terms (all but its code; `channel` is a channel code or None).
    Orders already priced keep what they got. Raises ValidationFailed and UnknownChannel."""
    before = snapshot(promotion, PROMOTION_AUDITED)
    changes = aware_fields(_channel_in(changes), PERIOD)
    apply_changes(promotion, changes, [*PROMOTION_CHANGEABLE, "channel_id"])
    _validate_promotion(promotion)
    changed = changed_fields(before, promotion, PROMOTION_CHANGEABLE)
    if changed:
        update(promotion, changed, conflict=lambda: None)
        audit_record(
            aggregate_type="promotion",
            aggregate_id=promotion.pk,
            action="updated",
            actor=actor,
            before={k: before[k] for k in changed},
            after=snapshot(promotion, changed),
        )
        outbox_emit(PromotionChanged(aggregate_id=str(promotion.pk), code=promotion.code, changed=changed))
    return promotion


def _rule_code_taken(code: str) -> ApplicationError | None:
    return ShippingFeeRuleCodeTaken() if ShippingFeeRule.objects.filter(code=code).exists() else None


@transaction.atomic
def shipping_fee_rule_create(
    *, actor: Actor, code: str, name: str, channel: str | None = None, **fields: Any
) -> ShippingFeeRule:
    """A new shipping fee rule (fields: see the model; `channel` is a channel code, None for
    every channel; `regions` a list of provinces, empty for all). Raises ValidationFailed,
    UnknownChannel and ShippingFeeRuleCodeTaken."""
    unknown = sorted(set(fields) - set(RULE_CHANGEABLE))
    if unknown:
        raise TypeError(f"Shipping fee rule fields {', '.join(unknown)} are not known")
    rule = ShippingFeeRule(code=code, name=name, channel_id=channel_id_for(channel), **fields)
    rule.regions = list(rule.regions or [])
    clean(rule, exclude=["channel"])
    raise_if_taken(_rule_code_taken(code))
    insert(rule, conflict=lambda: _rule_code_taken(code))
    audit_record(
        aggregate_type="shipping_fee_rule",
        aggregate_id=rule.pk,
        action="created",
        actor=actor,
        after=snapshot(rule, RULE_AUDITED),
    )
    return rule


@transaction.atomic
def shipping_fee_rule_update(*, actor: Actor, rule: ShippingFeeRule, **changes: Any) -> ShippingFeeRule:
    """Change a shipping fee rule (all but its code). Raises ValidationFailed, UnknownChannel."""
    before = snapshot(rule, RULE_AUDITED)
    apply_changes(rule, _channel_in(changes), [*RULE_CHANGEABLE, "channel_id"])
    clean(rule, exclude=["channel"])
    changed = changed_fields(before, rule, RULE_CHANGEABLE)
    if changed:
        update(rule, changed, conflict=lambda: None)
        audit_record(
            aggregate_type="shipping_fee_rule",
            aggregate_id=rule.pk,
            action="updated",
            actor=actor,
            before={k: before[k] for k in changed},
            after=snapshot(rule, changed),
        )
    return rule
