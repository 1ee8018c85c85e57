"""Campaign texts: variables from the contact, its custom fields and the recipient's vars."""

from __future__ import annotations

import pytest

from campaigns import templating
from campaigns.audience import Row
from campaigns.models import Contact

pytestmark = pytest.mark.django_db


def test_name_phone_custom_fields_and_vars_are_filled_in():
    values = templating.values_for("Ana", "+4930901820", {"city": "Berlin"}, {"code": "X1"})

    text = templating.render("Hi {name} ({phone}) in {city}: code {code}", values)

    assert text == "Hi Ana (+4930901820) in Berlin: code X1"


def test_a_recipients_own_vars_win_over_the_contacts_fields():
    values = templating.values_for("Ana", "+4930901820", {"city": "Berlin"}, {"city": "Rome"})

    assert templating.render("{city}", values) == "Rome"


def test_double_braces_write_braces_and_a_missing_value_is_empty():
    assert templating.render("{{name}} {city}!", {"name": "Ana"}) == "{name} !"


def test_format_tricks_are_plain_text_not_lookups():
    text = "{0.__class__} {name.upper} {__import__}"

    assert templating.render(text, {"name": "Ana"}) == "{0.__class__} {name.upper} "


def test_unknown_variables_are_named_once_in_order():
    unknown = templating.unknown_variables(["{x} {name} {y}", "{x}"], {"name"})

    assert unknown == ["x", "y"]


def test_known_variables_are_built_ins_every_custom_field_and_the_campaigns_vars(make_campaign):
    Contact.objects.create(phone="+4930901820", custom_fields={"city": "Berlin"})
    Contact.objects.create(phone="+4930901821", custom_fields={"plan": "gold"})
    campaign = make_campaign([Row("+4930901822", "Bo", {"code": "X1"})])

    known = templating.known_variables(campaign.pk)

    assert known == {"name", "phone", "city", "plan", "code"}
    assert "code" not in templating.known_variables()


def test_a_preview_keeps_variables_it_has_no_value_for():
    assert templating.render("Hi {name}, {code}", {"name": "Ana"}, keep_missing=True) == (
        "Hi Ana, {code}"
    )
