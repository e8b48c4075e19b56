"""Pure rules of the notifications context: retry schedule, webhook signatures, SMS quiet
hours, event subscriptions and which network addresses a webhook may reach. No ORM, clock
or settings: callers pass them in."""

import datetime as dt
import hashlib
import hmac
import ipaddress
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SIGNATURE_TOLERANCE_SECONDS = 300  # receivers reject signatures older than 5 minutes (§6b)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


# Retries -------------------------------------------------------------------------------


def retry_delay(*, attempt: int, base_seconds: float, max_seconds: float) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based): exponential backoff
    base·2^(attempt-1), capped at `max_seconds`."""
    return float(min(max_seconds, base_seconds * 2 ** max(0, attempt - 1)))


def gives_up(*, attempts: int, max_attempts: int) -> bool:
    return attempts >= max_attempts


# Subscriptions -------------------------------------------------------------------------


def event_matches(patterns: Iterable[str], event_type: str) -> bool:
    """`*` matches every event, `order.*` every event of that family, else the exact type."""
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


# Signatures (ARCHITECTURE §6b) -----------------------------------------------------------


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix time>,v1=<hex HMAC-SHA256(secret, "t.body")>`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_valid(
    *, secret: str, header: str, body: bytes, now: int, tolerance: int = SIGNATURE_TOLERANCE_SECONDS
) -> bool:
    """What a receiver checks: a well-formed header, a fresh timestamp, a matching HMAC
    (compared in constant time)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature_header(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, f"t={timestamp},v1={parts.get('v1', '')}")


# Messages ------------------------------------------------------------------------------

# Message templates are named after what the customer is told; most are the event type.
_MESSAGE_KEYS = {
    "payment.captured": "payment.received",
    "refund.succeeded": "refund.completed",
    "shipment.created": "shipment.shipped",
}


def message_key(event_type: str, data: dict[str, object]) -> str:
    """The message template an event is told with (a delivered shipment's status change is
    "shipment.delivered"; every other scan keeps its type, which has no default message)."""
    if event_type == "shipment.status_changed" and data.get("status") == "delivered":
        return "shipment.delivered"
    return _MESSAGE_KEYS.get(event_type, event_type)


# Preferences ---------------------------------------------------------------------------


def customer_wants(*, opted_out: bool, channel_on: bool, muted: Iterable[str], event_type: str) -> bool:
    return not opted_out and channel_on and not event_matches(muted, event_type)


def quiet_hours_end(
    *, local_now: dt.datetime, start: dt.time | None, end: dt.time | None
) -> dt.datetime | None:
    """When a message may be sent if `local_now` falls in the quiet hours [start, end)
    (which may wrap midnight, e.g. 22:00-08:00), else None. Works in the caller's zone."""
    if start is None or end is None or start == end:
        return None
    now = local_now.timetz().replace(tzinfo=None)
    wraps = start > end
    inside = (now >= start or now < end) if wraps else (start <= now < end)
    if not inside:
        return None
    day = local_now.date()
    if wraps and now >= start:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=local_now.tzinfo)


# Webhook targets (SSRF guard) ----------------------------------------------------------


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in _NAT64 or address in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


def address_refusal(address: IPAddress) -> str | None:
    """Why a webhook may not connect to `address` (loopback, private, link-local and cloud
    metadata, unspecified, multicast, reserved, shared, documentation...), or None when it
    is a public unicast address. IPv6 forms that embed an IPv4 address are judged by it."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            reason = address_refusal(inner)
            if reason:
                return reason
    checks = [
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link_local", address.is_link_local),  # 169.254.169.254, the metadata service
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("not_global", not address.is_global),
    ]
    return next((name for name, refused in checks if refused), None)
