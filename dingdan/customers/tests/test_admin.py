import pytest
from django.test import Client

from dingdan.core.models import AuditEntry, PersonalDataAccess
from dingdan.customers.models import Address, Customer

from .factories import SHENZHEN, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw-Secret-123")
    client = Client()
    client.force_login(user)
    return client


def inline_management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


CUSTOMER_FORM = {
    "code": "",
    "kind": "person",
    "name": "张伟",
    "grade": "normal",
    "phone": "13812345678",
    "language": "zh-hans",
    "credit_limit": "0.00",
    "notify_email": "on",
    "notify_sms": "on",
    "is_active": "on",
}


def test_the_changelist_masks_phone_and_email(admin_client_):
    CustomerFactory(name="张伟", phone="13812345678", email="zhang@example.com")

    page = admin_client_.get("/admin/customers/customer/").content.decode()

    assert "138****5678" in page
    assert "z***@example.com" in page
    assert "13812345678" not in page


def test_adding_a_customer_with_an_address_goes_through_the_services(admin_client_):
    form = {
        **CUSTOMER_FORM,
        **inline_management("addresses", total=1),
        **{f"addresses-0-{k}": v for k, v in {**SHENZHEN, "province": "广东", "country_code": "CN"}.items()},
        **inline_management("contacts"),
    }

    response = admin_client_.post("/admin/customers/customer/add/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    customer = Customer.objects.get()
    assert (customer.code, customer.phone) == (f"C{customer.pk:08d}", "+8613812345678")
    assert Address.objects.get().province == "广东省"
    actions = list(AuditEntry.objects.filter(aggregate_type="customer").values_list("action", "actor"))
    assert actions == [("created", "root (admin)"), ("address_added", "root (admin)")]


def test_a_bad_phone_in_the_admin_form_is_a_form_error_not_a_crash(admin_client_):
    form = {
        **CUSTOMER_FORM,
        "phone": "12345",
        **inline_management("addresses"),
        **inline_management("contacts"),
    }

    response = admin_client_.post("/admin/customers/customer/add/", form)

    assert response.status_code == 200
    assert "Enter a valid phone number" in response.content.decode()
    assert not Customer.objects.exists()


def test_opening_a_customer_in_the_admin_logs_the_read(admin_client_):
    customer = CustomerFactory()

    response = admin_client_.get(f"/admin/customers/customer/{customer.pk}/change/")

    assert response.status_code == 200
    log = PersonalDataAccess.objects.get()
    assert (log.actor, log.subject_ids, log.purpose) == (
        "root (admin)",
        [customer.pk],
        "admin.customer_change",
    )
