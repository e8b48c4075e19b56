"""The access matrix (issue 9; OWASP API1 BOLA and API5 BFLA; targets S1, S2 and S8).

Every operation of /api/v1/openapi.json (read from the schema, so a new endpoint is covered the
day it is added) is called by every role of dingdan/accounts/scopes.py, by a token without
scopes and without a token, with a well-formed request against a world of two channels'
documents (tests/api/access_world.py):

- an operation must declare its scopes with `requires(...)`, unless it is one of the few
  reviewed public operations (signed webhooks);
- a caller without the operation's scope gets 403 problem+json (401 without a token), the
  refusal is logged, and nothing changed; a caller with it succeeds or fails for a business
  reason, never with a 5xx;
- a token bound to a channel meets the other channel's orders, payments, shipments, cases,
  amendments, ... as 404 (not 403: their existence does not leak), and nothing changed;
- callers without customers:pii never read a customer's phone, e-mail or street in a JSON
  response.

The negative control switches the scope check of one operation off and the matrix reports the
unauthorised successes.
"""

import importlib
import json
import logging
import math
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dingdan.accounts.scopes import ROLES, SCOPES
from dingdan.accounts.services import token_create
from dingdan.api import binding
from dingdan.api.api import api
from dingdan.core.actors import SYSTEM
from dingdan.core.models import AuditEntry, IdempotencyKey, OutboxEvent, PersonalDataAccess
from dingdan.inventory.models import StockMovement
from dingdan.orders.models import Order
from dingdan.testing.fixtures import ApiClient, ensure_roles

from .access_world import PERSONAL_DATA, Builder, World, build_world, send

pytestmark = pytest.mark.django_db

# Reviewed: operations anyone may call. Each authenticates its caller another way.
PUBLIC = {
    "POST /api/v1/fulfillment/tracking/webhooks/{carrier}": "a carrier's event, HMAC-signed per carrier",
    "POST /api/v1/payments/webhooks/{provider}": "a payment provider's notification, signed per provider",
}
NOBODY = "nobody"  # a staff user with no role: a token without scopes
ANONYMOUS = "anonymous"  # no credentials at all
PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any] = field(compare=False, repr=False)
    scopes: tuple[str, ...] = ()
    check: Any = field(default=None, compare=False, repr=False)  # the `requires` wrapper

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


def _requires_wrapper(view: Any) -> Any:
    """The innermost function of the view's decorator chain that carries `required_scopes`:
    the wrapper `requires` made (the decorators above it copy the attribute)."""
    found = None
    while view is not None:
        if "required_scopes" in getattr(view, "__dict__", {}):
            found = view
        view = getattr(view, "__wrapped__", None)
    return found


def schema_operations(schema: dict[str, Any]) -> list[Operation]:
    views = {
        operation.operation_id or api.get_openapi_operation_id(operation): operation.view_func
        for bound in api._get_bound_routers()
        for path_view in bound.path_operations.values()
        for operation in path_view.operations
    }
    found = []
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            check = _requires_wrapper(views[spec["operationId"]])
            scopes = tuple(check.required_scopes) if check is not None else ()
            found.append(Operation(method, path, spec, scopes, check))
    # Reads first, deletions last: what an allowed caller changes disturbs later calls least.
    order = {"get": 0, "post": 1, "put": 1, "patch": 1, "delete": 2}
    return sorted(found, key=lambda op: (order[op.method], op.path))


WITNESSES = (AuditEntry, OutboxEvent, StockMovement, PersonalDataAccess, IdempotencyKey)


def fingerprint() -> tuple[Any, ...]:
    """What any change leaves behind, in one query: every state change writes an audit entry;
    customer-visible ones an outbox event; stock changes a movement; unmasked reads a log row;
    an order's every change raises its version."""
    counts = ", ".join(f"(SELECT COUNT(*) FROM {model._meta.db_table})" for model in WITNESSES)
    versions = f"(SELECT COALESCE(SUM(version), 0) FROM {Order._meta.db_table})"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}, {versions}")
        return tuple(cursor.fetchone())


