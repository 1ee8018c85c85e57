"""The pacing settings of one instance's queue, as a person edits them."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.utils import timezone

from instances.models import QueueSettings

WEEKDAYS = [
    ("1", "Mon"),
    ("2", "Tue"),
    ("3", "Wed"),
    ("4", "Thu"),
    ("5", "Fri"),
    ("6", "Sat"),
    ("7", "Sun"),
]


class QueueSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=[(name, name) for name in sorted(zoneinfo.available_timezones())],
        help_text="Sending hours and the daily cap follow this time zone.",
    )
    send_days = forms.MultipleChoiceField(
        choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple, label="Sending days"
    )

    class Meta:
        model = QueueSettings
        fields = [
            "min_delay_seconds",
            "max_delay_seconds",
            "per_minute_cap",
            "per_day_cap",
            "warmup_start_cap",
            "warmup_daily_increase",
            "time_zone",
            "send_from",
            "send_until",
            "send_days",
            "act_human",
            "paused",
        ]
        labels = {
            "min_delay_seconds": "Shortest pause between messages (seconds)",
            "max_delay_seconds": "Longest pause between messages (seconds)",
            "per_minute_cap": "At most per minute",
            "per_day_cap": "At most per day",
            "send_from": "Send from (time of day)",
            "send_until": "Send until (time of day)",
            "act_human": "Act human",
            "paused": "Pause sending",
        }
        help_texts = {
            "max_delay_seconds": "Each pause is drawn at random between the two, like a person.",
            "warmup_start_cap": "For a new number: the first day's cap, growing each day up to "
            "the daily cap. 0 turns warm-up off.",
            "send_until": "Leave both times empty to send all day; 22:00 to 06:00 runs overnight.",
            "paused": "Messages wait in the queue until you untick this. Switchboard also pauses "
            "by itself when WhatsApp restricts the number; untick to resume.",
        }
        widgets = {
            "send_from": forms.TimeInput(attrs={"type": "time"}),
            "send_until": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args, paused_by: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.paused_by = paused_by
        self.initial["send_days"] = list(self.instance.send_days or "1234567")

    def clean_send_days(self) -> str:
        return "".join(sorted(self.cleaned_data["send_days"]))

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_delay_seconds"), cleaned.get("max_delay_seconds")
        if low is not None and high is not None and low > high:
            self.add_error("max_delay_seconds", "Must not be shorter than the shortest pause.")
        if bool(cleaned.get("send_from")) != bool(cleaned.get("send_until")):
            self.add_error("send_until", "Give both times, or neither to send all day.")
        return cleaned

    def save(self, commit: bool = True) -> QueueSettings:
        settings = super().save(commit=False)
        if settings.warmup_start_cap and settings.warmup_started_on is None:
            settings.warmup_started_on = timezone.localdate()
        if not settings.warmup_start_cap:
            settings.warmup_started_on = None
        if not settings.paused:
            settings.pause_reason = ""
        elif "paused" in self.changed_data:
            by = f" by {self.paused_by}" if self.paused_by else ""
            settings.pause_reason = f"Paused{by} on the pace page."
        if commit:
            settings.save()
        return settings
