"""Payment providers: the adapter interface billing talks to, a registry, and the sandbox.

An adapter authorises, captures, refunds, reports a payment's status and reads the provider's
signed notifications (webhooks). The sandbox behaves like a real provider: authorisations are
confirmed later by notification, amounts ending in .13 are declined, captures and refunds
answer at once, and its notifications can be delivered late, twice or out of order
(`SandboxProvider.outbox` holds them until a test or the demo delivers them).
"""

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.conf import settings

from .exceptions import InvalidNotification, InvalidSignature, UnknownProvider

SIGNATURE_HEADER = "Webhook-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300
DECLINED_CENTS = 13  # the sandbox declines amounts ending in .13, like test cards do


@dataclass(frozen=True)
class ProviderResult:
    status: str  # pending | authorized | captured | refunded | failed
    reference: str
    message: str = ""


@dataclass(frozen=True)
class Notification:
    event_id: str
    reference: str
    kind: str  # authorized | captured | failed
    amount: Decimal
    currency: str
    payload: dict[str, Any]


class PaymentProvider(Protocol):
    code: str

    def authorize(
        self, *, order_reference: str, amount: Decimal, currency: str, capture: bool
    ) -> ProviderResult: ...

    def capture(self, *, reference: str, amount: Decimal) -> ProviderResult: ...

    def refund(self, *, reference: str, amount: Decimal, refund_reference: str) -> ProviderResult: ...

    def status(self, *, reference: str) -> ProviderResult: ...

    def parse_webhook(
        self, *, body: bytes, headers: Mapping[str, str], now: float | None = None
    ) -> Notification: ...


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """`t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">` (ARCHITECTURE §6b)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: str, body: bytes, header: str | None, now: float) -> None:
    """Raise InvalidSignature unless `header` signs `body` with `secret` within five minutes."""
    try:
        parts = dict(item.split("=", 1) for item in (header or "").split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError) as error:
        raise InvalidSignature() from error
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    if abs(now - timestamp) > SIGNATURE_TOLERANCE_SECONDS or not hmac.compare_digest(given, expected):
        raise InvalidSignature()


def _notification(body: bytes) -> Notification:
    try:
        payload = json.loads(body)
        data = payload["data"]
        kind = str(data["status"])
        amount = Decimal(str(data["amount"]))
        if kind not in {"authorized", "captured", "failed"} or not amount.is_finite():
            raise ValueError(kind)
        return Notification(
            event_id=str(payload["id"])[:64],
            reference=str(data["reference"])[:64],
            kind=kind,
            amount=amount,
            currency=str(data["currency"])[:3],
            payload=payload,
        )
    except (ValueError, KeyError, TypeError, InvalidOperation) as error:
        raise InvalidNotification() from error


@dataclass
class _SandboxPayment:
    amount: Decimal
    currency: str
    status: str
    captured: Decimal = Decimal("0")
    refunded: Decimal = Decimal("0")


@dataclass
class SandboxProvider:
    """An in-process provider for tests and the demo (see the module docstring)."""

    code: str = "sandbox"
    outbox: list[tuple[bytes, dict[str, str]]] = field(default_factory=list, repr=False)
    payments: dict[str, _SandboxPayment] = field(default_factory=dict, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def secret(self) -> str:
        providers = getattr(settings, "DINGDAN", {}).get("PAYMENT_PROVIDERS", {})
        return str(providers.get(self.code, {}).get("secret", f"{self.code}-webhook-secret"))

    def _queue(self, reference: str, status: str, amount: Decimal, currency: str) -> None:
        body = json.dumps(
            {
                "id": f"evt_{uuid.uuid4().hex}",
                "type": f"payment.{status}",
                "created": int(time.time()),
                "data": {
                    "reference": reference,
                    "status": status,
                    "amount": str(amount),
                    "currency": currency,
                },
            }
        ).encode()
        self.outbox.append((body, {SIGNATURE_HEADER: sign(self.secret, body, int(time.time()))}))

    def authorize(
        self, *, order_reference: str, amount: Decimal, currency: str, capture: bool
    ) -> ProviderResult:
        reference = f"sbx_{uuid.uuid4().hex[:24]}"
        declined = int(amount * 100) % 100 == DECLINED_CENTS
        with self.lock:
            self.payments[reference] = _SandboxPayment(amount, currency, "pending")
            if declined:
                self.payments[reference].status = "failed"
                self._queue(reference, "failed", amount, currency)
            else:
                self._queue(reference, "authorized", amount, currency)
                if capture:
                    self.payments[reference].captured = amount
                    self._queue(reference, "captured", amount, currency)
        return ProviderResult("pending", reference)

    def capture(self, *, reference: str, amount: Decimal) -> ProviderResult:
        with self.lock:
            payment = self.payments.get(reference)
            if payment is None or payment.status == "failed" or amount > payment.amount - payment.captured:
                return ProviderResult("failed", reference, "capture refused")
            payment.captured += amount
            payment.status = "captured"
            self._queue(reference, "captured", amount, payment.currency)  # the usual echo
        return ProviderResult("captured", reference)

    def refund(self, *, reference: str, amount: Decimal, refund_reference: str) -> ProviderResult:
        with self.lock:
            payment = self.payments.get(reference)
            if payment is None or amount > payment.captured - payment.refunded:
                return ProviderResult("failed", reference, "refund exceeds the captured amount")
            if int(amount * 100) % 100 == DECLINED_CENTS:
                return ProviderResult("failed", reference, "refund declined")
            payment.refunded += amount
        return ProviderResult("refunded", f"rf_{uuid.uuid4().hex[:24]}")

    def status(self, *, reference: str) -> ProviderResult:
        payment = self.payments.get(reference)
        return ProviderResult(payment.status if payment else "failed", reference)

    def parse_webhook(
        self, *, body: bytes, headers: Mapping[str, str], now: float | None = None
    ) -> Notification:
        verify_signature(
            self.secret, body, headers.get(SIGNATURE_HEADER), time.time() if now is None else now
        )
        return _notification(body)

    def take_notifications(self) -> list[tuple[bytes, dict[str, str]]]:
        with self.lock:
            taken, self.outbox[:] = list(self.outbox), []
        return taken


_PROVIDERS: dict[str, PaymentProvider] = {}


def register_provider(provider: PaymentProvider) -> None:
    _PROVIDERS[provider.code] = provider


def provider_get(code: str) -> PaymentProvider:
    provider = _PROVIDERS.get(code)
    if provider is None:
        raise UnknownProvider()
    return provider


def provider_codes() -> list[str]:
    return sorted(_PROVIDERS)


register_provider(SandboxProvider())
