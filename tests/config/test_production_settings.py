from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean_env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ENCRYPTION_KEYS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py.
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_mode_without_secrets_refuses_to_start_with_a_clear_message():
    result = run_manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "refuses to start with DEBUG off" in result.stderr
    assert "SECRET_KEY" in result.stderr and "ENCRYPTION_KEYS" in result.stderr


def test_production_mode_with_the_development_secret_key_refuses_to_start():
    result = run_manage(
        "check",
        DEBUG="false",
        SECRET_KEY=settings.DEV_SECRET_KEY,
        ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="switchboard.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def production_env(**overrides: str) -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "switchboard.example.com",
        **overrides,
    }


def test_a_deployment_that_forgets_every_variable_refuses_to_start():
    result = run_manage("check")
    assert result.returncode != 0
    assert "refuses to start with DEBUG off" in result.stderr
    assert "DEBUG=true" in result.stderr


@pytest.mark.parametrize(
    "keys",
    ["{dev},{new}", "{new},{dev}", " {dev}", "{dev} "],
    ids=["dev-first", "dev-second", "leading-space", "trailing-space"],
)
def test_the_development_encryption_key_is_refused_anywhere_in_the_list(keys):
    value = keys.format(dev=settings.DEV_ENCRYPTION_KEY, new=Fernet.generate_key().decode())
    result = run_manage("check", **production_env(ENCRYPTION_KEYS=value))
    assert result.returncode != 0
    assert "ENCRYPTION_KEYS" in result.stderr


def test_an_encryption_key_that_is_not_a_fernet_key_is_refused_at_start_without_quoting_it():
    good = Fernet.generate_key().decode()
    result = run_manage("check", **production_env(ENCRYPTION_KEYS=f"{good},not-a-real-key-123"))
    assert result.returncode != 0
    assert "key 2 of 2 is not a Fernet key" in result.stderr
    assert "not-a-real-key-123" not in result.stderr


def test_encryption_keys_are_stripped_so_a_padded_real_key_works():
    key = Fernet.generate_key().decode()
    result = run_manage("check", "--deploy", **production_env(ENCRYPTION_KEYS=f" {key} , "))
    assert result.returncode == 0, result.stderr


def test_production_cookies_are_secure_and_same_site_lax():
    script = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SAMESITE)"
    )
    result = run_manage("shell", "-c", script, **production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["True", "True", "Lax", "True", "Lax"]


def test_the_deployment_checklist_is_clean_with_only_the_required_variables():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
