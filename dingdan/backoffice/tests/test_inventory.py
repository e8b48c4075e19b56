from dingdan.inventory.models import StockLevel, StockMovement


def _level(shop, sku):
    return StockLevel.objects.get(sku=sku, warehouse=shop.warehouse)


def test_the_stock_screen_shows_on_hand_reserved_and_available(staff, shop, place):
    place(lines={"TEE-BLK-M": 4})

    response = staff("warehouse").get("/app/inventory/", {"sku": "TEE-BLK-M"})

    [level] = response.context["levels"]
    assert (level.on_hand, level.reserved, level.available) == (10, 4, 6)
    assert "/app/inventory/receipt/" in response.content.decode()


def test_low_stock_lists_rows_at_or_below_their_reorder_point(staff, shop):
    StockLevel.objects.filter(sku=shop.mug).update(reorder_point=5)

    response = staff("purchasing").get("/app/inventory/", {"low": "1"})

    assert [level.sku.code for level in response.context["levels"]] == ["MUG-01"]
    assert "/app/inventory/receipt/" not in response.content.decode()


def test_the_stock_list_costs_a_fixed_number_of_queries(staff, shop, django_assert_num_queries):
    client = staff("warehouse")
    client.get("/app/inventory/")
    with django_assert_num_queries(5):
        response = client.get("/app/inventory/")
    assert len(response.context["levels"]) == 2


def test_movements_list_the_ledger(staff, shop):
    response = staff("warehouse").get("/app/inventory/movements/", {"warehouse": "sh"})

    assert sorted((m.sku.code, m.kind, m.quantity) for m in response.context["movements"]) == [
        ("MUG-01", "receipt", 3),
        ("TEE-BLK-M", "receipt", 10),
    ]


def test_a_receipt_raises_on_hand_and_writes_the_ledger(staff, shop):
    response = staff("warehouse").post(
        "/app/inventory/receipt/", {"warehouse": "sh", "sku": "RARE-01", "quantity": "7", "reference": "PO-1"}
    )

    assert response.status_code == 302
    assert _level(shop, shop.rare).on_hand == 7
    assert (
        StockMovement.objects.filter(sku=shop.rare, kind="receipt", quantity=7, reference="PO-1").count() == 1
    )


def test_an_unknown_sku_is_shown_beside_the_field_and_the_form_keeps_its_values(staff, shop):
    response = staff("warehouse").post(
        "/app/inventory/receipt/", {"warehouse": "sh", "sku": "NOPE", "quantity": "7", "reference": "PO-9"}
    )

    assert response.status_code == 422
    assert response.context["form"].errors["sku"] == ["No such SKU: NOPE"]
    assert 'value="PO-9"' in response.content.decode()
    assert not StockMovement.objects.filter(reference="PO-9").exists()


def test_an_adjustment_below_what_is_reserved_is_refused_and_nothing_changes(staff, shop, place):
    place(lines={"MUG-01": 3})
    client = staff("warehouse")

    response = client.post(
        "/app/inventory/adjustment/",
        {"warehouse": "sh", "sku": "MUG-01", "quantity": "-1", "reason": "broken"},
    )

    assert response.status_code == 422
    assert response.context["general_errors"]
    assert (_level(shop, shop.mug).on_hand, _level(shop, shop.mug).reserved) == (3, 3)
    ok = client.post(
        "/app/inventory/adjustment/",
        {"warehouse": "sh", "sku": "TEE-BLK-M", "quantity": "-2", "reason": "broken"},
    )
    assert ok.status_code == 302
    assert _level(shop, shop.tshirt).on_hand == 8


def test_roles_without_inventory_write_cannot_receive_or_adjust(staff, shop):
    client = staff("reviewer")

    assert client.get("/app/inventory/").status_code == 200
    assert (
        client.post(
            "/app/inventory/receipt/", {"warehouse": "sh", "sku": "RARE-01", "quantity": "7"}
        ).status_code
        == 403
    )
    assert client.get("/app/inventory/adjustment/").status_code == 403
    assert staff("finance").get("/app/inventory/").status_code == 403
    assert not StockMovement.objects.filter(sku=shop.rare).exists()
