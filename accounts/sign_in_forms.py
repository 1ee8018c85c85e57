"""Sign-in forms that say when the throttle, not the password, refused the attempt."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

THROTTLED_MESSAGE = "Too many failed sign-in attempts. Wait a few minutes and try again."


class ThrottleMessageMixin:
    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "sign_in_throttled", False):
                raise ValidationError(THROTTLED_MESSAGE, code="throttled") from None
            raise


class SignInForm(ThrottleMessageMixin, AuthenticationForm):
    pass


class AdminSignInForm(ThrottleMessageMixin, AdminAuthenticationForm):
    pass
