import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils import timezone

from dingdan.core.actors import Actor
from dingdan.core.cache import cached
from dingdan.core.security import Principal

from .models import ApiToken
from .scopes import SCOPES, scope_of


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def user_scopes(user: AbstractBaseUser) -> frozenset[str]:
    """The scopes a staff user holds through roles and direct permissions (the roles from the
    process's copies, core.cache: a role granted or taken away counts from the next read)."""
    if not user.is_active:
        return frozenset()
    if getattr(user, "is_superuser", False):
        return frozenset(SCOPES)
    return cached(("user_scopes", user.pk), lambda: _user_scopes_read(user))


def _user_scopes_read(user: AbstractBaseUser) -> frozenset[str]:
    # What ModelBackend.get_all_permissions gives, narrowed to this app, in one query (not two).
    codenames = (
        Permission.objects.filter(Q(user=user) | Q(group__user=user), content_type__app_label="accounts")
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


def principal_for_token(raw: str) -> Principal | None:
    """The principal of a live token: not revoked, not expired, its user active. The token's
    scopes are cut down to what its user holds now (a role taken away takes effect at once)."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_hash(raw), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or not token.user.is_active or (token.expires_at and token.expires_at <= now):
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return Principal(
        actor=Actor(
            username=token.user.get_username(), user_id=token.user_id, via="token", token_id=token.pk
        ),
        user_id=token.user_id,
        scopes=frozenset(token.scopes) & user_scopes(token.user),
        token_id=token.pk,
        channel_id=token.channel_id,
    )


def users_with_role(role: str) -> list[AbstractBaseUser]:
    return list(get_user_model().objects.filter(groups__name=role, is_active=True))