@pytest.fixture(scope="module")
def schema(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def shared(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[World, dict[str, ApiClient]]]:
    """One world and one token per caller for the module, built in a transaction that is rolled
    back after its last test; each test runs in a savepoint inside it, so what one test's calls
    change is gone before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_roles()
        callers = {}
        for role in [*ROLES, NOBODY]:
            user = get_user_model().objects.create_user(username=f"matrix-{role}", is_staff=True)
            user.groups.set(Group.objects.filter(name__in=[role]))
            _token, raw = token_create(user=user, name="matrix", actor=SYSTEM)
            callers[role] = ApiClient(raw)
            callers[role].user = user  # type: ignore[attr-defined]
        callers[ANONYMOUS] = ApiClient(None)
        world = build_world(callers["administrator"])
        yield world, callers
        transaction.set_rollback(True)


@pytest.fixture
def world(shared: tuple[World, dict[str, ApiClient]]) -> World:
    return shared[0]


@pytest.fixture
def callers(shared: tuple[World, dict[str, ApiClient]]) -> dict[str, ApiClient]:
    return shared[1]


def role_scopes(role: str) -> frozenset[str]:
    return frozenset(ROLES[role][1]) if role in ROLES else frozenset()


@dataclass
class Matrix:
    cases: int = 0
    denied: int = 0
    allowed: int = 0
    unauthorised_successes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: Counter[str] = field(default_factory=Counter)
    allowed_cases: list[str] = field(default_factory=list)


def holds_scopes(role: str, op: Operation) -> bool:
    return role != ANONYMOUS and set(op.scopes) <= role_scopes(role)


def renders_a_file(op: Operation) -> bool:
    return any(
        media != "application/json" and not media.startswith("application/problem")
        for response in op.spec.get("responses", {}).values()
        for media in response.get("content", {})
    )


def run_matrix(operations: list[Operation], callers: dict[str, ApiClient], builder: Builder) -> Matrix:
    matrix = Matrix()
    for op in operations:
        rendered = renders_a_file(op)
        for role, caller in callers.items():
            holds = holds_scopes(role, op)
            if holds and rendered and any(op.label in case for case in matrix.allowed_cases[-1:]):
                continue  # a PDF takes a few hundred milliseconds: one allowed caller renders it
            request = builder.request(op.method, op.path, op.spec, channel="web")
            before = None if holds else fingerprint()
            tick = time.perf_counter()
            response = send(caller.client, caller.headers, request)
            matrix.seconds[op.label] += time.perf_counter() - tick
            matrix.cases += 1
            matrix.statuses[response.status_code] += 1
            where = f"{op.label} as {role}: {response.status_code} {response.content[:200]!r}"
            if holds:
                matrix.allowed += 1
                matrix.allowed_cases.append(where)
                if response.status_code >= 500:
                    matrix.failures.append(where)
                continue
            matrix.denied += 1
            changed = fingerprint() != before
            if response.status_code < 400 or changed:
                matrix.unauthorised_successes.append(where + (" (changed)" if changed else ""))
            expected = (401, "authentication_required") if role == ANONYMOUS else (403, "permission_denied")
            refused = response["Content-Type"] == PROBLEM and response.status_code == expected[0]
            if not refused or response.json().get("code") != expected[1]:
                matrix.failures.append(where)
    return matrix


def test_every_operation_declares_the_scopes_it_requires(schema: dict[str, Any]) -> None:
    operations = schema_operations(schema)
    undeclared = [op.label for op in operations if not op.scopes and op.label not in PUBLIC]
    unknown = [(op.label, s) for op in operations for s in op.scopes if s not in SCOPES]
    public = {op.label: op for op in operations if op.label in PUBLIC}

    assert len(operations) >= 150
    assert undeclared == []
    assert unknown == []
    assert sorted(public) == sorted(PUBLIC)  # the allow-list names only operations that exist
    assert all(not op.scopes and not op.spec.get("security") for op in public.values())


def test_every_role_is_refused_every_operation_outside_its_scopes(
    schema: dict[str, Any],
    world: World,
    callers: dict[str, ApiClient],
    caplog: pytest.LogCaptureFixture,
    record_property: Any,
) -> None:
    operations = [op for op in schema_operations(schema) if op.label not in PUBLIC]
    caplog.set_level(logging.WARNING, logger="dingdan.security")
    started = time.perf_counter()

    matrix = run_matrix(operations, callers, Builder(schema, world))

    elapsed = time.perf_counter() - started
    refusals = [
        r for r in caplog.records if r.name == "dingdan.security" and "permission denied" in r.message
    ]
    assert matrix.failures == [], "\n".join(matrix.failures)
    assert matrix.unauthorised_successes == [], "\n".join(matrix.unauthorised_successes)
    lacking = sum(1 for op in operations for role in callers if not holds_scopes(role, op))
    assert matrix.denied == lacking  # every caller without the scopes called every operation
    assert matrix.denied >= 500
    logged = len(refusals)
    assert logged == matrix.statuses[403]  # every refusal of a scope is logged, once
    figure = (
        f"access matrix (S2): {len(operations)} operations x {len(callers)} callers "
        f"({len(ROLES)} roles, a token without scopes, no token) = {matrix.cases} cases; "
        f"{matrix.denied} refused (403/401), {len(matrix.unauthorised_successes)} unauthorised "
        f"successes, {logged}/{matrix.statuses[403]} 403s logged; {matrix.allowed} allowed calls, 0 5xx; "
        f"statuses {dict(sorted(matrix.statuses.items()))}; {elapsed:.1f} s"
    )
    print(figure)
    record_property("figures", figure)


def test_the_matrix_catches_an_operation_whose_scope_check_is_off(
    schema: dict[str, Any], world: World, callers: dict[str, ApiClient], record_property: Any
) -> None:
    """Negative control: the stock adjustment with its `requires("inventory:write")` check
    switched off (the scopes in its closure emptied) is called by everyone."""
    [adjust] = [op for op in schema_operations(schema) if op.label == "POST /api/v1/inventory/adjustments"]
    with scope_check_off(adjust):
        matrix = run_matrix([adjust], callers, Builder(schema, world))

    roles_without = [role for role in ROLES if "inventory:write" not in role_scopes(role)]
    assert len(matrix.unauthorised_successes) == len(roles_without) + 1  # and the scopeless token
    again = run_matrix([adjust], callers, Builder(schema, world))  # switched back on
    assert again.unauthorised_successes == []
    figure = (
        f"access matrix negative control: scope check off on {adjust.label}: "
        f"{len(matrix.unauthorised_successes)}/{matrix.denied} unauthorised successes caught"
    )
    print(figure)
    record_property("figures", figure)


class scope_check_off:
    """Empty the scopes the operation's `requires` wrapper closes over, for a `with` block."""

    def __init__(self, op: Operation) -> None:
        names = op.check.__code__.co_freevars
        self.cell = op.check.__closure__[names.index("scopes")]
        self.saved = self.cell.cell_contents

    def __enter__(self) -> None:
        self.cell.cell_contents = ()

    def __exit__(self, *exc: object) -> None:
        self.cell.cell_contents = self.saved


# Documents that belong to one sales channel, by the path parameter that names them.
CHANNEL_SCOPED = {
    "order_id",
    "case_id",
    "change_request_id",
    "pick_list_id",
    "package_id",
    "shipment_id",
    "payment_id",
    "invoice_id",
    "refund_id",
}


def channel_scoped(op: Operation) -> bool:
    return any("{" + name + "}" in op.path for name in CHANNEL_SCOPED)


def names_in_body(builder: Builder, op: Operation) -> bool:
    """The operation's body names a channel's document (an order, package or payment)."""
    body = builder.request(op.method, op.path, op.spec, channel="web").body
    return isinstance(body, dict) and bool(set(body) & set(binding.BODY_FIELDS))


def bound_caller(make_user: Any, world: World, channel: str) -> ApiClient:
    user = make_user("administrator", username=f"bound-{channel}")
    _token, raw = token_create(
        user=user, name="bound", channel=world.documents[channel].channel, actor=SYSTEM
    )
    return ApiClient(raw)


def test_a_token_bound_to_a_channel_finds_no_other_channels_documents(
    schema: dict[str, Any], world: World, make_user: Any, record_property: Any
) -> None:
    """Every operation on one channel's document, called with a token bound to the other
    channel: the 404 of a document that does not exist, and nothing changed. The owner's
    token (bound to the document's channel) is not refused: the ids name real documents."""
    builder = Builder(schema, world)
    operations = [
        op
        for op in schema_operations(schema)
        if op.label not in PUBLIC and (channel_scoped(op) or names_in_body(builder, op))
    ]
    stranger = bound_caller(make_user, world, "b2b")
    owner = bound_caller(make_user, world, "web")
    leaks, unlike_missing, owner_refused = [], [], []
    for op in operations:
        request = builder.request(op.method, op.path, op.spec, channel="web")
        before = fingerprint()
        response = send(stranger.client, stranger.headers, request)
        changed = fingerprint() != before
        if response.status_code != 404 or changed or response["Content-Type"] != PROBLEM:
            leaks.append(f"{op.label}: {response.status_code}{' (changed)' if changed else ''}")
            continue
        if not channel_scoped(op):
            continue  # named in the body only: what a missing id gets differs per operation
        nothing = builder.request(op.method, op.path, op.spec, "web", frozenset(CHANNEL_SCOPED))
        missing = send(stranger.client, stranger.headers, nothing)
        if response.json() != missing.json():
            unlike_missing.append(f"{op.label}: {response.json()} != {missing.json()}")
    for op in operations:
        request = builder.request(op.method, op.path, op.spec, channel="web")
        response = send(owner.client, owner.headers, request)
        if response.status_code == 404 or response.status_code >= 500:
            owner_refused.append(f"{op.label}: {response.status_code} {response.content[:200]!r}")

    assert leaks == [], "\n".join(leaks)
    assert unlike_missing == [], "\n".join(unlike_missing)
    assert owner_refused == [], "\n".join(owner_refused)
    in_path = sum(1 for op in operations if channel_scoped(op))
    figure = (
        f"access matrix (S1, BOLA): {len(operations)} operations on another channel's documents "
        f"({in_path} named in the path, {len(operations) - in_path} in the body only) with a "
        f"channel-bound token: {len(operations) - len(leaks)}/{len(operations)} answered 404 "
        f"({in_path}/{in_path} as for a missing id), 0 changes; the owning channel's token "
        f"reached all {len(operations)}"
    )
    print(figure)
    record_property("figures", figure)


# The lists of channel documents, and the world's id each item is (by its "id").
LISTS = {
    "/orders": ("order_id", "shipped_order_id", "draft_order_id"),
    "/orders/exceptions": ("case_id",),
    "/payments": ("payment_id",),
    "/refunds": ("refund_id",),
    "/invoices": ("invoice_id",),
    "/fulfillment/shipments": ("shipment_id",),
    "/fulfillment/pick-lists": ("pick_list_id",),
}


def _listed(caller: ApiClient, path: str) -> list[Any]:
    response = caller.get(f"{path}?limit=200")
    assert response.status_code == 200, (path, response.content[:300])
    return list(response.json()["items"])


def test_a_token_bound_to_a_channel_lists_only_its_channels_documents(
    world: World, make_user: Any, settings: Any, record_property: Any
) -> None:
    """Lists and the event feed, read with a token bound to one channel, show none of the
    other channel's documents and all of its own."""
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "FEED_SETTLE_SECONDS": 0}
    callers = {channel: bound_caller(make_user, world, channel) for channel in ("web", "b2b")}
    seen = 0
    for path, keys in LISTS.items():
        for channel, caller in callers.items():
            other = "b2b" if channel == "web" else "web"
            ids = {item["id"] for item in _listed(caller, path)}
            own = {world.documents[channel].ids[key] for key in keys}
            foreign = {world.documents[other].ids[key] for key in keys}
            assert ids & foreign == set(), (path, channel, ids & foreign)
            assert own <= ids, (path, channel, own - ids)
            seen += len(ids)
    orders_of = {
        channel: {world.documents[channel].ids[key] for key in LISTS["/orders"]} for channel in callers
    }
    for channel, caller in callers.items():
        other = "b2b" if channel == "web" else "web"
        events = _listed(caller, "/events")
        assert events, channel
        for event in events:
            data = event["data"]
            assert data.get("channel") in (None, channel), (channel, event)
            assert data.get("order_id") not in orders_of[other], (channel, event)
            assert data.get("channel") == channel or data.get("order_id") in orders_of[channel], event
        seen += len(events)
    figure = (
        f"access matrix (S1, lists): {len(LISTS) + 1} lists read with tokens bound to each of 2 "
        f"channels: {seen} items seen, 0 of the other channel"
    )
    print(figure)
    record_property("figures", figure)


