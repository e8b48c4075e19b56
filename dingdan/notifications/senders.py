"""The network boundary: e-mail through Django's mailer (MAILERS, from EMAIL_URL), SMS
through a log backend or an HTTP gateway, webhooks over HTTP to a vetted address. Each
sender returns a SendResult; none raises for a failed delivery."""

import hashlib
import http.client
import json
import logging
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from . import domain
from .exceptions import WebhookTargetRefused
from .rendering import Rendered
from .ssrf import Resolver, target_resolve

logger = logging.getLogger(__name__)
USER_AGENT = "Dingdan-Notifications/1"


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status: int | None = None
    error: str = ""
    refused: bool = False  # never retried: the target itself is not allowed


@dataclass(frozen=True)
class EventEnvelope:
    """What every message carries so consumers can deduplicate: the event id and type."""

    id: str
    type: str
    created: str
    data: dict[str, Any]

    def body(self) -> bytes:
        payload = {"id": self.id, "type": self.type, "created": self.created, "data": self.data}
        return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _options() -> dict[str, Any]:
    return settings.NOTIFICATIONS


def email_send(*, envelope: EventEnvelope, to: str, message: Rendered, connection: Any = None) -> SendResult:
    """Send through `connection` (an open mailer, reused across a batch) or the default."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        to=[to],
        headers={
            "X-Dingdan-Event-Id": envelope.id,
            "X-Dingdan-Event-Type": envelope.type,
            # The same Message-ID on a redelivery lets mail systems drop the duplicate.
            "Message-ID": f"<{envelope.id}.{_short_hash(to)}@dingdan.notifications>",
        },
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    try:
        sent = connection.send_messages([email]) if connection is not None else email.send()
    except Exception as error:  # SMTP, DNS, TLS: all mean "try again later"
        return SendResult(ok=False, error=f"{type(error).__name__}: {error}"[:1000])
    return SendResult(ok=bool(sent), error="" if sent else "the mailer sent nothing")


def sms_send(*, envelope: EventEnvelope, to: str, text: str) -> SendResult:
    options = _options()
    if options["SMS_BACKEND"] == "log":
        logger.info("SMS to %s [%s %s]: %s", to, envelope.type, envelope.id, text)
        return SendResult(ok=True)
    payload = {
        **options["SMS_GATEWAY_PARAMS"],
        "to": to,
        "text": text,
        "event_id": envelope.id,
        "event_type": envelope.type,
    }
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Dingdan-Event-Id": envelope.id,
    }
    if options["SMS_GATEWAY_SECRET"]:
        headers["X-Dingdan-Signature"] = domain.signature_header(
            secret=options["SMS_GATEWAY_SECRET"], timestamp=int(time.time()), body=body
        )
    return _post(options["SMS_GATEWAY_URL"], body, headers, options["HTTP_TIMEOUT_SECONDS"])


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a vetted IP address, with TLS SNI and certificate checks for the host name."""

    def __init__(self, address: str, port: int, server_name: str, timeout: float) -> None:
        super().__init__(address, port, timeout=timeout, context=ssl.create_default_context())
        self.server_name = server_name

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.server_name)  # type: ignore[attr-defined]


def _post(
    url: str, body: bytes, headers: dict[str, str], timeout: float, sni: str | None = None
) -> SendResult:
    """POST without following redirects or using proxies from the environment (either would
    let a request leave the vetted address)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = _PinnedHTTPSConnection(host, port, sni or host, timeout)
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        return SendResult(ok=False, error=f"{type(error).__name__}: {error}"[:1000])
    finally:
        connection.close()
    if 300 <= status < 400:
        return SendResult(ok=False, status=status, error="redirect not followed")
    if not 200 <= status < 300:
        return SendResult(ok=False, status=status, error=f"HTTP {status}")
    return SendResult(ok=True, status=status)


def webhook_send(
    *, envelope: EventEnvelope, url: str, secret: str, delivery_id: int, resolver: Resolver | None = None
) -> SendResult:
    """POST the signed envelope to the subscription's URL, connecting only to an address the
    SSRF guard vetted (a refused target is not retried)."""
    options = _options()
    try:
        target = target_resolve(url, allowed_hosts=options["WEBHOOK_ALLOWED_HOSTS"], resolver=resolver)
    except WebhookTargetRefused as error:
        return SendResult(ok=False, error=str(error.message), refused=True)
    body = envelope.body()
    headers = {
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Dingdan-Event-Id": envelope.id,
        "X-Dingdan-Event-Type": envelope.type,
        "X-Dingdan-Delivery": str(delivery_id),
        "X-Dingdan-Signature": domain.signature_header(secret=secret, timestamp=int(time.time()), body=body),
    }
    sni = target.host if target.scheme == "https" else None
    return _post(target.connect_url, body, headers, options["HTTP_TIMEOUT_SECONDS"], sni=sni)
