"""Order to cash over the API: orders placed, paid (a provider payment confirmed by its
signed notifications, bank transfers recorded by finance), shipped in part, invoiced for what
shipped, partly refunded, and reconciled from the bank's statement file. After every step
`dingdan verify` is clean (paid = captured − refunded, gapless invoice numbers, stock)."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dingdan.billing.providers import SandboxProvider, provider_get, register_provider
from dingdan.core.actors import SYSTEM
from dingdan.core.verify import verify_all
from dingdan.orders.services import order_lines_ship
from dingdan.orders.tests.conftest import Shop, shop  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox() -> Any:
    previous = provider_get("sandbox")
    provider = SandboxProvider()
    register_provider(provider)
    yield provider
    register_provider(previous)


def ok(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.content
    return response.json()


def clean() -> None:
    assert {name: findings for name, findings in verify_all().items() if findings} == {}


def place(clerk: Any, customer_id: int, *lines: tuple[str, int]) -> dict[str, Any]:
    body = {
        "channel": "web",
        "customer_id": customer_id,
        "lines": [{"sku": s, "quantity": q} for s, q in lines],
    }
    order = ok(
        clerk.post(
            "/orders", body, headers={"Idempotency-Key": "o-" + "-".join(f"{s}x{q}" for s, q in lines)}
        )
    )
    assert (order["status"], order["payment_status"], order["staff_label"]) == (
        "confirmed",
        "unpaid",
        "awaiting_payment",
    )
    return order


def test_an_order_is_paid_shipped_invoiced_refunded_and_reconciled(
    shop: Shop,  # noqa: F811
    api_as: Any,
    sandbox: Any,
    record_property: Any,
) -> None:
    clerk, finance, service = api_as("order_clerk"), api_as("finance"), api_as("customer_service")
    customer = shop.customer.pk

    # Orders: A pays by Alipay, B and C by bank transfer.
    a = place(clerk, customer, ("TEE-BLK-M", 3))  # 297.00
    b = place(clerk, customer, ("MUG-01", 2))  # 71.00
    c = place(clerk, customer, ("TEE-BLK-M", 1))  # 99.00
    clean()

    # Payment of A through the provider: pending until its signed notifications arrive.
    pending = ok(finance.post(f"/orders/{a['id']}/payments", {"method": "alipay", "amount": "297.00"}))
    assert pending["status"] == "pending"
    webhook = Client()
    for body, headers in sandbox.take_notifications():
        reply = webhook.post(
            "/api/v1/payments/webhooks/sandbox", body, content_type="application/json", headers=headers
        )
        assert reply.json()["outcome"] == "applied"
    paid = ok(clerk.get(f"/orders/{a['id']}"), 200)
    assert (paid["payment_status"], paid["staff_label"]) == ("paid", "awaiting_shipment")
    ok(
        finance.post(
            f"/orders/{b['id']}/payments",
            {"method": "bank_transfer", "amount": "71.00", "reference": "HX-B-0001", "payer": "张伟"},
        )
    )
    ok(
        finance.post(
            f"/orders/{c['id']}/payments", {"method": "bank_transfer", "amount": "99.00", "payer": "张伟"}
        )
    )
    clean()

    # Shipment: two of A's three T-shirts leave the warehouse.
    line = paid["lines"][0]
    order_lines_ship(actor=SYSTEM, order_id=a["id"], quantities={line["id"]: 2}, shipment_number="SH-A-1")
    shipped = ok(clerk.get(f"/orders/{a['id']}"), 200)
    assert (shipped["fulfillment_status"], shipped["lines"][0]["quantity_shipped"]) == (
        "partially_shipped",
        2,
    )

    # Invoice for what shipped: 2 × 99.00 with 13 % VAT inside.
    invoice = ok(
        finance.post(
            f"/orders/{a['id']}/invoices", {"scope": "shipped"}, headers={"Idempotency-Key": "inv-a"}
        )
    )
    assert (invoice["gross_total"], invoice["tax_total"], invoice["lines"][0]["quantity"]) == (
        "198.00",
        "22.78",
        2,
    )
    assert finance.get(f"/invoices/{invoice['id']}/pdf").content[:4] == b"%PDF"
    clean()

    # Partial refund of the unshipped T-shirt, through the provider.
    refund = ok(
        service.post(
            f"/orders/{a['id']}/refunds",
            {
                "amount": "99.00",
                "kind": "partial_lines",
                "reason": "缺货",
                "lines": [{"line_number": 1, "quantity": 1, "amount": "99.00"}],
            },
            headers={"Idempotency-Key": "rf-a"},
        )
    )
    assert (refund["status"], refund["provider_reference"][:3]) == ("succeeded", "rf_")
    money = ok(finance.get(f"/orders/{a['id']}/money"), 200)
    assert (money["captured"], money["refunded"], money["paid"], money["payment_status"]) == (
        "297.00",
        "99.00",
        "198.00",
        "partially_refunded",
    )
    too_much = service.post(f"/orders/{a['id']}/refunds", {"amount": "198.01", "kind": "goodwill"})
    assert (too_much.status_code, too_much.json()["code"]) == (409, "refund_exceeds_balance")
    clean()

    # Reconciliation from the bank's statement file.
    payments = {p["order_id"]: p for p in ok(finance.get("/payments"), 200)["items"]}
    day = payments[a["id"]]["received_at"][:10]
    statement = "\n".join(
        [
            "交易日期,金额,币种,摘要,对方户名",
            # A: reference and amount; B: reference, amount, date, payer; C: amount, date, payer
            f"{day},297.00,CNY,支付宝结算 {payments[a['id']]['provider_reference']},支付宝",
            f"{day},71.00,CNY,货款 HX-B-0001,张伟",
            f"{day},99.00,CNY,货款,张伟",
            f"{day},-99.00,CNY,退款 {a['number']},张伟",  # the refund going out
            f"{day},500.00,CNY,不明来款,王五",  # nobody's
        ]
    ).encode("utf-8-sig")
    upload = SimpleUploadedFile("icbc-statement.csv", statement, content_type="text/csv")
    imported = ok(
        finance.client.post(
            "/api/v1/reconciliation/statements",
            {"file": upload, "source": "icbc"},
            headers={**finance.headers, "Idempotency-Key": "st-1"},
        )
    )
    rows = imported["lines"]
    assert [(r["status"], r["payment_id"]) for r in rows] == [
        ("matched", payments[a["id"]]["id"]),
        ("matched", payments[b["id"]]["id"]),
        ("suggested", payments[c["id"]]["id"]),
        ("unmatched", None),
        ("unmatched", None),
    ]
    automatic = Decimal(imported["match_rate"])
    ok(finance.post(f"/reconciliation/lines/{rows[2]['id']}/confirm"), 200)
    report = ok(finance.get(f"/reconciliation/statements/{imported['id']}"), 200)
    assert report["counts"] == {"matched": 3, "suggested": 0, "unmatched": 2}
    assert report["unmatched_payments"] == []
    confirmed = Decimal(report["match_rate"])
    clean()

    figures = (
        f"order to cash: reconciliation of a 5-line statement (4 incoming, 3 of them ours): "
        f"{automatic:.0%} of incoming lines matched automatically, {confirmed:.0%} after 1 confirmation; "
        f"1 unknown incoming and 1 outgoing line left unmatched, 0 payments unmatched"
    )
    print(figures)
    record_property("figures", figures)