def test_a_bound_token_meets_the_same_guards_as_any_other(world: World, make_user: Any) -> None:
    """An id beyond 64 bits (in the path or the body) and a body that is not JSON are answered
    as for any caller (the binding check never looks them up), and with the binding check gone
    the test above would report the other channel's order."""
    stranger = bound_caller(make_user, world, "b2b")
    order_id = world.documents["web"].ids["order_id"]

    huge = stranger.get(f"/orders/{2**64}")
    huge_in_body = stranger.post("/orders/exceptions", {"order_id": 2**70, "kind": "other"})
    not_json = stranger.post("/orders/exceptions", "{not json")
    foreign = stranger.get(f"/orders/{order_id}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(binding, "CHANNELS_OF", {})
        unguarded = stranger.get(f"/orders/{order_id}")

    assert (huge.status_code, huge.json()["code"]) == (404, "not_found")
    assert (huge_in_body.status_code, huge_in_body.json()["code"]) == (422, "validation_error")
    assert not_json.status_code == 400
    assert (foreign.status_code, foreign.json()["code"]) == (404, "order_not_found")
    assert (unguarded.status_code, unguarded.json()["channel"]) == (200, "web")


def _order_of(event: OutboxEvent) -> int | None:
    """The order an event concerns, read from its payload: an order's own events name it by
    their aggregate id; its cases', shipments', payments', refunds' and invoices' by order_id."""
    if event.aggregate_type == "order":
        return int(event.aggregate_id)
    return event.data.get("order_id")


def test_the_events_of_a_channels_orders_carry_that_channel_and_no_other_event_one(world: World) -> None:
    channel_of: dict[int | None, int] = dict(Order.objects.values_list("pk", "channel_id"))
    events = list(OutboxEvent.objects.order_by("pk"))

    assert [e.channel_id for e in events] == [channel_of.get(_order_of(e)) for e in events]
    for channel in ("web", "b2b"):
        own = [e for e in events if e.channel_id == world.documents[channel].channel.pk]
        assert {e.aggregate_type for e in own} == {
            "order",
            "exception_case",
            "shipment",
            "payment",
            "refund",
            "invoice",
        }, channel
    assert {e.aggregate_type for e in events if e.channel_id is None} >= {"customer", "product"}


def _feed(caller: ApiClient) -> tuple[list[str], list[str]]:
    """Every event the caller reads, page by page, and the statements of its first page."""
    with CaptureQueriesContext(connection) as first:
        page = caller.get("/events?limit=5").json()
    statements = [query["sql"] for query in first.captured_queries]  # before the next request
    ids = [item["id"] for item in page["items"]]
    while page["next"]:
        page = caller.get(f"/events?limit=5&after={page['next']}").json()
        ids += [item["id"] for item in page["items"]]
    return ids, statements


def _page_reads(statements: list[str]) -> list[str]:
    """The statements of a feed page beyond the caller's authentication: what the feed read."""
    return [
        sql
        for sql in statements
        if any(table in sql for table in ("core_outboxevent", "orders_", "channels_"))
    ]


def test_a_bound_token_reads_exactly_its_channels_events_in_order(
    world: World, callers: dict[str, ApiClient], make_user: Any, settings: Any, record_property: Any
) -> None:
    """What a bound token reads of the feed is, in order, every event whose payload names one
    of its channel's orders, and a page is one statement on the outbox alone."""
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "FEED_SETTLE_SECONDS": 0}
    events = list(OutboxEvent.objects.order_by("pk"))
    everything, _statements = _feed(callers["manager"])
    assert everything == [str(e.event_id) for e in events]
    read = {}
    for channel in ("web", "b2b"):
        orders = set(
            Order.objects.filter(channel=world.documents[channel].channel).values_list("pk", flat=True)
        )
        expected = [str(e.event_id) for e in events if _order_of(e) in orders]
        read[channel], statements = _feed(bound_caller(make_user, world, channel))
        assert read[channel] == expected, channel
        [page_read] = _page_reads(statements)  # the channel is the outbox's own column: no join
        assert page_read.startswith('SELECT "core_outboxevent"."id"'), page_read
        assert "orders_" not in page_read, page_read
    assert set(read["web"]).isdisjoint(read["b2b"])
    figure = (
        f"event feed of a bound token: {len(read['web'])} + {len(read['b2b'])} of {len(events)} events "
        f"read by the 2 channels, exactly their orders'; one statement per page, on the outbox alone"
    )
    print(figure)
    record_property("figures", figure)


