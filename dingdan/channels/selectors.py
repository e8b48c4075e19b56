from django.db.models import QuerySet

from .exceptions import ChannelNotFound
from .models import Channel


def channel_list(*, is_active: bool | None = None, kind: str | None = None) -> QuerySet[Channel]:
    channels = Channel.objects.all()
    if is_active is not None:
        channels = channels.filter(is_active=is_active)
    if kind:
        channels = channels.filter(kind=kind)
    return channels


def channel_get(*, channel_id: int | None = None, code: str | None = None) -> Channel:
    channel = (
        Channel.objects.filter(pk=channel_id).first()
        if channel_id is not None
        else (Channel.objects.filter(code=code).first())
    )
    if channel is None:
        raise ChannelNotFound()
    return channel
