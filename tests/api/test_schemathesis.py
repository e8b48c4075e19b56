"""Schemathesis over the whole /api/v1 schema, in process (WSGI), as an administrator (B1).

Every operation in the schema is exercised with every built-in check; any 5xx, undocumented
status, wrong content type or body that does not match its schema fails the run. A second,
stateful run follows the links between operations (create, then read or change what was
created) in a shop seeded with orders placed through POST /orders, to reach the success paths
of operations on one resource; its figure says how often it did.

Sizes: DINGDAN_FUZZ_EXAMPLES generated cases per operation (CI: 100 on SQLite, 30 on
PostgreSQL) and DINGDAN_FUZZ_SEQUENCES sequences of DINGDAN_FUZZ_STEPS steps for the stateful
run (CI: 30 of 10). Each test runs inside one transaction (the `db` fixture) rolled back at its
end, and each generated sequence inside a savepoint rolled back at its end, so no test pays
for a flush of every table.
"""

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.generation import GenerationMode

from dingdan.accounts.models import ApiToken
from dingdan.accounts.selectors import token_hash
from dingdan.accounts.services import token_create
from dingdan.core.actors import SYSTEM
from dingdan.customers.models import Customer
from dingdan.orders.models import Order
from dingdan.orders.tests.conftest import Shop, make_shop
from dingdan.testing.fixtures import ApiClient

# CI runs the 100 generated cases per operation on SQLite (the faster database) and 30
# on PostgreSQL, where the same requests meet the other database; `make soak` sets more.
ON_POSTGRES = os.environ.get("DINGDAN_TEST_DB") == "postgres"
EXAMPLES = int(os.environ.get("DINGDAN_FUZZ_EXAMPLES", "30" if ON_POSTGRES else "100"))
SEQUENCES = int(os.environ.get("DINGDAN_FUZZ_SEQUENCES", "30"))
STEPS = int(os.environ.get("DINGDAN_FUZZ_STEPS", "10"))

# A schema-valid request may still be refused for what no schema can express: an opaque
# pagination cursor that does not decode (400 invalid_cursor, ARCHITECTURE §6b), or a
# business rule such as a reference to a tax rate, channel or SKU that does not exist or a
# postal code of another country (422), or an If-Match naming another version than the one the
# resource has (412). Those answers must still be declared
# (status_code_conformance) and shaped as declared; a 5xx is still a failure.
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "412", "422", "429"]
            }
        }
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=CONFIG)

# Derandomized and without an example database, so every run sends the same requests.
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# Known before collection: schemathesis builds some cases (and their auth) when it collects.
TOKEN = "ddn_schemathesis-administrator"
STATUSES: Counter[tuple[str, int]] = Counter()


