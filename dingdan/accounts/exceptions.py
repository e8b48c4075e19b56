from django.utils.translation import gettext_lazy as _

from dingdan.core.exceptions import ValidationFailed


class InvalidScopes(ValidationFailed):
    code = "invalid_scopes"
    default_message = _("Unknown scopes, or scopes the user does not hold.")
