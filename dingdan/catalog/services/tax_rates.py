from decimal import Decimal
from typing import Any

from django.db import transaction

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record
from dingdan.core.exceptions import ApplicationError
from dingdan.core.validation import snapshot

from ..exceptions import TaxRateCodeTaken
from ..models import TaxRate
from ._common import apply_changes, changed_fields, clean, insert, raise_if_taken, update

AUDITED = ["code", "name", "rate", "is_active"]
CHANGEABLE = ["name", "rate", "is_active"]


def _code_taken(code: str) -> ApplicationError | None:
    return TaxRateCodeTaken() if TaxRate.objects.filter(code=code).exists() else None


@transaction.atomic
def tax_rate_create(*, actor: Actor, code: str, name: str, rate: Decimal, is_active: bool = True) -> TaxRate:
    """A new tax rate. The rate is a fraction from 0 to 1 with at most four places.
    Raises ValidationFailed for bad fields and TaxRateCodeTaken when the code is in use."""
    tax_rate = TaxRate(code=code, name=name, rate=rate, is_active=is_active)
    clean(tax_rate)
    raise_if_taken(_code_taken(code))
    insert(tax_rate, conflict=lambda: _code_taken(code))
    audit_record(
        aggregate_type="tax_rate",
        aggregate_id=tax_rate.pk,
        action="created",
        actor=actor,
        after=snapshot(tax_rate, AUDITED),
    )
    return tax_rate


@transaction.atomic
def tax_rate_update(*, actor: Actor, tax_rate: TaxRate, **changes: Any) -> TaxRate:
    """Change a tax rate's name, rate or active flag; the code is its identity and cannot change.
    A new rate applies to prices quoted from now on. Raises ValidationFailed for bad fields."""
    before = snapshot(tax_rate, AUDITED)
    apply_changes(tax_rate, changes, CHANGEABLE)
    clean(tax_rate)
    changed = changed_fields(before, tax_rate, CHANGEABLE)
    if changed:
        update(tax_rate, changed, conflict=lambda: None)
        audit_record(
            aggregate_type="tax_rate",
            aggregate_id=tax_rate.pk,
            action="updated",
            actor=actor,
            before={k: before[k] for k in changed},
            after=snapshot(tax_rate, changed),
        )
    return tax_rate
