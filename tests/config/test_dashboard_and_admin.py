from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule, Success

from inbox.models import WebhookEvent
from instances.models import Instance, InstanceStatus, OutboundMessage, StatusChange
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


def test_dashboard_counts_instances_and_says_what_to_do_when_empty(client_for, admin):
    client = client_for(admin)
    assert "Add an instance to link a WhatsApp number." in client.get("/").content.decode()
    InstanceFactory(status=InstanceStatus.WORKING)
    InstanceFactory(status=InstanceStatus.STOPPED)
    body = client.get("/").content.decode()
    assert '<p class="big">2</p>' in body and "1 working" in body


def test_dashboard_counts_contacts_campaigns_and_open_conversations(client_for, admin):
    from campaigns.models import Campaign, CampaignStatus
    from inbox.models import Chat
    from tests.factories import ContactFactory

    client = client_for(admin)
    body = client.get("/").content.decode()
    assert "Import contacts from a CSV" in body and "Create a campaign" in body
    ContactFactory(opted_out=True)
    ContactFactory()
    Campaign.objects.create(name="Spring sale", status=CampaignStatus.RUNNING)
    instance = InstanceFactory()
    Chat.objects.create(instance=instance, chat_id="4915123456789@c.us", unread_count=2)
    Chat.objects.create(instance=instance, chat_id="4915123456780@c.us", assignee=admin)

    body = client.get("/").content.decode()
    assert "1 opted out" in body
    assert "1 running · 0 scheduled" in body
    assert "open conversations · 1 unread · 1 assigned to you" in body


def test_dashboard_shows_only_the_areas_of_the_role(client_for, agent):
    body = client_for(agent).get("/").content.decode()
    assert "Inbox" in body
    assert "Instances" not in body and "Team" not in body


def test_a_member_without_a_role_is_told_to_ask_an_admin(client_for, outsider):
    assert "no role yet" in client_for(outsider).get("/").content.decode()


def _shown(response, label=str) -> set[str]:
    """The rows a changelist shows, by their str() or `label`."""
    assert response.status_code == 200
    return {label(row) for row in response.context["cl"].result_list}


def _changelist(model: str) -> str:
    return reverse(f"admin:{model.replace('.', '_')}_changelist")


def _two_instances():
    return (
        InstanceFactory(name="Findable", status=InstanceStatus.WORKING, phone="+15550100001"),
        InstanceFactory(name="Hidden", status=InstanceStatus.STOPPED),
    )


def test_admin_instance_search_finds_by_name_and_phone_and_filters_by_status(client_for, admin):
    _two_instances()
    client = client_for(admin)
    url = _changelist("instances.instance")
    assert _shown(client.get(url, {"q": "findable"})) == {"Findable"}
    assert _shown(client.get(url, {"q": "+15550100001"})) == {"Findable"}
    assert _shown(client.get(url, {"status__exact": "STOPPED"})) == {"Hidden"}


def test_admin_status_history_search_and_filter(client_for, admin):
    findable, hidden = _two_instances()
    now = timezone.now()
    StatusChange.objects.create(
        instance=findable,
        from_status="STOPPED",
        to_status="WORKING",
        source=StatusChange.Source.WEBHOOK,
        changed_at=now,
    )
    StatusChange.objects.create(
        instance=hidden,
        from_status="WORKING",
        to_status="STOPPED",
        source=StatusChange.Source.ACTION,
        actor=admin,
        changed_at=now,
    )
    client = client_for(admin)
    url = _changelist("instances.statuschange")
    assert _shown(client.get(url, {"q": "Findable"})) == {"Findable: STOPPED -> WORKING"}
    assert _shown(client.get(url, {"q": admin.username})) == {"Hidden: WORKING -> STOPPED"}
    assert _shown(client.get(url, {"source__exact": "webhook"})) == {"Findable: STOPPED -> WORKING"}


def test_admin_outbound_message_search_and_filter(client_for, admin):
    findable, hidden = _two_instances()
    OutboundMessage.objects.create(instance=findable, chat_id="111@c.us", kind="text")
    OutboundMessage.objects.create(instance=hidden, chat_id="222@c.us", kind="image", status="sent")
    client = client_for(admin)
    url = _changelist("instances.outboundmessage")
    assert _shown(client.get(url, {"q": "111@c.us"})) == {"text to 111@c.us (queued)"}
    assert _shown(client.get(url, {"status__exact": "sent"})) == {"image to 222@c.us (sent)"}


