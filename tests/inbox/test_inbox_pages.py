"""The inbox pages: list, filters, search, thread, side panel, and the live polls."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from inbox.models import Chat, ConversationMessage, Label, Note
from instances.models import OutboundMessage
from tests.factories import InstanceFactory
from tests.inbox.webhooks import envelope, post

pytestmark = pytest.mark.django_db
CUSTOMER = "4917612345678@c.us"


@pytest.fixture
def instance():
    return InstanceFactory(name="Sales")


def make_chat(instance, n: int, **fields) -> Chat:
    chat = Chat.objects.create(
        instance=instance, chat_id=f"49176{n:08d}@c.us", phone=f"+49176{n:08d}", **fields
    )
    ConversationMessage.objects.create(chat=chat, direction="in", provider_id=f"m{n}", body="Hi")
    return chat


def htmx(client, url, **params):
    return client.get(url, params, headers={"HX-Request": "true"})


def test_an_empty_inbox_says_where_conversations_come_from(client_for, agent):
    page = client_for(agent).get(reverse("inbox:list")).content.decode()
    assert "Conversations appear here as soon as a linked number receives a message" in page


def test_the_list_shows_name_preview_unread_assignee_and_labels(
    client, client_for, agent, instance
):
    post(client, instance, envelope("message"))
    chat = Chat.objects.get()
    chat.assignee = agent
    chat.save()
    chat.labels.add(Label.objects.create(name="Orders"))
    page = client_for(agent).get(reverse("inbox:list")).content.decode()
    assert "+4917612345678" in page and "Hallo! Ist meine Bestellung" in page
    assert 'aria-label="1 unread"' in page and "agnes" in page and "Orders" in page
    assert "Sales" in page


def test_the_list_costs_the_same_queries_for_many_conversations(
    client_for, agent, instance, django_assert_max_num_queries
):
    label = Label.objects.create(name="VIP")
    for n in range(40):
        chat = make_chat(instance, n, assignee=agent, unread_count=1)
        chat.labels.add(label)
    client = client_for(agent)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("inbox:list"))
    assert response.content.decode().count('class="chat-item') == 30


@pytest.mark.parametrize(
    ("show", "expected"),
    [("all", {1, 2, 3}), ("mine", {1}), ("unassigned", {2, 3}), ("unread", {2}), ("closed", {4})],
)
def test_filters_show_the_right_conversations(client_for, agent, admin, instance, show, expected):
    make_chat(instance, 1, assignee=agent)
    make_chat(instance, 2, unread_count=3)
    make_chat(instance, 3)
    make_chat(instance, 4, state="closed")
    page = client_for(agent).get(reverse("inbox:list"), {"show": show}).content.decode()
    shown = {n for n in range(1, 5) if f"+49176{n:08d}" in page}
    assert shown == expected


def test_filters_by_number_and_label(client_for, agent, instance):
    other = InstanceFactory(name="Support")
    make_chat(instance, 1)
    labelled = make_chat(other, 2)
    label = Label.objects.create(name="Refund")
    labelled.labels.add(label)
    client = client_for(agent)
    by_number = client.get(reverse("inbox:list"), {"instance": other.pk}).content.decode()
    by_label = client.get(reverse("inbox:list"), {"label": label.pk}).content.decode()
    for page in (by_number, by_label):
        assert "+4917600000002" in page and "+4917600000001" not in page


@pytest.mark.parametrize("query", ["Bestellung", "4917612345678", "Jonas"])
def test_search_finds_message_text_phones_and_names(client, client_for, agent, instance, query):
    post(client, instance, envelope("message", _data={"notifyName": "Jonas"}))
    make_chat(instance, 9)
    page = client_for(agent).get(reverse("inbox:list"), {"q": query}).content.decode()
    assert "Hallo! Ist meine" in page and "+4917600000009" not in page


def test_the_list_poll_answers_204_until_something_changes(client, client_for, agent, instance):
    make_chat(instance, 1)
    viewer = client_for(agent)
    first = htmx(viewer, reverse("inbox:list"), cursor="none")
    assert first.status_code == 200
    cursor = first.content.decode().split("cursor=")[1].split('"')[0]
    assert htmx(viewer, reverse("inbox:list"), cursor=cursor).status_code == 204
    post(client, instance, envelope("message"))
    changed = htmx(viewer, reverse("inbox:list"), cursor=cursor)
    assert changed.status_code == 200 and "Hallo!" in changed.content.decode()


def test_the_thread_poll_answers_204_until_an_ack_arrives(client, client_for, agent, instance):
    post(client, instance, envelope("message.any"))
    chat = Chat.objects.get()
    viewer = client_for(agent)
    first = htmx(viewer, reverse("inbox:thread", args=[chat.pk]))
    cursor = first.content.decode().split("cursor=")[1].split('"')[0]
    assert 'data-tick="sent"' in first.content.decode()
    assert htmx(viewer, reverse("inbox:thread", args=[chat.pk]), cursor=cursor).status_code == 204
    post(client, instance, envelope("message.ack"))
    changed = htmx(viewer, reverse("inbox:thread", args=[chat.pk]), cursor=cursor)
    assert changed.status_code == 200 and 'data-tick="read"' in changed.content.decode()


def test_the_thread_page_has_three_panes_and_polls_each_but_not_the_reply(
    client, client_for, agent, instance
):
    post(client, instance, envelope("message"))
    chat = Chat.objects.get()
    page = client_for(agent).get(reverse("inbox:chat", args=[chat.pk])).content.decode()
    assert 'id="chat-list"' in page and 'id="thread"' in page and 'id="side-panel"' in page
    assert page.count('hx-trigger="every 1s') == 3
    reply_form = page.split('id="reply"')[1].split("</form>")[0]
    assert "every 1s" not in reply_form


def test_the_side_panel_poll_answers_204_until_another_member_assigns_the_chat(
    client_for, agent, admin, instance
):
    chat = make_chat(instance, 1)
    viewer = client_for(agent)
    page = viewer.get(reverse("inbox:chat", args=[chat.pk])).content.decode()
    side = page.split('id="side-panel"')[1]
    cursor = side.split("cursor=")[1].split('"')[0]
    url = reverse("inbox:side_panel", args=[chat.pk])
    assert htmx(viewer, url, cursor=cursor).status_code == 204
    client_for(admin).post(reverse("inbox:assign", args=[chat.pk]), {"assignee": admin.pk})
    changed = htmx(viewer, url, cursor=cursor)
    assert changed.status_code == 200
    assert f'<option value="{admin.pk}" selected>ada</option>' in changed.content.decode()


def test_the_side_panel_answers_its_own_change_with_its_new_cursor(client_for, agent, instance):
    chat = make_chat(instance, 1)
    viewer = client_for(agent)
    answer = viewer.post(
        reverse("inbox:assign", args=[chat.pk]),
        {"assignee": agent.pk},
        headers={"HX-Request": "true"},
    )
    cursor = answer.content.decode().split("cursor=")[1].split('"')[0]
    url = reverse("inbox:side_panel", args=[chat.pk])
    assert htmx(viewer, url, cursor=cursor).status_code == 204


def test_the_side_panel_without_htmx_is_the_conversation_page(client_for, agent, instance):
    chat = make_chat(instance, 1)
    response = client_for(agent).get(reverse("inbox:side_panel", args=[chat.pk]))
    assert response.status_code == 302
    assert response.url == reverse("inbox:chat", args=[chat.pk]) + "#details"


def test_message_text_and_names_are_escaped_and_only_web_links_are_links(
    client, client_for, agent, instance
):
    hostile = "<img src=x onerror=alert(1)> javascript:alert(2) https://example.com/a?b=1&c=2."
    post(client, instance, envelope("message", body=hostile, _data={"notifyName": "<b>Eve</b>"}))
    chat = Chat.objects.get()
    page = client_for(agent).get(reverse("inbox:chat", args=[chat.pk])).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>Eve</b>" not in page and "&lt;b&gt;Eve&lt;/b&gt;" in page
    assert 'href="javascript' not in page
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer nofollow"' in page


def test_group_bubbles_name_the_participant(client, client_for, agent, instance):
    post(client, instance, envelope("message.group"))
    chat = Chat.objects.get()
    page = client_for(agent).get(reverse("inbox:chat", args=[chat.pk])).content.decode()
    assert '<p class="sender">Birgit</p>' in page


def test_the_side_panel_shows_contact_tags_opt_out_and_notes(client, client_for, agent, instance):
    from campaigns.models import Contact, Tag

    contact = Contact.objects.create(phone="+4917612345678", name="Jonas", opted_out=True)
    contact.tags.add(Tag.objects.create(name="Wholesale"))
    post(client, instance, envelope("message"))
    chat = Chat.objects.get()
    Note.objects.create(chat=chat, author=agent, body="Called him <back>")
    OutboundMessage.objects.create(instance=instance, chat_id=CUSTOMER, kind="text")
    page = client_for(agent).get(reverse("inbox:chat", args=[chat.pk])).content.decode()
    assert "Jonas" in page and "Wholesale" in page and "<strong>Yes</strong>" in page
    assert "1 message from Switchboard" in page
    assert "Called him &lt;back&gt;" in page


def test_operators_and_people_without_a_role_do_not_see_the_inbox(client_for, operator, outsider):
    for user in (operator, outsider):
        assert client_for(user).get(reverse("inbox:list")).status_code == 403


def test_admins_use_the_inbox_too(client_for, admin, instance):
    chat = make_chat(instance, 1)
    assert client_for(admin).get(reverse("inbox:chat", args=[chat.pk])).status_code == 200


def test_an_unknown_conversation_is_404(client_for, agent):
    assert client_for(agent).get(reverse("inbox:chat", args=[999])).status_code == 404


def test_agents_can_be_assigned_and_operators_cannot(client_for, agent, operator, admin):
    from inbox.forms import team_members

    assert Group.objects.filter(name="agent").exists()
    assert set(team_members()) == {agent, admin}


def test_a_conversation_leaving_a_filtered_list_refreshes_it(client_for, agent, instance):
    unread = make_chat(instance, 1, unread_count=2)
    viewer = client_for(agent)
    first = htmx(viewer, reverse("inbox:list"), show="unread", cursor="none")
    cursor = first.content.decode().split("cursor=")[1].split('"')[0]
    viewer.post(reverse("inbox:action", args=[unread.pk, "read"]))
    changed = htmx(viewer, reverse("inbox:list"), show="unread", cursor=cursor)
    assert changed.status_code == 200 and "+4917600000001" not in changed.content.decode()


def test_an_unchanged_poll_costs_a_fixed_few_queries(
    client_for, agent, instance, django_assert_max_num_queries
):
    for n in range(20):
        make_chat(instance, n)
    viewer = client_for(agent)
    first = htmx(viewer, reverse("inbox:list"), cursor="none")
    cursor = first.content.decode().split("cursor=")[1].split('"')[0]
    chat = Chat.objects.first()
    thread = htmx(viewer, reverse("inbox:thread", args=[chat.pk]))
    thread_cursor = thread.content.decode().split("cursor=")[1].split('"')[0]
    with django_assert_max_num_queries(4):
        assert htmx(viewer, reverse("inbox:list"), cursor=cursor).status_code == 204
    with django_assert_max_num_queries(4):
        response = htmx(viewer, reverse("inbox:thread", args=[chat.pk]), cursor=thread_cursor)
        assert response.status_code == 204
