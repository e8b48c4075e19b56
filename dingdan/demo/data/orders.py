"""Demo orders as plans: who orders what, on which channel, on which day, and what the staff
do with it next. Plain data, deterministic from a seed; the loader places each plan through
dingdan.orders.services and applies `next_step` to the status the order actually reached.

Demand is skewed like a real shop's: a few SKUs sell most (Zipf-like weights over a shuffled
catalog), retail orders have one or two lines of one unit, wholesale orders several lines of
dozens of units. Orders grow towards the present and follow the hours of the day.
"""

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

ORDERS = 3000
DAYS = 60  # orders are spread over the last DAYS days, today included
DRAFT_EVERY = 125  # one plan in DRAFT_EVERY is saved as a draft and not submitted
FREE_SHIPPING_FROM = Decimal("99.00")
ZERO = Decimal("0.00")

CHANNEL_WEIGHTS = {"web": 28, "tmall": 24, "jd": 19, "phone": 6, "email": 5, "wholesale": 8, "store": 10}
RETAIL_LINES = {1: 55, 2: 27, 3: 11, 4: 5, 5: 2}  # lines per order: weight
RETAIL_UNITS = {1: 74, 2: 18, 3: 5, 4: 2, 5: 1}  # units per line: weight
WHOLESALE_UNITS = {10: 14, 12: 10, 20: 16, 24: 10, 30: 12, 36: 6, 48: 8, 50: 10, 60: 7, 80: 4, 100: 3}
# Orders per hour of the day (company time): quiet at night, peaks at noon and in the evening.
HOURS = [2, 1, 1, 1, 1, 1, 2, 4, 6, 8, 10, 11, 12, 10, 9, 9, 9, 10, 11, 13, 14, 13, 9, 5]
SHIPPING_FEES = {"web": Decimal("10.00"), "phone": Decimal("15.00")}  # below FREE_SHIPPING_FROM
FREIGHT = Decimal("200.00")  # wholesale orders sent by freight, now and then

NOTES = ["请尽快发货", "工作日白天送货", "周末送货", "需要开具发票", "送货前请电话联系", "包装请结实一点"]
HOLD_NOTES = ["客户要求修改收货地址", "地址待确认", "疑似刷单，待核实", "客户来电暂缓发货"]
REJECT_REASONS = ["疑似欺诈订单", "客户信用额度不足", "重复下单", "收货地址无法送达"]
CANCEL_REASONS = ["客户取消", "超时未付款", "客户要求退款", "客户改买其他商品"]
STOCK_CANCEL_REASONS = ["缺货取消", "客户不愿等待补货"]
APPROVE_NOTES = ["", "", "已电话确认", "老客户，已核对"]


@dataclass(frozen=True)
class OrderPlan:
    days_ago: int  # 0 is today (company time)
    second_of_day: int  # when in that day the order is placed (company time)
    channel: str  # a channel code of data.channels
    customer: int  # index into data.customers.customers(seed)
    lines: tuple[tuple[str, int], ...]  # (SKU code, quantity)
    external_reference: str = ""
    priority: str = "normal"
    shipping_fee: Decimal = ZERO
    customer_note: str = ""
    submit: bool = True
    fate: float = 0.0  # picks what the staff do next: see next_step
    delay_minutes: int = 60  # how long after placing they do it


def sku_weights(seed: int, codes: Sequence[str]) -> dict[str, float]:
    """How much each SKU sells relative to the others: 1 / (rank + 8) over a shuffled order."""
    rng = random.Random(seed + 1)  # noqa: S311 (reproducible demo data, not secrets)
    ranked = sorted(codes)
    rng.shuffle(ranked)
    return {code: 1 / (rank + 8) for rank, code in enumerate(ranked)}


def _weighted(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Picker:
    """Draws customers and SKUs for one plan; one random generator for the whole run."""

    def __init__(
        self, seed: int, skus: Mapping[str, Decimal], customers: Sequence[Mapping[str, Any]]
    ) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not secrets)
        weights = sku_weights(seed, list(skus))
        self.codes, self.weights = list(weights), list(weights.values())
        self.prices = skus
        self.people = [i for i, c in enumerate(customers) if c["kind"] == "person"]
        self.people_weights = [3 if customers[i]["grade"] == "vip" else 1 for i in self.people]
        self.companies = [i for i, c in enumerate(customers) if c["kind"] == "company"]
        self.wholesale = [i for i, c in enumerate(customers) if c["grade"] == "wholesale"]

    def skus(self, count: int) -> list[str]:
        chosen: list[str] = []
        while len(chosen) < count:
            code = self.rng.choices(self.codes, weights=self.weights)[0]
            if code not in chosen:
                chosen.append(code)
        return chosen

    def customer(self, channel: str) -> int:
        rng = self.rng
        if channel == "wholesale":
            return rng.choice(self.wholesale)
        if self.companies and rng.random() < (0.5 if channel == "email" else 0.03):
            return rng.choice(self.companies)
        return rng.choices(self.people, weights=self.people_weights)[0]

    def lines(self, channel: str) -> tuple[tuple[str, int], ...]:
        rng = self.rng
        if channel == "wholesale":
            return tuple((code, _weighted(rng, WHOLESALE_UNITS)) for code in self.skus(rng.randint(2, 6)))
        count = _weighted(rng, RETAIL_LINES) if channel != "email" else rng.randint(1, 4)
        return tuple((code, _weighted(rng, RETAIL_UNITS)) for code in self.skus(count))

    def shipping_fee(self, channel: str, lines: Sequence[tuple[str, int]]) -> Decimal:
        if channel == "wholesale":
            return FREIGHT if self.rng.random() < 0.3 else ZERO
        goods = sum((self.prices[code] * quantity for code, quantity in lines), ZERO)
        return SHIPPING_FEES.get(channel, ZERO) if goods < FREE_SHIPPING_FROM else ZERO


