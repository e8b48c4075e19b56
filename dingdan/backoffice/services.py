"""The back office's own writes: a staff member's language and saved order-list views."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dingdan.core.exceptions import NotFound, ValidationFailed

from .models import SavedView, UserPreference

MAX_SAVED_VIEWS = 50


def _field_error(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(errors=[{"field": field, "message": message, "code": code}])


@transaction.atomic
def preference_set_language(*, user_id: int, language: str) -> UserPreference:
    """Remember the staff member's language. One of settings.LANGUAGES, else ValidationFailed."""
    if language not in dict(settings.LANGUAGES):
        raise _field_error("language", _("Choose one of the offered languages."), "invalid_choice")
    preference, _created = UserPreference.objects.update_or_create(
        user_id=user_id, defaults={"language": language}
    )
    return preference


@transaction.atomic
def saved_view_create(*, user_id: int, name: str, query: str) -> SavedView:
    """Save the order list's filters under a name unique for the user (ValidationFailed when
    the name is empty or taken, or the user already keeps MAX_SAVED_VIEWS views)."""
    name = name.strip()
    if not name:
        raise _field_error("name", _("Give the view a name."), "required")
    if len(name) > 60 or len(query) > 1000:
        raise _field_error("name", _("The name or the filters are too long."), "too_long")
    if SavedView.objects.filter(user_id=user_id).count() >= MAX_SAVED_VIEWS:
        message = _("You can keep at most %(max)d saved views.") % {"max": MAX_SAVED_VIEWS}
        raise _field_error("name", message, "too_many")
    try:
        with transaction.atomic():
            return SavedView.objects.create(user_id=user_id, name=name, query=query.lstrip("?"))
    except IntegrityError as error:
        raise _field_error("name", _("You already have a view with this name."), "duplicate") from error


@transaction.atomic
def saved_view_delete(*, user_id: int, view_id: int) -> None:
    """Delete one of the user's own views; another user's view is NotFound."""
    deleted, _rows = SavedView.objects.filter(user_id=user_id, pk=view_id).delete()
    if not deleted:
        raise NotFound()
