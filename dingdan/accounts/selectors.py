import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils import timezone

from dingdan.core.actors import Actor
from dingdan.core.cache import VERSION_COLUMN, Seen, cache_scope, cached
from dingdan.core.rows import column_of, fields_of, rows_select
from dingdan.core.security import Principal

from .models import ApiToken
from .scopes import SCOPES, scope_of


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def user_scopes(user: AbstractBaseUser) -> frozenset[str]:
    """The scopes a staff user holds through roles and direct permissions (the roles from the
    process's copies, core.cache: a role granted or taken away counts from the next read)."""
    return _scopes(user.pk, is_active=user.is_active, is_superuser=getattr(user, "is_superuser", False))


def _scopes(user_id: int, *, is_active: bool, is_superuser: bool) -> frozenset[str]:
    if not is_active:
        return frozenset()
    if is_superuser:
        return frozenset(SCOPES)
    return cached(("user_scopes", user_id), lambda: _user_scopes_read(user_id))


def _user_scopes_read(user_id: int) -> frozenset[str]:
    # What ModelBackend.get_all_permissions gives, narrowed to this app, in one query (not two).
    codenames = (
        Permission.objects.filter(
            Q(user=user_id) | Q(group__user=user_id), content_type__app_label="accounts"
        )
        .order_by()
        .values_list("codename", flat=True)
        .distinct()
    )
    return frozenset(scope_of(codename) for codename in codenames) & frozenset(SCOPES)


def principal_for_user(user: AbstractBaseUser) -> Principal:
    return Principal(
        actor=Actor(username=user.get_username(), user_id=user.pk, via="session"),
        user_id=user.pk,
        scopes=user_scopes(user),
    )


_User = get_user_model()
_TOKEN_FIELDS = [
    *fields_of(ApiToken, "id", "user", "scopes", "channel", "expires_at", "last_used_at"),
    *fields_of(_User, _User.USERNAME_FIELD, "is_active", "is_superuser"),
]
# Written once: every API request reads it (the ORM's query building cost more than the
# query), with the master-data version (core.cache) in the same round trip.
_TOKEN_SQL = (
    'SELECT t."id", t."user_id", t."scopes", t."channel_id", t."expires_at", t."last_used_at",'  # noqa: S608
    f' u.{column_of(_TOKEN_FIELDS[6])}, u."is_active", u."is_superuser", {VERSION_COLUMN}'
    f' FROM "{ApiToken._meta.db_table}" t JOIN "{_User._meta.db_table}" u ON u."id" = t."user_id"'
    ' WHERE t."token_hash" = %s AND t."revoked_at" IS NULL'
)


def principal_for_token(raw: str) -> Principal | None:
    """The principal of a live token: not revoked, not expired, its user active. The token's
    scopes are cut down to what its user holds now (a role taken away takes effect at once)."""
    rows = rows_select(_TOKEN_SQL, [token_hash(raw)], _TOKEN_FIELDS)
    now = timezone.now()
    if not rows:
        return None
    (
        token_id,
        user_id,
        scopes,
        channel_id,
        expires_at,
        last_used_at,
        username,
        is_active,
        is_superuser,
        version,
    ) = rows[0]
    if not is_active or (expires_at and expires_at <= now):
        return None
    if last_used_at is None or (now - last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    seen = Seen(None if version is None else int(version))
    with cache_scope(seen):  # the user's roles as of the token's read
        held = _scopes(user_id, is_active=is_active, is_superuser=is_superuser)
    return Principal(
        actor=Actor(username=username, user_id=user_id, via="token", token_id=token_id),
        user_id=user_id,
        scopes=frozenset(scopes) & held,
        token_id=token_id,
        channel_id=channel_id,
        cache_seen=seen,
    )


def users_with_role(role: str) -> list[AbstractBaseUser]:
    return list(get_user_model().objects.filter(groups__name=role, is_active=True))
