"""What can be done to contacts: the one way other apps (inbox, campaigns, API) change them.

For other apps:
- `normalize_phone(raw)` -> E.164, reading national numbers in `DEFAULT_PHONE_REGION`.
- `contact_for_phone(phone, name="")` -> the contact for a number, created on first sight.
- `opt_out(contact, reason)` / `opt_in(contact)`.
- `contacts_matching(tags=..., all_tags=..., search=..., field=..., value=..., opted_out=...)`
  -> a queryset; `contacts_in_filter(saved_filter)` -> a saved filter's contacts.
- `record_check(contact, exists, chat_id)`: what a number check said.
- `save_contact(contact, custom_fields=..., tag_names=...)`: store one contact from a form or
  the API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from campaigns.models import Contact, SavedFilter, Tag
from campaigns.signals import contacts_opted_out
from instances.phone_numbers import InvalidPhoneNumber, digits_only, to_e164_in_region

__all__ = [
    "InvalidPhoneNumber",
    "contact_for_phone",
    "contacts_in_filter",
    "contacts_matching",
    "count_matching",
    "delete_contacts",
    "normalize_phone",
    "opt_in",
    "opt_out",
    "opt_out_contacts",
    "record_check",
    "save_contact",
    "tag_contacts",
    "tags_named",
    "untag_contacts",
]

PHONE_LIKE = re.compile(r"^[\d\s+().\-/]+$")
OPT_OUT_REASON_LENGTH = Contact._meta.get_field("opt_out_reason").max_length


def normalize_phone(raw: str) -> str:
    """E.164 for what a person typed; raises InvalidPhoneNumber with a readable message."""
    return to_e164_in_region(raw, settings.DEFAULT_PHONE_REGION)


def contact_for_phone(phone: str, name: str = "") -> Contact:
    """The contact for `phone` (any format `normalize_phone` reads), created if new.

    A name is filled in when the contact has none; a name already stored is kept.
    """
    e164 = normalize_phone(phone)
    try:
        with transaction.atomic():
            contact, created = Contact.objects.get_or_create(
                phone=e164, defaults={"name": name[:200]}
            )
    except IntegrityError:
        # Another request created it between our look-up and insert.
        contact, created = Contact.objects.get(phone=e164), False
    if not created and name and not contact.name:
        contact.name = name[:200]
        contact.save(update_fields=["name", "updated_at"])
    return contact


def opt_out(contact: Contact, reason: str, at: datetime | None = None) -> Contact:
    """Never message this contact again (until `opt_in`). Keeps the first opt-out's time."""
    if not contact.opted_out:
        contact.opted_out = True
        contact.opted_out_at = at or timezone.now()
        contact.opt_out_reason = reason[:OPT_OUT_REASON_LENGTH]
        contact.save(update_fields=["opted_out", "opted_out_at", "opt_out_reason", "updated_at"])
        contacts_opted_out.send(Contact, contacts=[contact], reason=contact.opt_out_reason)
    return contact


def opt_in(contact: Contact) -> Contact:
    contact.opted_out = False
    contact.opted_out_at = None
    contact.opt_out_reason = ""
    contact.save(update_fields=["opted_out", "opted_out_at", "opt_out_reason", "updated_at"])
    return contact


def contacts_matching(
    *,
    tags: Iterable[Tag | int] = (),
    all_tags: bool = False,
    search: str = "",
    field: str = "",
    value: str = "",
    opted_out: bool | None = None,
) -> QuerySet[Contact]:
    """Contacts with any of `tags` (all of them with `all_tags`), matching `search` (a name
    part, or a number's digits when it is written like a number), whose custom `field` is
    `value` (when a field is given), opted out or not (None: both). No tags: every contact."""
    contacts = Contact.objects.all()
    tag_ids = [tag.pk if isinstance(tag, Tag) else tag for tag in tags]
    if tag_ids and all_tags:
        for tag_id in tag_ids:
            contacts = contacts.filter(tags=tag_id)
    elif tag_ids:
        contacts = contacts.filter(
            pk__in=Contact.tags.through.objects.filter(tag__in=tag_ids).values("contact_id")
        )
    if search := search.strip():
        # Something written like a phone number searches phones only (by its digits, however
        # it is spaced); anything else searches names.
        if PHONE_LIKE.match(search) and (digits := digits_only(search)):
            contacts = contacts.filter(phone__contains=digits)
        else:
            contacts = contacts.filter(name__icontains=search)
    if field:
        # A transform rather than `custom_fields__<field>`, where a key such as "exact" or
        # "contains" would be read as a lookup; cast so that the value compares as plain text.
        text = Cast(KeyTextTransform(field, "custom_fields"), TextField())
        contacts = contacts.alias(field_value=text).filter(field_value=value)
    if opted_out is not None:
        contacts = contacts.filter(opted_out=opted_out)
    return contacts


