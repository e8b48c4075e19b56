import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dingdan.core.models import AuditEntry, PersonalDataAccess
from dingdan.customers.models import Address, Contact, Customer

from .factories import SHENZHEN, CustomerFactory

pytestmark = pytest.mark.django_db

ZHANG = {
    "name": "张伟",
    "phone": "138 1234 5678",
    "email": "zhang@example.com",
    "grade": "gold",
    "addresses": [SHENZHEN],
    "contacts": [{"name": "李娜", "title": "采购", "phone": "13987654321", "email": "lina@example.com"}],
}


def create(api, body=ZHANG, **headers):
    response = api.post("/customers", body, headers=headers or None)
    assert response.status_code == 201, response.content
    return response.json()


# Creating ------------------------------------------------------------------------------


def test_an_order_clerk_creates_a_customer_with_address_and_contact(api_as):
    response = api_as("order_clerk").post("/customers", ZHANG)

    assert response.status_code == 201, response.content
    assert response["ETag"] == '"1"'
    body = response.json()
    assert body["code"] == f"C{body['id']:08d}"
    assert (body["phone"], body["email"], body["grade"]) == ("+8613812345678", "zhang@example.com", "gold")
    assert body["credit_limit"] == "0.00"
    assert body["version"] == 1
    address = body["addresses"][0]
    assert (address["province"], address["city"], address["district"]) == ("广东省", "深圳市", "南山区")
    assert (address["street"], address["is_default_shipping"]) == ("科技园路1号", True)
    assert body["contacts"][0]["phone"] == "+8613987654321"
    assert AuditEntry.objects.get(aggregate_type="customer", aggregate_id=str(body["id"])).action == "created"


def test_bad_fields_are_a_422_naming_each_field_and_create_nothing(api_as):
    body = {**ZHANG, "phone": "12345", "addresses": [{**SHENZHEN, "province": "火星省", "city": ""}]}

    response = api_as("order_clerk").post("/customers", body)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    errors = [(e["field"], e["code"]) for e in response.json()["errors"]]
    assert errors == [
        ("phone", "invalid_phone"),
        ("addresses.0.province", "unknown_province"),
        ("addresses.0.city", "required"),
    ]
    assert (Customer.objects.count(), Address.objects.count()) == (0, 0)
    assert not AuditEntry.objects.filter(aggregate_type="customer").exists()


def test_error_messages_follow_the_callers_language(api_as):
    response = api_as("order_clerk", language="zh-hans").post(
        "/customers", {**ZHANG, "email": "zhang@localhost1"}
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "email", "message": "输入一个有效的 Email 地址。", "code": "invalid"}
    ]
    assert not Customer.objects.exists()


def test_unknown_fields_are_rejected(api_as):
    response = api_as("order_clerk").post("/customers", {**ZHANG, "blacklisted": True})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "blacklisted"
    assert not Customer.objects.exists()


def test_a_duplicate_code_is_409(api_as):
    api = api_as("order_clerk")
    create(api, {**ZHANG, "code": "VIP-1"})

    response = api.post("/customers", {**ZHANG, "code": "VIP-1"})

    assert response.status_code == 409
    assert response.json()["code"] == "customer_code_taken"
    assert Customer.objects.count() == 1


