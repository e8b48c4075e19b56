"""HTTP operations of billing under /api/v1 (thin: parse, authorise, call one service or selector).

Creating POSTs (payments, refunds, invoices, credit notes, statements) are idempotent with
Idempotency-Key. Provider notifications arrive unauthenticated but signed
(`POST /payments/webhooks/{provider}`).
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Query, Router
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.responses import Status

from dingdan.core.actors import Actor
from dingdan.core.exceptions import PayloadTooLarge
from dingdan.core.idempotency import idempotent
from dingdan.core.pagination import Page, PageQuery, paginate
from dingdan.core.problems import problems
from dingdan.core.security import request_actor, request_channel, requires

from . import exports, selectors, services
from .exceptions import ExportNotFound, InvalidExportPeriod
from .schemas import (
    AgeingFilterIn,
    AgeingRowOut,
    CaptureIn,
    CreditHoldIn,
    CreditNoteIn,
    CreditOut,
    DecisionIn,
    ExportFilterIn,
    InvoiceFilterIn,
    InvoiceIn,
    InvoiceOut,
    InvoiceSummaryOut,
    MatchIn,
    NotificationOut,
    OrderMoneyOut,
    PaymentFilterIn,
    PaymentIn,
    PaymentOut,
    RefundFilterIn,
    RefundIn,
    RefundOut,
    RejectIn,
    StatementLineOut,
    StatementOut,
)

router = Router()
MAX_STATEMENT_BYTES = 5 * 1024 * 1024


def _create(noun: str, out: type, body: type, scope: str, issue: Callable[[Actor, int, Any], Any]) -> None:
    """`POST /orders/{order_id}/<noun>s`: idempotent; `issue(actor, order_id, payload)` returns
    the created resource. The operation keeps the id and summary a `<noun>_create` function
    would have had, so the published API does not change."""

    @router.post(
        f"/orders/{{int:order_id}}/{noun}s",
        response={201: out, **problems(400, 401, 403, 404, 409, 413, 422)},
        operation_id=f"dingdan_billing_api_{noun}_create",
        summary=f"{noun.capitalize()} Create",
        url_name=f"{noun}_create",
    )
    @decorate_view(idempotent)
    @requires(scope)
    def operation(request: HttpRequest, order_id: int, payload: body) -> Status:  # type: ignore[valid-type]
        return Status(201, issue(request_actor(request), order_id, payload))


def _list(noun: str, out: type, filters_in: type, rows_of: Callable[..., QuerySet[Any]]) -> None:
    """`GET /<noun>s`: keyset pages of the rows `rows_of(filters=...)` selects (billing:read)."""

    @router.get(
        f"/{noun}s",
        response={200: Page[out], **problems(400, 401, 403)},  # type: ignore[valid-type]
        operation_id=f"dingdan_billing_api_{noun}_list",
        summary=f"{noun.capitalize()} List",
        url_name=f"{noun}_list",
    )
    @requires("billing:read")
    def operation(
        request: HttpRequest,
        filters: Query[filters_in],  # type: ignore[valid-type]
        page: Query[PageQuery],
    ) -> dict[str, Any]:
        bound = request_channel(request)
        rows = rows_of(filters=selectors.Filters(**filters.model_dump(), channel_id=bound))  # type: ignore[attr-defined]
        items, cursor = paginate(rows, limit=page.limit, cursor=page.cursor)
        return {"items": items, "next": cursor}


# Payments ------------------------------------------------------------------------------------


def _payment_record(actor: Actor, order_id: int, payload: PaymentIn) -> Any:
    request = services.PaymentRequest(**payload.model_dump())
    return services.payment_record(actor=actor, order_id=order_id, request=request)


_create("payment", PaymentOut, PaymentIn, "billing:write", _payment_record)


@router.get("/orders/{int:order_id}/money", response={200: OrderMoneyOut, **problems(401, 403, 404)})
@requires("billing:read")
def order_money(request: HttpRequest, order_id: int) -> Any:
    return selectors.order_money(order_id=order_id)


_list("payment", PaymentOut, PaymentFilterIn, selectors.payment_list)


@router.get("/payments/{int:payment_id}", response={200: PaymentOut, **problems(401, 403, 404)})
@requires("billing:read")
def payment_detail(request: HttpRequest, payment_id: int) -> Any:
    return selectors.payment_get(payment_id=payment_id)


@router.post(
    "/payments/{int:payment_id}/capture", response={200: PaymentOut, **problems(400, 401, 403, 404, 409, 422)}
)
@requires("billing:write")
def payment_capture(request: HttpRequest, payment_id: int, payload: CaptureIn) -> Any:
    return services.payment_capture(
        actor=request_actor(request), payment_id=payment_id, amount=payload.amount
    )


@router.post(
    "/payments/webhooks/{provider}",
    auth=None,
    response={200: NotificationOut, **problems(400, 401, 403, 413, 422)},
    summary="A payment provider's signed notification",
)
def payment_webhook(request: HttpRequest, provider: str) -> dict[str, str]:
    outcome = services.payment_notification_apply(
        provider_code=provider[:32], body=request.body, headers=dict(request.headers)
    )
    return {"outcome": outcome}


# Refunds -------------------------------------------------------------------------------------


def _refund_request(actor: Actor, order_id: int, payload: RefundIn) -> Any:
    request = services.RefundRequest(
        amount=payload.amount,
        kind=payload.kind,
        reason=payload.reason,
        lines=tuple(services.RefundLine(x.line_number, x.quantity, x.amount) for x in payload.lines),
        payment_id=payload.payment_id,
    )
    return services.refund_request(actor=actor, order_id=order_id, request=request)


_create("refund", RefundOut, RefundIn, "billing:refund", _refund_request)


_list("refund", RefundOut, RefundFilterIn, selectors.refund_list)


@router.get("/refunds/{int:refund_id}", response={200: RefundOut, **problems(401, 403, 404)})
@requires("billing:read")
def refund_detail(request: HttpRequest, refund_id: int) -> Any:
    return selectors.refund_get(refund_id=refund_id)


@router.post(
    "/refunds/{int:refund_id}/approve", response={200: RefundOut, **problems(400, 401, 403, 404, 409, 422)}
)
@requires("billing:approve")
def refund_approve(request: HttpRequest, refund_id: int, payload: DecisionIn) -> Any:
    return services.refund_approve(actor=request_actor(request), refund_id=refund_id, note=payload.note)


@router.post(
    "/refunds/{int:refund_id}/reject", response={200: RefundOut, **problems(400, 401, 403, 404, 409, 422)}
)
@requires("billing:approve")
def refund_reject(request: HttpRequest, refund_id: int, payload: RejectIn) -> Any:
    return services.refund_reject(actor=request_actor(request), refund_id=refund_id, reason=payload.reason)


# Invoices ------------------------------------------------------------------------------------


def _invoice(invoice_id: int) -> dict[str, Any]:
    invoice = selectors.invoice_get(invoice_id=invoice_id)
    return {
        **{name: getattr(invoice, name) for name in InvoiceSummaryOut.model_fields},
        "reason": invoice.reason,
        "buyer": invoice.buyer,
        "lines": list(invoice.lines.order_by("position")),
    }


def _invoice_issue(actor: Actor, order_id: int, payload: InvoiceIn) -> dict[str, Any]:
    invoice = services.invoice_issue(
        actor=actor,
        order_id=order_id,
        scope=payload.scope,
        basis="on_request",
        invoice_type=payload.invoice_type,
    )
    return _invoice(invoice.pk)


_create("invoice", InvoiceOut, InvoiceIn, "billing:write", _invoice_issue)


_list("invoice", InvoiceSummaryOut, InvoiceFilterIn, selectors.invoice_list)


@router.get("/invoices/{int:invoice_id}", response={200: InvoiceOut, **problems(401, 403, 404)})
@requires("billing:read")
def invoice_detail(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    return _invoice(invoice_id)


@router.get("/invoices/{int:invoice_id}/pdf", response={200: None, **problems(401, 403, 404)})
@requires("billing:read")
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = selectors.invoice_get(invoice_id=invoice_id)
    response = HttpResponse(selectors.invoice_pdf(invoice_id=invoice_id), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response


@router.post(
    "/invoices/{int:invoice_id}/credit-notes",
    response={201: InvoiceOut, **problems(400, 401, 403, 404, 409, 413, 422)},
)
@decorate_view(idempotent)
@requires("billing:write")
def credit_note_create(request: HttpRequest, invoice_id: int, payload: CreditNoteIn) -> Status:
    lines = (
        None
        if payload.lines is None
        else [services.CreditLine(x.position, x.quantity, x.amount) for x in payload.lines]
    )
    note = services.credit_note_issue(
        actor=request_actor(request), invoice_id=invoice_id, lines=lines, reason=payload.reason
    )
    return Status(201, _invoice(note.pk))


# Credit and receivables ----------------------------------------------------------------------


@router.get("/credit/customers/{int:customer_id}", response={200: CreditOut, **problems(401, 403, 404)})
@requires("billing:read")
def customer_credit(request: HttpRequest, customer_id: int) -> Any:
    return selectors.customer_credit(customer_id=customer_id)


@router.post(
    "/credit/customers/{int:customer_id}/hold",
    response={200: CreditOut, **problems(400, 401, 403, 404, 412, 422)},
)
@requires("customers:credit")
def customer_credit_hold(request: HttpRequest, customer_id: int, payload: CreditHoldIn) -> Any:
    services.credit_hold_set(
        actor=request_actor(request), customer_id=customer_id, hold=payload.hold, reason=payload.reason
    )
    return selectors.customer_credit(customer_id=customer_id)


@router.get("/receivables/ageing", response={200: list[AgeingRowOut], **problems(400, 401, 403)})
@requires("billing:read")
def receivables_ageing(request: HttpRequest, filters: Query[AgeingFilterIn]) -> list[dict[str, Any]]:
    today = filters.on or timezone.localdate(timezone=timezone.get_default_timezone())
    return selectors.receivables_ageing(today=today, customer_id=filters.customer_id)


# Reconciliation ------------------------------------------------------------------------------


def _statement(statement_id: int) -> dict[str, Any]:
    report = selectors.statement_report(statement_id=statement_id)
    statement = report.pop("statement")
    return {
        **{
            name: getattr(statement, name)
            for name in ("id", "source", "filename", "imported_at", "imported_by")
        },
        **report,
    }


@router.post(
    "/reconciliation/statements", response={201: StatementOut, **problems(400, 401, 403, 409, 413, 422)}
)
@decorate_view(idempotent)
@requires("billing:reconcile")
def statement_create(request: HttpRequest, file: File[UploadedFile], source: Form[str] = "bank") -> Status:
    if file.size is None or file.size > MAX_STATEMENT_BYTES:
        raise PayloadTooLarge()
    statement = services.statement_import(
        actor=request_actor(request),
        filename=file.name or "statement",
        content=file.read(),
        source=source[:64],
    )
    return Status(201, _statement(statement.pk))


@router.get(
    "/reconciliation/statements/{int:statement_id}", response={200: StatementOut, **problems(401, 403, 404)}
)
@requires("billing:reconcile")
def statement_detail(request: HttpRequest, statement_id: int) -> dict[str, Any]:
    return _statement(statement_id)


@router.post(
    "/reconciliation/lines/{int:line_id}/confirm",
    response={200: StatementLineOut, **problems(400, 401, 403, 404, 409)},
)
@requires("billing:reconcile")
def statement_line_confirm(request: HttpRequest, line_id: int) -> Any:
    return services.statement_line_confirm(actor=request_actor(request), line_id=line_id)


@router.post(
    "/reconciliation/lines/{int:line_id}/match",
    response={200: StatementLineOut, **problems(400, 401, 403, 404, 409, 422)},
)
@requires("billing:reconcile")
def statement_line_match(request: HttpRequest, line_id: int, payload: MatchIn) -> Any:
    return services.statement_line_match(
        actor=request_actor(request), line_id=line_id, payment_id=payload.payment_id
    )


@router.post(
    "/reconciliation/lines/{int:line_id}/unmatch",
    response={200: StatementLineOut, **problems(400, 401, 403, 404)},
)
@requires("billing:reconcile")
def statement_line_unmatch(request: HttpRequest, line_id: int) -> Any:
    return services.statement_line_unmatch(actor=request_actor(request), line_id=line_id)


# Finance export ------------------------------------------------------------------------------


@router.get("/finance/exports/{kind}", response={200: None, **problems(400, 401, 403, 404, 422)})
@requires("billing:read", "reports:read")
def finance_export(request: HttpRequest, kind: str, filters: Query[ExportFilterIn]) -> HttpResponse:
    if kind not in exports.KINDS:
        raise ExportNotFound()
    if filters.end < filters.start or (filters.end - filters.start) > dt.timedelta(days=366):
        raise InvalidExportPeriod()
    content, content_type, filename = exports.finance_export(
        kind=kind, start=filters.start, end=filters.end, file_format=filters.format
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
