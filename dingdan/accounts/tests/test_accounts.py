import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from dingdan.accounts.exceptions import InvalidScopes
from dingdan.accounts.models import ApiToken
from dingdan.accounts.scopes import ROLES, SCOPES
from dingdan.accounts.selectors import principal_for_token, token_hash, user_scopes
from dingdan.accounts.services import token_create, token_revoke, user_create
from dingdan.core.actors import SYSTEM
from dingdan.core.cache import GROUP, Seen
from dingdan.core.models import AuditEntry, CacheVersion

pytestmark = pytest.mark.django_db


def test_the_migration_creates_every_role_with_its_scopes():
    for role, (_label, scopes) in ROLES.items():
        group = Group.objects.get(name=role)
        codenames = set(group.permissions.values_list("codename", flat=True))
        assert codenames == {scope.replace(":", "_") for scope in scopes}


def test_a_user_holds_the_union_of_the_scopes_of_their_roles(make_user):
    user = make_user("warehouse", "logistics")

    assert user_scopes(user) == frozenset(ROLES["warehouse"][1]) | frozenset(ROLES["logistics"][1])


def test_a_superuser_holds_every_scope(django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw")

    assert user_scopes(root) == frozenset(SCOPES)


def test_a_token_stores_only_its_hash_and_resolves_to_a_principal_with_its_scopes(make_user):
    user = make_user("order_clerk")

    token, raw = token_create(user=user, name="shop", scopes=["orders:read"], actor=SYSTEM)

    assert raw.startswith("ddn_")
    assert token.token_hash == token_hash(raw)
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().first())
    principal = principal_for_token(raw)
    assert principal.scopes == frozenset({"orders:read"})
    assert principal.key == f"token:{token.pk}"
    assert AuditEntry.objects.filter(aggregate_type="api_token", action="created").count() == 1


def test_a_token_cannot_carry_a_scope_its_user_does_not_hold(make_user):
    user = make_user("warehouse")

    with pytest.raises(InvalidScopes):
        token_create(user=user, name="x", scopes=["orders:write"], actor=SYSTEM)

    assert not ApiToken.objects.exists()


def test_a_role_taken_away_takes_effect_on_existing_tokens_at_once(make_user):
    user = make_user("order_clerk")
    _token, raw = token_create(user=user, name="x", actor=SYSTEM)

    user.groups.clear()

    assert principal_for_token(raw).scopes == frozenset()


def test_a_token_is_read_with_the_master_data_version_in_one_statement(make_user, django_assert_num_queries):
    user = make_user("order_clerk")
    _token, raw = token_create(user=user, name="x", actor=SYSTEM)
    principal_for_token(raw)  # marks the token used, keeps the user's roles

    with django_assert_num_queries(1):
        principal = principal_for_token(raw)

    assert principal.cache_seen == Seen(CacheVersion.objects.get(name=GROUP).version)
    assert "orders:write" in principal.scopes


def test_revoked_expired_and_unknown_tokens_do_not_authenticate(make_user):
    user = make_user("order_clerk")
    revoked, revoked_raw = token_create(user=user, name="a", actor=SYSTEM)
    expired, expired_raw = token_create(user=user, name="b", actor=SYSTEM)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    token_revoke(token=revoked, actor=SYSTEM)

    assert principal_for_token(revoked_raw) is None
    assert principal_for_token(expired_raw) is None
    assert principal_for_token("ddn_nonsense") is None


def test_a_revoked_token_gets_401_from_the_api(api_as):
    api = api_as("order_clerk")
    assert api.get("/channels").status_code == 200
    token_revoke(token=ApiToken.objects.get(user=api.user), actor=SYSTEM)

    assert api.get("/channels").status_code == 401


def test_user_create_refuses_unknown_roles_and_creates_nothing(django_user_model):
    from dingdan.core.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed):
        user_create(username="x", password="pw-Secret-123", roles=["wizard"], actor=SYSTEM)

    assert not django_user_model.objects.filter(username="x").exists()


def test_token_command_prints_the_token_last_and_it_works(make_user, capsys):
    make_user("order_clerk", username="lin")

    call_command("token", "create", "--user", "lin", "--scopes", "orders:read", "catalog:read")

    raw = capsys.readouterr().out.split()[-1]
    assert principal_for_token(raw).scopes == frozenset({"orders:read", "catalog:read"})


def test_a_staff_session_can_use_the_api_and_writes_need_the_csrf_token(make_user, client):
    make_user("administrator", username="boss")
    client.login(username="boss", password="pw-Secret-123")

    assert client.get("/api/v1/channels").status_code == 200
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.login(username="boss", password="pw-Secret-123")
    response = strict.post("/api/v1/channels", {"code": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
