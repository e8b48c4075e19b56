"""The seeded carriers and the adapter registry."""

import re

import pytest

from dingdan.fulfillment import carriers
from dingdan.fulfillment.carriers import Label, carrier_adapter, register_carrier_adapter
from dingdan.fulfillment.models import Carrier

pytestmark = pytest.mark.django_db

SAMPLES = {
    "sf": "SF1234567890123",
    "zto": "731234567890123",
    "yto": "YT1234567890123",
    "sto": "773123456789012",
    "yunda": "4312345678901",
    "jd": "JDVA12345678901",
    "ems": "EA123456789CN",
    "jt": "JT1234567890123",
    "ups": "1Z999AA10123456784",
    "fedex": "123456789012",
    "dhl": "1234567890",
}


def test_the_major_chinese_and_international_carriers_are_seeded_with_patterns_and_tracking_pages():
    carriers = {c.code: c for c in Carrier.objects.all()}
    assert set(SAMPLES) <= set(carriers)
    for code, number in SAMPLES.items():
        assert re.fullmatch(carriers[code].tracking_pattern, number), code
        assert "{number}" in carriers[code].tracking_url_template
    assert carriers["sf"].name == "顺丰速运"


def test_an_adapter_registers_under_its_code():
    class Fake:
        def create_label(self, request):
            return Label("SF1", b"%PDF")

        def fetch_tracking(self, tracking_number):
            return []

    assert carrier_adapter("fake") is None
    register_carrier_adapter("fake", Fake())
    try:
        assert carrier_adapter("fake").create_label(None).tracking_number == "SF1"
    finally:
        carriers._adapters.pop("fake")
