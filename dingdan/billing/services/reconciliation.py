"""Reconciliation: import a bank or payment-provider statement (CSV or Excel), match its lines
to captured payments automatically (reference, amount, date, payer, with a confidence), and
let finance confirm a suggestion, match by hand or undo a match."""

import csv
import datetime as dt
import hashlib
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.money import is_currency

from .. import domain
from ..exceptions import (
    InvalidMatch,
    InvalidStatement,
    StatementAlreadyImported,
    StatementLineNotFound,
)
from ..models import Payment, Statement, StatementLine
from ._common import audit, config

MAX_ROWS = 10_000
MAX_ERRORS = 20
COLUMNS = {
    "date": ("date", "value_date", "日期", "交易日期", "入账日期"),
    "amount": ("amount", "金额", "交易金额", "收入金额"),
    "currency": ("currency", "币种"),
    "reference": ("reference", "memo", "附言", "摘要", "备注", "用途"),
    "payer": ("payer", "付款人", "对方户名", "付款方"),
}


def _unreadable() -> InvalidStatement:
    message = _("The file is neither CSV text (UTF-8 or GB18030) nor an Excel workbook.")
    return InvalidStatement(errors=[{"field": "file", "message": message, "code": "unreadable"}])


def _rows_from_csv(content: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _unreadable()
    try:  # newline="": the csv module handles \r, \n and \r\n itself (a bare \r is a line end)
        return [row for row in csv.reader(io.StringIO(text, newline="")) if any(cell.strip() for cell in row)]
    except csv.Error as error:  # e.g. a NUL byte, or a newline inside an unquoted field
        raise _unreadable() from error


def _rows_from_excel(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        return [
            list(row) for row in sheet.iter_rows(values_only=True) if any(c not in (None, "") for c in row)
        ]
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise _unreadable() from error


def _columns(header: list[Any]) -> dict[str, int]:
    names = [str(cell or "").strip().lower() for cell in header]
    found = {}
    for key, aliases in COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases:
                found[key] = index
                break
    missing = [key for key in ("date", "amount") if key not in found]
    if missing:
        message = _("The header row lacks the column(s): %(columns)s") % {"columns": ", ".join(missing)}
        raise InvalidStatement(errors=[{"field": "file", "message": message, "code": "missing_columns"}])
    return found


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    return dt.date.fromisoformat(text[:10])


def _amount(value: Any) -> Decimal:
    amount = Decimal(str(value).replace(",", "").strip())
    if (
        not amount.is_finite()
        or abs(amount) > Decimal("9999999999.99")
        or amount != amount.quantize(Decimal("0.01"))
    ):
        raise ValueError(value)
    return amount


def _entry(row: list[Any], columns: dict[str, int]) -> domain.StatementEntry:
    def cell(key: str) -> Any:
        index = columns.get(key)
        return row[index] if index is not None and index < len(row) else None

    currency = str(cell("currency") or "CNY").strip().upper()
    if not is_currency(currency):
        raise ValueError(currency)
    return domain.StatementEntry(
        value_date=_date(cell("date")),
        amount=_amount(cell("amount")),
        currency=currency,
        reference=str(cell("reference") or "").strip()[:200],
        payer=str(cell("payer") or "").strip()[:200],
    )


def statement_parse(*, filename: str, content: bytes) -> list[domain.StatementEntry]:
    """The statement's lines; InvalidStatement (422) naming every bad row (up to 20)."""
    excel = content[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm"))
    rows = _rows_from_excel(content) if excel else _rows_from_csv(content)
    if len(rows) < 2 or len(rows) > MAX_ROWS + 1:
        message = _("A statement has a header row and 1 to %(max)d lines.") % {"max": MAX_ROWS}
        raise InvalidStatement(errors=[{"field": "file", "message": message, "code": "row_count"}])
    columns = _columns(rows[0])
    entries, errors = [], []
    for number, row in enumerate(rows[1:], start=2):
        try:
            entries.append(_entry(row, columns))
        except (ValueError, TypeError, InvalidOperation):
            message = _("Row %(row)d: the date, amount or currency cannot be read.") % {"row": number}
            errors.append({"field": f"row.{number}", "message": message, "code": "invalid_row"})
    if errors:
        raise InvalidStatement(errors=errors[:MAX_ERRORS])
    return entries


def _candidates(entries: list[domain.StatementEntry]) -> list[domain.PaymentCandidate]:
    """Captured payments near the statement's dates that no statement line matched yet."""
    start = min(e.value_date for e in entries) - dt.timedelta(days=10)
    end = max(e.value_date for e in entries) + dt.timedelta(days=10)
    matched = StatementLine.objects.filter(status="matched", payment__isnull=False).values("payment_id")
    payments = (
        Payment.objects.filter(status=domain.PaymentState.CAPTURED, received_at__date__range=(start, end))
        .exclude(pk__in=matched)
        .values_list(
            "pk",
            "captured_amount",
            "currency",
            "received_at",
            "reference",
            "provider_reference",
            "order__number",
            "payer",
        )
    )
    return [
        domain.PaymentCandidate(
            pk, amount, currency, received.date(), (reference, provider_ref, number), payer
        )
        for pk, amount, currency, received, reference, provider_ref, number, payer in payments
    ]


def _status(confidence: Decimal) -> str:
    if confidence >= config("AUTO_MATCH_CONFIDENCE"):
        return "matched"
    return "suggested" if confidence >= config("SUGGEST_CONFIDENCE") else "unmatched"


@transaction.atomic
def statement_import(*, actor: Actor, filename: str, content: bytes, source: str = "bank") -> Statement:
    """Import a statement and match it. The same file twice is StatementAlreadyImported (409);
    a bad file is InvalidStatement (422); nothing is written on either."""
    entries = statement_parse(filename=filename, content=content)
    checksum = hashlib.sha256(content).hexdigest()
    if Statement.objects.filter(checksum=checksum).exists():
        raise StatementAlreadyImported()
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                source=source[:64], filename=filename[:200], checksum=checksum, imported_by=str(actor)
            )
    except IntegrityError as error:
        raise StatementAlreadyImported() from error
    incoming = [e if e.amount > 0 else None for e in entries]
    matches = domain.best_matches(
        [e for e in incoming if e], _candidates(entries), minimum=config("SUGGEST_CONFIDENCE")
    )
    found = iter(matches)
    lines = []
    for number, entry in enumerate(entries, start=1):
        match = next(found) if incoming[number - 1] else None
        status = _status(match.confidence) if match else "unmatched"
        lines.append(
            StatementLine(
                statement=statement,
                row_number=number,
                value_date=entry.value_date,
                amount=entry.amount,
                currency=entry.currency,
                reference=entry.reference,
                payer=entry.payer,
                status=status,
                payment_id=match.payment_id if match and status != "unmatched" else None,
                confidence=match.confidence if match else Decimal("0"),
                match_reasons=list(match.reasons) if match else [],
                matched_by="auto" if status == "matched" else "",
            )
        )
    StatementLine.objects.bulk_create(lines)
    counts = {s: sum(line.status == s for line in lines) for s in ("matched", "suggested", "unmatched")}
    audit(
        "statement",
        statement.pk,
        "imported",
        actor,
        None,
        {"filename": filename, "lines": len(lines), **counts},
    )
    return statement


def _line_for_update(line_id: int) -> StatementLine:
    line = StatementLine.objects.select_for_update().filter(pk=line_id).first()
    if line is None:
        raise StatementLineNotFound()
    return line


def _save_match(line: StatementLine, actor: Actor, action: str) -> StatementLine:
    before = {"status": line.status, "payment_id": line.payment_id}
    try:
        with transaction.atomic():
            line.save(update_fields=["status", "payment", "confidence", "match_reasons", "matched_by"])
    except IntegrityError as error:  # the payment is matched to another line already
        raise InvalidMatch() from error
    audit(
        "statement_line",
        line.pk,
        action,
        actor,
        before,
        {"status": line.status, "payment_id": line.payment_id},
    )
    return line


@transaction.atomic
def statement_line_confirm(*, actor: Actor, line_id: int) -> StatementLine:
    """Confirm a suggested match. Raises StatementLineNotFound, InvalidMatch (409) unless
    the line holds a suggestion whose payment no other line matched."""
    line = _line_for_update(line_id)
    if line.status != "suggested" or line.payment_id is None:
        raise InvalidMatch()
    line.status, line.matched_by = "matched", str(actor)
    return _save_match(line, actor, "confirmed")


@transaction.atomic
def statement_line_match(*, actor: Actor, line_id: int, payment_id: int) -> StatementLine:
    """Match a line to a captured payment by hand (confidence 1). Raises
    StatementLineNotFound, InvalidMatch (409: not captured, other currency or amount sign,
    or matched elsewhere)."""
    line = _line_for_update(line_id)
    payment = Payment.objects.filter(pk=payment_id, status=domain.PaymentState.CAPTURED).first()
    if payment is None or payment.currency != line.currency or line.amount <= 0:
        raise InvalidMatch()
    line.status, line.payment, line.matched_by = "matched", payment, str(actor)
    line.confidence, line.match_reasons = Decimal("1.00"), ["manual"]
    return _save_match(line, actor, "matched")


@transaction.atomic
def statement_line_unmatch(*, actor: Actor, line_id: int) -> StatementLine:
    """Undo a match or a suggestion; the line is unmatched again."""
    line = _line_for_update(line_id)
    line.status, line.payment, line.matched_by = "unmatched", None, ""
    line.confidence, line.match_reasons = Decimal("0"), []
    return _save_match(line, actor, "unmatched")