def count_matching(**arguments) -> int:
    """How many contacts `contacts_matching(**arguments)` finds. A filter by one tag alone is
    counted on the tag links, without reading every contact: the links hold one row per contact
    and tag, and each names an existing contact. Counting through the contacts meant a hash
    join over all of them (40-80 ms at 100,000 contacts)."""
    tags = list(arguments.get("tags") or ())
    narrowed = any(arguments.get(name) for name in ("search", "field"))
    if len(tags) == 1 and not narrowed and arguments.get("opted_out") is None:
        tag_id = tags[0].pk if isinstance(tags[0], Tag) else tags[0]
        return Contact.tags.through.objects.filter(tag_id=tag_id).count()
    return contacts_matching(**arguments).count()


def contacts_in_filter(saved_filter: SavedFilter) -> QuerySet[Contact]:
    """The contacts a saved filter finds; opted-out contacts never."""
    return contacts_matching(
        search=saved_filter.search,
        tags=[saved_filter.tag_id] if saved_filter.tag_id else [],
        field=saved_filter.field_key,
        value=saved_filter.field_value,
        opted_out=False,
    )


def tags_named(names: Iterable[str]) -> list[Tag]:
    """The tags with these names (case does not matter), created when missing."""
    wanted = {}
    for name in names:
        name = name.strip()[:60]
        if name:
            wanted.setdefault(name.lower(), name)
    if not wanted:
        return []
    found = {tag.name.lower(): tag for tag in Tag.objects.filter(_name_in(wanted))}
    for key, name in wanted.items():
        if key not in found:
            try:
                with transaction.atomic():
                    found[key] = Tag.objects.create(name=name)
            except IntegrityError:
                found[key] = Tag.objects.get(name__iexact=name)
    return [found[key] for key in wanted]


def _name_in(lowered: Iterable[str]) -> Q:
    query = Q(pk__in=[])
    for name in lowered:
        query |= Q(name__iexact=name)
    return query


def tag_contacts(contacts: QuerySet[Contact], tag: Tag) -> int:
    """Add `tag` to every contact in `contacts` (one statement, whatever their number);
    returns how many were selected."""
    count = contacts.count()
    through = Contact.tags.through
    ids_sql, params = contacts.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {through._meta.db_table} (contact_id, tag_id) "  # noqa: S608 (model table, query from the ORM)
            f"SELECT id, %s FROM {Contact._meta.db_table} WHERE id IN ({ids_sql}) "
            "ON CONFLICT DO NOTHING",
            [tag.pk, *params],
        )
    return count


def untag_contacts(contacts: QuerySet[Contact], tag: Tag) -> int:
    count = contacts.count()
    Contact.tags.through.objects.filter(
        contact__in=contacts.order_by().values("pk"), tag=tag
    ).delete()
    return count


def opt_out_contacts(contacts: QuerySet[Contact], reason: str) -> int:
    """Opt out every contact selected that is not already; returns how many changed."""
    now = timezone.now()
    contacts_opted_out.send(Contact, contacts=contacts.filter(opted_out=False), reason=reason)
    return contacts.filter(opted_out=False).update(
        opted_out=True,
        opted_out_at=now,
        opt_out_reason=reason[:OPT_OUT_REASON_LENGTH],
        updated_at=now,
    )


def delete_contacts(contacts: QuerySet[Contact]) -> int:
    count = contacts.count()
    Contact.objects.filter(pk__in=contacts.order_by().values("pk")).delete()
    return count


def record_check(
    contact: Contact, exists: bool, chat_id: str = "", at: datetime | None = None
) -> Contact:
    """What a number check said about the contact, and when; a chat id learned is kept.

    Written with an update, so a contact deleted while a check run was asking about it is
    simply skipped.
    """
    contact.on_whatsapp = exists
    contact.checked_at = at or timezone.now()
    rows = Contact.objects.filter(pk=contact.pk)
    rows.update(on_whatsapp=exists, checked_at=contact.checked_at, updated_at=timezone.now())
    if chat_id and not contact.chat_id:
        contact.chat_id = chat_id[:120]
        rows.filter(chat_id="").update(chat_id=contact.chat_id)
    return contact


def save_contact(
    contact: Contact,
    *,
    custom_fields: dict[str, str] | None = None,
    tag_names: Iterable[str] | None = None,
) -> Contact:
    """Store a contact checked by `ContactForm` (the contact page, the API) with its custom
    fields and tags; None keeps what it has. A phone taken meanwhile raises IntegrityError."""
    with transaction.atomic():
        if custom_fields is not None:
            contact.custom_fields = custom_fields
        contact.save()
        if tag_names is not None:
            contact.tags.set(tags_named(tag_names))
    return contact
