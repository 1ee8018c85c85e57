"""Who is calling: an API key from `Authorization: Bearer` or `X-API-Key`, and how often.

Session cookies never authenticate the API, so no call can ride on a signed-in browser and
CSRF protection is not needed here (django-ninja exempts header-authenticated operations).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, HttpBearer

from accounts.roles import Ability, can_role
from api import key_cache
from api.envelope import ApiError, Code
from api.models import ApiKey, hash_token
from api.services import TOKEN_MAX, KeyRefused, key_for_hash
from config.redis_cache import count_and_read
from instances.instance_cache import kept_instance
from instances.models import Instance

RATE_WINDOW = 60  # seconds; a fixed window per key, counted across processes


def authenticate(request: HttpRequest, token: str) -> ApiKey:
    """The key of this token, its rate counted. One round trip to the shared cache counts the
    rate (per token, so before the key is known) and reads the keys' version (api/key_cache.py)."""
    if not token or len(token) > TOKEN_MAX:
        raise ApiError(Code.UNAUTHORIZED, "The API key is not valid.")
    token_hash = hash_token(token)
    now = timezone.now()
    window = int(now.timestamp() // RATE_WINDOW)
    used, version = count_and_read(
        cache, f"api-rate:{token_hash[:32]}:{window}", RATE_WINDOW + 1, key_cache.VERSION_KEY
    )
    try:
        key = key_for_hash(token_hash, version, now)
    except KeyRefused as exc:
        raise ApiError(Code.UNAUTHORIZED, str(exc)) from None
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    if limit and used > limit:
        retry_after = max(1, int((window + 1) * RATE_WINDOW - now.timestamp()) + 1)
        raise ApiError(
            Code.RATE_LIMITED,
            f"At most {limit} requests a minute per key; try again in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )
    return key


class KeyHeader(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return authenticate(request, key) if key else None


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return authenticate(request, token) if token else None


AUTH = [KeyHeader(), BearerToken()]


def require_ability(request: HttpRequest, ability: Ability) -> ApiKey:
    key: ApiKey = request.auth
    if not can_role(key.key_role, ability):
        raise ApiError(
            Code.FORBIDDEN,
            f"This key's role ({key.get_role_display()}) may not {ability.label.lower()}.",
        )
    return key


def parse_uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if isinstance(value, str) and len(value) <= 64 else None
    except ValueError:
        return None


def may_use(key: ApiKey, instance: Instance) -> bool:
    return key.allowed_instance_ids is None or instance.pk in key.allowed_instance_ids


def instance_for_key(key: ApiKey, profile_id: str, *, kept: bool = False) -> Instance:
    """The instance a profile id names, if this key may use it; NOT_FOUND otherwise (a
    restricted key does not learn which other instances exist). `kept`: as this process kept
    it for a few seconds (instances/instance_cache.py), for sends only."""
    instance = None
    uid = parse_uuid(profile_id)
    if uid is not None:
        instance = kept_instance(uid) if kept else Instance.objects.filter(uuid=uid).first()
    if instance is None or not may_use(key, instance):
        raise unknown_profile(profile_id)
    return instance


def unknown_profile(profile_id: object) -> ApiError:
    return ApiError(Code.NOT_FOUND, f"No profile with id {str(profile_id)[:64]!r}.")