def test_a_replayed_idempotency_key_returns_the_first_response_and_creates_once(api_as):
    api = api_as("order_clerk")
    first = api.post("/customers", ZHANG, headers={"Idempotency-Key": "k-1"})

    again = api.post("/customers", ZHANG, headers={"Idempotency-Key": "k-1"})
    other = api.post("/customers", {**ZHANG, "name": "王芳"}, headers={"Idempotency-Key": "k-1"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Customer.objects.count() == 1


def test_creating_with_a_credit_limit_needs_the_credit_scope(api_as):
    response = api_as("order_clerk").post("/customers", {**ZHANG, "credit_limit": "5000.00"})

    assert response.status_code == 403
    assert response.json()["code"] == "credit_change_not_allowed"
    assert not Customer.objects.exists()


# Roles and masking ---------------------------------------------------------------------


def test_a_role_with_customers_pii_sees_everything_and_the_read_is_logged(api_as):
    customer_id = create(api_as("order_clerk"))["id"]
    clerk = api_as("order_clerk")

    response = clerk.get(f"/customers/{customer_id}")

    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    body = response.json()
    assert (body["phone"], body["email"]) == ("+8613812345678", "zhang@example.com")
    assert body["addresses"][0]["street"] == "科技园路1号"
    log = PersonalDataAccess.objects.get()
    assert (log.actor, log.subject_type, log.subject_ids, log.purpose) == (
        f"{clerk.user.username} (token {clerk.user.api_tokens.get().pk})",
        "customer",
        [customer_id],
        "api.customer_detail",
    )


def test_a_role_without_customers_pii_sees_masked_data_and_nothing_is_logged(api_as):
    customer_id = create(api_as("order_clerk"))["id"]

    response = api_as("manager").get(f"/customers/{customer_id}")

    assert response.status_code == 200
    body = response.json()
    assert (body["phone"], body["email"]) == ("138****5678", "z***@example.com")
    address = body["addresses"][0]
    assert (address["street"], address["phone"]) == ("***", "138****5678")
    assert (address["province"], address["city"], address["district"]) == ("广东省", "深圳市", "南山区")
    contact = body["contacts"][0]
    assert (contact["phone"], contact["email"]) == ("139****4321", "l***@example.com")
    assert not PersonalDataAccess.objects.exists()


def test_the_warehouse_may_not_read_customers(api_as):
    create(api_as("order_clerk"))

    response = api_as("warehouse").get("/customers")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_token_with_only_customers_read_sees_masked_data(api_as):
    customer_id = create(api_as("order_clerk"))["id"]

    body = api_as("order_clerk", scopes=["customers:read"]).get(f"/customers/{customer_id}").json()

    assert body["phone"] == "138****5678"
    assert not PersonalDataAccess.objects.exists()


def test_anonymous_callers_get_401(anonymous_api):
    response = anonymous_api.get("/customers")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_required"


# Lists ---------------------------------------------------------------------------------


def test_the_list_pages_by_cursor_and_logs_one_row_per_request(api_as):
    customers = [CustomerFactory(name=f"客户{n}") for n in range(5)]
    clerk = api_as("order_clerk")

    first = clerk.get("/customers", limit=3).json()
    second = clerk.get("/customers", limit=3, cursor=first["next"]).json()

    ids = [c["id"] for page in (first, second) for c in page["items"]]
    assert ids == [c.pk for c in customers]
    assert second["next"] is None
    logs = list(PersonalDataAccess.objects.order_by("pk").values_list("subject_ids", "purpose"))
    assert logs == [(ids[:3], "api.customer_list"), (ids[3:], "api.customer_list")]


def list_queries(api, count):
    CustomerFactory.create_batch(count, addresses=[SHENZHEN])
    api.get("/customers")  # the token's first use of the minute records it: not the list's cost
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/customers")
    assert len(response.json()["items"]) == Customer.objects.count()
    return len(queries)


def test_the_list_costs_the_same_queries_for_two_or_twelve_customers(api_as):
    clerk = api_as("order_clerk")

    few = list_queries(clerk, 2)
    many = list_queries(clerk, 10)

    # the token (with the master-data version its user's roles are kept at), the page, and
    # the access log row
    assert few == many == 3


def test_the_list_filters_by_grade_activity_and_search(api_as):
    gold = CustomerFactory(name="张伟", grade="gold", phone="13812345678")
    CustomerFactory(name="王芳", grade="gold", is_active=False)
    CustomerFactory(name="李娜")
    clerk, manager = api_as("order_clerk"), api_as("manager")

    def names(api, **params):
        return [c["name"] for c in api.get("/customers", **params).json()["items"]]

    assert names(clerk, grade="gold", is_active="true") == ["张伟"]
    assert names(clerk, q="5678") == ["张伟"]
    assert names(manager, q="5678") == []
    assert names(manager, q=gold.code) == ["张伟"]


def test_bad_list_parameters_are_422_not_a_database_error(api_as):
    clerk = api_as("order_clerk")

    responses = [
        clerk.get("/customers", q="\x00"),
        clerk.get("/customers", grade="platinum"),
        clerk.get("/customers", limit=0),
    ]

    assert [(r.status_code, r.json()["errors"][0]["field"]) for r in responses] == [
        (422, "q"),
        (422, "grade"),
        (422, "limit"),
    ]


# Updating ------------------------------------------------------------------------------


def test_patch_with_the_current_etag_changes_the_customer_and_returns_the_next_etag(admin_api):
    customer_id = create(admin_api)["id"]

    response = admin_api.patch(
        f"/customers/{customer_id}", {"grade": "vip", "credit_limit": "8000.00"}, headers={"If-Match": '"1"'}
    )

    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    assert (response.json()["grade"], response.json()["credit_limit"]) == ("vip", "8000.00")
    assert PersonalDataAccess.objects.get().purpose == "api.customer_update"


def test_a_stale_if_match_is_412_and_changes_nothing(api_as):
    clerk = api_as("order_clerk")
    customer_id = create(clerk)["id"]
    clerk.patch(f"/customers/{customer_id}", {"notes": "first"}, headers={"If-Match": '"1"'})

    response = clerk.patch(f"/customers/{customer_id}", {"name": "王芳"}, headers={"If-Match": '"1"'})

    assert response.status_code == 412
    assert response.json()["code"] == "stale_customer_version"
    customer = Customer.objects.get(pk=customer_id)
    assert (customer.name, customer.version) == ("张伟", 2)


def test_a_malformed_if_match_is_400(api_as):
    clerk = api_as("order_clerk")
    customer_id = create(clerk)["id"]

    response = clerk.patch(f"/customers/{customer_id}", {"name": "王芳"}, headers={"If-Match": "W/abc"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_if_match"
    assert Customer.objects.get(pk=customer_id).name == "张伟"


def test_patch_without_if_match_is_allowed(api_as):
    clerk = api_as("order_clerk")
    customer_id = create(clerk)["id"]

    response = clerk.patch(f"/customers/{customer_id}", {"notify_sms": False})

    assert response.status_code == 200
    assert Customer.objects.get(pk=customer_id).notify_sms is False


def test_changing_the_credit_limit_or_hold_without_the_credit_scope_is_403(api_as):
    clerk = api_as("order_clerk")
    customer_id = create(clerk)["id"]

    limit = clerk.patch(f"/customers/{customer_id}", {"credit_limit": "5000.00", "name": "王芳"})
    hold = clerk.patch(f"/customers/{customer_id}", {"credit_hold": True})
    same = clerk.patch(f"/customers/{customer_id}", {"credit_limit": "0", "name": "王芳"})

    assert (limit.status_code, hold.status_code, same.status_code) == (403, 403, 200)
    assert limit.json()["code"] == "credit_change_not_allowed"
    customer = Customer.objects.get(pk=customer_id)
    assert (customer.credit_limit, customer.credit_hold, customer.version) == (0, False, 2)


def test_a_clerk_who_also_works_in_finance_may_change_credit(api_as):
    customer_id = create(api_as("order_clerk"))["id"]

    response = api_as("order_clerk", "finance").patch(f"/customers/{customer_id}", {"credit_hold": True})

    assert response.status_code == 200
    assert Customer.objects.get(pk=customer_id).credit_hold is True


def test_an_unknown_customer_is_404(api_as):
    response = api_as("order_clerk").patch("/customers/999", {"name": "x"})

    assert response.status_code == 404
    assert response.json()["code"] == "customer_not_found"


# Addresses and contacts ----------------------------------------------------------------


def test_addresses_are_listed_added_changed_and_removed(api_as):
    clerk = api_as("order_clerk")
    customer_id = create(clerk)["id"]
    base = f"/customers/{customer_id}/addresses"

    added = clerk.post(base, {**SHENZHEN, "label": "公司", "is_default_billing": True})
    address_id = added.json()["id"]
    changed = clerk.patch(f"{base}/{address_id}", {"district": "福田"}, headers={"If-Match": '"2"'})
    listed = clerk.get(base).json()
    removed = clerk.delete(f"{base}/{address_id}")

    assert (added.status_code, changed.status_code, removed.status_code) == (201, 200, 204)
    assert changed.json()["district"] == "福田区"
    assert [(a["label"], a["is_default_billing"]) for a in listed["items"]] == [("", False), ("公司", True)]
    assert list(Address.objects.values_list("label", flat=True)) == [""]
    assert Customer.objects.get(pk=customer_id).version == 4


def test_an_address_of_another_customer_is_404(api_as):
    clerk = api_as("order_clerk")
    first, second = create(clerk), create(clerk)

    response = clerk.patch(
        f"/customers/{second['id']}/addresses/{first['addresses'][0]['id']}", {"label": "x"}
    )

    assert response.status_code == 404
    assert response.json()["code"] == "address_not_found"


def test_a_bad_address_is_422_and_adds_nothing(api_as):
    clerk = api_as("order_clerk")
    customer_id = create(clerk)["id"]

    response = clerk.post(f"/customers/{customer_id}/addresses", {**SHENZHEN, "phone": "123"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "phone"
    assert Address.objects.count() == 1


def test_an_address_list_is_masked_for_the_manager(api_as):
    customer_id = create(api_as("order_clerk"))["id"]

    items = api_as("manager").get(f"/customers/{customer_id}/addresses").json()["items"]

    assert (items[0]["street"], items[0]["phone"]) == ("***", "138****5678")
    assert not PersonalDataAccess.objects.exists()


def test_contacts_are_listed_added_changed_and_removed(api_as):
    clerk = api_as("customer_service")
    customer_id = create(clerk)["id"]
    base = f"/customers/{customer_id}/contacts"

    added = clerk.post(base, {"name": "赵强", "phone": "+852 9123 4567"}, headers={"Idempotency-Key": "c-1"})
    contact_id = added.json()["id"]
    changed = clerk.patch(f"{base}/{contact_id}", {"title": "财务"})
    stale = clerk.delete(f"{base}/{contact_id}", headers={"If-Match": '"1"'})
    listed = clerk.get(base).json()
    removed = clerk.delete(f"{base}/{contact_id}")

    assert (added.status_code, changed.status_code, stale.status_code, removed.status_code) == (
        201,
        200,
        412,
        204,
    )
    assert added.json()["phone"] == "+85291234567"
    assert [(c["name"], c["title"]) for c in listed["items"]] == [("李娜", "采购"), ("赵强", "财务")]
    assert list(Contact.objects.values_list("name", flat=True)) == ["李娜"]
