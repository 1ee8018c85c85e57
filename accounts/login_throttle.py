"""Throttle sign-ins per (username, client address) pair, for every way to sign in.

An attempt is counted before its password is checked, under the pair's row lock, so parallel
tries cannot check more passwords than the limit allows; a successful sign-in clears the
pair. Locking the pair (not the username) means a stranger's failures never lock a user out
from their own address. The client address comes from `config.client_address`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import SignInFailures
from config.client_address import client_address

logger = logging.getLogger(__name__)


def reserve_attempt(username: str, address: str, *, now: datetime | None = None) -> bool:
    """Count one attempt for the pair; False (nothing counted) once the pair is locked."""
    now = now or timezone.now()
    window_start = now - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW)
    with transaction.atomic():
        SignInFailures.objects.filter(window_started_at__lte=window_start).delete()
        row, _ = SignInFailures.objects.select_for_update().get_or_create(
            username=username[:150], address=address[:45], defaults={"window_started_at": now}
        )
        if row.attempts >= settings.LOGIN_THROTTLE_ATTEMPTS:
            return False
        row.attempts += 1
        row.save(update_fields=["attempts"])
    return True


def clear_failures(username: str, address: str) -> None:
    SignInFailures.objects.filter(username=username[:150], address=address[:45]).delete()


class ThrottledModelBackend(ModelBackend):
    """Django's model backend behind the throttle, so the admin's login is covered too."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ):
        if username is None or password is None:
            return None
        address = client_address(request)
        if not reserve_attempt(username, address):
            logger.warning("Sign-in refused, too many failures: %r from %s", username, address)
            if request is not None:
                request.sign_in_throttled = True
            # PermissionDenied stops authenticate() from trying any other backend.
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            logger.warning("Failed sign-in: %r from %s", username, address)
        else:
            clear_failures(username, address)
        return user
