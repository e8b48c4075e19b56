import json
import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import translation

from dingdan.core.actors import SYSTEM, Actor
from dingdan.core.exceptions import ValidationFailed
from dingdan.core.models import AuditEntry, OutboxEvent
from dingdan.customers import selectors, services
from dingdan.customers.exceptions import CustomerCodeTaken, StaleCustomerVersion
from dingdan.customers.models import Address, Contact, Customer
from dingdan.customers.selectors import CustomerSnapshot

from .factories import SHENZHEN, CustomerFactory

pytestmark = pytest.mark.django_db

CLERK = Actor(username="clerk", user_id=7, via="token", token_id=3)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def audit_of(customer, action):
    return AuditEntry.objects.get(aggregate_type="customer", aggregate_id=str(customer.pk), action=action)


def nothing_written():
    return (
        Customer.objects.count(),
        Address.objects.count(),
        Contact.objects.count(),
        AuditEntry.objects.count(),
    )


# Creating ------------------------------------------------------------------------------


def test_a_customer_without_a_code_gets_c_and_its_zero_padded_id():
    customer = CustomerFactory(name="张伟")

    customer.refresh_from_db()
    assert customer.code == f"C{customer.pk:08d}"
    assert customer.version == 1


def test_create_normalises_phone_and_email_and_makes_the_first_address_the_default():
    customer = services.customer_create(
        actor=CLERK,
        name=" 张伟 ",
        phone="138 1234 5678",
        email="Zhang@Example.com",
        addresses=[{**SHENZHEN, "province": "广东", "city": "深圳"}, {**SHENZHEN, "label": "公司"}],
        contacts=[{"name": "李娜", "phone": "010-12345678"}],
    )

    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.email) == ("张伟", "+8613812345678", "Zhang@example.com")
    first, second = customer.addresses.order_by("pk")
    assert (first.province, first.city, first.phone) == ("广东省", "深圳市", "+8613812345678")
    assert (first.is_default_shipping, first.is_default_billing) == (True, True)
    assert (second.is_default_shipping, second.is_default_billing) == (False, False)
    assert customer.contacts.get().phone == "+861012345678"


def test_create_audits_with_personal_data_masked_and_emits_customer_created():
    customer = services.customer_create(
        actor=CLERK, name="张伟", phone="13812345678", email="zhang@example.com", addresses=[SHENZHEN]
    )

    entry = audit_of(customer, "created")
    assert entry.actor == "clerk (token 3)"
    assert entry.after["phone"] == "138****5678"
    assert entry.after["email"] == "z***@example.com"
    assert entry.after["addresses"][0]["street"] == "***"
    assert entry.after["addresses"][0]["district"] == "南山区"
    stored = json.dumps([entry.before, entry.after], ensure_ascii=False)
    assert "12345678" not in stored
    assert "zhang@" not in stored
    assert "科技园路" not in stored
    event = OutboxEvent.objects.get(type="customer.created")
    assert event.data == {
        "aggregate_id": str(customer.pk),
        "code": customer.code,
        "kind": "person",
        "grade": "normal",
    }


def test_an_address_marked_default_wins_over_the_first_one():
    customer = CustomerFactory(
        addresses=[SHENZHEN, {**SHENZHEN, "label": "仓库", "is_default_shipping": True}]
    )

    defaults = {a.label: (a.is_default_shipping, a.is_default_billing) for a in customer.addresses.all()}
    assert defaults == {"": (False, True), "仓库": (True, False)}


def test_bad_fields_everywhere_are_one_422_and_nothing_is_written():
    with pytest.raises(ValidationFailed) as raised:
        services.customer_create(
            actor=CLERK,
            name="",
            kind="company",
            phone="12345",
            email="not-an-email",
            addresses=[{**SHENZHEN, "province": "火星省"}, {**SHENZHEN, "is_default_shipping": True}],
            contacts=[{"name": "李娜", "email": "x@"}],
        )

    fields = [(e["field"], e["code"]) for e in raised.value.errors]
    assert fields == [
        ("phone", "invalid_phone"),
        ("company_name", "required"),
        ("name", "blank"),
        ("email", "invalid"),
        ("addresses.0.province", "unknown_province"),
        ("contacts.0.email", "invalid"),
    ]
    assert nothing_written() == (0, 0, 0, 0)
    assert not OutboxEvent.objects.exists()