@schema.auth(refresh_interval=None)
class AdministratorToken:
    """The administrator's token, given to schemathesis as auth (not as a plain header) so its
    ignored-auth check knows what to leave out."""

    def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> str:
        return TOKEN

    def set(self, case: schemathesis.Case, data: str, ctx: schemathesis.AuthContext) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def requests_keep_the_test_connection() -> None:
    """Schemathesis calls the real WSGI handler, whose request signals close a connection that
    is inside a transaction (the test's): keep it open, as Django's test client does while it
    sends a request (and undoes when it is done)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


@pytest.fixture
def wsgi_in_the_test_transaction(db: None) -> Iterator[None]:
    requests_keep_the_test_connection()
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def administrator_token(wsgi_in_the_test_transaction: None, make_user: Any) -> str:
    user = make_user("administrator", username="schemathesis-admin")
    token, _secret = token_create(user=user, name="schemathesis", actor=SYSTEM)
    ApiToken.objects.filter(pk=token.pk).update(token_hash=token_hash(TOKEN))
    return TOKEN


@pytest.fixture
def figures(request: pytest.FixtureRequest, record_property: Any) -> Any:
    STATUSES.clear()
    yield STATUSES
    call = getattr(request.node, "rep_call", None)  # set by tests/conftest.py
    if call is None or call.failed:
        return
    operations = sorted({label for label, _status in STATUSES})
    by_status: Counter[int] = Counter()
    for (_label, status), count in STATUSES.items():
        by_status[status] += count
    statuses = dict(sorted(by_status.items()))
    figure = f"{by_status.total()} cases, statuses {statuses}, 0 failures"
    if len(operations) == 1:
        record_property("figures", f"{operations[0]}: {figure}")
        return
    successes = Counter(
        label for (label, status), n in STATUSES.items() if 200 <= status < 300 for _ in range(n)
    )
    followed = sum(n for label, n in successes.items() if "{order_id}" in label)
    reached = ", ".join(f"{label} {n}" for label, n in sorted(successes.items()))
    record_property(
        "figures",
        f"{len(operations)} operations: {figure} ({followed} successes on an order's path; "
        f"2xx by operation: {reached})",
    )


@schema.parametrize()
@FUZZ
def test_every_operation_conforms_to_its_schema_under_generated_input(
    case: schemathesis.Case, administrator_token: str, figures: Counter[tuple[str, int]]
) -> None:
    response = case.call_and_validate()
    figures[(case.operation.label, response.status_code)] += 1


# The order's life: placing, reading, changing, approving, paying, invoicing, fulfilling and
# refunding it, and the customer it is for. Every operation is fuzzed on its own above; here
# sequences act on the orders of a seeded shop and follow the links from what they create.
ORDER_LIFE = schema.include(
    path_regex=r"^/api/v1/(orders|payments|refunds|invoices|fulfillment|customers|credit)(/|$)"
)


class Workflow(ORDER_LIFE.as_state_machine()):  # type: ignore[misc]
    """Sequences that start from the seeded shop and its orders (a draft, a confirmed web order,
    a wholesale order waiting for review), each sequence meeting them as placed: a generated id
    that names nothing is mapped onto one of them, so approving, amending, paying, cancelling
    or shipping an order is reached, not only its 404; links carry on from what a step made."""

    shop: Shop
    orders: list[int]  # a draft, and orders placed on the shop's web and wholesale channels

    def setup(self) -> None:
        # Each sequence meets the same database: a replay while Hypothesis searches must not
        # meet what an earlier sequence created (a 201 the first time is a 409 the second).
        self.savepoint = transaction.savepoint_create()

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)
        super().teardown()

    def before_call(self, case: schemathesis.Case) -> None:
        # What no schema names: an existing customer, channel, SKU or order. Valid generated
        # requests get the shop's (keeping the rest of what was generated); ids that came
        # through a link from an earlier response name something that exists and are kept.
        meta = case._meta
        if meta is not None and meta.generation.mode != GenerationMode.POSITIVE:
            return super().before_call(case)
        if case.operation.label == "POST /api/v1/orders" and isinstance(case.body, dict):
            case.body = {
                **case.body,
                "channel": self.shop.channel.code,
                "customer_id": self.shop.customer.pk,
                "lines": [{"sku": self.shop.tshirt.code, "quantity": 1}],
                "shipping_address": None,
                "billing_address": None,
                "coupon_codes": [],
            }
        parameters = dict(case.path_parameters or {})
        for name, model, seeded in (
            ("order_id", Order, self.orders),
            ("customer_id", Customer, [self.shop.customer.pk]),
        ):
            value = parameters.get(name)
            if isinstance(value, int) and not model.objects.filter(pk=value).exists():
                parameters[name] = seeded[value % len(seeded)]
        if parameters != (case.path_parameters or {}):
            case.path_parameters = parameters
        return super().before_call(case)

    def after_call(self, response: Any, case: schemathesis.Case) -> None:
        super().after_call(response, case)
        STATUSES[(case.operation.label, response.status_code)] += 1


def test_linked_operations_conform_to_the_schema_in_generated_sequences(
    administrator_token: str, figures: Counter[tuple[str, int]]
) -> None:
    Workflow.shop = shop = make_shop()
    client = ApiClient(administrator_token)
    placed = [
        client.post(
            "/orders",
            {
                "channel": channel.code,
                "customer_id": shop.customer.pk,
                "submit": submit,
                "lines": [{"sku": shop.tshirt.code, "quantity": 1}],
            },
        )
        for channel, submit in ((shop.channel, False), (shop.channel, True), (shop.review_channel, True))
    ]
    assert [response.status_code for response in placed] == [201, 201, 201], [r.content for r in placed]
    Workflow.orders = [response.json()["id"] for response in placed]
    requests_keep_the_test_connection()  # the test client connected the signals again
    run_state_machine_as_test(
        Workflow, settings=settings(FUZZ, max_examples=SEQUENCES, stateful_step_count=STEPS)
    )
    # Sequences reached the success paths of a placed order, not only its 404s.
    on_an_order = {label for (label, status) in figures if "{order_id}" in label and 200 <= status < 300}
    assert len(on_an_order) >= 3, sorted(on_an_order)
