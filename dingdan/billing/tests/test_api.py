"""The billing API over HTTP: roles and scopes, idempotent creating POSTs, bad input as 4xx
with nothing changed, lists and their query counts, PDFs, statements and exports."""

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from dingdan.billing.models import Invoice, OrderAccount, Payment, Refund, Statement
from dingdan.billing.tests.conftest import pay, place
from dingdan.core.models import AuditEntry, OutboxEvent

pytestmark = pytest.mark.django_db


def everything() -> dict[str, Any]:
    return {
        "payments": Payment.objects.count(),
        "refunds": list(Refund.objects.values_list("pk", "status")),
        "invoices": Invoice.objects.count(),
        "accounts": list(OrderAccount.objects.values_list("captured", "refunded", "refund_pending")),
        "statements": Statement.objects.count(),
        "audit": AuditEntry.objects.count(),
        "outbox": OutboxEvent.objects.count(),
    }


@pytest.fixture
def finance(api_as: Any) -> Any:
    return api_as("finance")


def test_finance_records_a_payment_once_per_idempotency_key(finance, order):
    body = {"method": "bank_transfer", "amount": "100.00", "reference": "HX1", "payer": "张伟"}
    headers = {"Idempotency-Key": "pay-1"}

    first = finance.post(f"/orders/{order.pk}/payments", body, headers=headers)
    replay = finance.post(f"/orders/{order.pk}/payments", body, headers=headers)
    other = finance.post(f"/orders/{order.pk}/payments", {**body, "amount": "1.00"}, headers=headers)

    assert first.status_code == 201, first.content
    assert (first.json()["status"], first.json()["amount"], first.json()["captured_amount"]) == (
        "captured",
        "100.00",
        "100.00",
    )
    assert (replay.status_code, replay.content) == (201, first.content)
    assert other.status_code == 422
    assert Payment.objects.count() == 1
    money = finance.get(f"/orders/{order.pk}/money").json()
    assert (money["paid"], money["balance_due"], money["payment_status"]) == (
        "100.00",
        "98.00",
        "partially_paid",
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"method": "bank_transfer", "amount": "abc"}, 422, "validation_error"),
        ({"method": "bank_transfer", "amount": 5}, 422, "validation_error"),
        ({"method": "bitcoin", "amount": "5.00"}, 422, "validation_error"),
        ({"method": "bank_transfer", "amount": "5.00", "currency": "USD"}, 422, "invalid_payment"),
        ({"method": "bank_transfer", "amount": "5.00", "extra": 1}, 422, "validation_error"),
        ({"method": "bank_transfer", "amount": "999.00"}, 409, "payment_exceeds_balance"),
        ({"method": "card", "amount": "5.00", "provider": "nope"}, 422, "unknown_provider"),
    ],
)
def test_a_bad_payment_is_a_4xx_problem_and_changes_nothing(finance, order, body, status, code):
    before = everything()

    response = finance.post(f"/orders/{order.pk}/payments", body)

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response["Content-Type"] == "application/problem+json"
    assert everything() == before


def test_roles_without_the_scope_are_refused(api_as, order):
    clerk = api_as("order_clerk")  # billing:read only
    warehouse = api_as("warehouse")
    before = everything()

    assert (
        clerk.post(f"/orders/{order.pk}/payments", {"method": "bank_transfer", "amount": "5.00"}).status_code
        == 403
    )
    assert (
        clerk.post(f"/orders/{order.pk}/refunds", {"amount": "5.00", "kind": "goodwill"}).status_code == 403
    )
    assert clerk.get(f"/orders/{order.pk}/money").status_code == 200
    assert warehouse.get("/payments").status_code == 403
    assert everything() == before


def test_unknown_ids_are_404(finance):
    assert finance.get("/orders/999999/money").json()["code"] == "order_not_found"
    assert finance.get("/payments/999999").json()["code"] == "payment_not_found"
    assert finance.get("/invoices/999999").json()["code"] == "invoice_not_found"
    assert finance.post("/refunds/999999/approve", {}).json()["code"] == "refund_not_found"


