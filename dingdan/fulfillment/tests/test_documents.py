"""PDF documents: Chinese text lands in the PDF's text layer (a CJK font is embedded)."""

import io
import time
from decimal import Decimal

from pypdf import PdfReader

from dingdan.core.actors import SYSTEM
from dingdan.fulfillment import documents, services


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def shipped_order(shop):
    order = shop.order((shop.tee, 2))
    pick = services.pick_list_create(actor=SYSTEM, warehouse_id=shop.shanghai.pk, order_ids=[order.pk])
    services.pick_list_confirm(actor=SYSTEM, pick_list_id=pick.pk)
    [package] = services.packages_create(
        actor=SYSTEM,
        pick_list_id=pick.pk,
        order_id=order.pk,
        packages=[services.PackageSpec({"TEE-BLK-M": 2}, Decimal("0.9"))],
    )
    services.shipment_create(
        actor=SYSTEM, package_ids=[package.pk], carrier_code="sf", tracking_number="SF1234567890123"
    )
    return order, pick, package


def test_the_delivery_note_carries_the_chinese_text_in_its_text_layer(shop, record_property) -> None:
    order, pick, package = shipped_order(shop)
    timings = {}
    started = time.perf_counter()
    pdf = documents.delivery_note_pdf(order_id=order.pk)
    timings["delivery_note"] = time.perf_counter() - started
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    for expected in (
        "纯棉T恤",
        "张伟",
        "广东省深圳市南山区科技园路1号",
        "上海仓",
        "顺丰速运",
        order.number,
        "SF1234567890123",
    ):
        assert expected in text.replace(" ", "") or expected in text
    started = time.perf_counter()
    pick_text = text_of(documents.pick_list_pdf(pick_list_id=pick.pk, language="zh-hans"))
    timings["pick_list"] = time.perf_counter() - started
    assert "纯棉T恤" in pick_text
    assert pick.number in pick_text
    started = time.perf_counter()
    slip_text = text_of(documents.packing_slip_pdf(package_id=package.pk))
    timings["packing_slip"] = time.perf_counter() - started
    assert "纯棉T恤" in slip_text
    assert package.number in slip_text
    figures = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in timings.items())
    print(f"PDF render time per document: {figures}")
    record_property("figures", f"PDF render time per document: {figures}")


def test_documents_follow_the_order_language(shop) -> None:
    shop.customer.language = "en"
    shop.customer.save(update_fields=["language"])
    order, _pick, _package = shipped_order(shop)
    assert documents.order_language(order) == "en"
    assert "Delivery note" in text_of(documents.delivery_note_pdf(order_id=order.pk))
