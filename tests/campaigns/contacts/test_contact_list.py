"""The contact list: search, filters, pages of a fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ContactFactory, TagFactory

pytestmark = pytest.mark.django_db


def names_on(response) -> list[str]:
    return [contact.name for contact in response.context["page"]]


def test_search_finds_by_name_or_by_phone_digits(client_for, operator):
    ContactFactory(name="Ada Lovelace", phone="+4915123456789")
    ContactFactory(name="Bob", phone="+4915199999999")
    client = client_for(operator)

    assert names_on(client.get(reverse("contacts:list"), {"q": "lovel"})) == ["Ada Lovelace"]
    assert names_on(client.get(reverse("contacts:list"), {"q": "+49 151 9999"})) == ["Bob"]


def test_filters_by_tag_and_by_opt_out(client_for, operator):
    vip = TagFactory(name="vip")
    ContactFactory(name="Ada", tags=[vip])
    ContactFactory(name="Bob", opted_out=True)
    ContactFactory(name="Cleo")
    client = client_for(operator)

    assert names_on(client.get(reverse("contacts:list"), {"tag": vip.pk})) == ["Ada"]
    assert names_on(client.get(reverse("contacts:list"), {"opted_out": "yes"})) == ["Bob"]
    assert names_on(client.get(reverse("contacts:list"), {"opted_out": "no"})) == ["Ada", "Cleo"]


def test_bad_filter_values_show_everyone_instead_of_failing(client_for, operator):
    ContactFactory(name="Ada")

    response = client_for(operator).get(reverse("contacts:list"), {"tag": "x", "opted_out": "?"})

    assert response.status_code == 200
    assert names_on(response) == ["Ada"]


def test_a_page_costs_the_same_queries_for_few_or_many_contacts(
    client_for, operator, django_assert_max_num_queries
):
    tags = [TagFactory(), TagFactory()]
    client = client_for(operator)
    ContactFactory(tags=tags)
    with django_assert_max_num_queries(9) as few:
        client.get(reverse("contacts:list"))
    ContactFactory.create_batch(120, tags=tags)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("contacts:list"), {"page": 2})
    assert len(response.context["page"]) == 50


def test_with_no_contacts_the_page_says_how_to_get_some(client_for, operator):
    page = client_for(operator).get(reverse("contacts:list")).content.decode()

    assert "No contacts yet." in page
    assert reverse("contacts:import") in page
