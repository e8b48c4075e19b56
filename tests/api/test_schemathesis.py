"""Schemathesis over the whole /api/v1 schema, in process (WSGI), as an administrator (B1).

Every operation in the schema is exercised with every built-in check; any 5xx, undocumented
status, wrong content type or body that does not match its schema fails the run. A second,
stateful run follows the links between operations (create, then read or change what was
created), to reach the success paths of operations on one resource; its figure says how often
it did.
"""

from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from dingdan.accounts.models import ApiToken
from dingdan.accounts.selectors import token_hash
from dingdan.accounts.services import token_create
from dingdan.core.actors import SYSTEM
from dingdan.testing.live import domain_data_reset

# A schema-valid request may still be refused for what no schema can express: an opaque
# pagination cursor that does not decode (400 invalid_cursor, ARCHITECTURE §6b), or a
# business rule such as a reference to a tax rate, channel or SKU that does not exist or a
# postal code of another country (422). Those answers must still be declared
# (status_code_conformance) and shaped as declared; a 5xx is still a failure.
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429"]
            }
        }
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=CONFIG)

# Derandomized and without an example database, so every run sends the same requests.
FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# Known before collection: schemathesis builds some cases (and their auth) when it collects.
TOKEN = "ddn_schemathesis-administrator"
STATUSES: Counter[tuple[str, int]] = Counter()


@schema.auth(refresh_interval=None)
class AdministratorToken:
    """The administrator's token, given to schemathesis as auth (not as a plain header) so its
    ignored-auth check knows what to leave out."""

    def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> str:
        return TOKEN

    def set(self, case: schemathesis.Case, data: str, ctx: schemathesis.AuthContext) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def administrator_token(transactional_db: None, make_user: Any) -> str:
    user = make_user("administrator", username="schemathesis-admin")
    token, _secret = token_create(user=user, name="schemathesis", actor=SYSTEM)
    ApiToken.objects.filter(pk=token.pk).update(token_hash=token_hash(TOKEN))
    return TOKEN


@pytest.fixture
def figures(request: pytest.FixtureRequest, record_property: Any) -> Any:
    STATUSES.clear()
    yield STATUSES
    call = getattr(request.node, "rep_call", None)  # set by tests/conftest.py
    if call is None or call.failed:
        return
    operations = sorted({label for label, _status in STATUSES})
    by_status: Counter[int] = Counter()
    for (_label, status), count in STATUSES.items():
        by_status[status] += count
    statuses = dict(sorted(by_status.items()))
    figure = f"{by_status.total()} cases, statuses {statuses}, 0 failures"
    if len(operations) == 1:
        record_property("figures", f"{operations[0]}: {figure}")
        return
    created = sum(n for (label, status), n in STATUSES.items() if label.startswith("POST ") and status == 201)
    followed = sum(n for (label, status), n in STATUSES.items() if "}" in label and 200 <= status < 300)
    record_property(
        "figures",
        f"{len(operations)} operations: {figure} ({created} created, {followed} successes on an id path)",
    )


@schema.parametrize()
@FUZZ
def test_every_operation_conforms_to_its_schema_under_generated_input(
    case: schemathesis.Case, administrator_token: str, figures: Counter[tuple[str, int]]
) -> None:
    response = case.call_and_validate()
    figures[(case.operation.label, response.status_code)] += 1


class Workflow(schema.as_state_machine()):  # type: ignore[misc]
    def setup(self) -> None:
        # Hypothesis replays sequences while it searches; each must meet the same database,
        # or a replay draws differently (a 201 the first time is a 409 the second).
        domain_data_reset()

    def after_call(self, response: Any, case: schemathesis.Case) -> None:
        STATUSES[(case.operation.label, response.status_code)] += 1


def test_linked_operations_conform_to_the_schema_in_generated_sequences(
    administrator_token: str, figures: Counter[tuple[str, int]]
) -> None:
    run_state_machine_as_test(Workflow, settings=settings(FUZZ, stateful_step_count=8))
