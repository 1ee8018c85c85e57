"""Start-up checks of the secrets in the environment: a clear refusal beats a late failure."""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured


def clean_encryption_keys(values: list[str]) -> list[str]:
    """Each key stripped of surrounding blanks and checked as a Fernet key, in order."""
    keys = [value.strip() for value in values if value.strip()]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            # The key itself is never quoted: it is a secret even when malformed.
            raise ImproperlyConfigured(
                f"ENCRYPTION_KEYS: key {position} of {len(keys)} is not a Fernet key "
                "(44 url-safe base64 characters). See .env.example for how to generate one."
            ) from None
    return keys


def refuse_development_values(
    *, secret_key: str, dev_secret_key: str, encryption_keys: list[str], dev_encryption_key: str
) -> None:
    """With DEBUG off, refuse missing secrets and the committed development ones."""
    missing = []
    if not secret_key or secret_key == dev_secret_key:
        missing.append("SECRET_KEY")
    if not encryption_keys or dev_encryption_key in encryption_keys:
        missing.append("ENCRYPTION_KEYS")
    if missing:
        raise ImproperlyConfigured(
            "Switchboard refuses to start with DEBUG off until these are set to real values: "
            + ", ".join(missing)
            + ". The development key is refused anywhere in ENCRYPTION_KEYS. For development "
            "set DEBUG=true (make run does); see .env.example for how to generate real values."
        )
