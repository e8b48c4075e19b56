"""`dingdan verify`: the invariants of ARCHITECTURE §5, checked and reported, never repaired.

Each context registers its checks at app start; a check returns a list of findings (empty
when the invariant holds).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    check: str
    subject: str
    problem: str


Check = Callable[[], list[Finding]]
_CHECKS: dict[str, Check] = {}


def register(name: str) -> Callable[[Check], Check]:
    def decorator(check: Check) -> Check:
        _CHECKS[name] = check
        return check

    return decorator


def registered_checks() -> dict[str, Check]:
    return dict(_CHECKS)


def verify_all() -> dict[str, list[Finding]]:
    return {name: check() for name, check in _CHECKS.items()}


@register("audit_chains")
def _audit_chains() -> list[Finding]:
    from .audit import audit_verify

    return [
        Finding("audit_chains", f"{b.aggregate_type}:{b.aggregate_id}#{b.sequence}", b.problem)
        for b in audit_verify()
    ]
