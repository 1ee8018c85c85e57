"""Inbox forms: they shape and bound input; the services decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from accounts.roles import ABILITIES, Ability
from inbox.models import Label
from instances.models import Instance
from instances.outbound.validation import TEXT_MAX

FILTERS = [
    ("all", "All"),
    ("mine", "Mine"),
    ("unassigned", "Unassigned"),
    ("unread", "Unread"),
    ("closed", "Closed"),
]
EMOJIS = ["👍", "❤️", "😂", "😮", "🙏"]
# The largest attachment a reply may carry (WhatsApp refuses documents past 100 MB).
ATTACHMENT_MAX_BYTES = 16 * 1_048_576


def team_members():
    """Who a conversation can be assigned to: everyone who may use the inbox."""
    roles = [role.value for role, abilities in ABILITIES.items() if Ability.USE_INBOX in abilities]
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=roles))
        .distinct()
        .order_by("username")
    )


class ChatFilterForm(forms.Form):
    show = forms.ChoiceField(choices=FILTERS, required=False)
    instance = forms.ModelChoiceField(
        queryset=Instance.objects.order_by("name"), required=False, empty_label="All numbers"
    )
    label = forms.ModelChoiceField(
        queryset=Label.objects.all(), required=False, empty_label="Any label"
    )
    q = forms.CharField(label="Search", max_length=100, required=False, strip=True)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Reply",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Type a reply, or /shortcut"}),
    )
    quoted = forms.IntegerField(required=False, widget=forms.HiddenInput)
    attachment = forms.FileField(required=False, label="Attachment")

    def clean_attachment(self):
        file = self.cleaned_data.get("attachment")
        if file is not None and file.size > ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(
                f"At most {ATTACHMENT_MAX_BYTES // 1_048_576} MB (this is {file.size // 1024} KB)."
            )
        return file

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("attachment"):
            raise forms.ValidationError("Write something or attach a file.")
        return data


class ReactForm(forms.Form):
    emoji = forms.CharField(max_length=16, required=False)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=None, required=False, empty_label="Nobody")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = team_members()


class LabelsForm(forms.Form):
    labels = forms.ModelMultipleChoiceField(
        queryset=Label.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    new_label = forms.CharField(label="New label", max_length=40, required=False, strip=True)


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Private note",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Only the team sees notes"}),
        strip=True,
    )


class ReprocessForm(forms.Form):
    events = forms.ModelMultipleChoiceField(queryset=None, required=False)
    all_failed = forms.BooleanField(required=False)

    def __init__(self, *args, queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].queryset = queryset


class EventFilterForm(forms.Form):
    instance = forms.ModelChoiceField(
        queryset=Instance.objects.order_by("name"), required=False, empty_label="All numbers"
    )
    kind = forms.ChoiceField(required=False)
    state = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        from inbox.models import WebhookEvent

        super().__init__(*args, **kwargs)
        kinds = WebhookEvent._meta.get_field("kind").choices
        self.fields["kind"].choices = [("", "Any kind"), *kinds]
        self.fields["state"].choices = [("", "Any state"), *WebhookEvent.State.choices]
