from django.db.models import QuerySet

from dingdan.core.cache import cached

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


def channel_get_shared(*, channel_id: int | None = None, code: str | None = None) -> Channel:
    """`channel_get`, from the process's copies (core.cache): the instance is shared by every
    caller of the process, so it is read, never changed or saved. Raises ChannelNotFound."""
    if channel_id is not None:
        channel = cached(("channel", channel_id), lambda: Channel.objects.filter(pk=channel_id).first())
    else:
        channel = cached(("channel_code", code), lambda: Channel.objects.filter(code=code).first())
    if channel is None:
        raise ChannelNotFound()
    return channel
