"""Domain events: past-tense classes in code, dotted lower-case types on the wire."""

from dataclasses import asdict, dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, kw_only=True)
class Event:
    type: ClassVar[str]  # e.g. "order.placed"
    aggregate_type: ClassVar[str]  # e.g. "order"
    aggregate_id: str

    def data(self) -> dict[str, Any]:
        return asdict(self)
