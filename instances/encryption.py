"""Secrets at rest: Fernet with the keys from settings.ENCRYPTION_KEYS (first one encrypts)."""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "ENCRYPTION_KEYS must hold Fernet keys (44 url-safe base64 characters each)."
        ) from exc


def encrypt(plaintext: str) -> str:
    return _fernet(tuple(settings.ENCRYPTION_KEYS)).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(tuple(settings.ENCRYPTION_KEYS)).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        # Never include the token: it is the secret in another form.
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with the configured ENCRYPTION_KEYS."
        ) from exc


class EncryptedTextField(models.TextField):
    """Holds a secret encrypted in the database and plain in Python. Not searchable."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)
