from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scopes import SCOPES, permission_codename


class Capability(models.Model):
    """Holds the scope permissions; it has no rows and no table of its own."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [(permission_codename(scope), label) for scope, label in SCOPES.items()]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")


class ApiToken(models.Model):
    """An opaque bearer token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    channel = models.ForeignKey(
        "channels.Channel", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
