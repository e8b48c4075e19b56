"""The world the access matrix calls every operation against, and a well-formed request per
operation built from the OpenAPI schema.

The world: two sales channels (`web` and `b2b`), a customer and a run of documents in each
(an order through sourcing, picking, packing, shipping, payment, invoice and a refund; an order
with an exception case and a staged amendment; a draft), all made through the API by an
administrator the way staff make them. A request is the operation's path with the ids of one
channel's documents, the required query parameters, and a body holding the required fields
only (values chosen to satisfy the schema; ids and codes from the world), so a role without
the scope meets the scope check, not the schema.
"""

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dingdan.channels.services import channel_create
from dingdan.core.actors import SYSTEM
from dingdan.customers.tests.factories import CustomerFactory
from dingdan.fulfillment.tests.shop import build_shop
from dingdan.inventory.services import StockLine, stock_receive
from dingdan.testing.fixtures import ApiClient

CHANNELS = ("web", "b2b")


@dataclass
class Documents:
    """One channel's documents: ids by the path parameter that names them."""

    channel: Any
    customer: Any
    ids: dict[str, int] = field(default_factory=dict)


@dataclass
class World:
    shop: Any
    documents: dict[str, Documents]
    owner_id: int
    statement_line_id: int
    statement_id: int

    def path_values(self, channel: str) -> dict[str, Any]:
        own = self.documents[channel]
        return {
            "channel_id": own.channel.pk,
            "customer_id": own.customer.pk,
            "contact_id": own.ids["contact_id"],
            "warehouse_id": self.shop.shanghai.pk,
            "sku_id": self.shop.tee.pk,
            "product_id": self.shop.tee.product_id,
            "line_id": self.statement_line_id,
            "statement_id": self.statement_id,
            **own.ids,
        }


