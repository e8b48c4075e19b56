from decimal import Decimal

import pytest

from dingdan.catalog import services
from dingdan.catalog.exceptions import (
    ProductCodeTaken,
    SkuBarcodeTaken,
    SkuCodeTaken,
    TaxRateCodeTaken,
    TaxRateInactive,
    UnknownTaxRate,
)
from dingdan.catalog.models import Sku
from dingdan.catalog.services import products as product_services
from dingdan.catalog.services import skus as sku_services
from dingdan.catalog.services import tax_rates as tax_rate_services
from dingdan.core.actors import SYSTEM, Actor
from dingdan.core.audit import audit_timeline
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.models import AuditEntry, OutboxEvent

from .factories import (
    ProductFactory,
    SkuFactory,
    TaxRateFactory,
    catalog_counts,
    shirt_fields,
)

pytestmark = pytest.mark.django_db

CLERK = Actor(username="li.na", user_id=7)


# Tax rates


def test_a_tax_rate_is_stored_with_four_places_and_audited():
    tax_rate = services.tax_rate_create(actor=CLERK, code="vat9", name="增值税 9%", rate=Decimal("0.09"))

    assert tax_rate.rate == Decimal("0.0900")
    assert str(tax_rate.rate) == "0.0900"
    [entry] = audit_timeline(aggregate_type="tax_rate", aggregate_id=tax_rate.pk)
    assert (entry.action, entry.actor) == ("created", "li.na")
    assert entry.after == {"code": "vat9", "name": "增值税 9%", "rate": "0.0900", "is_active": True}


@pytest.mark.parametrize("rate", [Decimal("1.0001"), Decimal("-0.01"), Decimal("0.12345")])
def test_a_tax_rate_outside_0_to_1_or_finer_than_four_places_is_refused_and_nothing_changes(rate):
    before = catalog_counts()

    with pytest.raises(ValidationFailed) as caught:
        services.tax_rate_create(actor=CLERK, code="bad", name="bad", rate=rate)

    assert [e["field"] for e in caught.value.errors] == ["rate"]
    assert catalog_counts() == before


def test_a_taken_tax_rate_code_is_a_conflict(vat13):
    before = catalog_counts()

    with pytest.raises(TaxRateCodeTaken):
        services.tax_rate_create(actor=CLERK, code="vat13", name="again", rate=Decimal("0.13"))

    assert catalog_counts() == before


def test_a_tax_rate_code_taken_by_a_racing_insert_is_the_same_conflict(vat13, monkeypatch):
    monkeypatch.setattr(tax_rate_services, "raise_if_taken", lambda error: None)
    before = catalog_counts()

    with pytest.raises(TaxRateCodeTaken):
        services.tax_rate_create(actor=CLERK, code="vat13", name="again", rate=Decimal("0.13"))

    assert catalog_counts() == before


def test_a_tax_rate_update_audits_only_the_difference(vat13):
    services.tax_rate_update(actor=CLERK, tax_rate=vat13, rate=Decimal("0.13"), name="VAT 13%")

    vat13.refresh_from_db()
    assert vat13.name == "VAT 13%"
    entry = AuditEntry.objects.get(aggregate_type="tax_rate", action="updated")
    assert (entry.before, entry.after) == ({"name": "增值税 13%"}, {"name": "VAT 13%"})


def test_a_tax_rate_update_that_changes_nothing_writes_no_audit_entry(vat13):
    services.tax_rate_update(actor=CLERK, tax_rate=vat13, rate=Decimal("0.1300"))

    assert not AuditEntry.objects.filter(action="updated").exists()


def test_the_code_of_a_tax_rate_cannot_change(vat13):
    with pytest.raises(TypeError):
        services.tax_rate_update(actor=CLERK, tax_rate=vat13, code="vat")


# Products and SKUs


