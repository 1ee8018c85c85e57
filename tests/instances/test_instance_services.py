"""Instance services a view, a command or the API can call: what they do and what they say."""

from __future__ import annotations

import httpx
import pytest
from django.urls import reverse

from instances import engine_cache, services
from instances.actions import Action
from instances.engines.base import AuthenticationError, EngineError
from instances.models import Attention, Instance, InstanceStatus, OutboundMessage, StatusChange
from tests.factories import InstanceFactory
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(simulator):
    """An instance whose session runs on the simulator and waits for a QR scan."""
    instance = InstanceFactory(base_url=simulator.url, api_key=SIMULATOR_TEST_API_KEY)
    services.perform_action(instance, Action.START)
    services.poll_status(instance)
    instance.refresh_from_db()
    return instance


def session_exists(simulator, name: str) -> bool:
    response = httpx.get(
        f"{simulator.url}/api/sessions/{name}", headers={"X-Api-Key": simulator.api_key}
    )
    return response.status_code == 200


def test_deleting_removes_the_engine_session_the_row_and_the_cached_engine(
    simulator, started, django_capture_on_commit_callbacks
):
    engine, instance_id = engine_cache.engine_for(started), started.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_instance(started)
    assert not Instance.objects.filter(pk=instance_id).exists()
    assert not session_exists(simulator, started.session_name)
    # The same settings under the same id no longer get the deleted instance's engine.
    started.pk = instance_id
    assert engine_cache.engine_for(started) is not engine


def test_an_instance_with_messages_is_refused_before_the_engine_is_touched(simulator, started):
    OutboundMessage.objects.create(instance=started, chat_id="1@c.us", kind="text")
    with pytest.raises(services.InstanceInUseError):
        services.delete_instance(started)
    assert Instance.objects.filter(pk=started.pk).exists()
    assert session_exists(simulator, started.session_name)


def test_deleting_can_leave_the_engine_session_alone(simulator, started):
    services.delete_instance(started, keep_engine_session=True)
    assert not Instance.objects.filter(pk=started.pk).exists()
    assert session_exists(simulator, started.session_name)


def test_the_delete_page_explains_why_an_instance_with_messages_stays(client_for, admin):
    instance = InstanceFactory(name="Busy line")
    OutboundMessage.objects.create(instance=instance, chat_id="1@c.us", kind="text")
    response = client_for(admin).post(reverse("instances:delete", args=[instance.pk]), follow=True)
    assert "Busy line has messages in its history and cannot be deleted" in (
        response.content.decode()
    )
    assert Instance.objects.filter(pk=instance.pk).exists()


def test_a_status_poll_says_what_changed(simulator, started):
    assert started.status == InstanceStatus.SCAN_QR_CODE
    simulator.state.scan(started.session_name, phone="+15550100077")
    poll = services.poll_status(started)
    assert (poll.status, poll.changed, poll.error) == (InstanceStatus.WORKING, True, "")
    started.refresh_from_db()
    assert services.poll_status(started) == services.StatusPoll(InstanceStatus.WORKING)


def test_refresh_status_reports_the_change_in_words(client_for, admin, simulator, started):
    simulator.state.scan(started.session_name, phone="+15550100077")
    response = client_for(admin).post(reverse("instances:refresh", args=[started.pk]), follow=True)
    assert "Status changed from Waiting for QR scan to Working." in response.content.decode()


def test_a_refused_key_is_not_called_unreachable(simulator):
    instance = InstanceFactory(
        base_url=simulator.url, api_key="wrong-key-0000", status=InstanceStatus.WORKING
    )
    poll = services.poll_status(instance)
    instance.refresh_from_db()
    assert poll.error and instance.attention == Attention.KEY_REFUSED
    assert "current API key" in instance.attention_advice


def test_an_unreachable_engine_is_called_unreachable_with_advice():
    instance = InstanceFactory(status=InstanceStatus.WORKING)
    services.poll_status(instance)
    instance.refresh_from_db()
    assert instance.attention == Attention.UNREACHABLE
    assert "base URL" in instance.attention_advice


def test_a_never_started_instance_needs_no_attention_when_its_session_is_missing(simulator):
    instance = InstanceFactory(base_url=simulator.url, api_key=SIMULATOR_TEST_API_KEY)
    poll = services.poll_status(instance)
    instance.refresh_from_db()
    assert (poll.status, poll.error) == (InstanceStatus.STOPPED, "")
    assert (instance.attention, instance.last_error) == (Attention.NONE, "")
    assert instance.last_polled_at is not None


def test_a_session_lost_in_an_engine_restart_says_to_start_it_again(simulator, started):
    simulator.state.reset()
    services.poll_status(started)
    started.refresh_from_db()
    assert started.status == InstanceStatus.STOPPED
    assert started.attention == Attention.SESSION_MISSING
    assert "Press Start" in started.attention_advice
    change = started.status_changes.first()
    assert (change.source, change.detail) == ("poll", "the session no longer exists on the engine")


def test_the_next_good_report_clears_an_engine_problem(simulator):
    instance = InstanceFactory(
        base_url=simulator.url, api_key=SIMULATOR_TEST_API_KEY, attention=Attention.KEY_REFUSED
    )
    services.poll_status(instance)
    instance.refresh_from_db()
    assert instance.attention == Attention.NONE


def test_an_action_records_who_asked_for_it(client_for, admin, simulator):
    instance = InstanceFactory(base_url=simulator.url, api_key=SIMULATOR_TEST_API_KEY)
    client_for(admin).post(reverse("instances:action", args=[instance.pk, "start"]))
    change = instance.status_changes.get()
    assert (change.source, change.actor) == (StatusChange.Source.ACTION, admin)
    page = client_for(admin).get(instance.get_absolute_url()).content.decode()
    assert f"{admin.username}: start requested" in page


def test_the_automatic_restart_is_recorded_as_the_watchdog(simulator, started):
    simulator.state.scan(started.session_name, phone="+15550100077")
    services.poll_status(started)
    simulator.state.fail_session(started.session_name)
    services.poll_status(started)
    started.refresh_from_db()
    services.restart_failed_instance(started)
    change = started.status_changes.first()
    assert change.source == StatusChange.Source.WATCHDOG and change.actor is None
    assert change.detail == "automatic restart after FAILED"


def test_logging_out_forgets_the_number_at_once(client_for, admin, simulator, started):
    simulator.state.scan(started.session_name, phone="+15550100077")
    services.poll_status(started)
    client = client_for(admin)
    client.post(reverse("instances:action", args=[started.pk, "logout"]))
    started.refresh_from_db()
    assert started.phone == "" and started.push_name == ""
    assert "+15550100077" not in client.get(started.get_absolute_url()).content.decode()


def test_test_connection_raises_the_typed_error_for_a_wrong_key(simulator):
    candidate = InstanceFactory.build(base_url=simulator.url, api_key="wrong-key-0000")
    with pytest.raises(AuthenticationError):
        services.test_connection(candidate)


def test_an_action_the_engine_cannot_do_is_refused():
    with pytest.raises(EngineError, match="cannot recreate"):
        services.perform_action(InstanceFactory(engine="wawp"), Action.RECREATE)
