"""Demo staff: one user per role, named after the role, all with the same known password,
plus an `admin` superuser. Arguments of dingdan.accounts.services.user_create."""

from typing import Any

DEMO_PASSWORD = "dingdan-demo"  # noqa: S105 (published on purpose: the demo's logins)
SUPERUSER = "admin"

# A person's name for each role of ARCHITECTURE §6a.
_NAMES = {
    "order_clerk": "李娜",
    "reviewer": "王芳",
    "warehouse": "张强",
    "logistics": "刘洋",
    "purchasing": "陈静",
    "finance": "杨敏",
    "customer_service": "赵丽",
    "manager": "周杰",
    "administrator": "吴磊",
}


def staff_users(roles: list[str]) -> list[dict[str, Any]]:
    """One user per role code (username = role code); unknown roles get the code as name."""
    return [
        {
            "username": role,
            "password": DEMO_PASSWORD,
            "roles": [role],
            "first_name": _NAMES.get(role, role),
            "email": f"{role}@dingdan.example.com",
        }
        for role in roles
    ]


def superuser() -> dict[str, Any]:
    return {
        "username": SUPERUSER,
        "password": DEMO_PASSWORD,
        "roles": ["administrator"],
        "first_name": "系统管理员",
        "email": f"{SUPERUSER}@dingdan.example.com",
        "is_superuser": True,
    }
