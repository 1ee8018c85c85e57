"""Checking numbers on WhatsApp through a linked instance (the simulator over HTTP), paced."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django_q.models import OrmQ

from campaigns.models import Contact, NumberCheck
from campaigns.number_checks import CheckRefused, check_numbers, start_number_check
from instances.models import InstanceStatus
from tests.factories import ContactFactory, InstanceFactory, TagFactory
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

pytestmark = pytest.mark.django_db


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
        self.elapsed = 0.0
        self.naps: list[float] = []

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    def clock(self) -> float:
        return self.elapsed

    def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.elapsed += seconds


@pytest.fixture
def linked(simulator):
    simulator.state.create_session("shop", None, start=True)
    simulator.state.get_session("shop")
    simulator.state.scan("shop", phone="+15550100077")
    return InstanceFactory(
        name="Shop",
        base_url=simulator.url,
        session_name="shop",
        api_key=SIMULATOR_TEST_API_KEY,
        status=InstanceStatus.WORKING,
    )


def run(check: NumberCheck, fake: FakeTime, run_seconds: float = 600) -> bool:
    return check_numbers(
        check.pk,
        run_seconds=run_seconds,
        clock=fake.clock,
        sleep=fake.sleep,
        now=fake.now,
        rng=random.Random(7),
    )


def test_each_number_is_checked_with_a_pause_between_checks(linked, settings):
    settings.NUMBER_CHECK_PAUSE_MIN, settings.NUMBER_CHECK_PAUSE_MAX = 2.0, 4.0
    on = ContactFactory(phone="+4915123456789")
    off = ContactFactory(phone="+4915120000000")
    ContactFactory(phone="+4915123456780", checked_at=datetime(2026, 1, 1, tzinfo=UTC))
    check = start_number_check(linked, NumberCheck.Scope.UNCHECKED)
    fake = FakeTime()

    assert run(check, fake) is False

    check.refresh_from_db()
    assert (check.status, check.total, check.checked, check.found) == ("finished", 2, 2, 1)
    assert len(fake.naps) == 1 and 2.0 <= fake.naps[0] <= 4.0
    on.refresh_from_db()
    off.refresh_from_db()
    assert (on.on_whatsapp, on.chat_id) == (True, "4915123456789@c.us")
    assert on.checked_at == fake.start
    assert off.on_whatsapp is False


def test_a_long_run_hands_over_to_a_successor_that_keeps_the_pace(linked, settings):
    settings.NUMBER_CHECK_PAUSE_MIN, settings.NUMBER_CHECK_PAUSE_MAX = 5.0, 5.0
    ContactFactory.create_batch(3)
    check = start_number_check(linked, NumberCheck.Scope.ALL)
    fake = FakeTime()

    assert run(check, fake, run_seconds=6) is True
    assert NumberCheck.objects.get().checked == 2

    assert run(check, fake) is False
    assert fake.naps == [5.0, 5.0]
    assert Contact.objects.filter(checked_at__isnull=False).count() == 3


def test_a_tag_scope_checks_only_that_tag(linked):
    vip = TagFactory(name="vip")
    ContactFactory(tags=[vip])
    ContactFactory()

    check = start_number_check(linked, NumberCheck.Scope.TAG, vip)
    run(check, FakeTime())

    assert NumberCheck.objects.get().checked == 1


def test_an_engine_failure_stops_the_run_with_the_reason(linked, simulator):
    ContactFactory()
    check = start_number_check(linked, NumberCheck.Scope.ALL)
    simulator.state.stop_session("shop")

    run(check, FakeTime())

    check.refresh_from_db()
    assert check.status == NumberCheck.Status.FAILED
    assert check.error
    assert Contact.objects.get().checked_at is None


def test_a_stopped_run_checks_no_more(linked, client_for, operator):
    ContactFactory.create_batch(2)
    check = start_number_check(linked, NumberCheck.Scope.ALL)
    client_for(operator).post(reverse("contacts:check_stop", args=[check.pk]))

    assert run(check, FakeTime()) is False
    assert NumberCheck.objects.get().status == NumberCheck.Status.STOPPED
    assert not Contact.objects.filter(checked_at__isnull=False).exists()


def test_an_instance_that_is_not_working_cannot_check():
    with pytest.raises(CheckRefused, match="not linked and working"):
        start_number_check(InstanceFactory(status=InstanceStatus.STOPPED), "all")


def test_one_run_per_instance_at_a_time(linked):
    start_number_check(linked, NumberCheck.Scope.ALL)

    with pytest.raises(CheckRefused, match="already checking"):
        start_number_check(linked, NumberCheck.Scope.ALL)


def test_the_page_starts_a_run_in_the_background(
    linked, client_for, operator, django_capture_on_commit_callbacks
):
    ContactFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(operator).post(
            reverse("contacts:check"), {"instance": linked.pk, "scope": "all"}
        )

    check = NumberCheck.objects.get()
    assert response["Location"] == reverse("contacts:check_detail", args=[check.pk])
    assert [task.task["func"] for task in OrmQ.objects.all()] == [
        "campaigns.contact_tasks.run_number_check"
    ]
    page = client_for(operator).get(response["Location"]).content.decode()
    assert "0 of 1 checked" in page
