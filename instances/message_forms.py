"""The compose form: common fields, then the fields of the chosen message type.

The form only shapes input; the rules live in `instances.outbound.validation`, whose errors
come back onto the field they name (`add_queue_errors`).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone

from instances.engines import ENGINES
from instances.engines.base import MessageKind
from instances.models import Instance, OutboundMessage, OutboundStatus
from instances.outbound import OutboundValidationError
from instances.outbound.enqueue import PRIORITY_RANGE
from instances.outbound.validation import KIND_NEEDS

KIND_LABELS = dict(OutboundMessage._meta.get_field("kind").choices)


def _text(label: str, *, required: bool = False, rows: int = 0, help_text: str = "") -> forms.Field:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    # Lengths are checked by the shared rules, which name the limit; the browser gets a bound.
    return forms.CharField(
        label=label, required=required, widget=widget, help_text=help_text, max_length=20000
    )


def _url(label: str, *, required: bool = True) -> forms.Field:
    return forms.URLField(label=label, required=required, assume_scheme="https", max_length=2048)


def _media_fields(caption: bool = True, filename: bool = False) -> dict[str, forms.Field]:
    fields = {
        "file": forms.FileField(
            label="File",
            required=False,
            allow_empty_file=True,
            help_text=f"Up to {settings.OUTBOUND_MEDIA_MAX_BYTES // 1_048_576} MB. Or give the "
            "address of a file on the web below.",
        ),
        "url": _url("File address (http or https)", required=False),
    }
    if caption:
        fields["caption"] = _text("Caption", rows=2)
    if filename:
        fields["filename"] = _text("File name shown to the recipient")
    return fields


KIND_FIELDS: dict[MessageKind, Any] = {
    MessageKind.TEXT: lambda: {
        "text": _text("Message", required=True, rows=5),
        "link_preview": forms.BooleanField(
            label="Show a preview of the first link", required=False
        ),
    },
    MessageKind.IMAGE: lambda: _media_fields(),
    MessageKind.DOCUMENT: lambda: _media_fields(filename=True),
    MessageKind.VIDEO: lambda: _media_fields(),
    MessageKind.VOICE: lambda: _media_fields(caption=False),
    MessageKind.LOCATION: lambda: {
        "latitude": forms.FloatField(label="Latitude"),
        "longitude": forms.FloatField(label="Longitude"),
        "title": _text("Place name"),
    },
    MessageKind.CONTACT: lambda: {
        "vcard": _text("vCard", required=True, rows=6, help_text="BEGIN:VCARD … END:VCARD"),
    },
    MessageKind.POLL: lambda: {
        "name": _text("Question", required=True),
        "options": _text("Options", required=True, rows=4, help_text="One per line, 2 to 12."),
        "multiple": forms.BooleanField(label="Allow several answers", required=False),
    },
    MessageKind.LIST: lambda: {
        "title": _text("Title", required=True),
        "description": _text("Text", required=True, rows=3),
        "button_text": _text("Button", required=True),
        "footer": _text("Footer"),
        "section_title": _text("Section title", required=True),
        "rows": _text(
            "Rows",
            required=True,
            rows=4,
            help_text="One per line: id | title | description (description optional).",
        ),
    },
    MessageKind.LINK_PREVIEW: lambda: {
        "url": _url("Link"),
        "text": _text("Message", rows=3),
        "title": _text("Preview title"),
        "description": _text("Preview description"),
    },
    MessageKind.REACTION: lambda: {
        "message_id": _text("Message id to react to", required=True),
        "emoji": _text("Emoji", help_text="Leave empty to remove your reaction."),
    },
    MessageKind.TEMPLATE: lambda: {
        "template": _text(
            "Template", required=True, help_text="The id of a template stored on the gateway."
        ),
    },
}


def engines_for(kind: MessageKind) -> list[str]:
    """The engine keys whose gateways can send `kind` (every engine for most kinds)."""
    needed = KIND_NEEDS.get(kind)
    return [
        key
        for key, engine in ENGINES.items()
        if needed is None or needed in engine.capabilities_for(None)
    ]


def offered_kinds() -> list[tuple[str, str]]:
    """Every kind some instance here can send: a template only where a gateway takes them."""
    engines = set(Instance.objects.values_list("engine", flat=True).distinct())
    return [
        (value, label)
        for value, label in KIND_LABELS.items()
        if MessageKind(value) not in KIND_NEEDS or engines & set(engines_for(MessageKind(value)))
    ]


# Where a nested error from the shared rules belongs on this form.
NESTED_FIELDS = {"options": "options", "sections": "rows"}


class ComposeForm(forms.Form):
    instance = forms.ModelChoiceField(queryset=Instance.objects.order_by("name"), label="Send from")
    to = forms.CharField(
        label="To",
        max_length=200,
        help_text="A phone number with its country code (+49 151 …) or a chat id (…@g.us).",
    )
    kind = forms.ChoiceField(label="Type", choices=KIND_LABELS.items())
    priority = forms.IntegerField(
        initial=0,
        min_value=PRIORITY_RANGE[0],
        max_value=PRIORITY_RANGE[1],
        help_text="Higher goes first among messages that are due.",
    )
    send_at = forms.DateTimeField(
        label="Send at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Leave empty to send as soon as the number's pacing allows.",
    )

    def __init__(self, *args, kind: str = MessageKind.TEXT, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = MessageKind(kind) if kind in set(MessageKind) else MessageKind.TEXT
        self.fields["kind"].initial = self.kind.value
        self.fields["kind"].choices = offered_kinds()
        if self.kind in KIND_NEEDS:
            self.fields["instance"].queryset = Instance.objects.filter(
                engine__in=engines_for(self.kind)
            ).order_by("name")
        self.kind_field_names = list(KIND_FIELDS[self.kind]())
        self.fields.update(KIND_FIELDS[self.kind]())
        if self.kind is not MessageKind.REACTION:
            self.fields["reply_to"] = _text("Reply to message id")

    def kind_fields(self):
        return [self[name] for name in [*self.kind_field_names, "reply_to"] if name in self.fields]

    def common_fields(self):
        return [self[name] for name in ("instance", "to", "kind", "priority", "send_at")]

    def clean_send_at(self):
        send_at = self.cleaned_data.get("send_at")
        if send_at and send_at < timezone.now() - timedelta(minutes=1):
            raise forms.ValidationError("This time has passed; leave it empty to send now.")
        return send_at

    def clean(self):
        cleaned = super().clean()
        media = "file" in self.fields and "url" not in self.errors
        if media and not cleaned.get("file") and not cleaned.get("url"):
            self.add_error("file", "Upload a file, or give the address of one below.")
        return cleaned

    def upload(self):
        """The uploaded file of a media message, checked and stored by `enqueue`."""
        return self.cleaned_data.get("file") or None

    def payload(self) -> dict[str, Any]:
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if (name in self.kind_field_names or name == "reply_to") and name != "file"
        }
        data = {name: value for name, value in data.items() if value not in ("", None)}
        if self.kind is MessageKind.POLL:
            data["options"] = [
                line.strip() for line in data.get("options", "").splitlines() if line.strip()
            ]
        if self.kind is MessageKind.LIST:
            data["sections"] = [
                {"title": data.pop("section_title", ""), "rows": _rows(data.pop("rows", ""))}
            ]
        if self.kind is MessageKind.TEXT:
            data["link_preview"] = bool(self.cleaned_data.get("link_preview"))
        return data

    def add_queue_errors(self, error: OutboundValidationError) -> None:
        for field, messages in error.errors.items():
            head = field.split(".", 1)[0]
            if field.startswith("sections.") and field.endswith(".title") and ".rows." not in field:
                name = "section_title"
            else:
                name = NESTED_FIELDS.get(head, head)
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message if target else f"{field}: {message}")


def _rows(text: str) -> list[dict[str, str]]:
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        row = {"id": parts[0], "title": parts[1] if len(parts) > 1 else ""}
        if len(parts) > 2 and parts[2]:
            row["description"] = parts[2]
        rows.append(row)
    return rows


class MessageFilterForm(forms.Form):
    instance = forms.ModelChoiceField(
        queryset=Instance.objects.order_by("name"), required=False, empty_label="All numbers"
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *OutboundStatus.choices], required=False
    )
    kind = forms.ChoiceField(choices=[("", "Any type"), *KIND_LABELS.items()], required=False)
    to = forms.CharField(label="Recipient", max_length=120, required=False)
    since = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From"
    )
    until = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Until"
    )


class RetryFailedForm(forms.Form):
    """Which failed messages of one number to send again (seed 000, "Retry All Messages")."""

    since = forms.DateField(
        label="Only those created from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for every failed message.",
    )
    last_per_chat = forms.BooleanField(
        label="Only the newest failed message of each chat",
        required=False,
        help_text="A customer then gets one message instead of a backlog.",
    )

    def since_start(self):
        """`since` as the start of that day in the current time zone."""
        day = self.cleaned_data.get("since")
        if day is None:
            return None
        return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
