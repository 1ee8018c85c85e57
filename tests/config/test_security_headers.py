"""Every page carries the security headers; signed-in pages are never cached."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from instances.models import Instance
from tests.accounts.test_access_by_role import ACCESS, url_for
from tests.refused_address import REFUSED_URL

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["accounts:login", "accounts:password_done", "healthz", "admin:login"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)


@pytest.fixture
def instance(db):
    return Instance.objects.create(
        name="Sales", engine="waha", base_url=REFUSED_URL, session_name="s", api_key="k"
    )


def assert_security_headers(response) -> None:
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("name", "needs", "method", "roles"), ACCESS, ids=[a[0] for a in ACCESS])
def test_every_signed_in_page_has_the_headers_and_is_never_cached(
    client_for, admin, instance, name, needs, method, roles
):
    client = client_for(admin)
    response = getattr(client, method)(url_for(name, needs, instance, admin))
    assert response.status_code != 500
    assert_security_headers(response)
    assert "no-store" in response["Cache-Control"]
    if response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode()
        assert not INLINE_SCRIPT.search(body), INLINE_SCRIPT.search(body).group()
        assert not INLINE_STYLE.search(body), INLINE_STYLE.search(body).group()


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_have_the_headers_too(client, name):
    assert_security_headers(client.get(reverse(name)))


def test_a_refusal_has_the_headers(client_for, agent):
    response = client_for(agent).get(reverse("instances:list"))
    assert response.status_code == 403
    assert_security_headers(response)
