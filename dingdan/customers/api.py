"""/api/v1/customers: customers, their addresses and contacts.

Responses mask personal data for callers without customers:pii; a response that shows a
caller with that scope stored personal data (not just what it sent) logs one
PersonalDataAccess row for the request. Customer edits take If-Match with the ETag.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router
from ninja.decorators import decorate_view
from ninja.responses import Status

from dingdan.core.idempotency import idempotent
from dingdan.core.pagination import Page, PageQuery, paginate
from dingdan.core.problems import problems
from dingdan.core.security import request_actor, request_principal, requires
from dingdan.core.versioning import parse_if_match

from . import domain, selectors, services
from .exceptions import CreditChangeNotAllowed
from .models import Customer
from .schemas import (
    AddressIn,
    AddressOut,
    AddressPatch,
    ContactIn,
    ContactOut,
    ContactPatch,
    CustomerDetailOut,
    CustomerFilter,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    sees_personal_data,
)

router = Router()

READ, WRITE, CREDIT = "customers:read", "customers:write", "customers:credit"
NEW_CUSTOMER_CREDIT = {"credit_limit": Decimal("0.00"), "credit_hold": False}
IF_MATCH = Header(None, alias="If-Match", description='The customer\'s ETag, e.g. "3".')


def _etag(customer: Customer) -> str:
    return f'"{customer.version}"'


def _guard_credit(request: HttpRequest, current: Mapping[str, Any], changes: Mapping[str, Any]) -> None:
    principal = request_principal(request)
    if domain.credit_terms_changed(current, changes) and not (principal and principal.has(CREDIT)):
        raise CreditChangeNotAllowed()


def _log_read(request: HttpRequest, customer_ids: list[int], purpose: str) -> None:
    if sees_personal_data(request):
        services.personal_data_access_record(
            actor=request_actor(request), subject_ids=customer_ids, purpose=purpose
        )


# Customers -----------------------------------------------------------------------------


@router.get("", response={200: Page[CustomerOut], **problems(400, 401, 403, 422)})
@requires(READ)
def customer_list(request: HttpRequest, filters: Query[CustomerFilter], page: Query[PageQuery]) -> dict:
    customers = selectors.customer_list(
        q=filters.q,
        grade=filters.grade,
        is_active=filters.is_active,
        search_personal_data=sees_personal_data(request),
    )
    items, cursor = paginate(customers, limit=page.limit, cursor=page.cursor, ordering=("pk",))
    _log_read(request, [customer.pk for customer in items], "api.customer_list")
    return {"items": items, "next": cursor}


@router.post("", response={201: CustomerDetailOut, **problems(400, 401, 403, 409, 422)})
@decorate_view(idempotent)
@requires(WRITE)
def customer_create(request: HttpRequest, payload: CustomerIn, response: HttpResponse) -> Status:
    fields = payload.model_dump()
    _guard_credit(request, NEW_CUSTOMER_CREDIT, fields)
    customer = services.customer_create(actor=request_actor(request), **fields)
    response["ETag"] = _etag(customer)
    return Status(201, selectors.customer_get(customer_id=customer.pk, with_children=True))


@router.get("/{int:customer_id}", response={200: CustomerDetailOut, **problems(401, 403, 404)})
@requires(READ)
def customer_detail(request: HttpRequest, customer_id: int, response: HttpResponse) -> object:
    customer = selectors.customer_get(customer_id=customer_id, with_children=True)
    _log_read(request, [customer.pk], "api.customer_detail")
    response["ETag"] = _etag(customer)
    return customer


@router.patch(
    "/{int:customer_id}", response={200: CustomerDetailOut, **problems(400, 401, 403, 404, 412, 422)}
)
@requires(WRITE)
def customer_update(
    request: HttpRequest,
    customer_id: int,
    payload: CustomerPatch,
    response: HttpResponse,
    if_match: str | None = IF_MATCH,
) -> object:
    expected_version = parse_if_match(if_match)
    customer = selectors.customer_get(customer_id=customer_id)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    _guard_credit(
        request, {"credit_limit": customer.credit_limit, "credit_hold": customer.credit_hold}, changes
    )
    customer = services.customer_update(
        actor=request_actor(request), customer=customer, expected_version=expected_version, **changes
    )
    _log_read(request, [customer.pk], "api.customer_update")
    response["ETag"] = _etag(customer)
    return selectors.customer_get(customer_id=customer.pk, with_children=True)


# Addresses -----------------------------------------------------------------------------


@router.get(
    "/{int:customer_id}/addresses", response={200: Page[AddressOut], **problems(400, 401, 403, 404, 422)}
)
@requires(READ)
def address_list(request: HttpRequest, customer_id: int, page: Query[PageQuery]) -> dict:
    customer = selectors.customer_get(customer_id=customer_id)
    addresses = selectors.customer_addresses(customer_id=customer.pk)
    items, cursor = paginate(addresses, limit=page.limit, cursor=page.cursor, ordering=("pk",))
    _log_read(request, [customer.pk], "api.customer_addresses")
    return {"items": items, "next": cursor}


@router.post(
    "/{int:customer_id}/addresses", response={201: AddressOut, **problems(400, 401, 403, 404, 409, 422)}
)
@decorate_view(idempotent)
@requires(WRITE)
def address_add(request: HttpRequest, customer_id: int, payload: AddressIn) -> Status:
    customer = selectors.customer_get(customer_id=customer_id)
    address = services.address_add(actor=request_actor(request), customer=customer, **payload.model_dump())
    return Status(201, address)


@router.patch(
    "/{int:customer_id}/addresses/{int:address_id}",
    response={200: AddressOut, **problems(400, 401, 403, 404, 412, 422)},
)
@requires(WRITE)
def address_update(
    request: HttpRequest,
    customer_id: int,
    address_id: int,
    payload: AddressPatch,
    if_match: str | None = IF_MATCH,
) -> object:
    expected_version = parse_if_match(if_match)
    address = selectors.address_get(customer_id=customer_id, address_id=address_id)
    address = services.address_update(
        actor=request_actor(request),
        address=address,
        expected_version=expected_version,
        **payload.model_dump(exclude_unset=True, exclude_none=True),
    )
    _log_read(request, [customer_id], "api.address_update")
    return address


@router.delete(
    "/{int:customer_id}/addresses/{int:address_id}",
    response={204: None, **problems(400, 401, 403, 404, 412)},
)
@requires(WRITE)
def address_remove(
    request: HttpRequest, customer_id: int, address_id: int, if_match: str | None = IF_MATCH
) -> Status:
    expected_version = parse_if_match(if_match)
    address = selectors.address_get(customer_id=customer_id, address_id=address_id)
    services.address_remove(actor=request_actor(request), address=address, expected_version=expected_version)
    return Status(204, None)


# Contacts ------------------------------------------------------------------------------


@router.get(
    "/{int:customer_id}/contacts", response={200: Page[ContactOut], **problems(400, 401, 403, 404, 422)}
)
@requires(READ)
def contact_list(request: HttpRequest, customer_id: int, page: Query[PageQuery]) -> dict:
    customer = selectors.customer_get(customer_id=customer_id)
    contacts = selectors.customer_contacts(customer_id=customer.pk)
    items, cursor = paginate(contacts, limit=page.limit, cursor=page.cursor, ordering=("pk",))
    _log_read(request, [customer.pk], "api.customer_contacts")
    return {"items": items, "next": cursor}


@router.post(
    "/{int:customer_id}/contacts", response={201: ContactOut, **problems(400, 401, 403, 404, 409, 422)}
)
@decorate_view(idempotent)
@requires(WRITE)
def contact_add(request: HttpRequest, customer_id: int, payload: ContactIn) -> Status:
    customer = selectors.customer_get(customer_id=customer_id)
    contact = services.contact_add(actor=request_actor(request), customer=customer, **payload.model_dump())
    return Status(201, contact)


@router.patch(
    "/{int:customer_id}/contacts/{int:contact_id}",
    response={200: ContactOut, **problems(400, 401, 403, 404, 412, 422)},
)
@requires(WRITE)
def contact_update(
    request: HttpRequest,
    customer_id: int,
    contact_id: int,
    payload: ContactPatch,
    if_match: str | None = IF_MATCH,
) -> object:
    expected_version = parse_if_match(if_match)
    contact = selectors.contact_get(customer_id=customer_id, contact_id=contact_id)
    contact = services.contact_update(
        actor=request_actor(request),
        contact=contact,
        expected_version=expected_version,
        **payload.model_dump(exclude_unset=True, exclude_none=True),
    )
    _log_read(request, [customer_id], "api.contact_update")
    return contact


@router.delete(
    "/{int:customer_id}/contacts/{int:contact_id}",
    response={204: None, **problems(400, 401, 403, 404, 412)},
)
@requires(WRITE)
def contact_remove(
    request: HttpRequest, customer_id: int, contact_id: int, if_match: str | None = IF_MATCH
) -> Status:
    expected_version = parse_if_match(if_match)
    contact = selectors.contact_get(customer_id=customer_id, contact_id=contact_id)
    services.contact_remove(actor=request_actor(request), contact=contact, expected_version=expected_version)
    return Status(204, None)
