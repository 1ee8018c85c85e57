from __future__ import annotations

import pytest
from django.core.management import CommandError
from django.test import override_settings

from instances.management.commands.simulator import Command, default_api_key, parse_ack_delays


def test_reset_forgets_sessions_messages_and_faults(simulator, link_session, api):
    link_session()
    api.post("/api/sendText", json={"session": "default", "chatId": "1@c.us", "text": "x"})
    api.post("/simulator/faults", json={"rate_500": 0.5})

    response = api.post("/simulator/reset")

    assert response.status_code == 204
    assert api.get("/api/sessions", params={"all": "true"}).json() == []
    assert api.get("/simulator/faults").json()["rate_500"] == 0.0


def test_stats_report_webhook_delivery(api):
    response = api.get("/simulator/stats")

    assert response.json() == {
        "webhooks": {"delivered": 0, "retried": 0, "failed": 0, "dropped": 0, "pending": 0}
    }


def test_the_control_routes_of_an_unknown_session_are_404(api):
    for response in (
        api.get("/simulator/sessions/ghost/messages"),
        api.post("/simulator/sessions/ghost/scan"),
        api.post("/simulator/sessions/ghost/fail"),
    ):
        assert response.status_code == 404


def test_the_command_reads_ack_delays_as_three_seconds():
    assert parse_ack_delays("0.5,1.5,3") == (0.5, 1.5, 3.0)


def test_the_command_s_api_key_comes_from_settings_then_environment(monkeypatch):
    monkeypatch.setenv("SIMULATOR_API_KEY", "from-env")

    with override_settings(SIMULATOR_API_KEY="from-settings"):
        assert default_api_key() == "from-settings"
    with override_settings(SIMULATOR_API_KEY=None):
        assert default_api_key() == "from-env"
        monkeypatch.delenv("SIMULATOR_API_KEY")
        assert default_api_key() == "switchboard-simulator-key"


def test_the_command_runs_current_waha_unless_told_to_behave_like_core_2024_10():
    parser = Command().create_parser("manage.py", "simulator")

    assert parser.parse_args([]).profile == "current"
    assert parser.parse_args(["--profile", "core-2024.10"]).profile == "core-2024.10"
    with pytest.raises(CommandError):
        parser.parse_args(["--profile", "2019"])