def test_two_addresses_marked_default_are_refused():
    with pytest.raises(ValidationFailed) as raised:
        services.customer_create(
            actor=CLERK, name="张伟", addresses=[{**SHENZHEN, "is_default_billing": True}] * 2
        )

    assert raised.value.errors == [
        {
            "field": "addresses.1.is_default_billing",
            "message": "Only one address can be the default.",
            "code": "duplicate_default",
        }
    ]
    assert nothing_written() == (0, 0, 0, 0)


def test_a_code_in_use_is_taken_and_a_generated_looking_code_is_reserved():
    CustomerFactory(code="VIP-001")

    with pytest.raises(CustomerCodeTaken):
        CustomerFactory(code="VIP-001")
    with pytest.raises(ValidationFailed) as raised:
        CustomerFactory(code="C00000099")

    assert raised.value.errors[0]["code"] == "reserved_code"
    assert Customer.objects.count() == 1


# Updating ------------------------------------------------------------------------------


def test_update_bumps_the_version_audits_masked_values_and_emits_customer_updated():
    customer = CustomerFactory(phone="13812345678", grade="normal")

    services.customer_update(
        actor=CLERK, customer=customer, expected_version=1, phone="13900001111", grade="vip"
    )

    customer.refresh_from_db()
    assert (customer.phone, customer.grade, customer.version) == ("+8613900001111", "vip", 2)
    entry = audit_of(customer, "updated")
    assert entry.before == {"phone": "138****5678", "grade": "normal", "version": 1}
    assert entry.after == {"phone": "139****1111", "grade": "vip", "version": 2}
    event = OutboxEvent.objects.get(type="customer.updated")
    assert event.data == {
        "aggregate_id": str(customer.pk),
        "code": customer.code,
        "version": 2,
        "changed": ["grade", "phone"],
    }


def test_a_stale_expected_version_is_refused_and_changes_nothing():
    customer = CustomerFactory(name="张伟")
    services.customer_update(
        actor=CLERK, customer=Customer.objects.get(pk=customer.pk), expected_version=1, notes="x"
    )

    with pytest.raises(StaleCustomerVersion):
        services.customer_update(actor=CLERK, customer=customer, expected_version=1, name="王芳")

    customer.refresh_from_db()
    assert (customer.name, customer.version) == ("张伟", 2)
    assert AuditEntry.objects.filter(action="updated").count() == 1


def test_an_update_from_a_stale_copy_without_expected_version_is_refused_too():
    customer = CustomerFactory(name="张伟")
    services.customer_update(
        actor=CLERK, customer=Customer.objects.get(pk=customer.pk), expected_version=None, notes="x"
    )

    with pytest.raises(StaleCustomerVersion):
        services.customer_update(actor=CLERK, customer=customer, expected_version=None, name="王芳")

    assert Customer.objects.get(pk=customer.pk).name == "张伟"


def test_an_update_that_changes_nothing_writes_nothing():
    customer = CustomerFactory(name="张伟", credit_limit=Decimal("100.00"))

    services.customer_update(
        actor=CLERK, customer=customer, expected_version=1, name="张伟 ", credit_limit=Decimal("100")
    )

    assert Customer.objects.get(pk=customer.pk).version == 1
    assert not AuditEntry.objects.filter(action="updated").exists()


def test_a_negative_credit_limit_is_refused():
    customer = CustomerFactory()

    with pytest.raises(ValidationFailed) as raised:
        services.customer_update(
            actor=CLERK, customer=customer, expected_version=1, credit_limit=Decimal("-1")
        )

    assert raised.value.errors[0]["field"] == "credit_limit"
    assert Customer.objects.get(pk=customer.pk).credit_limit == Decimal("0.00")


# Addresses and contacts ----------------------------------------------------------------


