from dingdan.orders.models import Order, OrderChangeRequest


def test_a_clerk_stages_a_change_sees_the_preview_and_commits_it(staff, place, shop):
    order = place(channel=shop.review_channel, lines={"TEE-BLK-M": 2, "MUG-01": 1})
    client = staff("order_clerk")

    form = client.get(f"/app/orders/{order.pk}/change/")
    staged = client.post(
        f"/app/orders/{order.pk}/change/",
        {"version": order.version, "quantity_1": "3", "quantity_2": "0", "note": "电话改单"},
    )
    change = OrderChangeRequest.objects.get()
    preview = client.get(staged["Location"])
    committed = client.post(f"/app/orders/{order.pk}/changes/{change.pk}/commit/")

    assert form.status_code == 200
    assert staged["Location"] == f"/app/orders/{order.pk}/changes/{change.pk}/"
    assert change.operations == [
        {"op": "set_quantity", "line_number": 1, "quantity": 3},
        {"op": "remove_line", "line_number": 2},
    ]
    assert str(preview.context["preview"].total) == "297.00"
    assert str(preview.context["preview"].previous_total) == "233.50"
    assert committed.status_code == 302
    order.refresh_from_db()
    assert [(line.sku_code, line.quantity) for line in order.lines.order_by("line_number")] == [
        ("TEE-BLK-M", 3)
    ]
    assert str(order.total) == "297.00"


def test_a_bad_change_is_shown_beside_its_field_and_nothing_is_staged(staff, place, shop):
    order = place(channel=shop.review_channel, lines={"TEE-BLK-M": 2})

    response = staff("order_clerk").post(
        f"/app/orders/{order.pk}/change/", {"quantity_1": "2", "add_sku": "NOPE", "add_quantity": "1"}
    )

    assert response.status_code == 422
    assert response.context["errors"] == {"add": ["No such SKU: NOPE"]}
    assert 'value="NOPE"' in response.content.decode()
    assert not OrderChangeRequest.objects.exists()


def test_discarding_leaves_the_order_as_it_was_and_a_reviewer_may_not_stage(staff, place, shop):
    order = place(channel=shop.review_channel, lines={"TEE-BLK-M": 2})
    client = staff("order_clerk")
    client.post(f"/app/orders/{order.pk}/change/", {"quantity_1": "1"})
    change = OrderChangeRequest.objects.get()

    client.post(f"/app/orders/{order.pk}/changes/{change.pk}/discard/")

    assert OrderChangeRequest.objects.get().status == "discarded"
    assert Order.objects.get(pk=order.pk).lines.get().quantity == 2
    assert staff("reviewer").post(f"/app/orders/{order.pk}/change/", {"quantity_1": "1"}).status_code == 403
    assert OrderChangeRequest.objects.count() == 1
