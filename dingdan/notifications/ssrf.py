"""Where a webhook may connect (SSRF guard). The host is resolved here, every address it
resolves to is judged (domain.address_refusal), and the request then connects to the vetted
address itself, so a DNS answer that changes between check and use (rebinding) cannot
redirect it. Redirects are never followed. Hosts an administrator allow-lists
(NOTIFICATIONS["WEBHOOK_ALLOWED_HOSTS"]) skip the address check, for development."""

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from . import domain
from .exceptions import WebhookTargetRefused

Resolver = Callable[..., list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the URL (for Host and TLS SNI)
    port: int
    address: str  # the vetted IP literal to connect to
    path: str  # path and query

    @property
    def connect_url(self) -> str:
        literal = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.scheme}://{literal}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def _split(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise WebhookTargetRefused(_("The webhook URL is not valid."), code="webhook_url_invalid") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookTargetRefused(
            _("A webhook URL must be http or https with a host."), code="webhook_url_invalid"
        )
    if parts.username or parts.password:
        raise WebhookTargetRefused(_("A webhook URL must not carry credentials."), code="webhook_url_invalid")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return (
        parts.scheme,
        parts.hostname.rstrip(".").lower(),
        port or (443 if parts.scheme == "https" else 80),
        path,
    )


def _resolve(host: str, port: int, resolver: Resolver) -> list[str]:
    try:
        infos = resolver(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError) as error:
        raise WebhookTargetRefused(
            _("The webhook host does not resolve: %(host)s") % {"host": host}, code="webhook_host_unresolved"
        ) from error
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
    if not addresses:
        raise WebhookTargetRefused(
            _("The webhook host does not resolve: %(host)s") % {"host": host}, code="webhook_host_unresolved"
        )
    return addresses


def target_resolve(url: str, *, allowed_hosts: Sequence[str], resolver: Resolver | None = None) -> Target:
    """The address a webhook for `url` connects to. Raises WebhookTargetRefused when the URL
    is malformed, does not resolve, or any address it resolves to is not public (unless the
    host is allow-listed). Decimal, hex and octal IPv4 spellings resolve to what they mean
    (2130706433, 0x7f000001 and 0177.0.0.1 are 127.0.0.1) and are judged as such."""
    scheme, host, port, path = _split(url)
    addresses = _resolve(host, port, resolver or socket.getaddrinfo)
    allowed = {h.strip().lower().rstrip(".") for h in allowed_hosts if h.strip()}
    if host not in allowed:
        for text in addresses:
            reason = domain.address_refusal(ipaddress.ip_address(text))
            if reason:
                raise WebhookTargetRefused(
                    _("The webhook URL points to a %(kind)s address, which is not allowed.")
                    % {"kind": reason},
                    code="webhook_target_refused",
                )
    return Target(scheme=scheme, host=host, port=port, address=addresses[0], path=path)
