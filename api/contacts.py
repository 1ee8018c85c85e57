"""`/contacts/...`: the contacts of the dashboard's contact pages, through the same form and
services (`campaigns/contact_forms.py`, `campaigns/contact_services.py`)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest
from ninja import Query, Router, Status

from accounts.roles import Ability
from api import contact_schemas as cs
from api import schemas
from api.auth import require_ability
from api.envelope import ApiError, Code, invalid, success
from api.pagination import PageQuery, page_of
from campaigns import contact_services
from campaigns.contact_forms import ContactForm
from campaigns.models import Contact, Tag
from instances.phone_numbers import InvalidPhoneNumber, digits_only

router = Router(tags=["Contacts"])

# The contact form's field names as the request spells them.
FORM_FIELDS = {"fields_text": "customFields", "tags_text": "tags"}
OPT_OUT_REASON = "Opted out through the API"


def contact_data(contact: Contact) -> dict[str, Any]:
    return {
        "id": str(contact.pk),
        "phone": contact.phone,
        "chatId": contact.chat_id or f"{digits_only(contact.phone)}@c.us",
        "name": contact.name,
        "customFields": contact.custom_fields,
        "tags": [tag.name for tag in contact.tags.all()],
        "optedOut": contact.opted_out,
        "optedOutAt": contact.opted_out_at,
        "createdAt": contact.created_at,
        "updatedAt": contact.updated_at,
    }


def _contact(contact_id: str) -> Contact:
    """Contacts belong to no instance: every key that may read contacts reads all of them."""
    contact = None
    if contact_id.isascii() and contact_id.isdigit() and len(contact_id) <= 18:
        contact = Contact.objects.prefetch_related("tags").filter(pk=int(contact_id)).first()
    if contact is None:
        raise ApiError(Code.NOT_FOUND, f"No contact with id {contact_id[:64]!r}.")
    return contact


def _refuse_taken_phone(phone: str, contact: Contact) -> None:
    """409 for a number another contact has (the form would say it as a field error)."""
    try:
        e164 = contact_services.normalize_phone(phone)
    except InvalidPhoneNumber:
        return  # the form names the problem
    clash = Contact.objects.filter(phone=e164).exclude(pk=contact.pk).first()
    if clash is not None:
        raise ApiError(Code.CONFLICT, f"{e164} is already the number of contact {clash.pk}.")


def _saved(
    contact: Contact,
    *,
    phone: str,
    name: str,
    custom_fields: dict[str, str] | None,
    tags: list[str] | None,
) -> Contact:
    """Checked by the contact page's form and stored by its service; None keeps a contact's
    custom fields or tags."""
    _refuse_taken_phone(phone, contact)
    form = ContactForm(
        {
            "phone": phone,
            "name": name,
            "fields_text": "\n".join(
                f"{key}: {value}" for key, value in (custom_fields or {}).items()
            ),
            "tags_text": ", ".join(tags or []),
        },
        instance=contact,
    )
    if not form.is_valid():
        details = {
            FORM_FIELDS.get(field, field): list(messages) for field, messages in form.errors.items()
        }
        raise invalid(details)
    try:
        contact = contact_services.save_contact(
            form.save(commit=False),
            custom_fields=form.cleaned_data["fields_text"] if custom_fields is not None else None,
            tag_names=form.cleaned_data["tags_text"] if tags is not None else None,
        )
    except IntegrityError:
        raise ApiError(Code.CONFLICT, f"{form.cleaned_data['phone']} was just taken.") from None
    return _contact(str(contact.pk))


@router.get(
    "",
    response=schemas.answers(200, cs.ContactListEnvelope, 403),
    summary="List contacts",
)
def list_contacts(request: HttpRequest, filters: Query[cs.ContactQuery], page: Query[PageQuery]):
    """Filtered as on the contact list: a name part or a number's digits, a tag, opt-out."""
    require_ability(request, Ability.VIEW_CONTACTS)
    tags: list[Tag | int] = []
    if filters.tag:
        tag = Tag.objects.filter(name__iexact=filters.tag.strip()).first()
        tags = [tag] if tag else [0]  # no such tag: nobody has it
    contacts = contact_services.contacts_matching(
        search=filters.search, tags=tags, opted_out=filters.optedOut
    )
    rows, pagination = page_of(contacts.prefetch_related("tags").order_by("name", "phone"), page)
    return success([contact_data(contact) for contact in rows], **pagination)


@router.post(
    "",
    response=schemas.answers(201, cs.ContactEnvelope, 403, 409),
    summary="Create a contact",
)
def create_contact(request: HttpRequest, body: cs.ContactIn):
    require_ability(request, Ability.MANAGE_CONTACTS)
    contact = _saved(
        Contact(),
        phone=body.phone,
        name=body.name,
        custom_fields=body.customFields,
        tags=body.tags,
    )
    return Status(201, success(contact_data(contact)))


@router.get(
    "/{contact_id}",
    response=schemas.answers(200, cs.ContactEnvelope, 403, 404),
    summary="One contact",
)
def get_contact(request: HttpRequest, contact_id: str):
    require_ability(request, Ability.VIEW_CONTACTS)
    return success(contact_data(_contact(contact_id)))


@router.patch(
    "/{contact_id}",
    response=schemas.answers(200, cs.ContactEnvelope, 403, 404, 409),
    summary="Change a contact",
)
def update_contact(request: HttpRequest, contact_id: str, body: cs.ContactPatch):
    """Only the fields given change; `optedOut` opts the contact out or back in."""
    require_ability(request, Ability.MANAGE_CONTACTS)
    contact = _contact(contact_id)
    contact = _saved(
        contact,
        phone=contact.phone if body.phone is None else body.phone,
        name=contact.name if body.name is None else body.name,
        custom_fields=body.customFields,
        tags=body.tags,
    )
    if body.optedOut is True:
        contact_services.opt_out(contact, OPT_OUT_REASON)
    elif body.optedOut is False and contact.opted_out:
        contact_services.opt_in(contact)
    return success(contact_data(contact))


@router.delete(
    "/{contact_id}",
    response=schemas.answers(200, cs.ContactDeletedEnvelope, 403, 404),
    summary="Delete a contact",
)
def delete_contact(request: HttpRequest, contact_id: str):
    require_ability(request, Ability.MANAGE_CONTACTS)
    contact = _contact(contact_id)
    contact_services.delete_contacts(Contact.objects.filter(pk=contact.pk))
    return success({"id": contact_id, "deleted": True})


@router.post(
    "/{contact_id}/tags",
    response=schemas.answers(200, cs.ContactEnvelope, 403, 404),
    summary="Add tags to a contact",
)
def add_tags(request: HttpRequest, contact_id: str, body: cs.TagsIn):
    """New tags are created; tags the contact has stay."""
    require_ability(request, Ability.MANAGE_CONTACTS)
    contact = _contact(contact_id)
    for tag in contact_services.tags_named(body.tags):
        contact_services.tag_contacts(Contact.objects.filter(pk=contact.pk), tag)
    return success(contact_data(_contact(contact_id)))
