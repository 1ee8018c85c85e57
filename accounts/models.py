from __future__ import annotations

from django.db import models


class SignInFailures(models.Model):
    """Sign-in attempts for one username from one client address in the current window.

    One row per pair, so failures from one address never lock the user out elsewhere, and
    the count is changed only under the row's lock (accounts/login_throttle.py).
    """

    username = models.CharField(max_length=150)
    address = models.CharField(max_length=45, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "address"], name="sign_in_failures_once")
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.address or 'unknown'}: {self.attempts}"