def test_a_large_refund_waits_for_an_approver_with_the_scope(api_as, shop):
    order = place(shop, ("TEE-BLK-M", 10))
    pay(order, "990.00")
    service = api_as("customer_service")

    created = service.post(
        f"/orders/{order.pk}/refunds",
        {
            "amount": "600.00",
            "kind": "returned_goods",
            "reason": "退货",
            "lines": [{"line_number": 1, "quantity": 6, "amount": "600.00"}],
        },
        headers={"Idempotency-Key": "rf-1"},
    )
    refund_id = created.json()["id"]
    refused = service.post(f"/refunds/{refund_id}/approve", {})
    approved = api_as("manager").post(f"/refunds/{refund_id}/approve", {"note": "ok"})
    again = api_as("finance").post(f"/refunds/{refund_id}/reject", {"reason": "late"})

    assert (created.status_code, created.json()["status"]) == (201, "pending_approval")
    assert refused.status_code == 403
    assert (approved.status_code, approved.json()["status"]) == (200, "succeeded")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_refund_transition")
    over = service.post(f"/orders/{order.pk}/refunds", {"amount": "390.01", "kind": "goodwill"})
    assert (over.status_code, over.json()["code"]) == (409, "refund_exceeds_balance")


def test_invoices_are_issued_listed_rendered_credited_and_never_edited(
    finance, order, django_assert_max_num_queries
):
    created = finance.post(
        f"/orders/{order.pk}/invoices", {"scope": "whole"}, headers={"Idempotency-Key": "inv-1"}
    )
    replay = finance.post(
        f"/orders/{order.pk}/invoices", {"scope": "whole"}, headers={"Idempotency-Key": "inv-1"}
    )
    invoice = created.json()

    assert created.status_code == 201, created.content
    assert replay.content == created.content
    assert (invoice["gross_total"], invoice["lines"][0]["tax"]) == ("198.00", "22.78")
    assert finance.post(f"/orders/{order.pk}/invoices", {}).json()["code"] == "nothing_to_invoice"
    pdf = finance.get(f"/invoices/{invoice['id']}/pdf")
    assert (pdf.status_code, pdf["Content-Type"], pdf.content[:4]) == (200, "application/pdf", b"%PDF")
    note = finance.post(
        f"/invoices/{invoice['id']}/credit-notes",
        {"reason": "退货", "lines": [{"position": 1, "quantity": 1}]},
    )
    assert (note.status_code, note.json()["gross_total"], note.json()["credited_invoice_id"]) == (
        201,
        "-99.00",
        invoice["id"],
    )
    assert (
        finance.client.patch(f"/api/v1/invoices/{invoice['id']}", "{}", headers=finance.headers).status_code
        == 405
    )
    assert (
        finance.client.delete(f"/api/v1/invoices/{invoice['id']}", headers=finance.headers).status_code == 405
    )
    with django_assert_max_num_queries(6):
        listed = finance.get("/invoices", order_id=order.pk)
    assert [i["kind"] for i in listed.json()["items"]] == ["credit_note", "invoice"]


def test_payment_and_refund_lists_page_with_a_fixed_number_of_queries(
    finance, shop, django_assert_max_num_queries
):
    for _ in range(3):
        pay(place(shop, ("MUG-01", 1)), "35.50")

    with django_assert_max_num_queries(6):
        first = finance.get("/payments", limit=2)
    with django_assert_max_num_queries(6):
        second = finance.get("/payments", limit=2, cursor=first.json()["next"])

    assert [len(first.json()["items"]), len(second.json()["items"])] == [2, 1]
    assert second.json()["next"] is None
    assert finance.get("/payments", cursor="!!").json()["code"] == "invalid_cursor"
    assert finance.get("/refunds", status="nope").status_code == 422