def ok(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json()  # type: ignore[no-any-return]


def build_world(admin: ApiClient) -> World:
    """Both channels' documents, created through the API by `admin` (not bound to a channel)."""
    shop = build_shop(tees=40, mugs=40)
    web = channel_create(
        actor=SYSTEM, code="web", name="官网", kind="web", number_prefix="WEB", payment_policy="on_account"
    )
    stock_receive(actor=SYSTEM, warehouse_id=shop.shanghai.pk, lines=[StockLine(shop.mug.pk, 40)])
    customers = {"b2b": shop.customer, "web": CustomerFactory(**WEB_CUSTOMER)}
    channels = {"b2b": shop.channel, "web": web}
    documents = {code: Documents(channels[code], customers[code]) for code in CHANNELS}
    for code in CHANNELS:
        documents[code].ids.update(_documents(admin, code, customers[code].pk))
        documents[code].ids["address_id"] = customers[code].addresses.get().pk
    statement = ok(
        admin.client.post(
            "/api/v1/reconciliation/statements",
            {"file": _statement_file(), "source": "icbc"},
            headers={**admin.headers, "Idempotency-Key": "world-statement"},
        )
    )
    return World(
        shop=shop,
        documents=documents,
        owner_id=admin.user.pk,  # type: ignore[attr-defined]
        statement_line_id=statement["lines"][0]["id"],
        statement_id=statement["id"],
    )


# The web channel's customer; its phone numbers, e-mail and street are the canaries of the
# personal-data test.
WEB_CUSTOMER = {
    "name": "李娜",
    "phone": "+8613900001111",
    "email": "li.na.canary@example.com",
    "addresses": [
        {
            "recipient": "李娜",
            "phone": "13911112222",
            "province": "广东省",
            "city": "广州市",
            "district": "天河区",
            "street": "珠江新城花城大道 88 号",
            "postal_code": "510623",
        }
    ],
}
PERSONAL_DATA = ("13900001111", "13911112222", "li.na.canary", "花城大道")


def _statement_file() -> SimpleUploadedFile:
    rows = "交易日期,金额,币种,摘要,对方户名\n2026-11-20,12.00,CNY,不明来款,王五\n"
    return SimpleUploadedFile("statement.csv", rows.encode("utf-8-sig"), content_type="text/csv")


def _documents(admin: ApiClient, channel: str, customer_id: int) -> dict[str, int]:
    def place(key: str, *lines: tuple[str, int], submit: bool = True) -> dict[str, Any]:
        body = {
            "channel": channel,
            "customer_id": customer_id,
            "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
            "submit": submit,
        }
        return ok(admin.post("/orders", body, headers={"Idempotency-Key": f"{channel}-{key}"}))

    shipped = place("shipped", ("TEE-BLK-M", 2))
    assert shipped["status"] == "confirmed", shipped
    ok(admin.post(f"/fulfillment/orders/{shipped['id']}/sourcing", {}))
    pick = ok(admin.post("/fulfillment/pick-lists", {"warehouse": "sh", "orders": [shipped["id"]]}))
    ok(admin.post(f"/fulfillment/pick-lists/{pick['id']}/confirm", {"lines": []}), 200)
    [package] = ok(
        admin.post(
            f"/fulfillment/pick-lists/{pick['id']}/packages",
            {
                "order_id": shipped["id"],
                "packages": [{"contents": [{"sku": "TEE-BLK-M", "quantity": 2}], "weight_kg": "1.000"}],
            },
        )
    )
    shipment = ok(
        admin.post(
            "/fulfillment/shipments",
            {"packages": [package["id"]], "carrier": "sf", "tracking_number": f"SF{shipped['id']:013d}"},
        )
    )
    payment = ok(
        admin.post(
            f"/orders/{shipped['id']}/payments",
            {"method": "bank_transfer", "amount": shipped["total"], "payer": "张伟"},
        )
    )
    invoice = ok(admin.post(f"/orders/{shipped['id']}/invoices", {"scope": "shipped"}))
    refund = ok(admin.post(f"/orders/{shipped['id']}/refunds", {"amount": "1.00", "kind": "goodwill"}))
    open_order = place("open", ("MUG-01", 1))
    case = ok(admin.post("/orders/exceptions", {"order_id": open_order["id"], "kind": "customer_request"}))
    change = ok(
        admin.post(
            f"/orders/{open_order['id']}/changes",
            {"operations": [{"op": "set_quantity", "line_number": 1, "quantity": 2}]},
            headers={"If-Match": f'"{open_order["version"]}"'},
        )
    )
    draft = place("draft", ("MUG-01", 1), submit=False)
    contact = ok(admin.post(f"/customers/{customer_id}/contacts", {"name": "联系人", "phone": "13700001111"}))
    return {
        "order_id": open_order["id"],
        "shipped_order_id": shipped["id"],
        "draft_order_id": draft["id"],
        "pick_list_id": pick["id"],
        "package_id": package["id"],
        "shipment_id": shipment["id"],
        "payment_id": payment["id"],
        "invoice_id": invoice["id"],
        "refund_id": refund["id"],
        "case_id": case["id"],
        "change_request_id": change["id"],
        "contact_id": contact["id"],
    }


# --- requests ------------------------------------------------------------------------------

# Values by field or parameter name: the world's codes and ids, or what the field means.
NAMED = {
    "channel": "web",
    "sku": "TEE-BLK-M",
    "sku_code": "TEE-BLK-M",
    "warehouse": "sh",
    "source": "sh",
    "destination": "gz",
    "tax_rate": "vat13",
    "promotion": "none",
    "carrier": "sf",
    "provider": "sandbox",
    "check": "address",
    "event_type": "order.confirmed",
    "kind": "payments",
    "url": "https://hooks.example.com/dingdan",
    "events": ["order.confirmed"],
    "phone": "13800000000",
    "start": "2026-11-01",
    "end": "2026-11-30",
    "reason": "access matrix",
    "note": "access matrix",
    "text": "access matrix",
    "name": "access matrix",
    "recipient": "王芳",
    "street": "科技园路 1 号",
    "province": "广东省",
    "city": "深圳市",
}
# Candidates tried in order against a string field's pattern.
CANDIDATES = ("acm-1", "ACM-1", "ACM", "1.00", "0.06", "1.000", "order.confirmed", "x")


NOTHING = 987654321  # an id no document has


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any  # JSON-able, or None
    multipart: bool = False


class Builder:
    """A request per operation, from its schema and one channel's documents."""

    def __init__(self, schema: dict[str, Any], world: World) -> None:
        self.components = schema["components"]["schemas"]
        self.world = world

    def request(
        self,
        method: str,
        path: str,
        operation: dict[str, Any],
        channel: str,
        missing: frozenset[str] = frozenset(),
    ) -> Request:
        """`missing`: path parameters to give an id that names nothing."""
        values = self.world.path_values(channel)
        ids = {**values, "payment_id": values["payment_id"], "order_id": values["order_id"]}
        if "/shipments" in path or "/sourcing" in path or "/delivery-note" in path or "/money" in path:
            ids["order_id"] = values["shipped_order_id"]
        if path.endswith("/{order_id}") and method == "patch":
            ids["order_id"] = values["draft_order_id"]
        if "/refunds" in path or "/invoices" in path or "/payments" in path:
            ids["order_id"] = values["shipped_order_id"]
        ids.update(dict.fromkeys(missing, NOTHING))
        named = {**NAMED, "channel": channel, **ids, "orders": [ids["order_id"]]}
        named["packages"] = [ids["package_id"]]
        named["owner_id"] = named["user_ids"] = self.world.owner_id
        named["user_ids"] = [self.world.owner_id]
        query: dict[str, str] = {}
        resolved = path
        for parameter in operation.get("parameters", []):
            name, where = parameter["name"], parameter["in"]
            if where == "path":
                if name in named:
                    value = named[name]
                elif parameter["schema"].get("type") == "integer":
                    # An id the world did not create names nothing, on every backend: a
                    # guessed 1 would name a row on SQLite (tables start over) and none on
                    # PostgreSQL (sequences go on), and the differential would differ.
                    value = NOTHING
                else:
                    value = self.value(parameter["schema"], name, named)
                if "enum" in parameter["schema"]:
                    value = parameter["schema"]["enum"][0]
                resolved = resolved.replace("{" + name + "}", str(value))
            elif where == "query" and parameter.get("required"):
                query[name] = str(named.get(name) or self.value(parameter["schema"], name, named))
        content = operation.get("requestBody", {}).get("content", {})
        if "multipart/form-data" in content:
            return Request(method, resolved, query, None, multipart=True)
        body = None
        if "application/json" in content:
            body = self.value(content["application/json"]["schema"], "", named)
        return Request(method, resolved, query, body)

    def value(self, schema: dict[str, Any], name: str, named: dict[str, Any]) -> Any:
        if "$ref" in schema:
            return self.value(self.components[schema["$ref"].split("/")[-1]], name, named)
        if "anyOf" in schema:
            branches = [b for b in schema["anyOf"] if b.get("type") != "null"]
            return self.value(branches[0], name, named) if branches else None
        if "enum" in schema:
            return schema["enum"][0]
        if "const" in schema:
            return schema["const"]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            properties = schema.get("properties", {})
            return {key: self.value(properties[key], key, named) for key in schema.get("required", [])}
        if name in named and _fits(named[name], schema):
            return named[name]
        if kind == "array":
            count = max(1, schema.get("minItems", 0))
            return [self.value(schema.get("items", {}), name, named) for _ in range(count)]
        if kind == "integer":
            return max(1, schema.get("minimum", 1))
        if kind == "number":
            return 1
        if kind == "boolean":
            return False
        if kind == "string":
            return _string(schema)
        return None


def _fits(value: Any, schema: dict[str, Any]) -> bool:
    """A named value stands for a field of this schema: a code for a string, an id for an
    integer, a list of ids or codes for an array of them (not for an array of objects)."""
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items", {})
        return isinstance(value, list) and "$ref" not in items and items.get("type") != "object"
    return {"string": str, "integer": int, "boolean": bool}.get(kind or "", object) is type(
        value
    ) or kind is None


def _string(schema: dict[str, Any]) -> str:
    if schema.get("format") == "date-time":
        return "2026-11-25T10:00:00+08:00"
    if schema.get("format") == "date":
        return "2026-11-25"
    pattern = schema.get("pattern")
    if pattern and (alternatives := re.match(r"^\^\(([a-z_|]+)\)\$$", pattern)):
        return alternatives.group(1).split("|")[0]
    minimum = schema.get("minLength", 1)
    for candidate in CANDIDATES:
        if len(candidate) >= minimum and (pattern is None or re.search(pattern, candidate)):
            return candidate
    raise AssertionError(f"no candidate value for {json.dumps(schema)}")


def send(client: Client, headers: dict[str, str], request: Request) -> Any:
    url = "/api/v1" + request.path.removeprefix("/api/v1")
    if request.query:
        url += "?" + "&".join(f"{k}={v}" for k, v in request.query.items())
    if request.multipart:
        return client.post(url, {"file": _statement_file()}, headers=headers)
    if request.body is None:
        return getattr(client, request.method)(url, headers=headers)
    return getattr(client, request.method)(
        url, data=json.dumps(request.body), content_type="application/json", headers=headers
    )
