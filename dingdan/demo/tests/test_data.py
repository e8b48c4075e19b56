"""The generated demo data: deterministic, realistic, and valid by the rules it claims."""

import collections
import itertools
import random
from decimal import Decimal

import phonenumbers
import pytest

from dingdan.demo.data import SEED
from dingdan.demo.data.catalog import catalog, charm_price, price_lists
from dingdan.demo.data.channels import CHANNELS
from dingdan.demo.data.codes import ean13, ean13_check_digit, landline, uscc, uscc_check_char
from dingdan.demo.data.customers import customers
from dingdan.demo.data.orders import DAYS, ORDERS, Step, demand, next_step, order_plans, sku_weights
from dingdan.demo.data.places import CITIES
from dingdan.demo.data.staff import DEMO_PASSWORD, staff_users
from dingdan.demo.data.stock import opening_receipts
from dingdan.demo.data.warehouses import WAREHOUSES

CATALOG = catalog(SEED)
CUSTOMERS = customers(SEED)
SKUS = [sku for product in CATALOG.products for sku in product["skus"]]
PLANS = order_plans(SEED, skus=CATALOG.base_prices, customers=CUSTOMERS)
PLACES = {(c.province, c.name, d.name, d.postal_code) for c in CITIES for d in c.districts}


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    assert catalog(SEED) == CATALOG
    assert customers(SEED) == CUSTOMERS
    assert customers(SEED + 1) != CUSTOMERS
    assert catalog(SEED + 1).base_prices != CATALOG.base_prices


def test_check_digits_match_published_examples():
    assert ean13_check_digit("400638133393") == "1"  # 4006381333931
    assert ean13("690123", 45678) == "6901230456787"  # weighted sum 113
    assert uscc_check_char("91350100M000100Y4") == "3"  # 91350100M000100Y43
    assert uscc_check_char("91110000600037341") == "L"  # 91110000600037341L


def test_the_catalog_has_a_few_hundred_products_in_four_categories():
    by_category = collections.Counter(product["category"].split("/")[0] for product in CATALOG.products)

    assert len(CATALOG.products) == 320
    assert by_category == {"服装": 70, "数码配件": 90, "家居": 75, "食品": 85}
    assert 900 < len(SKUS) < 1200
    assert all(product["name_en"] and product["name"] != product["name_en"] for product in CATALOG.products)


def test_codes_and_barcodes_are_unique_and_every_barcode_is_a_valid_ean13():
    barcodes = [sku["barcode"] for sku in SKUS]

    assert len({p["code"] for p in CATALOG.products}) == len(CATALOG.products)
    assert len({sku["code"] for sku in SKUS}) == len(SKUS)
    assert len(set(barcodes)) == len(barcodes)
    assert all(len(b) == 13 and b.startswith("69") and ean13_check_digit(b[:12]) == b[12] for b in barcodes)


def test_apparel_comes_in_colours_and_sizes_and_food_staples_carry_nine_percent_vat():
    apparel = [p for p in CATALOG.products if p["code"].startswith("AP")]
    rice = [p for p in CATALOG.products if "大米" in p["name"]]

    for product in apparel:
        specs = [sku["specs"] for sku in product["skus"]]
        assert all("颜色" in s and ("尺码" in s or "腰围" in s) for s in specs)
        assert len({tuple(s.items()) for s in specs}) == len(specs)
    assert rice
    assert {sku["tax_rate"] for p in rice for sku in p["skus"]} == {"vat9"}
    assert {row["code"]: row["rate"] for row in CATALOG.tax_rates} == {
        "vat13": Decimal("0.1300"),
        "vat9": Decimal("0.0900"),
    }


@pytest.mark.parametrize(
    ("amount", "price"), [(123.4, "119.00"), (125, "129.00"), (19.2, "19.90"), (9.99, "9.90")]
)
def test_shop_prices_end_in_nine(amount, price):
    assert charm_price(amount) == Decimal(price)


def test_every_price_list_prices_every_sku_and_vip_and_wholesale_are_cheaper():
    lists = {row["code"]: row for row in price_lists(CATALOG, CHANNELS)}
    first_tier = {
        code: {i["sku_code"]: i["price"] for i in row["items"] if i.get("min_quantity", 1) == 1}
        for code, row in lists.items()
    }

    assert sorted(lists) == sorted([f"retail-{c['code']}" for c in CHANNELS] + ["vip", "wholesale"])
    assert all(set(prices) == set(CATALOG.base_prices) for prices in first_tier.values())
    assert lists["wholesale"]["prices_include_tax"] is False
    assert lists["vip"]["channel"] is None
    for code, retail in first_tier["retail-web"].items():
        assert first_tier["wholesale"][code] < first_tier["vip"][code] < retail
    bulk = [i for i in lists["wholesale"]["items"] if i.get("min_quantity") == 50]
    assert len(bulk) == len(CATALOG.base_prices)


def test_customers_have_valid_mobiles_real_places_and_plausible_grades():
    grades = collections.Counter(c["grade"] for c in CUSTOMERS)

    assert len(CUSTOMERS) == 320
    assert set(grades) == {"normal", "vip", "wholesale"}
    assert {c["language"] for c in CUSTOMERS} == {"zh-hans", "zh-hant", "en"}
    for customer in CUSTOMERS:
        number = phonenumbers.parse(customer["phone"])
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
        for address in customer["addresses"]:
            place = (address["province"], address["city"], address["district"], address["postal_code"])
            assert place in PLACES
        assert sum(a["is_default_shipping"] for a in customer["addresses"]) == 1
        assert customer["email"] == "" or customer["email"].split("@")[1].endswith("example.com")


