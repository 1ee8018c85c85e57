"""An admin turns on acting human on the pace form; the instance page says so."""

from __future__ import annotations

import pytest
from django.urls import reverse

from instances.models import QueueSettings
from tests.factories import InstanceFactory
from tests.instances.test_queue_settings_page import VALID

pytestmark = pytest.mark.django_db


def test_acting_human_is_off_until_an_admin_turns_it_on(client_for, admin):
    instance = InstanceFactory(name="Sales")
    client = client_for(admin)
    url = reverse("instances:queue_settings", args=[instance.pk])

    form = client.get(url).content.decode()
    assert 'name="act_human"' in form and "typing" in form
    assert "shows “typing…”" not in client.get(instance.get_absolute_url()).content.decode()

    assert client.post(url, {**VALID, "act_human": "on"}).status_code == 302

    assert QueueSettings.objects.get(instance=instance).act_human is True
    page = client.get(instance.get_absolute_url()).content.decode()
    assert "the chat is marked as read and shows “typing…”" in page


def test_unticking_act_human_turns_it_off(client_for, admin):
    instance = InstanceFactory()
    QueueSettings.objects.create(instance=instance, act_human=True)

    client_for(admin).post(reverse("instances:queue_settings", args=[instance.pk]), VALID)

    assert QueueSettings.objects.get(instance=instance).act_human is False
