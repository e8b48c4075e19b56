from django.utils.translation import gettext_lazy as _

from dingdan.core.exceptions import Conflict, NotFound


class ChannelNotFound(NotFound):
    code = "channel_not_found"
    default_message = _("No such sales channel.")


class ChannelCodeTaken(Conflict):
    code = "channel_code_taken"
    default_message = _("A channel with this code already exists.")
