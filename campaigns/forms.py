"""Campaign forms: the campaign itself, its audience, and scheduling."""

from __future__ import annotations

import zoneinfo

from django import forms

from campaigns import templating
from campaigns.audience import (
    MAX_CSV_BYTES,
    AudienceError,
    ParsedCsv,
    add_contacts,
    add_rows,
    contacts_for,
    read_csv,
)
from campaigns.contact_services import contacts_in_filter
from campaigns.models import MAX_VARIANTS, Campaign, SavedFilter, Tag
from instances.models import Instance
from instances.outbound.validation import CAPTION_MAX, TEXT_MAX
from instances.queue_forms import WEEKDAYS

VARIANT_FIELDS = [f"variant_{i}" for i in range(1, MAX_VARIANTS + 1)]
PACING_PAIRS = [
    ("wait_between_messages_from", "wait_between_messages_to"),
    ("sleep_after_from", "sleep_after_to"),
    ("sleep_time_from", "sleep_time_to"),
]
MAX_WAIT_SECONDS = 24 * 3600


class CampaignForm(forms.ModelForm):
    media_url = forms.URLField(
        label="Attachment address (http or https)",
        required=False,
        assume_scheme="https",
        max_length=1000,
        help_text="Optional. The message text becomes its caption.",
    )
    instances = forms.ModelMultipleChoiceField(
        queryset=Instance.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        label="Send from",
        help_text="Recipients are shared round robin among the numbers that are working; "
        "each number keeps its own pace as well.",
    )
    time_zone = forms.ChoiceField(
        choices=[(name, name) for name in sorted(zoneinfo.available_timezones())],
        initial="UTC",
        help_text="The sending window follows this time zone.",
    )
    window_days = forms.MultipleChoiceField(
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        label="Sending days",
        initial=[value for value, _ in WEEKDAYS],
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "move_from_paused_numbers",
            "media_kind",
            "media_url",
            "wait_between_messages_from",
            "wait_between_messages_to",
            "sleep_after_from",
            "sleep_after_to",
            "sleep_time_from",
            "sleep_time_to",
            "time_zone",
            "window_from",
            "window_until",
            "window_days",
        ]
        labels = {
            "media_kind": "Attachment type",
            "media_url": "Attachment address (http or https)",
            "wait_between_messages_from": "Wait between messages, from (seconds)",
            "wait_between_messages_to": "to (seconds)",
            "sleep_after_from": "Take a longer break after, from (messages)",
            "sleep_after_to": "to (messages)",
            "sleep_time_from": "Break length, from (seconds)",
            "sleep_time_to": "to (seconds)",
            "window_from": "Send from (time of day)",
            "window_until": "Send until (time of day)",
        }
        help_texts = {
            "media_url": "Optional. The message text becomes its caption.",
            "move_from_paused_numbers": "Otherwise the campaign pauses itself, with the reason, "
            "when one of its numbers is paused (a ban signal, repeated failures, or by hand).",
            "window_until": "Leave both times empty to send all day.",
        }
        widgets = {
            "window_from": forms.TimeInput(attrs={"type": "time"}),
            "window_until": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args, extra_variables: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_variables = extra_variables or []
        for i, name in enumerate(VARIANT_FIELDS):
            self.fields[name] = forms.CharField(
                label="Message" if i == 0 else f"Variant {i + 1}",
                required=i == 0,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 4 if i == 0 else 2}),
                help_text="Use {name}, {phone}, a contact's custom field like {city}, or a "
                "column of the uploaded file. Up to four more variants are rotated across "
                "recipients."
                if i == 0
                else "",
            )
        if self.instance.pk:
            for name, text in zip(VARIANT_FIELDS, self.instance.texts, strict=False):
                self.initial[name] = text
            self.initial["instances"] = list(self.instance.instances.all())
            self.initial["window_days"] = list(self.instance.window_days)
        for pair in PACING_PAIRS:
            for name in pair:
                self.fields[name].widget.attrs["max"] = MAX_WAIT_SECONDS

    @property
    def variant_fields(self):
        return [self[name] for name in VARIANT_FIELDS]

    @property
    def pacing_fields(self):
        return [self[name] for pair in PACING_PAIRS for name in pair]

    @property
    def window_fields(self):
        return [self[name] for name in ("time_zone", "window_from", "window_until", "window_days")]

    def clean_window_days(self) -> str:
        return "".join(sorted(self.cleaned_data["window_days"]))

    def clean(self):
        cleaned = super().clean()
        for low_name, high_name in PACING_PAIRS:
            low, high = cleaned.get(low_name), cleaned.get(high_name)
            if high is not None and high > MAX_WAIT_SECONDS:
                self.add_error(high_name, f"At most {MAX_WAIT_SECONDS}.")
            elif low is not None and high is not None and low > high:
                self.add_error(high_name, "Must not be less than the first number.")
        if bool(cleaned.get("window_from")) != bool(cleaned.get("window_until")):
            self.add_error("window_until", "Give both times, or neither to send all day.")
        if bool(cleaned.get("media_kind")) != bool(cleaned.get("media_url")):
            self.add_error(
                "media_url", "Give both the attachment type and its address, or neither."
            )
        known = templating.known_variables(self.instance.pk) | set(self.extra_variables)
        limit = CAPTION_MAX if cleaned.get("media_url") else TEXT_MAX
        for name in VARIANT_FIELDS:
            text = cleaned.get(name, "")
            unknown = templating.unknown_variables([text], known)
            if unknown:
                self.add_error(
                    name,
                    "No recipient has "
                    + ", ".join("{" + n + "}" for n in unknown)
                    + f". Known: {', '.join('{' + n + '}' for n in sorted(known))}.",
                )
            elif len(text) > limit:
                self.add_error(name, f"A caption may have at most {limit} characters.")
        return cleaned

    @property
    def texts(self) -> list[str]:
        return [self.cleaned_data[n].strip() for n in VARIANT_FIELDS if self.cleaned_data.get(n)]


