"""The back office in a real browser: a clerk enters a phone order with the keyboard, a
reviewer approves it from the queue, finds it by phone number, opens its timeline and
switches the interface to Traditional Chinese."""

import time
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from dingdan.channels.services import channel_create
from dingdan.core.actors import SYSTEM
from dingdan.customers.tests.factories import SHENZHEN, CustomerFactory
from dingdan.orders.models import Order
from dingdan.orders.services import LineRequest, OrderRequest, exception_open, order_create

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/app/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-Secret-123")
    page.click("button[type=submit]:has-text('Sign in')")
    expect(page.locator("h1")).to_contain_text(f"Welcome, {username}")


def _sign_out(page: Page) -> None:
    page.click("button:has-text('Sign out')")
    expect(page.locator("h1")).to_have_text("Sign in")


def _some_history(shop: Any) -> None:
    """A few orders so the dashboard and the list have something to show."""
    placed = []
    for lines in ({"TEE-BLK-M": 1}, {"MUG-01": 1}, {"RARE-01": 1}):
        request = OrderRequest(
            channel_id=shop.channel.pk,
            customer_id=shop.customer.pk,
            lines=tuple(LineRequest(sku_code=code, quantity=n) for code, n in lines.items()),
        )
        placed.append(order_create(actor=SYSTEM, request=request))
    exception_open(order_id=placed[0].pk, kind="address_problem", actor=SYSTEM, note="门牌号缺失")


def _type_search(page: Page, selector: str, text: str, path: str) -> None:
    """Type into a search box and wait for the answer to the whole text (answers to the
    first letters may arrive first and be replaced)."""
    page.focus(selector)
    with page.expect_response(lambda response: path in response.url and response.url.endswith(quote(text))):
        page.keyboard.type(text)


def _settled(page: Page, container: str) -> None:
    """htmx wires new content up when it settles (htmx-added is removed then): a key pressed
    on a hit before that would reach a button htmx does not yet listen to."""
    expect(page.locator(f"{container} .htmx-added")).to_have_count(0)


def _enter_phone_order(page: Page, base: str) -> str:
    """Keyboard only: search, Enter to the first hit, Enter to take it, type the quantity."""
    page.goto(f"{base}/app/orders/new/")
    page.select_option("#id_channel", label="电话订购")
    _type_search(page, "#customer-search", "李娜", "/customers/?q=")
    expect(page.locator("#customer-hits button")).to_have_count(1)
    _settled(page, "#customer-hits")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(page.locator("#customer-chosen")).to_contain_text("李娜")
    for code, quantity in (("TEE-BLK-M", "2"), ("MUG-01", "1")):
        _type_search(page, "#sku-search", code, "/skus/?sku_q=")
        expect(page.locator(f"#sku-hits button[data-sku='{code}']")).to_be_visible()
        _settled(page, "#sku-hits")
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")
        expect(page.locator(f"#lines input[value='{code}']")).to_have_count(1)
        page.keyboard.type(quantity)
    expect(page.locator("#quote-total")).to_have_text("233.50 CNY")
    return "entry"


def test_enter_approve_find_and_read_an_order_then_switch_to_traditional_chinese(
    page: Page, live_server: Any, shop: Any, make_user: Any, screenshots: Any, record_property: Any
) -> None:
    started = time.monotonic()
    base = live_server.url
    channel_create(
        actor=SYSTEM, code="phone", name="电话订购", kind="phone", number_prefix="TEL", review_policy="manual"
    )
    CustomerFactory(name="李娜", phone="+8613712345678", addresses=[SHENZHEN])
    _some_history(shop)
    make_user("order_clerk", username="clerk")
    make_user("reviewer", username="reviewer")

    _sign_in(page, base, "clerk")
    screenshots(page, "home-order-clerk")
    _enter_phone_order(page, base)
    screenshots(page, "order-entry")
    page.click("#submit-order")
    expect(page.locator("#staff-label")).to_have_text("Awaiting review")
    number = page.locator("h1").inner_text().split()[0]
    assert Order.objects.get(number=number).lines.count() == 2
    _sign_out(page)

    _sign_in(page, base, "reviewer")
    screenshots(page, "home-reviewer")
    page.click("nav >> text=Review queue")
    row = page.locator(f"#review-queue tr[data-order='{number}']")
    expect(row).to_be_visible()
    screenshots(page, "review-queue")
    row.locator("button[data-action=approve]").click()
    expect(page.locator(".alert-success")).to_contain_text("Done: Approve.")
    expect(page.locator(f"#review-queue tr[data-order='{number}']")).to_have_count(0)
    assert Order.objects.get(number=number).status == "confirmed"

    page.click("nav >> text=Orders")
    page.fill("#id_q", "137 1234 5678")
    page.click("#order-filters button[type=submit]")
    expect(page.locator("#order-rows tr")).to_have_count(1)
    screenshots(page, "order-list")
    page.click(f"#order-rows a:has-text('{number}')")
    timeline = page.locator("#timeline [data-action]")
    expect(timeline).to_have_text(["Created", "Submitted", "Approved"])
    expect(page.locator("#statuses [data-status]")).to_have_text("Confirmed")
    screenshots(page, "order-detail")

    page.select_option("#language-select", "zh-hant")
    expect(page.locator("#statuses [data-status]")).to_have_text("已確認")
    expect(page.locator("nav")).to_contain_text("訂單")
    expect(page.locator("#staff-label")).to_have_text("待付款")
    screenshots(page, "order-detail-zh-hant")
    page.goto(f"{base}/app/inventory/")
    screenshots(page, "inventory")
    page.goto(f"{base}/app/queues/exceptions/")
    expect(page.locator("#exception-queue tr[data-case]")).to_have_count(1)
    screenshots(page, "exception-queue")

    seconds = time.monotonic() - started
    figure = f"browser: phone order entered, approved, found, read, language switched in {seconds:.1f} s"
    print(figure)
    record_property("figures", figure)
