from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from accounts.roles import Role

User = get_user_model()


class MemberCreateForm(UserCreationForm):
    role = forms.ChoiceField(choices=Role.choices, initial=Role.AGENT)

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email")


class MemberUpdateForm(forms.ModelForm):
    role = forms.ChoiceField(choices=Role.choices)

    class Meta:
        model = User
        fields = ("first_name", "last_name", "email", "is_active")
        labels = {"is_active": "Active (may sign in)"}
