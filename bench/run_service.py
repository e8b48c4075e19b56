# ruff: noqa: E501  (SQL and Markdown table rows read better unwrapped)
"""Part 2: the same orders through the service layer in-process (no HTTP), with a profile of
where the time goes, and through the API view in-process (Django's test client), so the
difference between the three says what HTTP, the view and the service each cost."""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import time
from typing import Any

from . import common

ORDERS = 300


def _requests(shop: Any, count: int) -> list[tuple[int, list[str], list[int]]]:
    rng = random.Random(5)
    return [
        (rng.choice(shop.customers), rng.sample(shop.skus, 5), [rng.randint(1, 3) for _ in range(5)])
        for _ in range(count)
    ]


def _service(shop: Any, requests: list[tuple[int, list[str], list[int]]]) -> float:
    from dingdan.core.actors import Actor
    from dingdan.orders import services as orders

    actor = Actor(username="bench", via="system")
    began = time.process_time()
    for customer, codes, qty in requests:
        request = orders.OrderRequest(
            channel_id=shop.channel_id,
            customer_id=customer,
            lines=tuple(orders.LineRequest(sku_code=c, quantity=q) for c, q in zip(codes, qty, strict=True)),
        )
        orders.order_create(actor=actor, request=request, submit=True)
    return time.process_time() - began


def _view(shop: Any, token: str, requests: list[tuple[int, list[str], list[int]]]) -> float:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    began = time.process_time()
    for customer, codes, qty in requests:
        body = {
            "channel": shop.channel_code,
            "customer_id": customer,
            "lines": [{"sku": c, "quantity": q} for c, q in zip(codes, qty, strict=True)],
        }
        response = client.post(
            "/api/v1/orders",
            data=json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": os.urandom(16).hex()},
        )
        if response.status_code != 201:
            raise RuntimeError(f"{response.status_code}: {response.content[:300]!r}")
    return time.process_time() - began


def _queries(shop: Any, token: str, request: tuple[int, list[str], list[int]]) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as service:
        _service(shop, [request])
    with CaptureQueriesContext(connection) as view:
        _view(shop, token, [request])
    return len(service.captured_queries), len(view.captured_queries)


def run(args: argparse.Namespace, report: Any) -> None:
    from .placement import shop_load

    token = common.token_for()
    shop = shop_load(token)
    requests = _requests(shop, ORDERS)
    _service(shop, requests[:20])  # warm up
    _view(shop, token, requests[:20])
    service_cpu = _service(shop, requests[20:160]) / 140
    view_cpu = _view(shop, token, requests[160:300]) / 140
    service_queries, view_queries = _queries(shop, token, requests[0])
    profile = cProfile.Profile(time.process_time)  # CPU, not wall time: the machine is shared
    profile.enable()
    _view(shop, token, _requests(shop, 100))
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(25)
    table = "\n".join(line for line in out.getvalue().splitlines() if line.strip())
    cumulative = io.StringIO()
    pstats.Stats(profile, stream=cumulative).sort_stats("cumulative").print_stats(30)
    report.section(
        "2. Service layer in-process (no HTTP)",
        [
            "| path | Python CPU ms per order (client side only, no PostgreSQL) | SQL statements |",
            "| --- | --- | --- |",
            f"| `order_create` service | {service_cpu * 1000:.1f} | {service_queries} |",
            f"| API view through Django's test client (auth, idempotency, response) | {view_cpu * 1000:.1f} | {view_queries} |",
            "",
            "Top costs of 100 orders through the API view (cProfile over process CPU time, sorted by own time):",
            "",
            "```",
            *table.splitlines()[:40],
            "```",
            "",
            "By cumulative time:",
            "",
            "```",
            *[line for line in cumulative.getvalue().splitlines() if line.strip()][:45],
            "```",
        ],
    )
