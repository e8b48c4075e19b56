"""Messages from templates: the default files (templates/notifications/messages/<language>/
<event>.html, one partial per part: subject, text, html, sms) or an administrator's override
stored in MessageTemplate. Rendering is plain Django templates; text parts are not escaped."""

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.template.loader import get_template
from django.utils.translation import gettext as _

from .exceptions import InvalidTemplate
from .models import Channel, MessageTemplate

LANGUAGES = ("zh-hans", "zh-hant", "en")
FALLBACK_LANGUAGE = "zh-hans"
_DEFAULTS = Path(__file__).parent / "templates" / "notifications" / "messages"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@functools.cache
def default_event_types() -> frozenset[str]:
    """Event types that have default message templates (a message is sent only for these
    and for types an administrator added templates for)."""
    return frozenset(path.stem for path in (_DEFAULTS / "en").glob("*.html"))


def language_of(language: str) -> str:
    language = (language or "").lower()
    return language if language in LANGUAGES else FALLBACK_LANGUAGE


def _default_part(event_type: str, language: str, part: str, context: dict[str, Any]) -> str:
    name = f"notifications/messages/{language}/{event_type}.html#{part}"
    try:
        return get_template(name).render(context).strip()
    except TemplateDoesNotExist:
        if language == "en":
            raise
        return _default_part(event_type, "en", part, context)


def _compile(source: str, *, escape: bool) -> Any:
    wrapped = source if escape else "{% autoescape off %}" + source + "{% endautoescape %}"
    try:
        return engines["django"].from_string(wrapped)
    except TemplateSyntaxError as error:
        message = _("Template error: %(error)s") % {"error": error}
        raise InvalidTemplate(errors=[{"field": "template", "message": message, "code": "syntax"}]) from error


def template_check(*, subject: str, text: str, html: str) -> None:
    """Raise InvalidTemplate when any part does not compile."""
    for source, escape in ((subject, False), (text, False), (html, True)):
        _compile(source, escape=escape)


def render_source(*, subject: str, text: str, html: str, context: dict[str, Any]) -> Rendered:
    return Rendered(
        subject=_compile(subject, escape=False).render(context).strip() if subject else "",
        text=_compile(text, escape=False).render(context).strip(),
        html=_compile(html, escape=True).render(context).strip() if html else "",
    )


def has_message(*, channel: str, event_type: str) -> bool:
    if event_type in default_event_types():
        return True
    return MessageTemplate.objects.filter(channel=channel, event_type=event_type).exists()


def render_message(*, channel: str, event_type: str, language: str, context: dict[str, Any]) -> Rendered:
    """The message in `language` (falling back to English): the override if an administrator
    stored one, else the default file. Raises TemplateDoesNotExist when there is neither."""
    language = language_of(language)
    override = (
        MessageTemplate.objects.filter(channel=channel, event_type=event_type, language__in=[language, "en"])
        .order_by("-language")  # the customer's language before English ("zh-*" > "en")
        .first()
    )
    if override is not None:
        return render_source(
            subject=override.subject, text=override.text, html=override.html, context=context
        )
    if channel == Channel.SMS:
        return Rendered(subject="", text=_default_part(event_type, language, "sms", context), html="")
    return Rendered(
        subject=_default_part(event_type, language, "subject", context),
        text=_default_part(event_type, language, "text", context),
        html=_default_part(event_type, language, "html", context),
    )


def default_source(*, channel: str, event_type: str, language: str) -> dict[str, str]:
    """The raw default template parts, for an administrator starting an override."""
    path = _DEFAULTS / language_of(language) / f"{event_type}.html"
    if not path.exists():
        return {}
    return {
        "file": str(path.relative_to(_DEFAULTS.parent.parent)),
        "source": path.read_text(encoding="utf-8"),
    }
