"""Base schemas of the API: inputs reject unknown fields; money travels as decimal strings."""

from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict

from .money import DECIMAL_PATTERN, RATE_PATTERN


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


# Decimal inputs are strings matching a pattern, so "" or "1e400" fail the schema (422),
# never the database; outputs are decimal strings too (ARCHITECTURE §6b).
MoneyIn = Annotated[
    Decimal,
    Field(
        max_digits=12,
        decimal_places=2,
        ge=0,
        json_schema_extra={"type": "string", "pattern": DECIMAL_PATTERN},
    ),
]
RateIn = Annotated[
    Decimal,
    Field(
        max_digits=6,
        decimal_places=4,
        ge=0,
        le=1,
        json_schema_extra={"type": "string", "pattern": RATE_PATTERN},
    ),
]