def test_admin_webhook_event_search_and_filter(client_for, admin):
    findable, hidden = _two_instances()
    WebhookEvent.objects.create(
        instance=findable, event_id="evt_findable", event="message", kind="message", payload={}
    )
    WebhookEvent.objects.create(
        instance=hidden,
        event_id="evt_hidden",
        event="session.status",
        kind="session_status",
        payload={},
        state=WebhookEvent.State.APPLIED,
    )
    client = client_for(admin)
    url = _changelist("inbox.webhookevent")
    assert _shown(client.get(url, {"q": "evt_findable"})) == {"message evt_findable"}
    assert _shown(client.get(url, {"q": "Hidden"})) == {"session.status evt_hidden"}
    assert _shown(client.get(url, {"state__exact": "applied"})) == {"session.status evt_hidden"}


def test_admin_task_queue_and_user_search(client_for, admin, operator):
    Schedule.objects.create(name="Findable schedule", func="instances.tasks.poll_statuses")
    now = timezone.now()
    for name in ("findable-task", "hidden-task"):
        Success.objects.create(
            id=name, name=name, func="math.floor", started=now, stopped=now, success=True
        )
    client = client_for(admin)
    schedules = client.get(_changelist("django_q.schedule"), {"q": "Findable"})
    assert _shown(schedules, label=lambda schedule: schedule.name) == {"Findable schedule"}
    assert _shown(client.get(_changelist("django_q.success"), {"q": "findable"})) == {
        "findable-task"
    }
    assert _shown(client.get(_changelist("auth.user"), {"q": operator.username})) == {
        operator.username
    }


@pytest.mark.parametrize(
    "model",
    [
        "instances.statuschange",
        "inbox.webhookevent",
        "campaigns.campaigncounts",
        "campaigns.campaignactivity",
    ],
)
def test_history_cannot_be_added_or_edited_in_the_admin(client_for, admin, model):
    client = client_for(admin)
    add_url = reverse(f"admin:{model.replace('.', '_')}_add")
    assert f'href="{add_url}"' not in client.get(_changelist(model)).content.decode()
    assert client.get(add_url).status_code == 403


def test_status_change_detail_in_the_admin_is_read_only(client_for, admin):
    instance = InstanceFactory()
    change = StatusChange.objects.create(
        instance=instance,
        from_status="STOPPED",
        to_status="WORKING",
        source=StatusChange.Source.POLL,
        changed_at=timezone.now(),
    )
    client = client_for(admin)
    url = reverse("admin:instances_statuschange_change", args=[change.pk])
    assert 'name="to_status"' not in client.get(url).content.decode()
    client.post(url, {"to_status": "FAILED"})
    change.refresh_from_db()
    assert change.to_status == "WORKING"


def test_adding_an_instance_in_the_admin_sets_the_api_key(client_for, admin):
    client = client_for(admin)
    page = client.get(reverse("admin:instances_instance_add")).content.decode()
    assert 'name="api_key"' in page and 'name="status"' not in page and 'name="phone"' not in page
    response = client.post(
        reverse("admin:instances_instance_add"),
        {
            "name": "From the admin",
            "engine": "waha",
            "base_url": "http://waha.example.com:3000",
            "session_name": "admin_made",
            "api_key": "admin-set-key-1234",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()
    instance = Instance.objects.get(name="From the admin")
    assert instance.api_key == "admin-set-key-1234"
    assert instance.status == InstanceStatus.STOPPED


def test_the_admin_never_shows_the_key_and_keeps_it_when_left_empty(client_for, admin):
    instance = InstanceFactory(api_key="stored-secret-key-9876", status=InstanceStatus.WORKING)
    client = client_for(admin)
    url = reverse("admin:instances_instance_change", args=[instance.pk])
    assert "stored-secret-key-9876" not in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "name": "Renamed in admin",
            "engine": "waha",
            "base_url": instance.base_url,
            "session_name": instance.session_name,
            "api_key": "",
            "status": "FAILED",
            "phone": "+15550000000",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()
    instance.refresh_from_db()
    assert instance.name == "Renamed in admin"
    assert instance.api_key == "stored-secret-key-9876"
    assert (instance.status, instance.phone) == (InstanceStatus.WORKING, "")


def test_the_admin_checks_session_names_like_the_instance_form(client_for, admin):
    response = client_for(admin).post(
        reverse("admin:instances_instance_add"),
        {
            "name": "Bad session",
            "engine": "waha",
            "base_url": "http://waha.example.com:3000",
            "session_name": "has spaces/and slashes",
            "api_key": "admin-set-key-1234",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "WAHA accepts session names" in response.content.decode()
    assert not Instance.objects.exists()


def test_operators_cannot_open_the_django_admin(client_for, operator):
    response = client_for(operator).get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_pages_name_the_apps_icon_so_browsers_do_not_ask_for_a_missing_favicon(
    client_for, admin
):
    for path in ("/admin/", "/admin/inbox/conversationmessage/", "/admin/inbox/chat/add/"):
        page = client_for(admin).get(path).content.decode()
        assert 'rel="icon"' in page and "img/favicon" in page, path
