"""Registries through which higher contexts plug into orders without orders importing them
(ARCHITECTURE §3): the promised-date provider, the credit exposure provider and the stock
shortage options. Review checks register in `checks`."""

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from dingdan.core.actors import Actor


@dataclass(frozen=True)
class PromiseFacts:
    channel_sla_hours: int
    business_date: dt.date
    priority: str
    shipping_province: str


PromisedDateProvider = Callable[[PromiseFacts], dt.date | None]


def default_promised_date(facts: PromiseFacts) -> dt.date:
    """Ship within the channel's SLA, counted in whole days from the business date."""
    return facts.business_date + dt.timedelta(days=max(1, math.ceil(facts.channel_sla_hours / 24)))


_provider: list[PromisedDateProvider] = [default_promised_date]


def register_promised_date_provider(provider: PromisedDateProvider) -> None:
    """Fulfilment replaces the default with one that knows warehouses and carriers."""
    _provider[0] = provider


def promised_date(facts: PromiseFacts) -> dt.date | None:
    return _provider[0](facts)


# Credit exposure (the review's credit check) ----------------------------------------------

CreditExposureProvider = Callable[[int], Decimal]


def _no_provider(customer_id: int) -> Decimal:  # pragma: no cover - replaced in credit_exposure
    return Decimal("0")


_exposure: list[CreditExposureProvider] = [_no_provider]


def register_credit_exposure_provider(provider: CreditExposureProvider) -> None:
    """Billing replaces the default (the value of the customer's open unpaid orders) with
    its open receivables: a function of the customer id returning a Decimal."""
    _exposure[0] = provider


def credit_exposure_provider() -> CreditExposureProvider | None:
    """The registered provider, or None while orders' own default applies."""
    return None if _exposure[0] is _no_provider else _exposure[0]


# Stock shortage options ---------------------------------------------------------------------


@dataclass(frozen=True)
class ShortageFacts:
    """What is known about one short line (plain values only)."""

    order_id: int
    order_number: str
    channel_id: int
    priority: str
    line_id: int
    line_number: int
    sku_id: int
    sku_code: str
    quantity: int  # the line's ordered quantity
    short_quantity: int  # what stock could not cover (the line's backorder quantity)
    warehouse_ids: tuple[int, ...]  # active warehouses, in the order reservations try them


@dataclass(frozen=True)
class ShortageOption:
    """An option offered to the clerk: its code, a label and what the system knows
    (inbound quantity and date, the other warehouse and its available quantity, ...).
    `details` are plain JSON values; they come back to `carry_out` unchanged."""

    code: str
    label: str
    details: dict[str, Any] = field(default_factory=dict)


class ShortageProvider(Protocol):
    def offer(self, facts: ShortageFacts) -> ShortageOption | None:
        """The option for this line, or None when it does not apply."""

    def carry_out(self, facts: ShortageFacts, *, option: ShortageOption, actor: Actor) -> None:
        """Carry the option out inside the caller's transaction (the order row is locked).
        Raise an ApplicationError (nothing is kept) when it can no longer be done."""


_shortage: dict[str, ShortageProvider] = {}


def register_shortage_option(code: str, provider: ShortageProvider) -> None:
    """Other contexts (another warehouse, split shipment, purchase) register theirs at app
    start; a code registered again replaces the earlier provider."""
    _shortage[code] = provider


def shortage_providers() -> dict[str, ShortageProvider]:
    return dict(_shortage)
