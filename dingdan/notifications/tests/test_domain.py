"""The pure rules: backoff, subscriptions, signatures, quiet hours, address refusals."""

import datetime as dt
import ipaddress
import zoneinfo

import pytest

from dingdan.notifications import domain

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_retries_back_off_exponentially_up_to_the_cap():
    delays = [domain.retry_delay(attempt=n, base_seconds=30, max_seconds=600) for n in range(1, 8)]

    assert delays == [30.0, 60.0, 120.0, 240.0, 480.0, 600.0, 600.0]


def test_a_delivery_gives_up_at_the_maximum_number_of_attempts():
    assert [domain.gives_up(attempts=n, max_attempts=3) for n in (1, 2, 3, 4)] == [False, False, True, True]


@pytest.mark.parametrize(
    ("patterns", "event_type", "expected"),
    [
        (["*"], "order.placed", True),
        (["order.*"], "order.cancelled", True),
        (["order.*"], "orders.cancelled", False),
        (["order.confirmed"], "order.confirmed", True),
        (["order.confirmed"], "order.cancelled", False),
        ([], "order.placed", False),
    ],
)
def test_subscriptions_match_exact_types_families_and_everything(patterns, event_type, expected):
    assert domain.event_matches(patterns, event_type) is expected


def test_a_signature_is_the_hmac_of_timestamp_dot_body():
    header = domain.signature_header(secret="s3cret", timestamp=1700000000, body=b'{"a":1}')

    # printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac s3cret
    assert header == "t=1700000000,v1=1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940"
    assert domain.signature_valid(secret="s3cret", header=header, body=b'{"a":1}', now=1700000100)


@pytest.mark.parametrize(
    ("secret", "body", "now", "header_change"),
    [
        ("s3cret", b'{"a":2}', 1700000000, None),  # tampered body
        ("other", b'{"a":1}', 1700000000, None),  # wrong secret
        ("s3cret", b'{"a":1}', 1700000301, None),  # older than 5 minutes
        ("s3cret", b'{"a":1}', 1700000000, "t=1700000000"),  # no v1
        ("s3cret", b'{"a":1}', 1700000000, "v1=abc,t=x"),  # malformed time
    ],
)
def test_tampered_stale_or_malformed_signatures_fail(secret, body, now, header_change):
    header = header_change or domain.signature_header(secret="s3cret", timestamp=1700000000, body=b'{"a":1}')

    assert domain.signature_valid(secret=secret, header=header, body=body, now=now) is False


@pytest.mark.parametrize(
    ("now", "start", "end", "expected"),
    [
        (dt.datetime(2026, 1, 5, 23, 30), dt.time(22), dt.time(8), dt.datetime(2026, 1, 6, 8, 0)),
        (dt.datetime(2026, 1, 6, 3, 0), dt.time(22), dt.time(8), dt.datetime(2026, 1, 6, 8, 0)),
        (dt.datetime(2026, 1, 6, 8, 0), dt.time(22), dt.time(8), None),
        (dt.datetime(2026, 1, 6, 12, 0), dt.time(22), dt.time(8), None),
        (dt.datetime(2026, 1, 6, 13, 0), dt.time(12), dt.time(14), dt.datetime(2026, 1, 6, 14, 0)),
        (dt.datetime(2026, 1, 6, 13, 0), None, None, None),
    ],
)
def test_sms_quiet_hours_hold_messages_until_they_end(now, start, end, expected):
    local = now.replace(tzinfo=SHANGHAI)

    result = domain.quiet_hours_end(local_now=local, start=start, end=end)

    assert result == (expected.replace(tzinfo=SHANGHAI) if expected else None)


def test_preferences_opt_out_channel_switch_and_muted_events():
    wants = domain.customer_wants
    assert wants(opted_out=False, channel_on=True, muted=[], event_type="order.confirmed")
    assert not wants(opted_out=True, channel_on=True, muted=[], event_type="order.confirmed")
    assert not wants(opted_out=False, channel_on=False, muted=[], event_type="order.confirmed")
    assert not wants(opted_out=False, channel_on=True, muted=["order.*"], event_type="order.confirmed")


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link_local"),
        ("100.100.100.200", "not_global"),  # shared address space (Alibaba Cloud metadata)
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "private"),  # 240/4 is reserved; Python files it under private
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link_local"),
        ("fd00:ec2::254", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a9fe:a9fe", "link_local"),  # NAT64 of 169.254.169.254
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("ff02::1", "multicast"),
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
    ],
)
def test_webhooks_may_reach_only_public_unicast_addresses(address, reason):
    assert domain.address_refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    ("event_type", "data", "key"),
    [
        ("payment.captured", {}, "payment.received"),
        ("refund.succeeded", {}, "refund.completed"),
        ("shipment.created", {}, "shipment.shipped"),
        ("shipment.status_changed", {"status": "delivered"}, "shipment.delivered"),
        ("shipment.status_changed", {"status": "in_transit"}, "shipment.status_changed"),
        ("order.confirmed", {}, "order.confirmed"),
    ],
)
def test_events_are_told_with_the_message_named_for_what_happened(event_type, data, key):
    assert domain.message_key(event_type, data) == key