def test_a_product_is_created_with_its_skus_audited_and_announced(vat13):
    product = services.product_create(actor=CLERK, **shirt_fields(unit="box"))

    black_m, black_l = product.skus.order_by("-code")
    assert (product.code, product.name, product.name_en, product.unit) == (
        "TS-001",
        "纯棉T恤",
        "Cotton T-shirt",
        "box",
    )
    assert (black_m.code, black_m.barcode, black_m.specs) == (
        "TS-001-BK-M",
        "6901234567892",
        {"颜色": "黑色", "尺寸": "M"},
    )
    assert (black_l.barcode, black_l.unit, black_l.tax_rate, black_l.is_sellable) == ("", "box", vat13, True)
    assert [e.after["code"] for e in audit_timeline(aggregate_type="product", aggregate_id=product.pk)] == [
        "TS-001"
    ]
    assert audit_timeline(aggregate_type="sku", aggregate_id=black_m.pk)[0].after["specs"] == {
        "颜色": "黑色",
        "尺寸": "M",
    }
    events = list(OutboxEvent.objects.order_by("pk").values_list("type", "aggregate_id"))
    assert events == [
        ("product.created", str(product.pk)),
        ("sku.created", str(black_m.pk)),
        ("sku.created", str(black_l.pk)),
    ]
    assert OutboxEvent.objects.get(type="product.created").data["sku_codes"] == ["TS-001-BK-M", "TS-001-BK-L"]


def test_an_unknown_tax_rate_creates_nothing(vat13):
    before = catalog_counts()
    payload = shirt_fields()
    payload["skus"][1]["tax_rate"] = "vat99"

    with pytest.raises(UnknownTaxRate) as caught:
        services.product_create(actor=CLERK, **payload)

    assert caught.value.errors[0]["field"] == "skus.1.tax_rate"
    assert catalog_counts() == before


def test_an_inactive_tax_rate_creates_nothing(vat13):
    services.tax_rate_update(actor=SYSTEM, tax_rate=vat13, is_active=False)
    before = catalog_counts()

    with pytest.raises(TaxRateInactive):
        services.product_create(actor=CLERK, **shirt_fields())

    assert catalog_counts() == before


def test_a_taken_product_code_creates_nothing(vat13):
    ProductFactory(code="TS-001")
    before = catalog_counts()

    with pytest.raises(ProductCodeTaken):
        services.product_create(actor=CLERK, **shirt_fields())

    assert catalog_counts() == before


def test_a_sku_code_taken_by_another_product_creates_nothing(vat13):
    SkuFactory(code="TS-001-BK-L", tax_rate=vat13)
    before = catalog_counts()

    with pytest.raises(SkuCodeTaken) as caught:
        services.product_create(actor=CLERK, **shirt_fields())

    assert caught.value.errors[0]["field"] == "skus.1.code"
    assert catalog_counts() == before


def test_a_taken_barcode_creates_nothing(vat13):
    SkuFactory(barcode="6901234567892", tax_rate=vat13)
    before = catalog_counts()

    with pytest.raises(SkuBarcodeTaken):
        services.product_create(actor=CLERK, **shirt_fields())

    assert catalog_counts() == before


def test_a_code_repeated_within_the_request_is_invalid_and_creates_nothing(vat13):
    payload = shirt_fields()
    payload["skus"][1]["code"] = "TS-001-BK-M"
    before = catalog_counts()

    with pytest.raises(ValidationFailed) as caught:
        services.product_create(actor=CLERK, **payload)

    assert caught.value.errors == [
        {
            "field": "skus.1.code",
            "message": "This value appears more than once in the request.",
            "code": "duplicate",
        }
    ]
    assert catalog_counts() == before


def test_invalid_specs_are_refused_with_the_sku_field_named(vat13):
    payload = shirt_fields()
    payload["skus"][0]["specs"] = {"颜色": 1}

    with pytest.raises(ValidationFailed) as caught:
        services.product_create(actor=CLERK, **payload)

    assert [(e["field"], e["code"]) for e in caught.value.errors] == [("skus.0.specs", "invalid_specs")]


def test_codes_taken_by_a_racing_insert_are_the_same_conflicts(vat13, monkeypatch):
    monkeypatch.setattr(product_services, "raise_if_taken", lambda error: None)
    ProductFactory(code="TS-001")
    before = catalog_counts()

    with pytest.raises(ProductCodeTaken):
        services.product_create(actor=CLERK, **shirt_fields())

    assert catalog_counts() == before


def test_a_sku_code_taken_by_a_racing_insert_is_the_same_conflict(vat13, monkeypatch):
    product = ProductFactory()
    SkuFactory(code="TS-9", tax_rate=vat13)
    monkeypatch.setattr(sku_services, "raise_if_taken", lambda error: None)
    before = catalog_counts()

    with pytest.raises(SkuCodeTaken):
        services.sku_create(actor=CLERK, product=product, code="TS-9", tax_rate=vat13)

    assert catalog_counts() == before


