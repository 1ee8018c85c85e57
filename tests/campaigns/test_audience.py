"""Who a campaign goes to: contacts (never opted-out ones, never a phone twice) and CSV rows."""

from __future__ import annotations

import pytest

from campaigns.audience import AudienceError, add_contacts, add_rows, contacts_for, read_csv
from campaigns.models import Contact, Tag

pytestmark = pytest.mark.django_db


def test_adding_the_same_contacts_twice_adds_nobody_twice(make_campaign):
    Contact.objects.create(phone="+4930901820", name="Ana")
    Contact.objects.create(phone="+4930901821", name="Bo")
    Contact.objects.create(phone="+4930901822", opted_out=True)
    campaign = make_campaign(0)

    assert add_contacts(campaign, contacts_for(everyone=True)) == 2
    assert add_contacts(campaign, contacts_for(everyone=True)) == 0

    assert sorted(campaign.recipients.values_list("name", flat=True)) == ["Ana", "Bo"]
    assert all(r.contact_id for r in campaign.recipients.all())


def test_contacts_with_any_of_the_tags_are_chosen_once(make_campaign):
    vip, new = Tag.objects.create(name="VIP"), Tag.objects.create(name="New")
    both = Contact.objects.create(phone="+4930901820")
    both.tags.add(vip, new)
    Contact.objects.create(phone="+4930901821")
    campaign = make_campaign(0)

    assert add_contacts(campaign, contacts_for(tags=[vip, new])) == 1


def test_a_csv_row_links_to_the_contact_with_its_phone(make_campaign):
    contact = Contact.objects.create(phone="+4930901820", name="Ana", custom_fields={"city": "B"})
    campaign = make_campaign(0)

    parsed = read_csv(b"phone,name,code\n+49 30 901820,,X1\n")
    add_rows(campaign, parsed.rows)

    recipient = campaign.recipients.get()
    assert recipient.contact == contact and recipient.name == "Ana"
    assert recipient.vars == {"code": "X1"}


@pytest.mark.parametrize(
    "data",
    [
        "\ufeffphone,name,city\n+4930901820,Ana,Köln\n".encode(),
        "phone;name;city\n+4930901820;Ana;Köln\n".encode(),
        "phone,name,city\n+4930901820,Ana,Köln\n".encode("latin-1"),
    ],
    ids=["utf-8 with BOM", "semicolons", "latin-1"],
)
def test_common_csv_dialects_are_read(data):
    parsed = read_csv(data)

    assert parsed.rows[0].phone == "+4930901820"
    assert parsed.rows[0].vars == {"city": "Köln"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "first column must be headed 'phone'"),
        (b"name,phone\nAna,+4930901820\n", "first column must be headed 'phone'"),
        (b"phone,name\n", "no rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file"),
        (b"phone,name,first name\n+4930901820,Ana,A\n", "letters, digits and underscores"),
    ],
    ids=["empty", "phone not first", "header only", "binary", "bad column name"],
)
def test_a_file_that_is_not_an_audience_is_refused_with_the_reason(data, reason):
    with pytest.raises(AudienceError, match=reason):
        read_csv(data)
