import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from dingdan.core.schemas import InputSchema

from .models import WarehouseKind, WarehouseRegion
from .services import country_codes

CODE = r"^[a-z0-9][a-z0-9_-]*$"
# The format only: whether the number exists, or the postal code fits the country, is checked
# by the service (422 invalid_phone / invalid_postal_code).
PHONE = r"^(\+?[0-9][0-9 ()-]{3,30})?$"
POSTAL_CODE = r"^[0-9A-Za-z -]{0,16}$"

# Countries whose address formats the service knows, listed so a client can tell a valid code
# from an unknown one without asking the server.
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", json_schema_extra={"enum": list(country_codes())})]


class WarehouseIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=32, pattern=CODE)
    name: str = Field(..., min_length=1, max_length=100)
    kind: WarehouseKind = WarehouseKind.OWN
    contact_name: str = Field("", max_length=100)
    phone: str = Field("", max_length=32, pattern=PHONE, description="Stored in E.164.")
    country_code: CountryCode = "CN"
    province: str = Field(..., min_length=1, max_length=64)
    city: str = Field(..., min_length=1, max_length=64)
    district: str = Field("", max_length=64)
    street: str = Field(..., min_length=1, max_length=200)
    postal_code: str = Field("", max_length=16, pattern=POSTAL_CODE)
    region: WarehouseRegion
    priority: int = Field(100, ge=0, le=1000, description="Sourcing tries lower numbers first.")
    is_active: bool = True


class WarehousePatch(InputSchema):
    """Only the given fields change; null leaves a field as it is."""

    name: str | None = Field(None, min_length=1, max_length=100)
    kind: WarehouseKind | None = None
    contact_name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=32, pattern=PHONE)
    country_code: CountryCode | None = None
    province: str | None = Field(None, min_length=1, max_length=64)
    city: str | None = Field(None, min_length=1, max_length=64)
    district: str | None = Field(None, max_length=64)
    street: str | None = Field(None, min_length=1, max_length=200)
    postal_code: str | None = Field(None, max_length=16, pattern=POSTAL_CODE)
    region: WarehouseRegion | None = None
    priority: int | None = Field(None, ge=0, le=1000)
    is_active: bool | None = None


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    contact_name: str
    phone: str
    country_code: str
    province: str
    city: str
    district: str
    street: str
    postal_code: str
    region: str
    priority: int
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class WarehouseFilter(Schema):
    is_active: bool | None = None
    kind: WarehouseKind | None = None
    region: WarehouseRegion | None = None