def test_a_statement_is_uploaded_once_and_lines_are_confirmed_by_hand(finance, order):
    payment = pay(order, "198.00", reference="HX777", payer="张伟")
    content = (
        f"date,amount,currency,reference,payer\n{payment.received_at:%Y-%m-%d},198.00,CNY,x,张伟\n".encode()
    )

    def upload(key: str) -> Any:
        file = SimpleUploadedFile("bank.csv", content, content_type="text/csv")
        return finance.client.post(
            "/api/v1/reconciliation/statements",
            {"file": file, "source": "icbc"},
            headers={**finance.headers, "Idempotency-Key": key},
        )

    created = upload("st-1")
    replay = upload("st-1")
    duplicate = upload("st-2")
    statement = created.json()
    line = statement["lines"][0]
    confirmed = finance.post(f"/reconciliation/lines/{line['id']}/confirm")

    assert created.status_code == 201, created.content
    assert replay.content == created.content
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "statement_already_imported")
    assert (line["status"], line["payment_id"], line["confidence"]) == ("suggested", payment.pk, "0.50")
    assert (confirmed.status_code, confirmed.json()["status"]) == (200, "matched")
    assert finance.get(f"/reconciliation/statements/{statement['id']}").json()["match_rate"] == "1"


def test_the_finance_export_escapes_formulas_in_csv_and_excel(finance, order):
    pay(order, "10.00", reference='=HYPERLINK("http://x")', payer="@SUM(1)")
    today = timezone.localdate()
    period = {
        "start": (today - dt.timedelta(days=1)).isoformat(),
        "end": (today + dt.timedelta(days=1)).isoformat(),
    }

    text = finance.get("/finance/exports/payments", **period, format="csv")
    workbook = finance.get("/finance/exports/payments", **period, format="xlsx")

    rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "order", "method", "status"]
    assert (rows[1][7], rows[1][8], rows[1][4]) == ('\'=HYPERLINK("http://x")', "'@SUM(1)", "10.00")
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet.cell(row=2, column=8).value == '\'=HYPERLINK("http://x")'
    assert sheet.cell(row=2, column=8).data_type == "s"
    assert finance.get("/finance/exports/secrets", **period).status_code == 404
    backwards = {"start": period["end"], "end": "2000-01-01"}
    assert finance.get("/finance/exports/payments", **backwards).json()["code"] == "invalid_export_period"


def test_credit_shows_open_receivables_and_finance_puts_a_customer_on_hold(finance, api_as, order):
    pay(order, "50.00")

    credit = finance.get(f"/credit/customers/{order.customer_id}").json()
    held = finance.post(f"/credit/customers/{order.customer_id}/hold", {"hold": True, "reason": "overdue"})
    refused = api_as("customer_service").post(f"/credit/customers/{order.customer_id}/hold", {"hold": False})

    assert (credit["open_receivables"], credit["credit_hold"]) == ("148.00", False)
    assert (held.status_code, held.json()["credit_hold"]) == (200, True)
    assert refused.status_code == 403
    ageing = finance.get("/receivables/ageing").json()
    assert [(row["customer_id"], row["current"], row["total"]) for row in ageing] == [
        (order.customer_id, "148.00", "148.00")
    ]
    assert Decimal(ageing[0]["days_over_90"]) == 0


def test_a_statement_file_over_the_size_limit_is_413_and_nothing_is_imported(finance, monkeypatch):
    monkeypatch.setattr("dingdan.billing.api.MAX_STATEMENT_BYTES", 10)
    file = SimpleUploadedFile("big.csv", b"date,amount\n2026-11-20,1.00\n", content_type="text/csv")

    response = finance.client.post(
        "/api/v1/reconciliation/statements", {"file": file}, headers=finance.headers
    )

    assert (response.status_code, response.json()["code"]) == (413, "payload_too_large")
    assert Statement.objects.count() == 0
