from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from accounts.roles import Role, role_of

User = get_user_model()


ROLE_HELP = "Admin: everything. Operator: contacts, campaigns and sending. Agent: the inbox only."


class MemberCreateForm(UserCreationForm):
    role = forms.ChoiceField(choices=Role.choices, initial=Role.AGENT, help_text=ROLE_HELP)

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email")


class MemberUpdateForm(forms.Form):
    """A member's details, role and access; `accounts.services.update_member` applies them."""

    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices, help_text=ROLE_HELP)
    is_active = forms.BooleanField(required=False, label="Active (may sign in)")

    def __init__(self, *args, member, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "first_name": member.first_name,
                "last_name": member.last_name,
                "email": member.email,
                "is_active": member.is_active,
                "role": (role_of(member) or Role.AGENT).value,
            },
        )
        super().__init__(*args, **kwargs)
