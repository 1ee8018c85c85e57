from __future__ import annotations

from django import forms

from api.outgoing.addresses import AddressRefused, check_url
from api.outgoing.models import SUBSCRIBABLE, OutgoingEvent


class SubscriberForm(forms.Form):
    url = forms.URLField(
        label="URL",
        max_length=2000,
        assume_scheme="https",
        help_text="Where Switchboard POSTs each event as JSON.",
    )
    events = forms.MultipleChoiceField(
        choices=[(event.value, OutgoingEvent(event).label) for event in SUBSCRIBABLE],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to receive every event.",
    )
    description = forms.CharField(
        max_length=200, required=False, help_text="Optional, e.g. “CRM inbox sync”."
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            check_url(url)
        except AddressRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return url
