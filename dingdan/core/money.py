"""Money: Decimal amounts, rounding in one place, ISO 4217 currencies."""

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_precision, list_currencies

ZERO = Decimal("0")
MAX_AMOUNT = Decimal("9999999999.99")
# A money field's JSON schema: a decimal string with at most two places.
DECIMAL_PATTERN = r"^-?\d{1,10}(\.\d{1,2})?$"
RATE_PATTERN = r"^\d{1,2}(\.\d{1,4})?$"

_CURRENCIES = frozenset(list_currencies())


def is_currency(code: str) -> bool:
    return code in _CURRENCIES


def quantize(amount: Decimal, currency: str = "CNY") -> Decimal:
    """Round half-up to the currency's minor unit. Every rounding goes through here."""
    places = get_currency_precision(currency) if is_currency(currency) else 2
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def display(amount: Decimal, currency: str, locale: str = "zh_Hans_CN") -> str:
    return format_currency(amount, currency, locale=locale)
