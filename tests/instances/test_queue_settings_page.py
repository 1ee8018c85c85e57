"""An admin sets how fast and when an instance sends; bad combinations are refused by field."""

from __future__ import annotations

from datetime import time

import pytest
from django.urls import reverse
from django.utils import timezone

from instances.models import QueueSettings
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db

VALID = {
    "min_delay_seconds": "5",
    "max_delay_seconds": "12",
    "per_minute_cap": "10",
    "per_day_cap": "500",
    "warmup_start_cap": "50",
    "warmup_daily_increase": "25",
    "time_zone": "Europe/Berlin",
    "send_from": "09:00",
    "send_until": "18:00",
    "send_days": ["1", "2", "3", "4", "5"],
}


def test_an_admin_sets_the_pace_and_the_instance_page_says_it(client_for, admin):
    instance = InstanceFactory(name="Sales")
    client = client_for(admin)

    response = client.post(reverse("instances:queue_settings", args=[instance.pk]), VALID)

    assert response.status_code == 302
    pace = QueueSettings.objects.get(instance=instance)
    assert (pace.min_delay_seconds, pace.max_delay_seconds) == (5, 12)
    assert (pace.send_from, pace.send_until, pace.send_days) == (time(9), time(18), "12345")
    assert pace.warmup_started_on == timezone.localdate()
    page = client.get(instance.get_absolute_url()).content.decode()
    assert "A pause of 5 to 12 s between messages, at most 10 a minute and 500 a day" in page
    assert "from 09:00 to 18:00 (Europe/Berlin), warming up from 50 a day" in page


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"min_delay_seconds": "20"}, "max_delay_seconds", "shortest pause"),
        ({"send_until": ""}, "send_until", "both times"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "valid choice"),
        ({"per_minute_cap": "0"}, "per_minute_cap", "greater than or equal to 1"),
        ({"send_days": []}, "send_days", "required"),
    ],
)
def test_bad_settings_are_refused_by_field_and_nothing_changes(
    client_for, admin, change, field, says
):
    instance = InstanceFactory()

    response = client_for(admin).post(
        reverse("instances:queue_settings", args=[instance.pk]), {**VALID, **change}
    )

    assert response.status_code == 200
    assert says in " ".join(response.context["form"].errors[field])
    assert not QueueSettings.objects.filter(instance=instance, per_day_cap=500).exists()


def test_operators_see_the_pace_but_may_not_change_it(client_for, operator):
    instance = InstanceFactory()
    client = client_for(operator)

    assert "Change the pace" not in client.get(instance.get_absolute_url()).content.decode()
    response = client.post(reverse("instances:queue_settings", args=[instance.pk]), VALID)
    assert response.status_code == 403