def test_a_sku_added_to_a_product_takes_the_products_unit_and_is_announced(vat13):
    product = ProductFactory(unit="pair")

    sku = services.sku_create(actor=CLERK, product=product, code="SOCK-1", tax_rate="vat13", weight_grams=80)

    assert (sku.unit, sku.weight_grams, sku.specs, sku.barcode) == ("pair", 80, {}, "")
    assert OutboxEvent.objects.filter(type="sku.created", aggregate_id=str(sku.pk)).count() == 1


def test_a_sku_update_audits_and_announces_what_changed(vat13):
    sku = SkuFactory(tax_rate=vat13, specs={"颜色": "黑色"})

    services.sku_update(actor=CLERK, sku=sku, specs={"颜色": "白色"}, barcode="6901234567892", unit="pcs")

    sku.refresh_from_db()
    assert (sku.specs, sku.barcode) == ({"颜色": "白色"}, "6901234567892")
    entry = AuditEntry.objects.get(aggregate_type="sku", action="updated")
    assert entry.before == {"barcode": "", "specs": {"颜色": "黑色"}}
    assert entry.after == {"barcode": "6901234567892", "specs": {"颜色": "白色"}}
    assert OutboxEvent.objects.get(type="sku.updated").data["changed"] == ["barcode", "specs"]


def test_a_barcode_taken_by_another_sku_leaves_the_sku_unchanged(vat13):
    SkuFactory(barcode="6901234567892", tax_rate=vat13)
    sku = SkuFactory(barcode="6901234567885", tax_rate=vat13)
    before = catalog_counts()

    with pytest.raises(SkuBarcodeTaken):
        services.sku_update(actor=CLERK, sku=sku, barcode="6901234567892")

    sku.refresh_from_db()
    assert sku.barcode == "6901234567885"
    assert catalog_counts() == before


def test_a_barcode_taken_by_a_racing_update_is_the_same_conflict(vat13, monkeypatch):
    SkuFactory(barcode="6901234567892", tax_rate=vat13)
    sku = SkuFactory(tax_rate=vat13)
    monkeypatch.setattr(sku_services, "raise_if_taken", lambda error: None)
    before = catalog_counts()

    with pytest.raises(SkuBarcodeTaken):
        services.sku_update(actor=CLERK, sku=sku, barcode="6901234567892")

    assert Sku.objects.get(pk=sku.pk).barcode == ""
    assert catalog_counts() == before


def test_many_skus_may_have_no_barcode(vat13):
    SkuFactory(tax_rate=vat13)
    sku = SkuFactory(tax_rate=vat13, barcode="6901234567892")

    services.sku_update(actor=CLERK, sku=sku, barcode=None)

    assert list(Sku.objects.values_list("barcode", flat=True)) == ["", ""]


def test_switching_to_an_inactive_tax_rate_is_refused_but_keeping_one_is_not(vat13):
    zero = TaxRateFactory(code="zero", rate=Decimal("0"), is_active=False)
    sku = SkuFactory(tax_rate=vat13)

    with pytest.raises(TaxRateInactive):
        services.sku_update(actor=CLERK, sku=sku, tax_rate="zero")
    services.tax_rate_update(actor=SYSTEM, tax_rate=vat13, is_active=False)
    services.sku_update(actor=CLERK, sku=Sku.objects.get(pk=sku.pk), tax_rate="vat13", weight_grams=200)

    assert Sku.objects.get(pk=sku.pk).tax_rate_id == vat13.pk != zero.pk


def test_a_product_update_audits_and_announces_the_difference(vat13):
    product = ProductFactory(name="旧名")

    services.product_update(actor=CLERK, product=product, name="新名", is_active=False, brand="Dingdan")

    entry = AuditEntry.objects.get(aggregate_type="product", action="updated")
    assert (entry.before, entry.after) == (
        {"name": "旧名", "is_active": True},
        {"name": "新名", "is_active": False},
    )
    assert OutboxEvent.objects.get(type="product.updated").data == {
        "aggregate_id": str(product.pk),
        "code": product.code,
        "changed": ["name", "is_active"],
    }


def test_a_sku_of_an_inactive_product_is_not_sellable(vat13):
    sku = SkuFactory(tax_rate=vat13)

    services.product_update(actor=CLERK, product=sku.product, is_active=False)

    assert Sku.objects.select_related("product").get(pk=sku.pk).is_sellable is False
