"""Money: Decimal amounts, rounding in one place, ISO 4217 currencies."""

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_precision, list_currencies

ZERO = Decimal("0")
MAX_AMOUNT = Decimal("9999999999.99")
# A money field's JSON schema: a decimal string with at most two places.
DECIMAL_PATTERN = r"^-?\d{1,10}(\.\d{1,2})?$"
# A non-negative amount (prices, fees, limits): what MoneyIn accepts, exactly.
AMOUNT_PATTERN = r"^\d{1,10}(\.\d{1,2})?$"
# A rate from 0 to 1 with at most four places (0.13 is 13 %): what RateIn accepts, exactly.
RATE_PATTERN = r"^(0(\.\d{1,4})?|1(\.0{1,4})?)$"

_CURRENCIES = frozenset(list_currencies())
# For API schemas: a currency field lists the codes it accepts (see core.schemas.CurrencyCode).
CURRENCY_CODES: tuple[str, ...] = tuple(sorted(_CURRENCIES))


def is_currency(code: str) -> bool:
    return code in _CURRENCIES


def quantize(amount: Decimal, currency: str = "CNY") -> Decimal:
    """Round half-up to the currency's minor unit. Every rounding goes through here."""
    places = get_currency_precision(currency) if is_currency(currency) else 2
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def display(amount: Decimal, currency: str, locale: str = "zh_Hans_CN") -> str:
    return format_currency(amount, currency, locale=locale)
