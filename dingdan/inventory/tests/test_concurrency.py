"""Two callers racing to create the same warehouse code on real connections."""

import threading

import pytest
from django.db import connection

from dingdan.core.actors import SYSTEM
from dingdan.inventory.exceptions import WarehouseCodeTaken
from dingdan.inventory.models import Warehouse
from dingdan.inventory.services import warehouse_create

RACERS = 8
FIELDS = {"province": "北京市", "city": "北京市", "street": "顺义区 空港物流园", "region": "north"}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_racing_creates_of_one_code_make_one_warehouse_and_the_rest_get_code_taken():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers on separate connections")
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def race(n: int) -> None:
        barrier.wait()
        try:
            warehouse_create(actor=SYSTEM, code="bj-shunyi", name=f"顺义 {n}", **FIELDS)
            outcomes.append("created")
        except WarehouseCodeTaken:
            outcomes.append("taken")
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created"] + ["taken"] * (RACERS - 1)
    assert Warehouse.objects.filter(code="bj-shunyi").count() == 1
