"""Creating and editing a campaign through its form, with a live preview."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import Campaign, CampaignStatus, Contact, RecipientStatus, Tag

pytestmark = pytest.mark.django_db


def form_data(instance, **extra):
    data = {
        "name": "Spring sale",
        "instances": [instance.pk],
        "variant_1": "Hi {name}",
        "wait_between_messages_from": 5,
        "wait_between_messages_to": 10,
        "sleep_after_from": 20,
        "sleep_after_to": 40,
        "sleep_time_from": 60,
        "sleep_time_to": 120,
        "time_zone": "Europe/Berlin",
        "window_days": ["1", "2", "3", "4", "5"],
        "audience-audience": "",
    }
    data.update(extra)
    return data


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")


def test_a_campaign_is_created_with_its_variants_numbers_and_tagged_audience(
    client_for, operator, number
):
    instance = number()
    vip = Tag.objects.create(name="VIP")
    ana = Contact.objects.create(phone="+4930901820", name="Ana")
    ana.tags.add(vip)
    gone = Contact.objects.create(phone="+4930901821", opted_out=True)
    gone.tags.add(vip)
    Contact.objects.create(phone="+4930901822")
    data = form_data(
        instance,
        variant_2="Hello {name}",
        **{"audience-audience": "tags", "audience-tags": [vip.pk]},
    )

    response = client_for(operator).post(reverse("campaigns:create"), data)

    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert campaign.status == CampaignStatus.DRAFT and campaign.created_by == operator
    assert campaign.texts == ["Hi {name}", "Hello {name}"]
    assert list(campaign.instances.all()) == [instance]
    assert campaign.window_days == "12345"
    assert list(campaign.recipients.values_list("phone", flat=True)) == ["+4930901820"]


def test_an_uploaded_csv_gives_each_recipient_its_own_vars(client_for, operator, number):
    upload = csv_file(
        "phone,name,code\n+49 30 901820,Ana,X1\n+4930901820,Ana again,X2\nnope,Bo,X3\n"
    )
    data = form_data(number(), variant_1="{name}: {code}", **{"audience-audience": "csv"})
    data["audience-file"] = upload

    response = client_for(operator).post(reverse("campaigns:create"), data, follow=True)

    campaign = Campaign.objects.get()
    (recipient,) = campaign.recipients.all()
    assert (recipient.phone, recipient.name, recipient.vars) == (
        "+4930901820",
        "Ana",
        {"code": "X1"},
    )
    page = response.content.decode()
    assert "2 rows were left out" in page and "Row 4" in page


def test_an_unknown_variable_is_a_form_error_naming_the_known_ones(client_for, operator, number):
    response = client_for(operator).post(
        reverse("campaigns:create"), form_data(number(), variant_1="Hi {nmae}")
    )

    assert response.status_code == 200
    assert "No recipient has {nmae}" in response.content.decode()
    assert "{name}" in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_contacts_custom_field_is_a_known_variable(client_for, operator, number):
    Contact.objects.create(phone="+4930901820", custom_fields={"city": "Berlin"})

    client_for(operator).post(reverse("campaigns:create"), form_data(number(), variant_1="{city}"))

    assert Campaign.objects.exists()


def test_pacing_ranges_must_run_from_low_to_high(client_for, operator, number):
    data = form_data(number(), sleep_time_from=100, sleep_time_to=10)

    response = client_for(operator).post(reverse("campaigns:create"), data)

    assert "Must not be less than the first number" in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_file_that_is_not_a_csv_is_refused_with_a_reason(client_for, operator, number):
    data = form_data(number(), **{"audience-audience": "csv"})
    data["audience-file"] = SimpleUploadedFile("x.csv", b"\x00\x01binary")

    response = client_for(operator).post(reverse("campaigns:create"), data)

    assert response.status_code == 200
    assert "not a text file" in response.content.decode()
    assert not Campaign.objects.exists()


def test_the_preview_renders_the_text_for_a_sample_contact(client_for, operator, number):
    Contact.objects.create(phone="+4930901820", name="Ana", custom_fields={"city": "Berlin"})

    response = client_for(operator).post(
        reverse("campaigns:preview"),
        {"variant_1": "Hi {name} from {city}", "variant_2": "Yo {nope}"},
        headers={"HX-Request": "true"},
    )

    page = response.content.decode()
    assert response.status_code == 200 and "<form" not in page
    assert "Hi Ana from Berlin" in page
    assert "Unknown: &#123;nope&#125;" in page


def test_without_javascript_the_preview_shows_the_whole_form(client_for, operator, number):
    response = client_for(operator).post(
        reverse("campaigns:preview"), form_data(number(), variant_1="Hi {name}")
    )

    page = response.content.decode()
    assert "<form" in page and "Hi Ana Example" in page


def test_a_draft_can_be_edited_but_a_running_campaign_cannot(
    client_for, operator, make_campaign, number
):
    campaign = make_campaign()
    client = client_for(operator)
    data = form_data(number(), name="Summer sale", variant_1="New {name}")

    client.post(reverse("campaigns:edit", args=[campaign.pk]), data)
    campaign.refresh_from_db()
    assert campaign.name == "Summer sale" and campaign.texts == ["New {name}"]

    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING)
    response = client.post(reverse("campaigns:edit", args=[campaign.pk]), data | {"name": "X"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Summer sale"


def test_recipients_are_added_to_and_removed_from_a_draft(client_for, operator, make_campaign):
    campaign = make_campaign(0)
    client = client_for(operator)
    Contact.objects.create(phone="+4930901820")
    Contact.objects.create(phone="+4930901821")

    client.post(reverse("campaigns:recipients_add", args=[campaign.pk]), {"audience": "all"})
    assert campaign.recipients.count() == 2

    first = campaign.recipients.first()
    client.post(reverse("campaigns:recipients_remove", args=[campaign.pk]), {"ids": [first.pk]})
    assert list(campaign.recipients.values_list("status", flat=True)) == [RecipientStatus.PENDING]

    client.post(reverse("campaigns:recipients_remove", args=[campaign.pk]), {"all": "1"})
    assert campaign.recipients.count() == 0


def test_a_saved_filter_is_an_audience(client_for, operator, number):
    from campaigns.models import SavedFilter

    instance = number()
    Contact.objects.create(phone="+4930901820", name="Ana", custom_fields={"city": "Berlin"})
    Contact.objects.create(phone="+4930901821", name="Bo", custom_fields={"city": "Paris"})
    Contact.objects.create(phone="+4930901822", name="Cy", custom_fields={"city": "Berlin"})
    Contact.objects.filter(name="Cy").update(opted_out=True)
    berlin = SavedFilter.objects.create(name="Berlin", field_key="city", field_value="Berlin")
    client = client_for(operator)

    missing = client.post(
        reverse("campaigns:create"), form_data(instance, **{"audience-audience": "filter"})
    )
    assert missing.status_code == 200 and "Choose a saved filter." in missing.text
    assert not Campaign.objects.exists()

    data = form_data(
        instance, **{"audience-audience": "filter", "audience-saved_filter": berlin.pk}
    )
    client.post(reverse("campaigns:create"), data)

    campaign = Campaign.objects.get()
    assert list(campaign.recipients.values_list("name", flat=True)) == ["Ana"]
