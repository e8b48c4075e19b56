# ruff: noqa: E501  (SQL and Markdown table rows read better unwrapped)
"""The baselines: Dingdan's place-order writes without Dingdan.

(a) `sql`: the same rows Dingdan writes for one 5-line order (token use, idempotency claim
    committed first, then in one transaction: customer and SKU reads, five conditional stock
    UPDATEs in ascending SKU order, the order, its lines, reservations, check results, two
    hash-chained audit entries, two outbox events with their delivery tasks, and the key
    completed with the stored response), as hand-tuned SQL through psycopg: multi-row INSERTs,
    one read per kind, the order number computed in the INSERT.
(b) `fn`: all of it as one call of a PL/pgSQL function (one round trip).

Both write into Dingdan's own tables (same constraints and indexes). Columns other helpers
may add later get their model defaults: the statements are built from the models at start.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# Values the worker processes need, read once by the parent from Django.


@dataclass(frozen=True)
class Shop:
    channel_id: int
    channel_code: str
    prefix: str
    currency: str
    warehouse_id: int
    price_list_id: int
    token_hash: str
    principal: str
    actor: str
    customers: list[int]
    skus: list[str]
    statements: dict[str, str]


def _literal(value: Any) -> str:
    from psycopg import sql
    from psycopg.types.json import Jsonb

    if isinstance(value, (dict, list)):
        value = Jsonb(value)
    return sql.Literal(value).as_string(None)


def _insert(label: str, given: dict[str, str], *, rows: int = 1, returning: str = "") -> str:
    """INSERT into the model's table: `given` column → SQL expression, its %s becoming the
    named parameter `<column>_<row>`; every other column its model default as a literal."""
    from django.apps import apps

    model = apps.get_model(label)
    columns, expressions = [], []
    for field in model._meta.concrete_fields:
        if field.column in given:
            columns.append(field.column)
            escaped = given[field.column].replace("{", "{{").replace("}", "}}")
            expressions.append(escaped.replace("%s", f"%({field.column}_{{r}})s"))
        elif not field.primary_key:
            default = field.get_default()
            if default is None and not field.null:
                raise RuntimeError(f"{label}.{field.column} has no default: add it to the baseline")
            columns.append(field.column)
            expressions.append(_literal(default).replace("%", "%%").replace("{", "{{").replace("}", "}}"))
    row = "(" + ", ".join(expressions) + ")"
    table = model._meta.db_table
    values = ", ".join(row.format(r=r) for r in range(rows))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values}"
    return sql + (f" RETURNING {returning}" if returning else "")


def statements() -> dict[str, str]:
    now = "now()"
    number = (
        "%s || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYMMDD') || '-' || "
        "lpad(nextval('dingdan_order_number_seq')::text, 6, '0')"
    )
    order = {
        "created_at": now,
        "updated_at": now,
        "number": number,
        "currency": "%s",
        "customer_grade": "%s",
        "status": "'confirmed'",
        "pay_first": "%s",
        "subtotal": "%s",
        "tax_total": "%s",
        "total": "%s",
        "shipping_address": "%s",
        "billing_address": "%s",
        "promised_date": "(now() AT TIME ZONE 'Asia/Shanghai')::date + 2",
        "submitted_at": now,
        "lines_digest": "%s",
        "confirmed_at": now,
        "created_by": "%s",
        "version": "2",
        "channel_id": "%s",
        "customer_id": "%s",
    }
    line = dict.fromkeys(
        (
            "order_id",
            "line_number",
            "sku_id",
            "sku_code",
            "name",
            "specs",
            "quantity",
            "unit_price",
            "list_price",
            "tax_rate",
            "subtotal",
            "tax_amount",
        ),
        "%s",
    )
    reservation = {
        "sku_id": "%s",
        "warehouse_id": "%s",
        "quantity": "%s",
        "demand_type": "'order_line'",
        "demand_id": "%s",
        "reference": "%s",
        "status": "'open'",
        "created_at": now,
    }
    check = {
        "order_id": "%s",
        "run": "1",
        "check_code": "%s",
        "outcome": "'pass'",
        "reason": "''",
        "params": "'{}'",
        "created_at": now,
    }
    audit = dict.fromkeys(
        (
            "aggregate_type",
            "aggregate_id",
            "sequence",
            "action",
            "actor",
            "at",
            "before",
            "after",
            "prev_hash",
            "hash",
        ),
        "%s",
    )
    outbox = {
        "event_id": "%s",
        "type": "%s",
        "aggregate_type": "'order'",
        "aggregate_id": "%s",
        "data": "%s",
        "created_at": now,
    }
    task = {
        "id": "%s",
        "status": "'READY'",
        "args_kwargs": "%s",
        "priority": "0",
        "task_path": "'dingdan.core.tasks.outbox_deliver'",
        "queue_name": "'default'",
        "backend_name": "'default'",
        "run_after": now,
        "enqueued_at": now,
        "exception_class_path": "''",
        "traceback": "''",
        "worker_ids": "'[]'",
    }
    return {
        "auth": "UPDATE accounts_apitoken SET last_used_at = now() WHERE token_hash = %s AND revoked_at IS NULL RETURNING id",
        "claim": _insert(
            "core.IdempotencyKey",
            {
                "principal": "%s",
                "key": "%s",
                "fingerprint": "%s",
                "status": "'in_progress'",
                "locked_at": now,
                "created_at": now,
            },
            returning="id",
        ),
        "customer": (
            "SELECT c.grade, a.recipient, a.phone, a.country_code, a.province, a.city, a.district, a.street, "
            "a.postal_code FROM customers_customer c LEFT JOIN customers_address a ON a.customer_id = c.id "
            "AND a.is_default_shipping WHERE c.id = %s AND c.is_active"
        ),
        "skus": (
            "SELECT s.id, s.code, s.specs, p.name, t.rate, i.price FROM catalog_sku s "
            "JOIN catalog_product p ON p.id = s.product_id JOIN catalog_taxrate t ON t.id = s.tax_rate_id "
            "LEFT JOIN catalog_pricelistitem i ON i.sku_id = s.id AND i.price_list_id = %s AND i.min_quantity = 1 "
            "WHERE s.code = ANY(%s) AND s.is_active AND p.is_active ORDER BY s.id"
        ),
        "reserve": (  # every line in one statement, as Dingdan's placement does
            "UPDATE inventory_stocklevel s SET reserved = s.reserved + u.qty, updated_at = now() "
            "FROM unnest(%s::bigint[], %s::int[]) AS u(sku_id, qty) "
            "WHERE s.sku_id = u.sku_id AND s.warehouse_id = %s AND s.on_hand - s.reserved >= u.qty"
        ),
        "order": _insert("orders.Order", order, returning="id, number"),
        "lines": _insert("orders.OrderLine", line, rows=5, returning="id"),
        "reservations": _insert("inventory.Reservation", reservation, rows=5),
        "checks": _insert("orders.OrderCheckResult", check, rows=4),
        "audit": _insert("core.AuditEntry", audit, rows=2),
        "outbox": _insert("core.OutboxEvent", outbox, rows=2, returning="id"),
        "tasks": _insert("django_tasks_database.DBTaskResult", task, rows=2),
        "complete": (
            "UPDATE core_idempotencykey SET status = 'completed', response_status = 201, response_body = %s, "
            "response_content_type = 'application/json' WHERE id = %s"
        ),
    }


# (a) hand-tuned SQL through psycopg -----------------------------------------------------------


def _hash(fields: dict[str, Any]) -> str:
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def place_sql(conn: Any, shop: Shop, customer_id: int, codes: list[str], quantities: list[int]) -> bool:
    """One order the hand-tuned way; False when stock is short (rolled back)."""
    from psycopg.types.json import Jsonb

    from dingdan.orders.checks import lines_digest  # what Dingdan stores for the duplicate check

    s = shop.statements
    key = uuid.uuid4().hex
    body = json.dumps({"customer_id": customer_id, "lines": list(zip(codes, quantities, strict=True))})
    fingerprint = hashlib.sha256(("POST /api/v1/orders\n" + body).encode()).hexdigest()
    with conn.cursor() as cur:
        cur.execute(s["auth"], [shop.token_hash])
        cur.execute(s["claim"], {"principal_0": shop.principal, "key_0": key, "fingerprint_0": fingerprint})
        key_id = cur.fetchone()[0]
        conn.commit()
        cur.execute(s["customer"], [customer_id])
        grade, *address_values = cur.fetchone()
        names = (
            "recipient",
            "phone",
            "country_code",
            "province",
            "city",
            "district",
            "street",
            "postal_code",
        )
        address = dict(zip(names, address_values, strict=True))
        cur.execute(s["skus"], [shop.price_list_id, codes])
        skus = {row[1]: row for row in cur.fetchall()}
        wanted = dict(zip(codes, quantities, strict=True))
        ordered = sorted(skus.values(), key=lambda row: row[0])
        cur.execute(  # ascending SKU id
            s["reserve"],
            [[row[0] for row in ordered], [wanted[row[1]] for row in ordered], shop.warehouse_id],
        )
        if cur.rowcount != len(ordered):
            conn.rollback()
            return False
        lines, subtotal, tax = [], Decimal("0"), Decimal("0")
        for number, (sku_id, code, specs, name, rate, price) in enumerate(ordered, start=1):
            amount = price * wanted[code]
            line_tax = (amount * rate / (1 + rate)).quantize(Decimal("0.01"))
            subtotal, tax = subtotal + amount, tax + line_tax
            lines.append(
                {
                    "line_number": number,
                    "sku_id": sku_id,
                    "sku_code": code,
                    "name": name[:200],
                    "specs": Jsonb(specs),
                    "quantity": wanted[code],
                    "unit_price": price,
                    "list_price": price,
                    "tax_rate": rate,
                    "subtotal": amount,
                    "tax_amount": line_tax,
                }
            )
        order = {
            "number": shop.prefix,
            "currency": shop.currency,
            "customer_grade": grade,
            "pay_first": True,
            "subtotal": subtotal,
            "tax_total": tax,
            "total": subtotal,
            "shipping_address": Jsonb(address),
            "billing_address": Jsonb(address),
            "lines_digest": lines_digest(zip(codes, quantities, strict=True)),
            "created_by": shop.actor,
            "channel_id": shop.channel_id,
            "customer_id": customer_id,
        }
        cur.execute(s["order"], _rows([order]))
        order_id, number = cur.fetchone()
        cur.execute(s["lines"], _rows([{**line, "order_id": order_id} for line in lines]))
        line_ids = [row[0] for row in cur.fetchall()]
        reservations = [
            {
                "sku_id": line["sku_id"],
                "warehouse_id": shop.warehouse_id,
                "quantity": line["quantity"],
                "demand_id": str(line_id),
                "reference": number,
            }
            for line, line_id in zip(lines, line_ids, strict=True)
        ]
        cur.execute(s["reservations"], _rows(reservations))
        codes_run = ("completeness", "products", "price", "stock")
        cur.execute(s["checks"], _rows([{"order_id": order_id, "check_code": code} for code in codes_run]))
        cur.execute(s["audit"], _rows(_audit_rows(order_id, shop.actor, str(subtotal))))
        data = {
            "aggregate_id": str(order_id),
            "number": number,
            "status": "confirmed",
            "channel": shop.channel_code,
            "customer_id": customer_id,
            "total": str(subtotal),
            "currency": shop.currency,
        }
        events = [
            {"event_id": uuid.uuid4(), "type": kind, "aggregate_id": str(order_id), "data": Jsonb(data)}
            for kind in ("order.placed", "order.confirmed")
        ]
        cur.execute(s["outbox"], _rows(events))
        event_ids = [row[0] for row in cur.fetchall()]
        tasks = [{"id": uuid.uuid4(), "args_kwargs": Jsonb({"args": [e], "kwargs": {}})} for e in event_ids]
        cur.execute(s["tasks"], _rows(tasks))
        lines_out = [[line["sku_code"], line["quantity"], str(line["unit_price"])] for line in lines]
        response = json.dumps({**data, "id": order_id, "lines": lines_out}).encode()
        cur.execute(s["complete"], [response, key_id])
    conn.commit()
    return True


def _rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Named parameters of a multi-row INSERT built by _insert: `<column>_<row>`."""
    return {f"{name}_{r}": value for r, row in enumerate(rows) for name, value in row.items()}