def test_companies_have_invoice_details_and_only_wholesale_buyers_have_credit():
    companies = [c for c in CUSTOMERS if c["kind"] == "company"]

    assert len(companies) == 40
    for company in companies:
        taxpayer_id = company["taxpayer_id"]
        assert len(taxpayer_id) == 18
        assert uscc_check_char(taxpayer_id[:17]) == taxpayer_id[17]
        assert phonenumbers.is_valid_number(phonenumbers.parse(company["registered_phone"], "CN"))
        assert company["invoice_title"] == company["company_name"]
        assert [c["title"] for c in company["contacts"]] == ["采购", "财务"]
    for customer in CUSTOMERS:
        assert (customer["credit_limit"] > 0) == (customer["grade"] == "wholesale")


def test_generated_taxpayer_ids_and_landlines_are_valid_everywhere():
    rng = random.Random(7)
    for city, _ in itertools.product(CITIES, range(20)):
        code = uscc(city.division_code, rng)
        assert uscc_check_char(code[:17]) == code[17]
        number = phonenumbers.parse(landline(city.area_code, city.local_digits, rng), "CN")
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE


def test_there_is_one_staff_user_per_role_with_the_demo_password():
    users = staff_users(["order_clerk", "finance"])

    assert [(u["username"], u["roles"], u["password"]) for u in users] == [
        ("order_clerk", ["order_clerk"], DEMO_PASSWORD),
        ("finance", ["finance"], DEMO_PASSWORD),
    ]


def test_order_plans_are_deterministic_oldest_first_and_spread_over_the_last_60_days():
    days = collections.Counter(plan.days_ago for plan in PLANS)

    assert order_plans(SEED, skus=CATALOG.base_prices, customers=CUSTOMERS) == PLANS
    assert order_plans(SEED + 1, skus=CATALOG.base_prices, customers=CUSTOMERS) != PLANS
    assert len(PLANS) == ORDERS == 3000
    assert set(days) == set(range(DAYS))
    assert days[0] + days[1] > days[DAYS - 1] + days[DAYS - 2]  # business grows
    assert [(p.days_ago, p.second_of_day) for p in PLANS] == sorted(
        ((p.days_ago, p.second_of_day) for p in PLANS), key=lambda moment: (-moment[0], moment[1])
    )
    assert all(0 <= plan.second_of_day < 86_400 for plan in PLANS)


def test_order_plans_cover_every_channel_with_fitting_customers_and_lines():
    channels = collections.Counter(plan.channel for plan in PLANS)
    wholesale = [plan for plan in PLANS if plan.channel == "wholesale"]
    retail = [plan for plan in PLANS if plan.channel not in {"wholesale", "email"}]

    assert set(channels) == {channel["code"] for channel in CHANNELS}
    assert all(CUSTOMERS[plan.customer]["grade"] == "wholesale" for plan in wholesale)
    assert all(10 <= quantity <= 100 for plan in wholesale for _sku, quantity in plan.lines)
    assert any(quantity >= 50 for plan in wholesale for _sku, quantity in plan.lines)  # the bulk tier
    assert all(1 <= len(plan.lines) <= 5 and all(q <= 5 for _s, q in plan.lines) for plan in retail)
    assert all(len({sku for sku, _q in plan.lines}) == len(plan.lines) for plan in PLANS)
    assert {sku for plan in PLANS for sku, _q in plan.lines} <= set(CATALOG.base_prices)
    for channel in ("tmall", "jd"):
        references = [plan.external_reference for plan in PLANS if plan.channel == channel]
        assert all(references)
        assert len(set(references)) == len(references)
    assert sum(not plan.submit for plan in PLANS) == 24


def test_a_few_skus_sell_most():
    weights = sku_weights(SEED, list(CATALOG.base_prices))
    units = sorted(demand(PLANS).values(), reverse=True)

    assert len(weights) == len(CATALOG.base_prices)
    assert sum(units[:100]) > sum(units) / 3


@pytest.mark.parametrize(
    ("status", "fate", "age_days", "step"),
    [
        ("pending_review", 0.1, 10, Step("approve", "")),
        ("pending_review", 0.85, 10, Step("reject", "疑似欺诈订单")),
        ("pending_review", 0.99, 10, None),
        ("pending_review", 0.5, 1, None),
        ("confirmed", 0.01, 5, Step("cancel", "客户取消")),
        ("confirmed", 0.06, 5, Step("hold", "客户要求修改收货地址")),
        ("confirmed", 0.5, 5, None),
        ("on_hold", 0.2, 20, Step("cancel", "缺货取消")),
        ("on_hold", 0.2, 2, None),
        ("draft", 0.1, 20, Step("cancel", "客户取消")),
        ("draft", 0.1, 3, None),
    ],
)
def test_the_next_step_of_an_order_follows_its_status_fate_and_age(status, fate, age_days, step):
    assert next_step(status, fate, age_days) == step


def test_opening_stock_covers_most_skus_mostly_in_the_first_warehouse_and_leaves_some_out():
    codes = [row["code"] for row in WAREHOUSES]
    receipts = opening_receipts(SEED, skus=list(CATALOG.base_prices), warehouses=codes, demand=demand(PLANS))
    stocked = collections.Counter()
    for receipt in receipts:
        stocked.update(dict(receipt["lines"]))

    assert receipts == opening_receipts(
        SEED, skus=list(CATALOG.base_prices), warehouses=codes, demand=demand(PLANS)
    )
    assert [r["warehouse"] for r in receipts] == codes
    assert all(quantity > 0 for receipt in receipts for _code, quantity in receipt["lines"])
    missing = set(CATALOG.base_prices) - set(stocked)
    assert 0.02 < len(missing) / len(CATALOG.base_prices) < 0.06
    assert sum(dict(receipts[0]["lines"]).values()) > sum(stocked.values()) / 2
