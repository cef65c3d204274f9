"""schemathesis against /api/v1/openapi.json: every operation, with examples generated from
the document (valid and invalid), called as a token holding every scope for an agency with a
case, a published submission and a topic to find. None may answer 5xx, and every answer must
match the document (status code, content type, headers, body schema). The example count is
bounded so the run takes a minute or two on SQLite and PostgreSQL alike."""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from app.api.tokens import Scope
from tests.api_support import bearer, make_token, routed_case

MAX_EXAMPLES = 25
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_headers_conformance, checks.response_schema_conformance]


@pytest.fixture()
def api_schema(app, db):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture()
def token_headers(db):
    routed_case("BKHCN", consent_publish=True)
    routed_case("BTC", consent_publish=True)
    _token, value = make_token(*Scope.ALL, agency="BKHCN", rate_limit=100000)
    # The WSGI transport hands back the bytes as sent and does not undo gzip or brotli.
    return {**bearer(value), "Accept-Encoding": "identity"}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_and_never_fails(case, token_headers):
    case.call_and_validate(headers=token_headers, checks=CHECKS)


def test_linked_operations_in_sequence_conform(app, token_headers):
    """Stateful: follow the document's links (a created submission read back, a step's case
    read again) through sequences of calls."""
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    class Sequences(loaded.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": token_headers}

        def validate_response(self, response, case, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Sequences.run(settings=settings(max_examples=10, stateful_step_count=4, deadline=None, derandomize=True,
                                    suppress_health_check=list(HealthCheck)))
