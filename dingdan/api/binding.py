"""A token bound to a sales channel sees only that channel's documents (OWASP API1, BOLA).

Before any operation whose path names a document that belongs to one channel (an order, its
exception cases and amendments, its pick lists, packages and shipments, its payments, refunds
and invoices), a caller whose token is bound to another channel is answered exactly as if the
document did not exist: the same 404 problem the operation gives for an id that names nothing,
so a document's existence does not leak. The same holds for the documents a JSON body names
(`order_id`, `orders`, `packages`, `payment_id`): a bound token cannot open a case, build a
pick list, ship or match a payment of another channel. Callers not bound to a channel are not
affected and pay no query for it. A new operation is covered by naming its documents the same
way. (Lists are not filtered here: see the list operations.)
"""

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeGuard

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from dingdan.billing import selectors as billing
from dingdan.core.exceptions import NotFound
from dingdan.core.problems import error_response
from dingdan.core.schemas import INT64_MAX
from dingdan.core.security import request_principal
from dingdan.fulfillment import selectors as fulfillment
from dingdan.orders import selectors as orders


def _of_order(order_id: int) -> Iterable[int]:
    return [orders.order_get(order_id=order_id).channel_id]


# The channels a document belongs to, by the path parameter that names it; NotFound when the
# id names nothing. A pick list (a wave) belongs to the channels of all its orders.
CHANNELS_OF: dict[str, Callable[[int], Iterable[int]]] = {
    "order_id": _of_order,
    "case_id": lambda pk: [orders.exception_get(case_id=pk).order.channel_id],
    "change_request_id": lambda pk: [orders.change_request_get(change_request_id=pk).order.channel_id],
    "pick_list_id": lambda pk: {
        line.order.channel_id for line in fulfillment.pick_list_get(pick_list_id=pk).lines.all()
    },
    "package_id": lambda pk: [fulfillment.package_get(package_id=pk).order.channel_id],
    "shipment_id": lambda pk: [fulfillment.shipment_get(shipment_id=pk).order.channel_id],
    "payment_id": lambda pk: _of_order(billing.payment_get(payment_id=pk).order_id),
    "refund_id": lambda pk: _of_order(billing.refund_get(refund_id=pk).order_id),
    "invoice_id": lambda pk: _of_order(billing.invoice_get(invoice_id=pk).order_id),
}


def _foreign(name: str, pk: int, bound: int) -> NotFound | None:
    """The 404 for a document of another channel (the one an id naming nothing gets)."""
    lookup = CHANNELS_OF[name]
    try:
        if all(channel == bound for channel in lookup(pk)):
            return None
    except NotFound:
        return None  # the operation answers it
    try:
        lookup(0)  # ids start at 1: what the operation says of a document that does not exist
    except NotFound as missing:
        return missing
    return NotFound()


# Documents a JSON body names, by its top-level field: the path parameter naming the same kind.
BODY_FIELDS = {
    "order_id": "order_id",
    "orders": "order_id",
    "packages": "package_id",
    "payment_id": "payment_id",
}


def _id(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= INT64_MAX


def _named_in_body(request: HttpRequest) -> Iterator[tuple[str, int]]:
    """(parameter, id) of the documents the request's JSON body names; what is not a valid id
    is left to the operation's own validation."""
    if request.method not in ("POST", "PUT", "PATCH") or request.content_type != "application/json":
        return
    try:
        body = json.loads(request.body)
    except (ValueError, RequestDataTooBig):
        return  # the operation answers it (400, 413)
    if not isinstance(body, dict):
        return
    for field, name in BODY_FIELDS.items():
        values = body.get(field)
        for value in values if isinstance(values, list) else [values]:
            if _id(value):
                yield name, value


def channel_binding(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        principal = request_principal(request)
        bound = principal.channel_id if principal is not None else None
        if bound is not None:
            named = [(name, value) for name, value in kwargs.items() if name in CHANNELS_OF and _id(value)]
            # The body first: packing reads its order before its pick list, and the answer must
            # be the one an id naming nothing gets.
            for name, value in [*_named_in_body(request), *named]:
                if (missing := _foreign(name, value, bound)) is not None:
                    return error_response(missing)
        return run(request, *args, **kwargs)

    return wrapper
