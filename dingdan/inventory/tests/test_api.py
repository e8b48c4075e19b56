import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dingdan.core.models import AuditEntry
from dingdan.inventory.models import Warehouse

from .factories import WarehouseFactory

pytestmark = pytest.mark.django_db

JIADING = {
    "code": "sh-jiading",
    "name": "上海 嘉定仓",
    "province": "上海市",
    "city": "上海市",
    "district": "嘉定区",
    "street": "叶城路 1288 号",
    "postal_code": "201800",
    "region": "east",
}


def test_a_warehouse_clerk_creates_a_warehouse_with_defaults_and_an_audit_entry(api_as):
    response = api_as("warehouse").post("/warehouses", JIADING)

    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("code", "kind", "country_code", "priority", "is_active", "phone")} == {
        "code": "sh-jiading",
        "kind": "own",
        "country_code": "CN",
        "priority": 100,
        "is_active": True,
        "phone": "",
    }
    entry = AuditEntry.objects.get(aggregate_type="warehouse", aggregate_id=str(body["id"]))
    assert entry.action == "created"
    assert entry.after["street"] == "叶城路 1288 号"


def test_the_cut_off_time_is_a_local_hh_mm_in_and_out(admin_api):
    response = admin_api.post("/warehouses", {**JIADING, "cutoff_time": "17:30"})

    assert response.status_code == 201, response.content
    assert response.json()["cutoff_time"] == "17:30"
    assert admin_api.get("/warehouses", code="sh-jiading").json()["items"][0]["cutoff_time"] == "17:30"


@pytest.mark.parametrize("cutoff", ["17:30:00+01:00", "17:30Z", "25:00", "1730", 1730])
def test_a_cut_off_time_with_an_offset_or_out_of_range_is_422_and_creates_nothing(admin_api, cutoff):
    response = admin_api.post("/warehouses", {**JIADING, "cutoff_time": cutoff})

    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == ["cutoff_time"]
    assert not Warehouse.objects.exists()


def test_a_duplicate_code_is_409_problem_and_creates_nothing(admin_api):
    admin_api.post("/warehouses", JIADING)

    response = admin_api.post("/warehouses", {**JIADING, "name": "另一个"})

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "warehouse_code_taken"
    assert Warehouse.objects.count() == 1


def test_invalid_fields_are_422_with_per_field_errors(api_as):
    api = api_as("administrator", language="zh-hans")

    response = api.post("/warehouses", {**JIADING, "phone": "1234567", "postal_code": "2018"})

    assert response.status_code == 422
    assert {e["field"]: e["code"] for e in response.json()["errors"]} == {
        "postal_code": "invalid_postal_code",
        "phone": "invalid_phone",
    }
    assert not Warehouse.objects.exists()


def test_unknown_fields_and_missing_required_fields_are_rejected(admin_api):
    unknown = admin_api.post("/warehouses", {**JIADING, "stock": 5})
    missing = admin_api.post("/warehouses", {"code": "x", "name": "x"})

    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "stock"
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {"province", "city", "street", "region"}
    assert not Warehouse.objects.exists()


def test_an_order_clerk_may_read_but_not_create_or_change_warehouses(api_as):
    clerk = api_as("order_clerk")
    warehouse = WarehouseFactory()

    assert clerk.get("/warehouses").status_code == 200
    assert clerk.get(f"/warehouses/{warehouse.pk}").status_code == 200
    created = clerk.post("/warehouses", JIADING)
    changed = clerk.patch(f"/warehouses/{warehouse.pk}", {"priority": 1})

    assert (created.status_code, changed.status_code) == (403, 403)
    assert created.json()["code"] == "permission_denied"
    assert Warehouse.objects.count() == 1
    assert Warehouse.objects.get().priority == 100


def test_finance_may_not_even_read_warehouses(api_as):
    response = api_as("finance").get("/warehouses")

    assert response.status_code == 403


def test_anonymous_callers_get_401_problem(anonymous_api):
    response = anonymous_api.get("/warehouses")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_required"


