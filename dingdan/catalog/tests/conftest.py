from decimal import Decimal

import pytest

from .factories import TaxRateFactory


@pytest.fixture
def vat13():
    """The usual VAT rate (13 %), code "vat13"."""
    return TaxRateFactory(code="vat13", name="增值税 13%", rate=Decimal("0.13"))
