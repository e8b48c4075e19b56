"""Registries through which higher contexts plug into orders without orders importing them
(ARCHITECTURE §3): the promised-date provider. Review checks register in `checks`."""

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass


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
