"""Saved filters: saved from the contact list, listed, renamed, deleted, and used as a
campaign's audience."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.audience import add_contacts
from campaigns.contact_services import contacts_in_filter
from campaigns.models import SavedFilter
from tests.factories import ContactFactory, TagFactory

pytestmark = pytest.mark.django_db


def names(contacts) -> list[str]:
    return sorted(contact.name for contact in contacts)


def test_saving_the_lists_filters_keeps_them_under_a_name(client_for, operator):
    vip = TagFactory(name="vip")
    ContactFactory(name="Ada Berlin", tags=[vip], custom_fields={"city": "Berlin"})
    ContactFactory(name="Ada Paris", tags=[vip], custom_fields={"city": "Paris"})
    client = client_for(operator)

    response = client.post(
        reverse("contacts:filter_save"),
        {"q": "ada", "tag": vip.pk, "field": "city", "value": "Berlin", "name": "Berlin VIPs"},
    )

    saved = SavedFilter.objects.get()
    assert (saved.name, saved.search, saved.tag, saved.field_key, saved.field_value) == (
        "Berlin VIPs",
        "ada",
        vip,
        "city",
        "Berlin",
    )
    assert saved.created_by == operator
    assert response.status_code == 302 and response["Location"] == saved.get_absolute_url()
    shown = client.get(response["Location"]).context["page"]
    assert names(shown) == ["Ada Berlin"]


def test_a_saved_filter_never_finds_opted_out_contacts(db):
    vip = TagFactory(name="vip")
    ContactFactory(name="Ada", tags=[vip])
    ContactFactory(name="Bob", tags=[vip], opted_out=True)
    ContactFactory(name="Cleo")

    saved = SavedFilter.objects.create(name="VIPs", tag=vip)

    assert names(contacts_in_filter(saved)) == ["Ada"]


def test_a_custom_field_named_like_a_lookup_is_matched_as_a_key(db):
    ContactFactory(name="Ada", custom_fields={"contains": "x"})
    ContactFactory(name="Bob", custom_fields={"contains": "y"})

    saved = SavedFilter.objects.create(name="Odd key", field_key="contains", field_value="x")

    assert names(contacts_in_filter(saved)) == ["Ada"]


def test_a_list_without_filters_cannot_be_saved(client_for, operator):
    response = client_for(operator).post(
        reverse("contacts:filter_save"), {"name": "Everyone"}, follow=True
    )

    assert not SavedFilter.objects.exists()
    assert "Filter the list by a search, a tag or a custom field first." in response.text


@pytest.mark.parametrize(
    ("posted", "error"),
    [
        ({"q": "ada", "name": "  "}, "Give the filter a name."),
        ({"q": "ada", "name": "VIPS"}, "A saved filter with this name exists already."),
        ({"field": "City!", "value": "x", "name": "New"}, "Filter the list by a search"),
        ({"q": "x" * 101, "name": "New"}, "Filter the list by a search"),
    ],
)
def test_bad_names_and_filters_are_refused_with_a_reason(client_for, operator, posted, error):
    SavedFilter.objects.create(name="VIPs", search="v")

    response = client_for(operator).post(reverse("contacts:filter_save"), posted, follow=True)

    assert response.status_code == 200
    assert error in response.text
    assert SavedFilter.objects.count() == 1


def test_saved_filters_are_listed_renamed_and_deleted(client_for, operator):
    vip = TagFactory(name="vip")
    saved = SavedFilter.objects.create(name="VIPs", tag=vip, search="ada")
    SavedFilter.objects.create(name="Taken", search="t")
    client = client_for(operator)

    listing = client.get(reverse("contacts:filters"))
    assert "VIPs" in listing.text and saved.get_absolute_url().replace("&", "&amp;") in listing.text

    refused = client.post(reverse("contacts:filter_rename", args=[saved.pk]), {"name": "taken"})
    assert refused.status_code == 200
    assert "A saved filter with this name exists already." in refused.text
    client.post(reverse("contacts:filter_rename", args=[saved.pk]), {"name": "Top customers"})
    saved.refresh_from_db()
    assert saved.name == "Top customers"

    confirm = client.get(reverse("contacts:filter_delete", args=[saved.pk]))
    assert confirm.status_code == 200 and SavedFilter.objects.filter(pk=saved.pk).exists()
    client.post(reverse("contacts:filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


def test_agents_cannot_save_or_change_filters(client_for, agent):
    saved = SavedFilter.objects.create(name="VIPs", search="ada")
    client = client_for(agent)

    assert client.post(reverse("contacts:filter_save"), {"q": "a", "name": "X"}).status_code == 403
    rename = client.post(reverse("contacts:filter_rename", args=[saved.pk]), {"name": "Y"})
    assert rename.status_code == 403
    assert client.post(reverse("contacts:filter_delete", args=[saved.pk])).status_code == 403
    assert list(SavedFilter.objects.values_list("name", flat=True)) == ["VIPs"]


def test_the_save_form_shows_only_when_the_list_is_filtered(client_for, operator):
    client = client_for(operator)

    assert "Save this filter" not in client.get(reverse("contacts:list")).text
    assert "Save this filter" in client.get(reverse("contacts:list"), {"q": "ada"}).text


def test_a_saved_filter_adds_its_contacts_to_a_campaign_in_one_statement(
    make_campaign, django_assert_num_queries
):
    vip = TagFactory(name="vip")
    ContactFactory(name="Ada", tags=[vip], phone="+4930901820")
    ContactFactory(name="Bob", tags=[vip], phone="+4930901821", opted_out=True)
    ContactFactory(name="Cleo", phone="+4930901822")
    saved = SavedFilter.objects.create(name="VIPs", tag=vip)
    campaign = make_campaign(0)

    with django_assert_num_queries(4) as queries:
        added = add_contacts(campaign, contacts_in_filter(saved))

    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1 and "SELECT" in inserts[0]

    assert added == 1
    assert list(campaign.recipients.values_list("name", flat=True)) == ["Ada"]


def test_the_admin_finds_saved_filters_by_name_and_filters_them_by_tag(client_for, admin):
    vip = TagFactory(name="vip")
    SavedFilter.objects.create(name="VIPs", tag=vip)
    SavedFilter.objects.create(name="Berlin", field_key="city", field_value="Berlin")
    client = client_for(admin)
    url = reverse("admin:campaigns_savedfilter_changelist")

    def shown(response) -> set[str]:
        return {str(row) for row in response.context["cl"].result_list}

    assert shown(client.get(url, {"q": "berl"})) == {"Berlin"}
    assert shown(client.get(url, {"tag__id__exact": vip.pk})) == {"VIPs"}


def test_many_saved_filters_are_paged_with_a_fixed_number_of_queries(
    client_for, operator, django_assert_max_num_queries
):
    tag = TagFactory(name="vip")
    SavedFilter.objects.bulk_create(
        SavedFilter(name=f"Filter {n:02d}", tag=tag, created_by=operator) for n in range(30)
    )
    client = client_for(operator)

    with django_assert_max_num_queries(6):
        first = client.get(reverse("contacts:filters"))
    second = client.get(reverse("contacts:filters"), {"page": 2})

    assert "Filter 24" in first.text and "Filter 25" not in first.text
    assert "Filter 29" in second.text and "Page 2 of 2" in second.text