def _audit_rows(order_id: int, actor: str, total: str) -> list[dict[str, Any]]:
    import datetime as dt

    from psycopg.types.json import Jsonb

    at = dt.datetime.now(dt.UTC)
    draft = {
        "status": "draft",
        "payment_status": "unpaid",
        "fulfillment_status": "unfulfilled",
        "total": "0",
        "hold_reasons": [],
        "version": 1,
    }
    confirmed = {**draft, "status": "confirmed", "total": total, "version": 2}
    rows: list[dict[str, Any]] = []
    prev = "0" * 64
    for sequence, (action, before, after) in enumerate(
        (("created", None, draft), ("submitted", draft, confirmed)), 1
    ):
        fields = {
            "aggregate_type": "order",
            "aggregate_id": str(order_id),
            "sequence": sequence,
            "action": action,
            "actor": actor,
            "at": at.isoformat(),
            "before": before,
            "after": after,
            "note": "",
            "prev_hash": prev,
        }
        digest = _hash(fields)
        rows.append(
            {
                **fields,
                "at": at,
                "before": Jsonb(before) if before is not None else None,
                "after": Jsonb(after),
                "hash": digest,
            }
        )
        prev = digest
    return rows


# (b) one server-side function call ------------------------------------------------------------

FUNCTION = """
CREATE OR REPLACE FUNCTION bench_place_order(
  p_token_hash text, p_principal text, p_key text, p_fingerprint text, p_actor text,
  p_channel bigint, p_channel_code text, p_prefix text, p_currency text, p_warehouse bigint,
  p_price_list bigint, p_customer bigint, p_codes text[], p_qty int[]
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_key bigint; v_order bigint; v_number text; v_grade text; v_addr jsonb;
  v_sub numeric := 0; v_tax numeric := 0; r record; v_ids bigint[]; v_skus bigint[]; v_q int[];
  v_prev text := repeat('0', 64); v_hash text; v_digest text; v_draft jsonb; v_conf jsonb; v_data jsonb; v_ev bigint;
BEGIN
  UPDATE accounts_apitoken SET last_used_at = now() WHERE token_hash = p_token_hash AND revoked_at IS NULL;
  EXECUTE $claim$ CLAIM_SQL $claim$ INTO v_key USING p_principal, p_key, p_fingerprint;
  SELECT c.grade, to_jsonb(a) - 'id' - 'customer_id' - 'created_at' - 'updated_at' - 'label'
         - 'is_default_shipping' - 'is_default_billing'
    INTO v_grade, v_addr
    FROM customers_customer c LEFT JOIN customers_address a ON a.customer_id = c.id AND a.is_default_shipping
   WHERE c.id = p_customer AND c.is_active;
  IF NOT FOUND THEN RAISE EXCEPTION 'unknown customer' USING ERRCODE = 'P0002'; END IF;
  CREATE TEMP TABLE IF NOT EXISTS bench_lines (n int, sku_id bigint, code text, specs jsonb, name text,
    rate numeric, price numeric, qty int, amount numeric, tax numeric, line_id bigint) ON COMMIT DELETE ROWS;
  INSERT INTO bench_lines
  SELECT row_number() OVER (ORDER BY s.id), s.id, s.code, s.specs, p.name, t.rate, i.price, u.q,
         i.price * u.q, round(i.price * u.q * t.rate / (1 + t.rate), 2), NULL
    FROM unnest(p_codes, p_qty) AS u(code, q)
    JOIN catalog_sku s ON s.code = u.code AND s.is_active
    JOIN catalog_product p ON p.id = s.product_id AND p.is_active
    JOIN catalog_taxrate t ON t.id = s.tax_rate_id
    JOIN catalog_pricelistitem i ON i.sku_id = s.id AND i.price_list_id = p_price_list AND i.min_quantity = 1;
  FOR r IN SELECT * FROM bench_lines ORDER BY sku_id LOOP
    UPDATE inventory_stocklevel SET reserved = reserved + r.qty, updated_at = now()
     WHERE sku_id = r.sku_id AND warehouse_id = p_warehouse AND on_hand - reserved >= r.qty;
    IF NOT FOUND THEN RAISE EXCEPTION 'insufficient stock' USING ERRCODE = 'P0001'; END IF;
    v_sub := v_sub + r.amount; v_tax := v_tax + r.tax;
  END LOOP;
  SELECT md5(string_agg(code || E'\t' || q, E'\n' ORDER BY code COLLATE "C")) INTO v_digest
    FROM (SELECT code, sum(qty) AS q FROM bench_lines GROUP BY code) AS totals;
  EXECUTE $order$ ORDER_SQL $order$ INTO v_order, v_number
    USING p_prefix, p_currency, v_grade, true, v_sub, v_tax, v_sub, v_addr, v_addr, v_digest, p_actor, p_channel,
          p_customer;
  EXECUTE $lines$ LINES_SQL $lines$ USING v_order;
  UPDATE bench_lines b SET line_id = l.id FROM orders_orderline l WHERE l.order_id = v_order AND l.line_number = b.n;
  EXECUTE $res$ RES_SQL $res$ USING p_warehouse, v_number;
  EXECUTE $chk$ CHECKS_SQL $chk$ USING v_order;
  v_draft := jsonb_build_object('status', 'draft', 'payment_status', 'unpaid', 'fulfillment_status', 'unfulfilled',
                                'total', '0', 'hold_reasons', '[]'::jsonb, 'version', 1);
  v_conf := v_draft || jsonb_build_object('status', 'confirmed', 'total', v_sub::text, 'version', 2);
  v_hash := encode(sha256(convert_to(jsonb_build_object('aggregate_type', 'order', 'aggregate_id', v_order::text,
            'sequence', 1, 'action', 'created', 'actor', p_actor, 'at', now(), 'before', NULL, 'after', v_draft,
            'note', '', 'prev_hash', v_prev)::text, 'UTF8')), 'hex');
  EXECUTE $aud$ AUDIT_SQL $aud$ USING 'order', v_order::text, 1, 'created', p_actor, now(), NULL::jsonb, v_draft, v_prev, v_hash;
  v_prev := v_hash;
  v_hash := encode(sha256(convert_to(jsonb_build_object('aggregate_type', 'order', 'aggregate_id', v_order::text,
            'sequence', 2, 'action', 'submitted', 'actor', p_actor, 'at', now(), 'before', v_draft, 'after', v_conf,
            'note', '', 'prev_hash', v_prev)::text, 'UTF8')), 'hex');
  EXECUTE $aud$ AUDIT_SQL $aud$ USING 'order', v_order::text, 2, 'submitted', p_actor, now(), v_draft, v_conf, v_prev, v_hash;
  v_data := jsonb_build_object('aggregate_id', v_order::text, 'number', v_number, 'status', 'confirmed',
            'channel', p_channel_code, 'customer_id', p_customer, 'total', v_sub::text, 'currency', p_currency);
  FOREACH v_hash IN ARRAY ARRAY['order.placed', 'order.confirmed'] LOOP
    EXECUTE $out$ OUTBOX_SQL $out$ INTO v_ev USING gen_random_uuid(), v_hash, v_order::text, v_data;
    EXECUTE $tsk$ TASK_SQL $tsk$ USING gen_random_uuid(), jsonb_build_object('args', jsonb_build_array(v_ev), 'kwargs', '{}'::jsonb);
  END LOOP;
  UPDATE core_idempotencykey SET status = 'completed', response_status = 201,
         response_body = convert_to((v_data || jsonb_build_object('id', v_order))::text, 'UTF8'),
         response_content_type = 'application/json' WHERE id = v_key;
  RETURN v_order;
END $$;
"""


