"""An admin pauses and resumes an instance's sending from the pace form; the reason says who."""

from __future__ import annotations

import pytest
from django.urls import reverse

from instances.models import QueueSettings
from tests.factories import InstanceFactory
from tests.instances.test_queue_settings_page import VALID

pytestmark = pytest.mark.django_db


def test_pausing_on_the_pace_form_says_who_paused_and_the_list_shows_it(client_for, admin):
    instance = InstanceFactory(name="Sales")
    client = client_for(admin)

    client.post(reverse("instances:queue_settings", args=[instance.pk]), {**VALID, "paused": "on"})

    pace = QueueSettings.objects.get(instance=instance)
    assert pace.paused is True
    assert pace.pause_reason == f"Paused by {admin.get_username()} on the pace page."
    listing = client.get(reverse("instances:list")).content.decode()
    assert f"Sending paused: Paused by {admin.get_username()} on the pace page." in listing
    detail = client.get(instance.get_absolute_url()).content.decode()
    assert "Change the pace or resume" in detail


def test_unticking_pause_resumes_and_clears_the_reason_of_an_automatic_pause(client_for, admin):
    instance = InstanceFactory()
    QueueSettings.objects.create(
        instance=instance, paused=True, pause_reason="WhatsApp restricts this number (463)."
    )

    client_for(admin).post(reverse("instances:queue_settings", args=[instance.pk]), VALID)

    pace = QueueSettings.objects.get(instance=instance)
    assert (pace.paused, pace.pause_reason) == (False, "")


def test_saving_other_settings_keeps_the_reason_of_a_pause(client_for, admin):
    instance = InstanceFactory()
    QueueSettings.objects.create(
        instance=instance, paused=True, pause_reason="WhatsApp restricts this number (463)."
    )

    client_for(admin).post(
        reverse("instances:queue_settings", args=[instance.pk]), {**VALID, "paused": "on"}
    )

    assert QueueSettings.objects.get(instance=instance).pause_reason.startswith("WhatsApp")
