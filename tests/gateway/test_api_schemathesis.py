"""Property-based tests of the whole API from its own OpenAPI schema (schemathesis over the WSGI
app, one test per operation): whatever a client sends, no 5xx, and every answer is one the
schema documents."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from gateway.models import ApiKey
from tests.factories import create_announcement, create_organisation, create_user

# Loaded once at collection (pytest-django has set Django up); the schema needs no database.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def admin_key(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = create_organisation()
    create_announcement(org, approved=False)
    create_announcement(org)
    return ApiKey.issue(org, create_user(org), "schemathesis")[1]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Like Django's test client: the end of a request must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_never_errors_and_answers_as_documented(case, admin_key):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_key}"},
        # Not checked: that every schema-valid request succeeds (a schedule must be in the
        # future, a topic slug must exist: rules a schema cannot say) and that every invalid one
        # fails (pydantic reads a number as a timestamp; lenient on purpose).
        excluded_checks=[
            schemathesis.checks.positive_data_acceptance,
            schemathesis.checks.negative_data_rejection,
        ],
    )