def test_an_unknown_warehouse_is_404_problem(admin_api):
    response = admin_api.get("/warehouses/999")

    assert response.status_code == 404
    assert response.json()["code"] == "warehouse_not_found"
    assert admin_api.patch("/warehouses/999", {"priority": 1}).status_code == 404


def test_patch_changes_only_given_fields_and_audits_the_difference(admin_api):
    warehouse_id = admin_api.post("/warehouses", JIADING).json()["id"]

    response = admin_api.patch(f"/warehouses/{warehouse_id}", {"priority": 10, "contact_name": "张伟"})

    assert response.status_code == 200
    assert response.json()["priority"] == 10
    assert response.json()["name"] == JIADING["name"]
    entry = AuditEntry.objects.get(aggregate_id=str(warehouse_id), action="updated")
    assert entry.before == {"contact_name": "", "priority": 100}
    assert entry.after == {"contact_name": "张伟", "priority": 10}


def test_patch_leaves_null_fields_unchanged_and_refuses_the_code(admin_api):
    warehouse = WarehouseFactory()

    nulled = admin_api.patch(f"/warehouses/{warehouse.pk}", {"district": None, "priority": 7})
    recoded = admin_api.patch(f"/warehouses/{warehouse.pk}", {"code": "other"})

    assert (nulled.status_code, recoded.status_code) == (200, 422)
    assert (nulled.json()["district"], nulled.json()["priority"]) == ("嘉定区", 7)
    assert [e["field"] for e in recoded.json()["errors"]] == ["code"]
    assert Warehouse.objects.get().code == warehouse.code


def test_the_schema_lists_known_countries_and_names_the_warehouse_enums_uniquely(admin_api):
    schema = admin_api.get("/openapi.json").json()
    components = schema["components"]["schemas"]

    assert components["WarehouseKind"]["enum"] == ["own", "third_party", "store"]
    assert "east" in components["WarehouseRegion"]["enum"]
    country = components["WarehouseIn"]["properties"]["country_code"]
    assert {"CN", "HK", "US"} <= set(country["enum"])
    assert "ZZ" not in country["enum"]


def test_an_unknown_country_is_refused_by_the_schema(admin_api):
    response = admin_api.post("/warehouses", {**JIADING, "country_code": "ZZ"})

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["country_code"]
    assert not Warehouse.objects.exists()


def test_a_replayed_idempotency_key_returns_the_first_response_and_creates_once(admin_api):
    headers = {"Idempotency-Key": "create-jiading-1"}

    first = admin_api.post("/warehouses", JIADING, headers=headers)
    again = admin_api.post("/warehouses", JIADING, headers=headers)
    other = admin_api.post("/warehouses", {**JIADING, "code": "other"}, headers=headers)

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert other.json()["code"] == "idempotency_key_reused"
    assert Warehouse.objects.count() == 1


def test_list_filters_and_pages_with_a_cursor_in_priority_order(admin_api):
    for code, priority in [("c", 30), ("a", 10), ("e", 30), ("b", 20), ("d", 30)]:
        WarehouseFactory(code=code, priority=priority)
    WarehouseFactory(code="off", priority=1, is_active=False)

    pages, cursor = [], None
    for _ in range(3):
        page = admin_api.get(
            "/warehouses", limit=2, is_active="true", **({"cursor": cursor} if cursor else {})
        )
        pages.append(page.json())
        cursor = page.json()["next"]

    assert [[w["code"] for w in page["items"]] for page in pages] == [["a", "b"], ["c", "e"], ["d"]]
    assert cursor is None


def test_a_garbled_cursor_is_400_problem(admin_api):
    response = admin_api.get("/warehouses", cursor="not-a-cursor")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_the_list_costs_the_same_queries_for_two_or_twenty_warehouses(admin_api):
    def queries_for_list() -> int:
        admin_api.get("/warehouses")  # warm the token's last-used stamp
        with CaptureQueriesContext(connection) as captured:
            response = admin_api.get("/warehouses", limit=200)
        assert response.status_code == 200
        return len(captured)

    WarehouseFactory.create_batch(2)
    few = queries_for_list()
    WarehouseFactory.create_batch(18)

    assert queries_for_list() == few
    assert len(admin_api.get("/warehouses", limit=10**9).json()["items"]) == 20
