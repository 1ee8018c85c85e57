"""Forms of the contact pages: they shape and bound input; the services do the work."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict

from campaigns.contact_services import InvalidPhoneNumber, contacts_matching, normalize_phone
from campaigns.imports.mapping import (
    FIELD_KEY,
    FIELD_PREFIX,
    NAME,
    PHONE,
    SKIP,
    TAGS,
    field_key,
    mapping_problems,
)
from campaigns.models import Contact, ContactImport, NumberCheck, SavedFilter, Tag
from instances.models import Instance, InstanceStatus

MAX_TAGS_TEXT = 1000
MAX_CUSTOM_FIELDS = 50
# Bulk actions name contacts by id in the query string; a page holds at most this many.
MAX_BULK_IDS = 500


class ContactFilterForm(forms.Form):
    OPT_OUT_CHOICES = [("", "Everyone"), ("no", "Not opted out"), ("yes", "Opted out")]

    q = forms.CharField(label="Search", required=False, max_length=100)
    tag = forms.ModelChoiceField(Tag.objects.all(), required=False, empty_label="Any tag")
    opted_out = forms.ChoiceField(label="Opt-out", choices=OPT_OUT_CHOICES, required=False)
    field = forms.RegexField(
        label="Custom field",
        regex=FIELD_KEY,
        required=False,
        max_length=40,
        error_messages={"invalid": "A custom field's key uses a-z, 0-9 and _."},
    )
    value = forms.CharField(label="equals", required=False, max_length=200)

    def matching_arguments(self) -> dict[str, Any]:
        """Arguments for `contacts_matching` (empty when the filters are invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "search": data["q"],
            "tags": [data["tag"]] if data["tag"] else [],
            "field": data["field"],
            "value": data["value"] if data["field"] else "",
            "opted_out": {"yes": True, "no": False}.get(data["opted_out"]),
        }

    @property
    def savable(self) -> bool:
        """Whether the filters narrow the list, so that saving them means something."""
        if not self.is_valid():
            return False
        return any(self.cleaned_data[name] for name in ("q", "tag", "field"))

    def saved_filter(self, name: str) -> SavedFilter:
        """An unsaved SavedFilter with these filters (valid ones) and the given name."""
        data = self.cleaned_data
        return SavedFilter(
            name=name,
            search=data["q"].strip(),
            tag=data["tag"],
            field_key=data["field"],
            field_value=data["value"] if data["field"] else "",
        )


class SavedFilterNameForm(forms.ModelForm):
    """Naming a saved filter, when it is saved and when it is renamed."""

    class Meta:
        model = SavedFilter
        fields = ["name"]
        error_messages = {"name": {"required": "Give the filter a name."}}

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the filter a name.")
        others = SavedFilter.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("A saved filter with this name exists already.")
        return name


def split_tags(text: str) -> list[str]:
    return [name.strip() for name in re.split(r"[,\n]", text) if name.strip()]


