"""The contact list: search, filters, pages of a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
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


def test_the_count_of_a_tag_filter_matches_the_contacts_listed(client_for, operator):
    vip, other = TagFactory(name="vip"), TagFactory(name="other")
    ContactFactory(name="Ada", tags=[vip, other])
    ContactFactory(name="Bob", tags=[vip], opted_out=True)
    ContactFactory(name="Cleo", tags=[other])
    client = client_for(operator)

    for filters, names in [
        ({"tag": vip.pk}, ["Ada", "Bob"]),
        ({"tag": vip.pk, "opted_out": "no"}, ["Ada"]),
        ({"tag": other.pk, "q": "cle"}, ["Cleo"]),
    ]:
        page = client.get(reverse("contacts:list"), filters).context["page"]
        assert [contact.name for contact in page] == names
        assert page.paginator.count == len(names)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_name_search_has_a_trigram_index_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'contact_name_trigram'")
        (definition,) = cursor.fetchone()

    assert "gin_trgm_ops" in definition and "upper" in definition
