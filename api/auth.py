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
from api.envelope import ApiError, Code
from api.models import ApiKey
from api.services import KeyRefused, key_for_token
from config.redis_cache import count
from instances.instance_cache import kept_instance
from instances.models import Instance

RATE_WINDOW = 60  # seconds


def authenticate(request: HttpRequest, token: str) -> ApiKey:
    try:
        key = key_for_token(token)
    except KeyRefused as exc:
        raise ApiError(Code.UNAUTHORIZED, str(exc)) from None
    check_rate(key)
    return key


def check_rate(key: ApiKey) -> None:
    """A fixed one-minute window per key, counted in the shared cache (so across processes)."""
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    if not limit:
        return
    now = timezone.now().timestamp()
    window = int(now // RATE_WINDOW)
    if count(cache, f"api-rate:{key.pk}:{window}", RATE_WINDOW + 1) > limit:
        retry_after = max(1, int((window + 1) * RATE_WINDOW - now) + 1)
        raise ApiError(
            Code.RATE_LIMITED,
            f"At most {limit} requests a minute per key; try again in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )


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