class ContactForm(forms.ModelForm):
    tags_text = forms.CharField(
        label="Tags",
        required=False,
        max_length=MAX_TAGS_TEXT,
        help_text="Separated by commas; new tags are created.",
    )
    fields_text = forms.CharField(
        label="Custom fields",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line, as key: value (keys use a-z, 0-9 and _). "
        "Campaigns use them as {key}.",
    )

    class Meta:
        model = Contact
        fields = ["phone", "name"]
        help_texts = {"phone": "With the country code, or as written in your default country."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tags_text"] = ", ".join(tag.name for tag in self.instance.tags.all())
            self.initial["fields_text"] = "\n".join(
                f"{key}: {value}" for key, value in self.instance.custom_fields.items()
            )
        self.fields["phone"].max_length = 40
        self.fields["phone"].widget.attrs["maxlength"] = 40

    def clean_phone(self) -> str:
        try:
            phone = normalize_phone(self.cleaned_data["phone"])
        except InvalidPhoneNumber as exc:
            raise forms.ValidationError(str(exc)) from exc
        clash = Contact.objects.filter(phone=phone).exclude(pk=self.instance.pk).first()
        if clash is not None:
            raise forms.ValidationError(f"{phone} is already the number of {clash}.")
        return phone

    def clean_tags_text(self) -> list[str]:
        names = split_tags(self.cleaned_data["tags_text"])
        if too_long := [name for name in names if len(name) > 60]:
            raise forms.ValidationError(f"Tag names have at most 60 characters: {too_long[0][:70]}")
        return names

    def clean_fields_text(self) -> dict[str, str]:
        fields = {}
        for number, line in enumerate(self.cleaned_data["fields_text"].splitlines(), 1):
            if not line.strip():
                continue
            key, colon, value = line.partition(":")
            key = key.strip()
            if not colon or not FIELD_KEY.match(key):
                raise forms.ValidationError(
                    f"Line {number}: write key: value, the key in a-z, 0-9 and _ (at most 40)."
                )
            if len(value.strip()) > 1000:
                raise forms.ValidationError(f"Line {number}: a value has at most 1000 characters.")
            fields[key] = value.strip()
        if len(fields) > MAX_CUSTOM_FIELDS:
            raise forms.ValidationError(f"At most {MAX_CUSTOM_FIELDS} custom fields.")
        return fields


class BulkActionForm(forms.Form):
    """An action on the selected contacts, or on every contact the list's filters match."""

    ACTIONS = [
        ("tag", "Add a tag"),
        ("untag", "Remove a tag"),
        ("opt_out", "Opt out"),
        ("delete", "Delete"),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=False)
    all_matching = forms.BooleanField(required=False)
    # The list's query string (search, tag, opt-out) when `all_matching` is set.
    filters = forms.CharField(required=False, max_length=500)
    tag_name = forms.CharField(required=False, max_length=60)
    reason = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is acceptable here; ids of deleted contacts simply match nothing.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()

    def clean_ids(self) -> list[int]:
        ids = self.cleaned_data["ids"]
        if len(ids) > MAX_BULK_IDS:
            raise forms.ValidationError(f"Select at most {MAX_BULK_IDS} contacts at a time.")
        return ids

    def clean(self):
        data = super().clean()
        if not data.get("all_matching") and "ids" in data and not data["ids"]:
            self.add_error("ids", "Select at least one contact.")
        if data.get("action") in ("tag", "untag") and not (data.get("tag_name") or "").strip():
            self.add_error("tag_name", "Name the tag.")
        return data

    def selected(self) -> QuerySet[Contact]:
        data = self.cleaned_data
        if data["all_matching"]:
            filters = ContactFilterForm(QueryDict(data["filters"]))
            return contacts_matching(**filters.matching_arguments())
        return Contact.objects.filter(pk__in=data["ids"])

    @property
    def title(self) -> str:
        action = self.cleaned_data["action"]
        if action in ("tag", "untag"):
            verb = "Add the tag" if action == "tag" else "Remove the tag"
            return f"{verb} “{self.cleaned_data['tag_name'].strip()}”"
        return dict(self.ACTIONS)[action]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel file",
        help_text="CSV (UTF-8 or Latin-1, comma or semicolon separated) or .xlsx; "
        "the first row names the columns.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )


class MappingForm(forms.Form):
    """One choice per column of the file, plus a tag for every imported contact."""

    tag_all = forms.CharField(
        label="Tag every imported contact with",
        required=False,
        max_length=60,
        help_text="Optional; handy to find this import's contacts later.",
    )

    def __init__(self, *args, contact_import: ContactImport, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact_import = contact_import
        columns = contact_import.columns
        used_keys: set[str] = set()
        for index, header in enumerate(columns):
            key = field_key(header)
            while key in used_keys:
                key = f"{key[:36]}_{index}"
            used_keys.add(key)
            choices = [
                (SKIP, "Skip"),
                (PHONE, "Phone"),
                (NAME, "Name"),
                (TAGS, "Tags (comma-separated)"),
                (FIELD_PREFIX + key, f"Custom field {{{key}}}"),
            ]
            guessed = contact_import.mapping[index] if index < len(contact_import.mapping) else SKIP
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or f"Column {index + 1}",
                choices=choices,
                initial=guessed if guessed in dict(choices) else FIELD_PREFIX + key,
            )
        self.order_fields([f"column_{index}" for index in range(len(columns))] + ["tag_all"])

    def roles(self) -> list[str]:
        """The chosen roles (the initial guess when the form is unbound or invalid)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return [
            data.get(f"column_{index}") or self.fields[f"column_{index}"].initial
            for index in range(len(self.contact_import.columns))
        ]

    def clean(self):
        data = super().clean()
        roles = [data.get(f"column_{i}", "") for i in range(len(self.contact_import.columns))]
        for problem in mapping_problems(roles, self.contact_import.columns):
            self.add_error(None, problem)
        return data


class NumberCheckForm(forms.Form):
    instance = forms.ModelChoiceField(
        Instance.objects.filter(status=InstanceStatus.WORKING),
        label="Check through",
        empty_label=None,
        help_text="A linked number; checks are paced, one every few seconds.",
    )
    scope = forms.ChoiceField(label="Which contacts", choices=NumberCheck.Scope.choices)
    tag = forms.ModelChoiceField(Tag.objects.all(), required=False, label="Tag")

    def clean(self):
        data = super().clean()
        if data.get("scope") == NumberCheck.Scope.TAG and not data.get("tag"):
            self.add_error("tag", "Choose the tag whose contacts to check.")
        return data