def test_the_backfill_gives_the_events_written_before_the_column_their_channel(world: World) -> None:
    migration = importlib.import_module("dingdan.notifications.migrations.0002_outbox_event_channel_backfill")
    before = list(OutboxEvent.objects.order_by("pk").values_list("pk", "channel_id"))
    OutboxEvent.objects.update(channel_id=None)
    first, last = before[0][0], before[-1][0]

    with CaptureQueriesContext(connection) as captured:
        statements = migration.backfill(apps, None, batch=25)

    assert list(OutboxEvent.objects.order_by("pk").values_list("pk", "channel_id")) == before
    assert sum(channel_id is not None for _pk, channel_id in before) > 20
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == statements == math.ceil((last - first + 1) / 25)
    assert migration.backfill(apps, None, batch=25) == statements  # again: nothing left to fill


WITHOUT_PII = [role for role in ROLES if "customers:pii" not in role_scopes(role)]


def test_roles_without_customers_pii_read_no_personal_data(
    schema: dict[str, Any], world: World, callers: dict[str, ApiClient], record_property: Any
) -> None:
    """Every JSON read, by every role without customers:pii that may call it: none shows a
    customer's phone numbers, e-mail or street; the administrator's reads show them (the
    control: the world's customer is in what the reads return)."""
    reads = [
        op
        for op in schema_operations(schema)
        if op.method == "get" and op.label not in PUBLIC and not renders_a_file(op)
    ]
    builder = Builder(schema, world)
    exposed, shown, checked = [], set(), 0
    for op in reads:
        request = builder.request(op.method, op.path, op.spec, channel="web")
        for role in [*WITHOUT_PII, "administrator"]:  # the administrator: the control
            if not holds_scopes(role, op):
                continue
            response = send(callers[role].client, callers[role].headers, request)
            if response.status_code != 200 or not response["Content-Type"].startswith("application/json"):
                continue  # files (CSV, PDF) are not read here
            text = json.dumps(response.json(), ensure_ascii=False)
            found = [canary for canary in PERSONAL_DATA if canary in text]
            if role == "administrator":
                shown.update((op.label, canary) for canary in found)
            else:
                checked += 1
                if found:
                    exposed.append(f"{op.label} as {role}: {found}")

    assert exposed == [], "\n".join(exposed)
    unmasked = {label for label, _canary in shown}
    assert {
        "GET /api/v1/customers/{customer_id}",
        "GET /api/v1/customers",
        "GET /api/v1/orders/{order_id}",
        "GET /api/v1/customers/{customer_id}/addresses",
    } <= unmasked
    figure = (
        f"personal data (S8): {checked} successful JSON reads by roles without customers:pii over "
        f"{len(reads)} read operations: 0 showed phone, e-mail or street; roles with it saw them in "
        f"{len(unmasked)} operations"
    )
    print(figure)
    record_property("figures", figure)