class AudienceForm(forms.Form):
    ALL, TAGS, FILTER, CSV = "all", "tags", "filter", "csv"

    audience = forms.ChoiceField(
        choices=[
            ("", "Nobody yet (add recipients later)"),
            (ALL, "All contacts"),
            (TAGS, "Contacts with any of these tags"),
            (FILTER, "The contacts of a saved filter"),
            (CSV, "The rows of a CSV file"),
        ],
        required=False,
        widget=forms.RadioSelect,
        help_text="Opted-out contacts and repeated numbers are always left out.",
    )
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    saved_filter = forms.ModelChoiceField(
        queryset=SavedFilter.objects.select_related("tag"),
        required=False,
        empty_label="Choose a saved filter",
        help_text="Save filters from the contact list.",
    )
    file = forms.FileField(
        label="CSV file",
        required=False,
        help_text="A header row 'phone,name', then any columns to use as variables, like "
        "'phone,name,code' for {code}. Numbers need their country code unless a default "
        "country is set (DEFAULT_PHONE_REGION).",
    )

    def __init__(self, *args, required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.parsed: ParsedCsv | None = None
        if required:
            self.fields["audience"].required = True
            self.fields["audience"].choices = self.fields["audience"].choices[1:]

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        if audience == self.TAGS and not cleaned.get("tags"):
            self.add_error("tags", "Choose at least one tag.")
        if audience == self.FILTER and not cleaned.get("saved_filter"):
            self.add_error("saved_filter", "Choose a saved filter.")
        if audience == self.CSV:
            upload = cleaned.get("file")
            if upload is None:
                self.add_error("file", "Choose a CSV file.")
            elif upload.size > MAX_CSV_BYTES:
                self.add_error("file", f"At most {MAX_CSV_BYTES // (1024 * 1024)} MB.")
            else:
                try:
                    self.parsed = read_csv(upload.read(MAX_CSV_BYTES + 1))
                except AudienceError as exc:
                    self.add_error("file", str(exc))
        return cleaned

    @property
    def variable_names(self) -> list[str]:
        return self.parsed.var_names if self.parsed else []

    def adder(self):
        """What adds this audience to a campaign (for services.add_recipients); None: nobody."""
        audience = self.cleaned_data.get("audience")
        if audience == self.ALL:
            return lambda campaign: add_contacts(campaign, contacts_for(everyone=True))
        if audience == self.TAGS:
            tags = list(self.cleaned_data["tags"])
            return lambda campaign: add_contacts(campaign, contacts_for(tags=tags))
        if audience == self.FILTER:
            saved_filter = self.cleaned_data["saved_filter"]
            return lambda campaign: add_contacts(campaign, contacts_in_filter(saved_filter))
        if audience == self.CSV and self.parsed is not None:
            rows = self.parsed.rows
            return lambda campaign: add_rows(campaign, rows)
        return None


class ScheduleForm(forms.Form):
    at = forms.DateTimeField(
        label="Start at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In the server's time zone.",
    )
