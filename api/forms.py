from __future__ import annotations

from django import forms
from django.utils import timezone

from accounts.roles import KeyRole
from instances.models import Instance

ROLE_HELP = (
    "Admin: everything, including connecting numbers. Operator: send messages and read their "
    "status. Read-only: read instances and messages, change nothing."
)


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="Who or what uses it, e.g. “CRM sync”.")
    role = forms.ChoiceField(choices=KeyRole.choices, initial=KeyRole.OPERATOR, help_text=ROLE_HELP)
    instances = forms.ModelMultipleChoiceField(
        queryset=Instance.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to allow every instance.",
    )
    expires_at = forms.DateTimeField(
        required=False,
        label="Expires",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Optional; the key stops working then.",
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the key a name.")
        return name

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        if expires_at and expires_at <= timezone.now():
            raise forms.ValidationError("Must be in the future.")
        return expires_at
