"""The finance export: payments, invoices and refunds of a period for the accounting system,
as CSV or Excel. Every text cell is made safe from formula injection (domain.safe_cell)."""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import tablib
from django.utils import timezone

from . import domain
from .models import Invoice, Payment, Refund

KINDS = ("payments", "invoices", "refunds")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period's business days [start, end] in the company's time zone, as UTC moments."""
    tz = timezone.get_default_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment, timezone.get_default_timezone()).isoformat() if moment else ""


def _payments(start: dt.datetime, end: dt.datetime) -> tuple[list[str], Iterable[list[Any]]]:
    headers = [
        "id",
        "order",
        "method",
        "status",
        "amount",
        "captured",
        "currency",
        "reference",
        "payer",
        "received_at",
        "provider_reference",
    ]
    rows = Payment.objects.filter(received_at__gte=start, received_at__lt=end).order_by("received_at", "pk")
    return headers, (
        [
            p.pk,
            p.order.number,
            p.method,
            p.status,
            p.amount,
            p.captured_amount,
            p.currency,
            p.reference,
            p.payer,
            _local(p.received_at),
            p.provider_reference,
        ]
        for p in rows.select_related("order")
    )


def _invoices(start: dt.datetime, end: dt.datetime) -> tuple[list[str], Iterable[list[Any]]]:
    headers = [
        "number",
        "kind",
        "type",
        "order",
        "credited_invoice",
        "buyer",
        "taxpayer_id",
        "net",
        "tax",
        "gross",
        "currency",
        "issued_at",
    ]
    rows = Invoice.objects.filter(issued_at__gte=start, issued_at__lt=end).order_by("series_id", "sequence")
    return headers, (
        [
            i.number,
            i.kind,
            i.invoice_type,
            i.order.number,
            i.credited_invoice.number if i.credited_invoice else "",
            i.buyer.get("invoice_title", ""),
            i.buyer.get("taxpayer_id", ""),
            i.net_total,
            i.tax_total,
            i.gross_total,
            i.currency,
            _local(i.issued_at),
        ]
        for i in rows.select_related("order", "credited_invoice")
    )


def _refunds(start: dt.datetime, end: dt.datetime) -> tuple[list[str], Iterable[list[Any]]]:
    headers = [
        "id",
        "order",
        "kind",
        "status",
        "amount",
        "currency",
        "reason",
        "requested_by",
        "decided_by",
        "created_at",
    ]
    rows = Refund.objects.filter(created_at__gte=start, created_at__lt=end).order_by("created_at", "pk")
    return headers, (
        [
            r.pk,
            r.order.number,
            r.kind,
            r.status,
            r.amount,
            r.currency,
            r.reason,
            r.requested_by,
            r.decided_by,
            _local(r.created_at),
        ]
        for r in rows.select_related("order")
    )


_SOURCES: dict[str, Callable[[dt.datetime, dt.datetime], tuple[list[str], Iterable[list[Any]]]]] = {
    "payments": _payments,
    "invoices": _invoices,
    "refunds": _refunds,
}


def finance_export(*, kind: str, start: dt.date, end: dt.date, file_format: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the `kind` rows of the business days start..end."""
    headers, rows = _SOURCES[kind](*_bounds(start, end))
    data = tablib.Dataset(headers=headers, title=kind)
    for row in rows:
        data.append([domain.safe_cell(cell) for cell in row])
    content = data.export(file_format)
    body = content.encode("utf-8-sig") if isinstance(content, str) else bytes(content)
    return body, FORMATS[file_format], f"{kind}-{start:%Y%m%d}-{end:%Y%m%d}.{file_format}"
