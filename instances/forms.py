from __future__ import annotations

import re
from urllib.parse import urlsplit

from django import forms
from django.core.validators import URLValidator

from instances.engines import ENGINES
from instances.engines.waha import WahaEngine
from instances.engines.waha_versions import session_name_problem
from instances.models import Instance
from instances.phone_numbers import InvalidPhoneNumber, to_e164
from instances.services import known_server


def _engine_help() -> str:
    return " ".join(
        f"{engine.label}: {engine.credential_label.lower()}, {engine.session_label.lower()}"
        + (f", usually {engine.default_base_url}." if engine.default_base_url else ".")
        for engine in ENGINES.values()
    )


# WAHA keeps a session's files in a folder named after it and accepts only these names.
WAHA_SESSION_NAME = re.compile(r"[A-Za-z0-9_-]{1,54}")


class InstanceForm(forms.ModelForm):
    # A CharField, not a URLField: a URLField would quietly put "https://" in front of an
    # address typed without a scheme, and most engines are reached over plain http.
    base_url = forms.CharField(
        label="Base URL",
        max_length=300,
        help_text="Where the engine answers, starting with http:// or https://.",
    )
    api_key = forms.CharField(
        label="API key or token",
        required=False,
        strip=True,
        # The page never sends a key back; hx-preserve keeps what was typed when a connection
        # test re-renders the form, so fixing another field does not mean typing it again.
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password", "hx-preserve": "true"}
        ),
        help_text="Stored encrypted and never shown again.",
    )

    class Meta:
        model = Instance
        fields = ("name", "engine", "base_url", "session_name", "api_key")
        help_texts = {
            "engine": "",
            "session_name": "Session (WAHA), instance id (Wawp, chat-api), instance name "
            "(message-pro) or workspace id (WhautoChat).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engine"].help_text = _engine_help()
        if self.instance.pk:
            self.fields[
                "api_key"
            ].help_text = f"Now {self.instance.api_key_hint}. Leave empty to keep it."

    def clean_api_key(self) -> str:
        key = self.cleaned_data["api_key"]
        if not key and self.instance.pk:
            return self.instance.api_key
        if not key:
            raise forms.ValidationError("The engine needs an API key or token.")
        return key

    def clean_base_url(self) -> str:
        url = self.cleaned_data["base_url"].strip()
        if urlsplit(url).scheme.lower() not in {"http", "https"}:
            raise forms.ValidationError(
                "Start the address with http:// or https://, as the engine is reached."
            )
        URLValidator(schemes=["http", "https"], message="Enter a valid URL.")(url)
        return url.rstrip("/")

    def clean_session_name(self) -> str:
        name = self.cleaned_data["session_name"].strip()
        if self.cleaned_data.get("engine") == "waha" and not WAHA_SESSION_NAME.fullmatch(name):
            raise forms.ValidationError(
                "WAHA accepts session names of at most 54 letters, digits, “_” and “-”, "
                "without spaces."
            )
        return name

    def clean(self) -> dict:
        cleaned = super().clean()
        engine, base_url, session = (
            cleaned.get(name) for name in ("engine", "base_url", "session_name")
        )
        if engine == WahaEngine.key and base_url and session:
            # Known only once the server was tested or started; WAHA would refuse it anyway.
            problem = session_name_problem(known_server(engine, base_url), session)
            if problem:
                self.add_error("session_name", problem)
        return cleaned


class PairingCodeForm(forms.Form):
    phone = forms.CharField(
        label="Phone number",
        max_length=32,
        help_text="The number to link, with its country code, like +49 151 23456789.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self) -> str:
        try:
            return to_e164(self.cleaned_data["phone"])
        except InvalidPhoneNumber as exc:
            raise forms.ValidationError(str(exc)) from exc
