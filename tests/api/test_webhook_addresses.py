"""Where webhooks may go: http(s) only, and no internal addresses in production."""

from __future__ import annotations

import pytest

from api.outgoing.addresses import AddressRefused, check_url


@pytest.mark.parametrize("url", ["ftp://crm.example/x", "file:///etc/passwd", "javascript:x", ""])
def test_only_http_and_https_are_accepted(url, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    with pytest.raises(AddressRefused, match="Only http"):
        check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "http://localhost/hooks",
        "http://api.localhost/hooks",
        "http://10.1.2.3/hooks",
        "https://192.168.0.10/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks",
        "http://[fd00::1]/hooks",
        "http://0.0.0.0/hooks",
    ],
)
def test_internal_addresses_are_refused_in_production(url, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(AddressRefused, match="WEBHOOK_ALLOW_PRIVATE"):
        check_url(url)


def test_internal_addresses_are_allowed_when_the_setting_says_so(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    check_url("http://127.0.0.1:8000/hooks")


def test_a_public_address_is_accepted_in_production(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    check_url("https://93.184.215.14/hooks")
