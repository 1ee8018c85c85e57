"""Bulk tag, untag, opt-out and delete: a confirmation first, then the change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.models import Contact
from tests.factories import ContactFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return ContactFactory.create_batch(3)


def ids(contacts) -> list[int]:
    return [contact.pk for contact in contacts]


def test_the_confirmation_page_changes_nothing(client_for, operator, people):
    response = client_for(operator).get(
        reverse("contacts:bulk"), {"action": "delete", "ids": ids(people[:2])}
    )

    assert response.status_code == 200
    assert "Delete: 2 contacts?" in response.content.decode()
    assert Contact.objects.count() == 3


def test_deleting_after_confirmation_removes_only_the_selected(client_for, operator, people):
    response = client_for(operator).post(
        reverse("contacts:bulk"), {"action": "delete", "ids": ids(people[:2])}
    )

    assert response.status_code == 302
    assert list(Contact.objects.all()) == [people[2]]


def test_tagging_creates_the_tag_and_untagging_removes_it(client_for, operator, people):
    client = client_for(operator)

    client.post(reverse("contacts:bulk"), {"action": "tag", "tag_name": "Fair", "ids": ids(people)})
    assert Contact.objects.filter(tags__name="Fair").count() == 3

    client.post(
        reverse("contacts:bulk"), {"action": "untag", "tag_name": "fair", "ids": ids(people[:1])}
    )
    assert Contact.objects.filter(tags__name="Fair").count() == 2


def test_opting_out_in_bulk_records_the_reason(client_for, operator, people):
    client_for(operator).post(
        reverse("contacts:bulk"), {"action": "opt_out", "reason": "GDPR", "ids": ids(people[:2])}
    )

    assert sorted(
        Contact.objects.filter(opted_out=True).values_list("opt_out_reason", flat=True)
    ) == [
        "GDPR",
        "GDPR",
    ]


def test_no_selection_or_a_missing_tag_goes_back_with_a_reason(client_for, operator, people):
    client = client_for(operator)

    nothing = client.get(reverse("contacts:bulk"), {"action": "delete"}, follow=True)
    no_tag = client.get(
        reverse("contacts:bulk"), {"action": "tag", "ids": ids(people)}, follow=True
    )

    assert "Select at least one contact." in nothing.content.decode()
    assert "Name the tag." in no_tag.content.decode()
    assert Contact.objects.count() == 3


def test_the_way_back_never_leaves_the_contact_list(client_for, operator, people):
    response = client_for(operator).post(
        reverse("contacts:bulk"),
        {"action": "tag", "tag_name": "x", "ids": ids(people), "back": "https://evil.example/"},
    )

    assert response["Location"] == reverse("contacts:list")


def test_agents_may_not_change_contacts(client_for, agent, people):
    response = client_for(agent).post(
        reverse("contacts:bulk"), {"action": "delete", "ids": ids(people)}
    )

    assert response.status_code == 403
    assert Contact.objects.count() == 3


def test_untagging_an_unknown_tag_changes_nothing(client_for, operator, people):
    TagFactory(name="kept")
    response = client_for(operator).post(
        reverse("contacts:bulk"),
        {"action": "untag", "tag_name": "nope", "ids": ids(people)},
        follow=True,
    )

    assert response.status_code == 200


def test_an_action_can_cover_every_contact_the_filters_match(client_for, operator):
    vip = TagFactory(name="vip")
    fans = ContactFactory.create_batch(3, tags=[vip])
    other = ContactFactory()
    client = client_for(operator)
    request = {"action": "opt_out", "all_matching": "1", "filters": f"tag={vip.pk}&q="}

    confirm = client.get(reverse("contacts:bulk"), request)
    assert "Opt out: 3 contacts?" in confirm.content.decode()
    client.post(reverse("contacts:bulk"), request)

    assert set(Contact.objects.filter(opted_out=True)) == set(fans)
    other.refresh_from_db()
    assert not other.opted_out


def test_tagging_all_matching_contacts_is_one_statement(
    client_for, operator, django_assert_max_num_queries
):
    ContactFactory.create_batch(30, name="Fan")
    client = client_for(operator)
    with django_assert_max_num_queries(12):
        client.post(
            reverse("contacts:bulk"),
            {"action": "tag", "tag_name": "fans", "all_matching": "1", "filters": "q=Fan"},
        )

    assert Contact.objects.filter(tags__name="fans").count() == 30
