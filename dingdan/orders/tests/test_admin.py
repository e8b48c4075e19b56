"""The Django admin edits the review configuration through the services (audited)."""

import pytest

from dingdan.core.models import AuditEntry
from dingdan.orders.models import BlacklistEntry, CheckSetting

pytestmark = pytest.mark.django_db


def test_the_admin_sets_a_channels_check_setting_through_the_service(admin_client, shop):
    response = admin_client.post(
        "/admin/orders/checksetting/add/",
        {
            "channel": shop.channel.pk,
            "check_code": "duplicate",
            "severity": "fail",
            "params": '{"window_hours": 6}',
        },
    )

    assert response.status_code == 302, response.content
    setting = CheckSetting.objects.get()
    assert (setting.check_code, setting.is_enabled, setting.severity, setting.params) == (
        "duplicate",
        False,
        "fail",
        {"window_hours": 6},
    )
    entry = AuditEntry.objects.get(aggregate_type="check_setting")
    assert (entry.actor, entry.aggregate_id) == ("admin (admin)", "web:duplicate")


def test_the_admin_blacklists_a_normalised_phone(admin_client, shop):
    response = admin_client.post(
        "/admin/orders/blacklistentry/add/",
        {"kind": "phone", "value": "+86 138 1234 5678", "reason": "拒收", "is_active": "on"},
    )

    assert response.status_code == 302, response.content
    assert list(BlacklistEntry.objects.values_list("kind", "value", "is_active")) == [
        ("phone", "13812345678", True)
    ]
    assert AuditEntry.objects.filter(aggregate_type="blacklist", action="added").count() == 1