def _moment(rng: random.Random) -> tuple[int, int]:
    """(days ago, second of the day): more orders in recent days, by the hour of the day."""
    days_ago = min(DAYS - 1, int(DAYS * (1 - rng.random() ** 0.75)))
    hour = rng.choices(range(24), weights=HOURS)[0]
    return days_ago, hour * 3600 + rng.randrange(3600)


def _reference(channel: str, rng: random.Random) -> str:
    """Marketplace orders carry the marketplace's own order id (unique per channel)."""
    if channel == "tmall":
        return str(rng.randrange(10**18, 10**19))
    if channel == "jd":
        return str(rng.randrange(10**11, 10**12))
    return ""


def order_plans(
    seed: int,
    *,
    skus: Mapping[str, Decimal],
    customers: Sequence[Mapping[str, Any]],
    count: int = ORDERS,
) -> list[OrderPlan]:
    """`count` plans, oldest first. `skus` maps each SKU code to its tax-inclusive base price;
    `customers` are data.customers.customers(seed)."""
    picker = _Picker(seed, skus, customers)
    rng = picker.rng
    plans = []
    for number in range(count):
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        days_ago, second = _moment(rng)
        lines = picker.lines(channel)
        plans.append(
            OrderPlan(
                days_ago=days_ago,
                second_of_day=second,
                channel=channel,
                customer=picker.customer(channel),
                lines=lines,
                external_reference=_reference(channel, rng),
                priority="urgent" if rng.random() < (0.1 if channel == "wholesale" else 0.04) else "normal",
                shipping_fee=picker.shipping_fee(channel, lines),
                customer_note=rng.choice(NOTES) if rng.random() < 0.15 else "",
                submit=number % DRAFT_EVERY != DRAFT_EVERY // 2,
                fate=rng.random(),
                delay_minutes=int(rng.expovariate(1 / 180)) + 5,
            )
        )
    plans.sort(key=lambda plan: (-plan.days_ago, plan.second_of_day))
    return plans


def demand(plans: Sequence[OrderPlan]) -> dict[str, int]:
    """Units of each SKU the plans order (what the opening stock is sized by)."""
    units: dict[str, int] = {}
    for plan in plans:
        for code, quantity in plan.lines:
            units[code] = units.get(code, 0) + quantity
    return units


@dataclass(frozen=True)
class Step:
    action: str  # approve, hold, reject or cancel (a service of dingdan.orders.services)
    text: str  # the note or the reason the service takes


def _pick(texts: Sequence[str], fate: float) -> str:
    return texts[int(fate * 10_000) % len(texts)]


def _pending_step(fate: float, age_days: float) -> Step | None:
    """Reviewers work the queue within a few days; most of what is left is recent."""
    approve, reject, hold, cancel = (0.8, 0.88, 0.91, 0.95) if age_days > 5 else (0.25, 0.3, 0.34, 0.34)
    if fate < approve:
        return Step("approve", _pick(APPROVE_NOTES, fate))
    if fate < reject:
        return Step("reject", _pick(REJECT_REASONS, fate))
    if fate < hold:
        return Step("hold", _pick(HOLD_NOTES, fate))
    if fate < cancel:
        return Step("cancel", _pick(CANCEL_REASONS, fate))
    return None


def _held_step(fate: float, age_days: float) -> Step | None:
    """A hold for stock is cancelled or rejected now and then, more often when it is old."""
    cancel, reject = (0.35, 0.5) if age_days > 10 else (0.1, 0.15)
    if fate < cancel:
        return Step("cancel", _pick(STOCK_CANCEL_REASONS, fate))
    if fate < reject:
        return Step("reject", _pick(REJECT_REASONS, fate))
    return None


def next_step(status: str, fate: float, age_days: float) -> Step | None:
    """What the staff do with an order `age_days` old that reached `status` at intake, or None
    (it stays as it is). Pure: the plan's `fate` decides."""
    if status == "pending_review":
        return _pending_step(fate, age_days)
    if status == "confirmed":
        if fate < 0.05:
            return Step("cancel", _pick(CANCEL_REASONS, fate))
        return Step("hold", _pick(HOLD_NOTES, fate)) if fate < 0.08 else None
    if status == "on_hold":
        return _held_step(fate, age_days)
    if status == "draft" and age_days > 14 and fate < 0.3:
        return Step("cancel", _pick(CANCEL_REASONS, fate))
    return None
