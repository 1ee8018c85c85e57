"""Schemathesis over the whole OpenAPI document: whatever it sends, no answer is a 5xx and every
answer matches the status codes, content type and body schema the document promises.

Ids in paths and bodies point at a real profile on the simulator half of the time, so requests
get past the "no such profile" check into validation, the queue and the gateway."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.roles import KeyRole
from api.services import create_api_key
from config.wsgi import application
from instances.models import Instance, InstanceStatus
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
PROFILE_FIELDS = ("profile_id", "profileId")


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _requests_keep_the_test_connection(db, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    # As Django's test client does: a finished request must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def profile(simulator):
    simulator.state.create_session("default", None, start=True)
    simulator.state.get_session("default")  # STARTING ends on the next request
    simulator.state.scan("default")
    return Instance.objects.create(
        name="Fuzzed",
        engine="waha",
        base_url=simulator.url,
        session_name="default",
        api_key=SIMULATOR_TEST_API_KEY,
        status=InstanceStatus.WORKING,
    )


def _point_at(case, profile_id: str) -> None:
    """Ids name the real profile; half the bodies get a valid chat id, so some sends queue."""
    for name in PROFILE_FIELDS:
        for where in (case.path_parameters, case.query):
            if where and name in where:
                where[name] = profile_id
    if isinstance(case.body, dict):
        if "profileId" in case.body:
            case.body["profileId"] = profile_id
        if "chatId" in case.body and hash(repr(case.body)) % 2:
            case.body["chatId"] = "+4915123456789"


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_answer_is_a_server_error_or_breaks_the_schema(case, profile):
    token = create_api_key("Fuzz", KeyRole.ADMIN)[1]
    _point_at(case, str(profile.uuid))
    case.call_and_validate(headers={"X-API-Key": token}, checks=CHECKS)