def test_a_new_default_address_takes_the_default_over_and_bumps_the_version():
    customer = CustomerFactory(addresses=[SHENZHEN])
    old = customer.addresses.get()

    new = services.address_add(
        actor=CLERK, customer=customer, **{**SHENZHEN, "label": "新家", "is_default_shipping": True}
    )

    old.refresh_from_db()
    assert (old.is_default_shipping, old.is_default_billing) == (False, True)
    assert (new.is_default_shipping, new.is_default_billing) == (True, False)
    assert Customer.objects.get(pk=customer.pk).version == 2
    assert audit_of(customer, "address_added").after["street"] == "***"
    assert OutboxEvent.objects.get(type="customer.updated").data["changed"] == ["addresses"]


def test_an_address_added_to_a_customer_without_one_becomes_the_default():
    customer = CustomerFactory()

    address = services.address_add(actor=CLERK, customer=customer, **SHENZHEN)

    assert (address.is_default_shipping, address.is_default_billing) == (True, True)


def test_an_address_update_is_validated_whole_and_audited_masked():
    customer = CustomerFactory(addresses=[SHENZHEN])
    address = selectors.address_get(customer_id=customer.pk, address_id=customer.addresses.get().pk)

    services.address_update(
        actor=CLERK,
        address=address,
        province="北京",
        city="北京市",
        district="海淀区",
        street="中关村大街1号",
    )

    address.refresh_from_db()
    assert (address.province, address.city, address.district) == ("北京市", "北京市", "海淀区")
    entry = audit_of(customer, "address_updated")
    assert entry.before == {
        "id": address.pk,
        "province": "广东省",
        "city": "深圳市",
        "district": "南山区",
        "street": "***",
    }
    assert entry.after == {
        "id": address.pk,
        "province": "北京市",
        "city": "北京市",
        "district": "海淀区",
        "street": "***",
    }


def test_a_bad_address_update_changes_nothing():
    customer = CustomerFactory(addresses=[SHENZHEN])
    address = selectors.address_get(customer_id=customer.pk, address_id=customer.addresses.get().pk)

    with pytest.raises(ValidationFailed) as raised:
        services.address_update(actor=CLERK, address=address, province="火星")

    assert raised.value.errors[0]["code"] == "unknown_province"
    assert Address.objects.get(pk=address.pk).province == "广东省"
    assert Customer.objects.get(pk=customer.pk).version == 1


def test_removing_the_default_address_leaves_no_default():
    customer = CustomerFactory(addresses=[SHENZHEN])
    address_id = customer.addresses.get().pk
    address = selectors.address_get(customer_id=customer.pk, address_id=address_id)

    services.address_remove(actor=CLERK, address=address)

    assert not Address.objects.exists()
    assert audit_of(customer, "address_removed").before["id"] == address_id
    assert selectors.customer_snapshot(customer_id=customer.pk).default_shipping_address is None


def test_contacts_are_added_changed_and_removed_with_masked_audit_entries():
    customer = CustomerFactory()

    contact = services.contact_add(
        actor=CLERK, customer=customer, name="李娜", title="采购", phone="13800001111"
    )
    contact = services.contact_update(
        actor=CLERK, contact=contact, expected_version=2, email="Li@Example.com"
    )
    contact_id = contact.pk
    services.contact_remove(actor=CLERK, contact=contact, expected_version=3)

    actions = [
        (e.action, e.before, e.after)
        for e in AuditEntry.objects.filter(aggregate_id=str(customer.pk)).order_by("sequence")
    ][1:]
    assert actions == [
        (
            "contact_added",
            None,
            {"id": contact_id, "name": "李娜", "title": "采购", "phone": "138****1111", "email": ""},
        ),
        ("contact_updated", {"id": contact_id, "email": ""}, {"id": contact_id, "email": "L***@example.com"}),
        (
            "contact_removed",
            {
                "id": contact_id,
                "name": "李娜",
                "title": "采购",
                "phone": "138****1111",
                "email": "L***@example.com",
            },
            None,
        ),
    ]
    assert Customer.objects.get(pk=customer.pk).version == 4


