"""Domain events: past-tense classes in code, dotted lower-case types on the wire.

A context declares one frozen, keyword-only dataclass per payload shape (`OrderEvent`), and one
plain subclass per event that only names its `type` (`class OrderPlaced(OrderEvent): type =
"order.placed"`): the subclass inherits the fields, constructor, equality and immutability, so
it needs no @dataclass of its own. An event that adds fields is a dataclass again.
"""

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True, kw_only=True)
class Event:
    type: ClassVar[str]  # e.g. "order.placed"
    aggregate_type: ClassVar[str]  # e.g. "order"
    aggregate_id: str
    # The sales channel of the order the event concerns (None: it concerns no order). Not in
    # the payload: the outbox keeps it in a column, so a token bound to a channel reads the
    # feed from an index.
    channel_id: int | None = field(default=None, repr=False, compare=False)

    def data(self) -> dict[str, Any]:
        payload = asdict(self)
        del payload["channel_id"]
        return payload
