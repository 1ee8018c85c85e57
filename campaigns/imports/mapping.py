"""What each column of an import means, and one row turned into a contact's values."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.text import slugify

from campaigns.contact_services import InvalidPhoneNumber, normalize_phone

SKIP, PHONE, NAME, TAGS, FIELD_PREFIX = "skip", "phone", "name", "tags", "field:"
MAX_NAME = 200
MAX_FIELD_VALUE = 1000
MAX_TAG = 60
FIELD_KEY = re.compile(r"^[a-z0-9_]{1,40}$")

PHONE_HEADERS = {
    "phone",
    "phone number",
    "mobile",
    "cell",
    "number",
    "whatsapp",
    "telefon",
    "telephone",
    "tel",
    "handy",
    "msisdn",
    "e164",
    "celular",
    "telefone",
}
NAME_HEADERS = {"name", "full name", "fullname", "contact", "nome", "nombre", "contact name"}
TAG_HEADERS = {"tags", "tag", "labels", "label", "groups", "group"}


class RowError(ValueError):
    """Why a row is skipped; the message goes into the error report."""


@dataclass
class ContactRow:
    phone: str
    name: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)


def field_key(header: str) -> str:
    """A custom field's key from a column header: 'Customer ID' -> 'customer_id'."""
    return slugify(header).replace("-", "_")[:40] or "field"


def guess_mapping(columns: Sequence[str]) -> list[str]:
    """A first choice of roles from the headers; the person confirms or changes it."""
    roles, have = [], set()
    for header in columns:
        text = header.strip().lower()
        role = FIELD_PREFIX + field_key(header)
        for wanted, names in ((PHONE, PHONE_HEADERS), (NAME, NAME_HEADERS), (TAGS, TAG_HEADERS)):
            if text in names and wanted not in have:
                role = wanted
        if role.startswith(FIELD_PREFIX) and role in have:
            role = SKIP
        have.add(role)
        roles.append(role)
    if PHONE not in have and roles:
        # Without a recognised header, the first column is the likeliest phone column.
        roles[0] = PHONE
    return roles


def mapping_problems(roles: Sequence[str], columns: Sequence[str]) -> list[str]:
    problems = []
    if len(roles) != len(columns):
        problems.append("Choose what every column holds.")
    if roles.count(PHONE) != 1:
        problems.append("Choose exactly one phone column.")
    if roles.count(NAME) > 1:
        problems.append("Choose at most one name column.")
    keys = [role for role in roles if role.startswith(FIELD_PREFIX)]
    if len(keys) != len(set(keys)):
        problems.append("Two columns go into the same custom field; give each its own name.")
    for role in keys:
        if not FIELD_KEY.match(role.removeprefix(FIELD_PREFIX)):
            problems.append(
                f"The custom field name {role.removeprefix(FIELD_PREFIX)[:40]!r} may use only "
                "lower-case letters, digits and _ (at most 40)."
            )
    return problems


def contact_row(roles: Sequence[str], cells: Sequence[str]) -> ContactRow:
    """The row's values by role; raises RowError for a row to skip."""
    phone, name, fields, tags = "", "", {}, []
    for role, cell in zip(roles, cells, strict=False):
        value = cell.strip()
        if "\x00" in value and role != SKIP:
            # PostgreSQL text cannot hold NUL; such a cell is binary garbage, not a contact.
            raise RowError("A cell contains a NUL character (binary data).")
        if role == PHONE:
            # Our own export marks "+49…" with an apostrophe against formula injection.
            phone = value.removeprefix("'")
        elif role == NAME:
            if len(value) > MAX_NAME:
                raise RowError(f"The name is longer than {MAX_NAME} characters.")
            name = value
        elif role == TAGS:
            for tag in re.split(r"[,|]", value):
                if len(tag.strip()) > MAX_TAG:
                    raise RowError(f"A tag is longer than {MAX_TAG} characters.")
                if tag.strip():
                    tags.append(tag.strip())
        elif role.startswith(FIELD_PREFIX) and value:
            if len(value) > MAX_FIELD_VALUE:
                key = role.removeprefix(FIELD_PREFIX)
                raise RowError(f"The value for {key} is longer than {MAX_FIELD_VALUE} characters.")
            fields[role.removeprefix(FIELD_PREFIX)] = value
    if not phone:
        raise RowError("The phone number is missing.")
    try:
        e164 = normalize_phone(phone)
    except InvalidPhoneNumber as exc:
        raise RowError(str(exc)) from exc
    return ContactRow(e164, name, fields, tags)
