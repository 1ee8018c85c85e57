"""One throttle for every way to sign in, per (username, client address) pair."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.login_throttle import reserve_attempt
from accounts.models import SignInFailures
from tests.factories import PASSWORD
from tests.together import run_together

pytestmark = pytest.mark.django_db

SIGN_IN_PAGES = ["accounts:login", "admin:login"]


def sign_in(client, page: str, username: str, password: str, **extra):
    return client.post(reverse(page), {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("page", SIGN_IN_PAGES)
def test_repeated_wrong_passwords_lock_the_pair_even_for_the_right_password(
    client, admin, settings, page
):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    for _ in range(3):
        sign_in(client, page, "ada", "nope")
    response = sign_in(client, page, "ada", PASSWORD)
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not signed_in(client)


def test_a_throttled_attempt_on_the_login_page_answers_429(client, operator, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 1
    sign_in(client, "accounts:login", "otto", "nope")
    assert sign_in(client, "accounts:login", "otto", PASSWORD).status_code == 429


def test_the_login_page_and_the_admin_share_one_counter(client, admin, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 4
    for page in SIGN_IN_PAGES * 2:
        sign_in(client, page, "ada", "nope")
    sign_in(client, "admin:login", "ada", PASSWORD)
    assert not signed_in(client)


def test_failures_from_another_address_do_not_lock_the_user_out(client, operator, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    for _ in range(5):
        sign_in(client, "accounts:login", "otto", "nope", REMOTE_ADDR="203.0.113.9")
    response = sign_in(client, "accounts:login", "otto", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302
    assert signed_in(client)


def test_failures_for_one_username_do_not_lock_others_at_the_same_address(
    client, operator, agent, settings
):
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    for _ in range(3):
        sign_in(client, "accounts:login", "otto", "nope")
    assert sign_in(client, "accounts:login", "agnes", PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_pairs_failures(client, operator, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    sign_in(client, "accounts:login", "otto", "nope")
    sign_in(client, "accounts:login", "otto", PASSWORD)
    client.post(reverse("accounts:logout"))
    sign_in(client, "accounts:login", "otto", "nope")
    assert sign_in(client, "accounts:login", "otto", PASSWORD).status_code == 302
    assert not SignInFailures.objects.exists()


def test_a_lock_ends_with_its_window(db, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS, settings.LOGIN_THROTTLE_WINDOW = 1, 900
    start = timezone.now()
    assert reserve_attempt("otto", "192.0.2.1", now=start)
    assert not reserve_attempt("otto", "192.0.2.1", now=start + timedelta(seconds=899))
    assert reserve_attempt("otto", "192.0.2.1", now=start + timedelta(seconds=901))


def test_behind_a_trusted_proxy_clients_are_told_apart_by_its_header(client, operator, settings):
    settings.TRUSTED_PROXY_HEADER, settings.TRUSTED_PROXY_COUNT = "X-Forwarded-For", 1
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(3):
        sign_in(
            client,
            "accounts:login",
            "otto",
            "x",
            headers={"X-Forwarded-For": "203.0.113.9"},
            **proxy,
        )
    response = sign_in(
        client,
        "accounts:login",
        "otto",
        PASSWORD,
        headers={"X-Forwarded-For": "198.51.100.7"},
        **proxy,
    )
    assert response.status_code == 302
    assert SignInFailures.objects.get().address == "203.0.113.9"


def test_a_client_cannot_escape_the_lock_by_forging_forwarded_entries(client, operator, settings):
    settings.TRUSTED_PROXY_HEADER, settings.TRUSTED_PROXY_COUNT = "X-Forwarded-For", 1
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    for forged in ["1.1.1.1", "2.2.2.2", "3.3.3.3"]:
        # The proxy appends the address it saw; anything before it came from the client.
        sign_in(
            client,
            "accounts:login",
            "otto",
            "x",
            headers={"X-Forwarded-For": f"{forged}, 203.0.113.9"},
            REMOTE_ADDR="10.0.0.2",
        )
    assert SignInFailures.objects.get().attempts == 2


@pytest.mark.parametrize("page", SIGN_IN_PAGES)
@pytest.mark.parametrize("field", ["username", "password"])
def test_a_nul_byte_in_a_sign_in_field_is_a_form_error(client, operator, page, field):
    data = {"username": "otto", "password": PASSWORD, field: "ot\x00to"}
    response = client.post(reverse(page), data)
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
    assert not signed_in(client)


def test_failed_sign_ins_are_logged_with_username_and_address_but_not_the_password(
    client, operator, caplog
):
    with caplog.at_level(logging.WARNING, logger="accounts.login_throttle"):
        sign_in(client, "accounts:login", "otto", "hunter2-secret", REMOTE_ADDR="192.0.2.44")
    assert "'otto' from 192.0.2.44" in caplog.text
    assert "hunter2-secret" not in caplog.text


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite runs one writer at a time: no race to test"
)
@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_never_check_more_passwords_than_the_limit(settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 5
    granted = []

    def attempt():
        granted.append(reserve_attempt("otto", "192.0.2.1"))

    assert run_together([attempt] * 30) == []
    assert granted.count(True) == 5
    assert SignInFailures.objects.get().attempts == 5
