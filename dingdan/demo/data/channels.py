"""The demo shop's sales channels, as dingdan.channels.services.channel_create arguments."""

from typing import Any

CHANNELS: list[dict[str, Any]] = [
    {"code": "web", "name": "官网商城", "kind": "web", "number_prefix": "SO", "sla_hours": 24},
    {"code": "tmall", "name": "天猫旗舰店", "kind": "marketplace", "number_prefix": "TM", "sla_hours": 48},
    {"code": "jd", "name": "京东旗舰店", "kind": "marketplace", "number_prefix": "JD", "sla_hours": 24},
    {
        "code": "phone",
        "name": "电话订购",
        "kind": "phone",
        "number_prefix": "PH",
        "payment_policy": "on_delivery",
        "sla_hours": 48,
    },
    {
        "code": "email",
        "name": "邮件订单",
        "kind": "email",
        "number_prefix": "EM",
        "review_policy": "manual",
        "sla_hours": 48,
    },
    {
        "code": "wholesale",
        "name": "批发（B2B）",
        "kind": "wholesale",
        "number_prefix": "WS",
        "review_policy": "manual",
        "payment_policy": "on_account",
        "payment_terms_days": 30,
        "sla_hours": 72,
    },
    {"code": "store", "name": "上海南京西路门店", "kind": "pos", "number_prefix": "ST", "sla_hours": 4},
]
