import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record
from dingdan.core.exceptions import ValidationFailed

from .exceptions import InvalidScopes
from .models import ApiToken
from .scopes import ROLES, SCOPES
from .selectors import token_hash, user_scopes

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from dingdan.channels.models import Channel

TOKEN_PREFIX = "ddn_"  # noqa: S105 (a marker, not a secret)


@transaction.atomic
def token_create(
    *,
    user: "User",
    name: str,
    scopes: Iterable[str] | None = None,
    channel: "Channel | None" = None,
    actor: Actor,
) -> tuple[ApiToken, str]:
    """Issue a token for `user`. Scopes default to all the user holds; asking for a scope
    the user does not hold raises InvalidScopes. Returns the token and its secret, which is
    not stored (only its SHA-256 is) and cannot be shown again."""
    held = user_scopes(user)
    wanted = sorted(set(scopes) if scopes is not None else held)
    unknown = [s for s in wanted if s not in SCOPES or s not in held]
    if unknown:
        raise InvalidScopes(
            errors=[{"field": "scopes", "message": s, "code": "invalid_scope"} for s in unknown]
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        token_hash=token_hash(raw),
        scopes=wanted,
        channel=channel,
    )
    audit_record(
        aggregate_type="api_token",
        aggregate_id=token.pk,
        action="created",
        actor=actor,
        after={
            "user": user.get_username(),
            "name": name,
            "scopes": wanted,
            "channel": channel.code if channel else None,
        },
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: Actor) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(aggregate_type="api_token", aggregate_id=token.pk, action="revoked", actor=actor)
    return token


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    roles: Iterable[str],
    actor: Actor,
    email: str = "",
    first_name: str = "",
    is_staff: bool = True,
    is_superuser: bool = False,
) -> AbstractBaseUser:
    """A staff user with the given roles (ARCHITECTURE §6a)."""
    roles = list(roles)
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValidationFailed(
            errors=[{"field": "roles", "message": r, "code": "unknown_role"} for r in unknown]
        )
    user = get_user_model().objects.create_user(
        username=username,
        password=password,
        email=email,
        first_name=first_name,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    user.groups.set(Group.objects.filter(name__in=roles))
    audit_record(
        aggregate_type="user",
        aggregate_id=user.pk,
        action="created",
        actor=actor,
        after={"username": username, "roles": sorted(roles), "is_superuser": is_superuser},
    )
    return user
