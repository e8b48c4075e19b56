"""Administration of notifications: webhook subscriptions (SSRF-checked) and overrides of
message templates (checked to compile), each change audited."""

import re
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.utils.translation import gettext as _

from dingdan.core.actors import Actor
from dingdan.core.audit import audit_record

from .. import rendering, selectors
from ..exceptions import InvalidTemplate, TemplateNotFound
from ..models import MessageTemplate, WebhookSubscription
from ..ssrf import target_resolve


def _options() -> dict[str, Any]:
    return settings.NOTIFICATIONS


# Webhook subscriptions -----------------------------------------------------------------


def _subscription_view(sub: WebhookSubscription) -> dict[str, Any]:
    return {"name": sub.name, "url": sub.url, "events": sub.events, "is_active": sub.is_active}


@transaction.atomic
def subscription_create(*, actor: Actor, name: str, url: str, events: Sequence[str]) -> WebhookSubscription:
    """A subscription with a new random secret. Raises WebhookTargetRefused (422) when the
    URL is malformed or points to a loopback, private, link-local or metadata address."""
    target_resolve(url, allowed_hosts=_options()["WEBHOOK_ALLOWED_HOSTS"])
    sub = WebhookSubscription.objects.create(
        name=name, url=url, events=sorted(set(events)), secret=secrets.token_hex(32), owner=str(actor)
    )
    audit_record(
        aggregate_type="webhook_subscription",
        aggregate_id=sub.pk,
        action="created",
        actor=actor,
        after=_subscription_view(sub),
    )
    return sub


@transaction.atomic
def subscription_update(*, actor: Actor, subscription_id: int, **changes: Any) -> WebhookSubscription:
    """Change name, url, events or is_active; a new URL is checked like on create."""
    sub = selectors.subscription_get(subscription_id=subscription_id)
    unknown = set(changes) - {"name", "url", "events", "is_active"}
    if unknown:
        raise TypeError(f"unknown subscription fields: {', '.join(sorted(unknown))}")
    if "url" in changes:
        target_resolve(changes["url"], allowed_hosts=_options()["WEBHOOK_ALLOWED_HOSTS"])
    if "events" in changes:
        changes["events"] = sorted(set(changes["events"]))
    before = _subscription_view(sub)
    for name, value in changes.items():
        setattr(sub, name, value)
    if _subscription_view(sub) == before:
        return sub
    sub.save(update_fields=[*changes, "updated_at"])
    audit_record(
        aggregate_type="webhook_subscription",
        aggregate_id=sub.pk,
        action="updated",
        actor=actor,
        before=before,
        after=_subscription_view(sub),
    )
    return sub


@transaction.atomic
def subscription_delete(*, actor: Actor, subscription_id: int) -> None:
    sub = selectors.subscription_get(subscription_id=subscription_id)
    audit_record(
        aggregate_type="webhook_subscription",
        aggregate_id=sub.pk,
        action="deleted",
        actor=actor,
        before=_subscription_view(sub),
    )
    sub.delete()


# Message templates ---------------------------------------------------------------------

_EVENT_TYPE = re.compile(r"[a-z][a-z_]*(\.[a-z_]+)+")


def message_preview(
    *, channel: str, event_type: str, language: str, context: dict[str, Any]
) -> rendering.Rendered:
    """The stored or default message for the event, rendered with `context`. Raises
    TemplateNotFound when the event has no message."""
    try:
        return rendering.render_message(
            channel=channel, event_type=event_type, language=language, context=context
        )
    except TemplateDoesNotExist as error:
        raise TemplateNotFound() from error


@transaction.atomic
def template_set(
    *, actor: Actor, channel: str, event_type: str, language: str, subject: str, text: str, html: str
) -> MessageTemplate:
    """Store an administrator's override of a message template (replacing any earlier one).
    Raises InvalidTemplate (422) for a malformed event type or a part that does not compile."""
    if not _EVENT_TYPE.fullmatch(event_type):
        message = _("Not an event type: %(name)s") % {"name": event_type}
        raise InvalidTemplate(errors=[{"field": "event_type", "message": message, "code": "invalid"}])
    rendering.template_check(subject=subject, text=text, html=html)
    template, created = MessageTemplate.objects.update_or_create(
        channel=channel,
        event_type=event_type,
        language=language,
        defaults={"subject": subject, "text": text, "html": html, "updated_by": str(actor)},
    )
    audit_record(
        aggregate_type="message_template",
        aggregate_id=f"{channel}:{event_type}:{language}",
        action="created" if created else "updated",
        actor=actor,
        after={"subject": subject, "text": text, "html": html},
    )
    return template


@transaction.atomic
def template_delete(*, actor: Actor, channel: str, event_type: str, language: str) -> None:
    """Remove an override: the default file applies again. Raises TemplateNotFound."""
    template = selectors.template_get(channel=channel, event_type=event_type, language=language)
    audit_record(
        aggregate_type="message_template",
        aggregate_id=f"{channel}:{event_type}:{language}",
        action="deleted",
        actor=actor,
        before={"subject": template.subject, "text": template.text, "html": template.html},
    )
    template.delete()
