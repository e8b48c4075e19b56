from django.conf import settings
from django.test import Client

from dingdan.backoffice.models import UserPreference


def test_the_workbench_sends_anonymous_visitors_to_the_sign_in_page(db):
    response = Client().get("/app/orders/")

    assert response.status_code == 302
    assert response["Location"] == "/app/login/?next=/app/orders/"


def test_the_site_root_leads_to_the_workbench(db):
    response = Client().get("/")

    assert (response.status_code, response["Location"]) == (302, "/app/")


def test_a_staff_member_signs_in_with_username_and_password_and_lands_on_home(make_user):
    make_user("order_clerk", username="clerk")
    client = Client()

    page = client.get("/app/login/")
    response = client.post("/app/login/", {"username": "clerk", "password": "pw-Secret-123"})

    assert page.status_code == 200
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert (response.status_code, response["Location"]) == (302, "/app/")
    assert client.get("/app/").context["user"].username == "clerk"


def test_a_wrong_password_is_refused_and_the_username_kept(make_user):
    make_user("order_clerk", username="clerk")

    response = Client().post("/app/login/", {"username": "clerk", "password": "wrong"})

    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert 'value="clerk"' in response.content.decode()
    assert response.context["form"].non_field_errors()


def test_signing_out_ends_the_session(staff):
    client = staff("order_clerk")

    response = client.post("/app/logout/")

    assert (response.status_code, response["Location"]) == (302, "/app/login/")
    assert client.get("/app/").status_code == 302


def test_the_language_choice_is_remembered_for_the_user_and_applied_at_the_next_sign_in(make_user):
    user = make_user("reviewer", username="rev")
    client = Client()
    client.force_login(user)

    response = client.post("/app/language/", {"language": "zh-hant", "next": "/app/orders/"})

    assert (response.status_code, response["Location"]) == (302, "/app/orders/")
    assert UserPreference.objects.get(user=user).language == "zh-hant"
    page = client.get("/app/orders/")
    assert page.context["LANGUAGE_CODE"] == "zh-hant"
    assert "訂單" in page.content.decode()  # "Orders" in the zh-Hant catalogue
    other_browser = Client()
    signed_in = other_browser.post("/app/login/", {"username": "rev", "password": "pw-Secret-123"})
    assert signed_in.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"


def test_an_unknown_language_is_refused_and_nothing_is_remembered(staff):
    client = staff("reviewer")

    response = client.post("/app/language/", {"language": "xx", "next": "//evil.example/"})

    assert (response.status_code, response["Location"]) == (302, "/app/")
    assert not UserPreference.objects.exists()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_each_role_sees_its_own_home(staff):
    clerk = staff("order_clerk").get("/app/").content.decode()
    reviewer = staff("reviewer").get("/app/").content.decode()
    warehouse = staff("warehouse").get("/app/").content.decode()

    assert "/app/orders/new/" in clerk
    assert "Open the review queue" not in clerk
    assert "Open the review queue" in reviewer
    assert "/app/orders/new/" not in reviewer
    assert "/app/inventory/receipt/" in warehouse
    assert "/app/orders/new/" not in warehouse


def test_a_user_without_any_role_sees_no_figures_and_is_refused_the_order_list(staff):
    client = staff()

    home = client.get("/app/")
    orders = client.get("/app/orders/")

    assert home.status_code == 200
    assert home.context["figures"] is None
    assert orders.status_code == 403
