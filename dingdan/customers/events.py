"""Events of the customers context. They carry no personal data: consumers that need a
phone or an address read it through the selectors, which mask and log as the rules say."""

from dataclasses import dataclass
from typing import ClassVar

from dingdan.core.events import Event


@dataclass(frozen=True, kw_only=True)
class CustomerCreated(Event):
    type: ClassVar[str] = "customer.created"
    aggregate_type: ClassVar[str] = "customer"
    code: str
    kind: str
    grade: str


@dataclass(frozen=True, kw_only=True)
class CustomerUpdated(Event):
    """`changed` names the customer's fields that changed, or "addresses" / "contacts"."""

    type: ClassVar[str] = "customer.updated"
    aggregate_type: ClassVar[str] = "customer"
    code: str
    version: int
    changed: tuple[str, ...]
