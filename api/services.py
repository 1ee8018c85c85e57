"""API key verbs: create (the token is returned once), revoke, and find the key of a token."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from accounts.roles import KeyRole
from api import key_cache
from api.models import PREFIX_LENGTH, ApiKey, hash_token
from instances.models import Instance

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

TOKEN_PREFIX = "sb_"  # noqa: S105 (a marker that tells keys apart in logs, not a secret)
TOKEN_MAX = 200
# Recording each use would write a row per request; once a minute tells "last used" as well.
LAST_USED_EVERY = timedelta(minutes=1)


def create_api_key(
    name: str,
    role: KeyRole | str,
    *,
    instances: Iterable[Instance] = (),
    expires_at: datetime | None = None,
    created_by: AbstractBaseUser | None = None,
) -> tuple[ApiKey, str]:
    """The new key and its token; the token is not stored and cannot be shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    instances = list(instances)
    key = ApiKey.objects.create(
        name=name,
        restricted=bool(instances),
        role=KeyRole(role),
        prefix=token[:PREFIX_LENGTH],
        secret_hash=hash_token(token),
        expires_at=expires_at,
        created_by=created_by,
    )
    key.instances.set(instances)
    return key, token


def revoke_api_key(key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=key.revoked_at)
        key_cache.keys_changed()


class KeyRefused(Exception):
    """Why a token does not authenticate; the message is safe to show the caller."""


def key_for_hash(token_hash: str, version: int | None, now: datetime | None = None) -> ApiKey:
    """The usable key of a token, by the token's hash (its allowed instance ids in
    `allowed_instance_ids`, None for every instance), or KeyRefused. As this process kept it
    under `version`, the keys' version read from the shared cache (api/key_cache.py), when
    it did."""
    now = now or timezone.now()
    key = key_cache.kept_key(token_hash, version)
    if key is None:
        key = ApiKey.objects.filter(secret_hash=token_hash).first()
        if key is None:
            raise KeyRefused("The API key is not valid.")
        key.allowed_instance_ids = (
            set(key.instances.values_list("pk", flat=True)) if key.restricted else None
        )
        key_cache.keep(token_hash, version, key)
    state = key.state(now)
    if state != "active":
        raise KeyRefused(f"The API key is {state}.")
    if key.last_used_at is None or key.last_used_at < now - LAST_USED_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
