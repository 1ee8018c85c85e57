"""An admin creates a key (shown once), sees it listed with its last use, and revokes it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from api.models import ApiKey
from api.services import create_api_key

pytestmark = pytest.mark.django_db


def test_a_new_key_is_shown_once_and_works(client_for, admin, sales, call):
    page = client_for(admin).post(
        reverse("api_keys:create"),
        {"name": "CRM sync", "role": "operator", "instances": [sales.pk]},
    )
    assert page.status_code == 200
    token = page.context["token"]
    assert token in page.content.decode()
    key = ApiKey.objects.get()
    assert (key.name, key.created_by, list(key.instances.all())) == ("CRM sync", admin, [sales])
    assert call("get", "profiles", token=token).status_code == 200
    listing = client_for(admin).get(reverse("api_keys:list")).content.decode()
    assert "CRM sync" in listing
    assert token not in listing
    assert key.prefix in listing


def test_an_expiry_in_the_past_is_refused(client_for, admin):
    page = client_for(admin).post(
        reverse("api_keys:create"),
        {"name": "Old", "role": "operator", "expires_at": "2000-01-01T00:00"},
    )
    assert page.context["form"].errors["expires_at"] == ["Must be in the future."]
    assert not ApiKey.objects.exists()


def test_revoking_asks_first_then_the_key_stops_working(client_for, admin, call):
    key, token = create_api_key("Shop", "operator")
    url = reverse("api_keys:revoke", args=[key.pk])
    confirm = client_for(admin).get(url)
    assert b"Yes, revoke" in confirm.content
    key.refresh_from_db()
    assert key.revoked_at is None
    client_for(admin).post(url)
    assert call("get", "profiles", token=token).status_code == 401
    assert b"Revoked" in client_for(admin).get(reverse("api_keys:list")).content


def test_the_list_says_what_to_do_when_there_are_no_keys(client_for, admin):
    assert b"Create one" in client_for(admin).get(reverse("api_keys:list")).content


def test_the_list_reads_a_fixed_number_of_queries(
    client_for, admin, sales, django_assert_max_num_queries
):
    client = client_for(admin)
    client.get(reverse("api_keys:list"))
    for number in range(6):
        create_api_key(f"Key {number}", "read_only", instances=[sales], created_by=admin)
    with django_assert_max_num_queries(12):
        client.get(reverse("api_keys:list"))


def test_the_command_prints_a_working_key(call):
    out = io.StringIO()
    call_command(
        "create_api_key", "Setup script", "--role", "read_only", stdout=out, stderr=io.StringIO()
    )
    token = out.getvalue().strip()
    assert ApiKey.objects.get().role == "read_only"
    assert call("get", "profiles", token=token).status_code == 200


def test_the_reference_page_lists_the_endpoints_without_a_cdn(client):
    page = client.get(reverse("api:docs")).content.decode()
    assert "/api/v1/messages/text" in page
    assert "content.text" in page
    assert "cdn" not in page.lower()
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/profiles/{profile_id}/qr" in schema["paths"]


def test_the_django_admin_lists_keys_without_their_hash_being_editable(client_for, admin):
    admin.is_staff = True
    admin.save()
    key, _token = create_api_key("Shop", "operator")
    client = client_for(admin)
    assert b"Shop" in client.get("/admin/api/apikey/?q=Shop&role__exact=operator").content
    change = client.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()
    assert key.secret_hash in change
    assert 'name="secret_hash"' not in change
