"""Template helpers of the workbench: scope checks (cosmetic: the views enforce them), labels."""

from typing import Any

from django import template
from django.http import HttpRequest

from dingdan.core.security import request_principal

from ..labels import OUTCOME_LABELS, STAFF_LABELS, TIMELINE_LABELS

register = template.Library()


@register.filter
def has_scope(request: HttpRequest, scope: str) -> bool:
    principal = request_principal(request)
    return principal is not None and principal.has(scope)


@register.filter
def staff_label(value: str) -> Any:
    return STAFF_LABELS.get(value, value)


@register.filter
def timeline_label(value: str) -> Any:
    return TIMELINE_LABELS.get(value, value)


@register.filter
def outcome_label(value: str) -> Any:
    return OUTCOME_LABELS.get(value, value)


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "")