def _insert_select(label: str, given: dict[str, str], source: str) -> str:
    """INSERT … SELECT: `given` column → expression over `source`, other columns defaults."""
    from django.apps import apps

    columns, expressions = [], []
    for field in apps.get_model(label)._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        expressions.append(given.get(field.column) or _literal(field.get_default()))
    table = apps.get_model(label)._meta.db_table
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(expressions)} FROM {source}"


def _positional(sql: str, names: list[str]) -> str:
    """Named parameters `<name>_0` as $1, $2, … in the order of `names` (EXECUTE … USING)."""
    for n, name in enumerate(names, start=1):
        sql = sql.replace(f"%({name}_0)s", f"${n}")
    if "%(" in sql:
        raise RuntimeError(f"unmapped parameter in {sql}")
    return sql


ORDER_USING = [
    "number",
    "currency",
    "customer_grade",
    "pay_first",
    "subtotal",
    "tax_total",
    "total",
    "shipping_address",
    "billing_address",
    "lines_digest",
    "created_by",
    "channel_id",
    "customer_id",
]
AUDIT_USING = [
    "aggregate_type",
    "aggregate_id",
    "sequence",
    "action",
    "actor",
    "at",
    "before",
    "after",
    "prev_hash",
    "hash",
]


def function_sql() -> str:
    """The PL/pgSQL function, its INSERTs built from the models like (a)'s."""
    s = statements()
    line = {
        "order_id": "$1",
        "line_number": "n",
        "sku_id": "sku_id",
        "sku_code": "code",
        "name": "left(name, 200)",
        "specs": "specs",
        "quantity": "qty",
        "unit_price": "price",
        "list_price": "price",
        "tax_rate": "rate",
        "subtotal": "amount",
        "tax_amount": "tax",
    }
    reservation = {
        "sku_id": "sku_id",
        "warehouse_id": "$1",
        "quantity": "qty",
        "demand_type": "'order_line'",
        "demand_id": "line_id::text",
        "reference": "$2",
        "status": "'open'",
        "created_at": "now()",
    }
    check = {
        "order_id": "$1",
        "run": "1",
        "check_code": "c",
        "outcome": "'pass'",
        "reason": "''",
        "params": "'{}'",
        "created_at": "now()",
    }
    checks = "unnest(ARRAY['completeness', 'products', 'price', 'stock']) AS c"
    return (
        FUNCTION.replace("CLAIM_SQL", _positional(s["claim"], ["principal", "key", "fingerprint"]))
        .replace("ORDER_SQL", _positional(s["order"], ORDER_USING))
        .replace("LINES_SQL", _insert_select("orders.OrderLine", line, "bench_lines ORDER BY n"))
        .replace("RES_SQL", _insert_select("inventory.Reservation", reservation, "bench_lines"))
        .replace("CHECKS_SQL", _insert_select("orders.OrderCheckResult", check, checks))
        .replace("AUDIT_SQL", _positional(_single(s["audit"]), AUDIT_USING))
        .replace(
            "OUTBOX_SQL", _positional(_single(s["outbox"]), ["event_id", "type", "aggregate_id", "data"])
        )
        .replace("TASK_SQL", _positional(_single(s["tasks"]), ["id", "args_kwargs"]))
    )


def _single(sql: str) -> str:
    """The first row of a multi-row INSERT … VALUES (…), (…) [RETURNING …]."""
    head, values = sql.split(" VALUES ", 1)
    returning = ""
    if " RETURNING " in values:
        values, returning = values.rsplit(" RETURNING ", 1)
        returning = " RETURNING " + returning
    first = values.split("), (", 1)[0]
    if not first.endswith(")"):
        first += ")"
    return f"{head} VALUES {first}{returning}"


def place_fn(conn: Any, shop: Shop, customer_id: int, codes: list[str], quantities: list[int]) -> bool:
    key = uuid.uuid4().hex
    fingerprint = hashlib.sha256(f"{customer_id}{codes}{quantities}".encode()).hexdigest()
    with conn.cursor() as cur:
        try:
            cur.execute(
                "SELECT bench_place_order(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    shop.token_hash,
                    shop.principal,
                    key,
                    fingerprint,
                    shop.actor + " (fn)",
                    shop.channel_id,
                    shop.channel_code,
                    shop.prefix,
                    shop.currency,
                    shop.warehouse_id,
                    shop.price_list_id,
                    customer_id,
                    codes,
                    quantities,
                ],
            )
        except Exception:
            conn.rollback()
            raise
    conn.commit()
    return True