def test_a_local_phone_on_a_hong_kong_address_is_read_as_a_hong_kong_number():
    customer = CustomerFactory()

    address = services.address_add(
        actor=CLERK,
        customer=customer,
        recipient="陳大文",
        phone="9123 4567",
        country_code="HK",
        province="九龍",
        city="旺角",
        street="彌敦道1號",
    )

    assert (address.phone, address.province, address.city) == ("+85291234567", "Kowloon", "Mong Kok")


# Selectors -----------------------------------------------------------------------------


def test_the_snapshot_carries_what_an_order_needs_with_the_default_addresses():
    customer = CustomerFactory(
        name="张伟",
        phone="13812345678",
        grade="gold",
        credit_limit=Decimal("5000.00"),
        addresses=[SHENZHEN, {**SHENZHEN, "label": "公司", "is_default_billing": True}],
    )
    shipping, billing = customer.addresses.order_by("pk")

    snapshot = selectors.customer_snapshot(customer_id=customer.pk)

    address = dict(SHENZHEN) | {"phone": "+8613812345678", "country_code": "CN"}
    assert snapshot == CustomerSnapshot(
        id=customer.pk,
        code=customer.code,
        kind="person",
        name="张伟",
        company_name="",
        grade="gold",
        phone="+8613812345678",
        email="",
        language="zh-hans",
        credit_limit=Decimal("5000.00"),
        credit_hold=False,
        is_active=True,
        notify_email=True,
        notify_sms=True,
        default_shipping_address={"id": shipping.pk, "label": "", **address},
        default_billing_address={"id": billing.pk, "label": "公司", **address},
    )


def test_search_by_phone_only_finds_customers_for_callers_who_may_see_phones():
    customer = CustomerFactory(name="张伟", phone="13812345678")
    CustomerFactory(name="王芳")

    assert list(selectors.customer_list(q="138 1234 5678")) == [customer]
    assert list(selectors.customer_list(q="13812345678", search_personal_data=False)) == []
    assert list(selectors.customer_list(q="张", search_personal_data=False)) == [customer]


def test_an_order_address_is_normalised_and_masked_through_the_selectors():
    address = selectors.address_normalize(
        address={**SHENZHEN, "province": "广东", "note": "kept"}, prefix="shipping_address."
    )

    assert address == {**SHENZHEN, "country_code": "CN", "phone": "+8613812345678", "note": "kept"}
    assert selectors.address_for_display(address=address, unmasked=False)["street"] == "***"
    with pytest.raises(ValidationFailed) as raised:
        selectors.address_normalize(address={"phone": "1", "street": "x"}, prefix="shipping_address.")
    assert [e["field"] for e in raised.value.errors] == [
        "shipping_address.phone",
        "shipping_address.province",
        "shipping_address.city",
    ]


# Concurrency (PostgreSQL: real connections racing for the same row) --------------------


@pytest.mark.postgres_only
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_writers_with_the_same_version_one_wins_and_one_gets_412():
    customer = CustomerFactory(name="张伟")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def write(name):
        try:
            copy = Customer.objects.get(pk=customer.pk)
            barrier.wait(timeout=10)
            services.customer_update(actor=CLERK, customer=copy, expected_version=1, name=name)
            outcomes.append("ok")
        except StaleCustomerVersion:
            outcomes.append("stale")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(name,)) for name in ("王芳", "李娜")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["ok", "stale"]
    customer.refresh_from_db()
    assert customer.version == 2
    assert AuditEntry.objects.filter(aggregate_id=str(customer.pk)).count() == 2


@pytest.mark.postgres_only
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_address_adds_serialise_on_the_customer_and_keep_one_default():
    customer = CustomerFactory()
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def add(label):
        try:
            copy = Customer.objects.get(pk=customer.pk)
            barrier.wait(timeout=10)
            services.address_add(actor=SYSTEM, customer=copy, **{**SHENZHEN, "label": label})
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(f"a{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Address.objects.filter(customer=customer).count() == 4
    assert Address.objects.filter(customer=customer, is_default_shipping=True).count() == 1
    assert Customer.objects.get(pk=customer.pk).version == 5
    assert [
        e.sequence for e in AuditEntry.objects.filter(aggregate_id=str(customer.pk)).order_by("sequence")
    ] == [
        1,
        2,
        3,
        4,
        5,
    ]
