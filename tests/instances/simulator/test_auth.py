from __future__ import annotations

import logging

import httpx
import pytest

UNAUTHORIZED = {"message": "Unauthorized", "statusCode": 401}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/sessions"),
        ("POST", "/api/sendText"),
        ("GET", "/api/default/auth/qr"),
        ("GET", "/simulator/faults"),
        ("POST", "/simulator/reset"),
    ],
)
def test_requests_without_a_key_are_refused(simulator, method, path):
    response = httpx.request(method, simulator.url + path)

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_a_wrong_key_is_refused(simulator):
    response = httpx.get(simulator.url + "/api/sessions", headers={"X-Api-Key": "wrong"})

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_the_key_header_name_is_case_insensitive(simulator):
    response = httpx.get(simulator.url + "/api/sessions", headers={"x-api-key": simulator.api_key})

    assert response.status_code == 200


def test_the_key_may_come_as_a_query_parameter(simulator):
    response = httpx.get(simulator.url + "/api/sessions", params={"x-api-key": simulator.api_key})

    assert response.status_code == 200
    assert response.json() == []


def test_ping_needs_no_key(simulator):
    response = httpx.get(simulator.url + "/ping")

    assert response.json() == {"message": "pong"}


def test_the_request_log_shows_method_path_and_status_but_never_the_key(simulator, caplog):
    caplog.set_level(logging.INFO, logger="instances.simulator")

    httpx.get(simulator.url + "/api/sessions", params={"x-api-key": simulator.api_key})
    httpx.get(simulator.url + "/api/sessions", headers={"X-Api-Key": "a-wrong-key"})

    lines = [record.getMessage() for record in caplog.records]
    assert lines == ["GET /api/sessions 200", "GET /api/sessions 401"]
    assert all(simulator.api_key not in line and "a-wrong-key" not in line for line in lines)


def test_unknown_routes_answer_like_nestjs(api):
    response = api.get("/api/nowhere")

    assert response.status_code == 404
    assert response.json() == {
        "statusCode": 404,
        "message": "Cannot GET /api/nowhere",
        "error": "Not Found",
    }
