"""Bodies of `/contacts/...`, bounded as the contact form bounds them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from api.pagination import Pagination
from api.schemas import Deleted, Meta, QueryText
from campaigns.contact_forms import MAX_CUSTOM_FIELDS
from campaigns.imports.mapping import FIELD_KEY

MAX_TAGS = 50

FieldKey = Annotated[str, StringConstraints(pattern=FIELD_KEY.pattern)]
# The contact form reads custom fields one per line, so a value has no line break.
FieldValue = Annotated[str, StringConstraints(max_length=1000, pattern=r"^[^\r\n]*$")]
# The contact form splits tags at commas and line breaks.
TagName = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[^,\r\n]+$")]


class ContactIn(Schema):
    model_config = ConfigDict(extra="forbid")
    phone: str = Field(..., max_length=40, description="E.164, or national in the default country.")
    name: str = Field("", max_length=200)
    customFields: dict[FieldKey, FieldValue] = Field(
        default_factory=dict, max_length=MAX_CUSTOM_FIELDS, description="Campaigns use {key}."
    )
    tags: list[TagName] = Field(default_factory=list, max_length=MAX_TAGS)


class ContactPatch(Schema):
    """Only the fields given change; customFields and tags replace what the contact has."""

    model_config = ConfigDict(extra="forbid")
    phone: str | None = Field(None, max_length=40)
    name: str | None = Field(None, max_length=200)
    customFields: dict[FieldKey, FieldValue] | None = Field(None, max_length=MAX_CUSTOM_FIELDS)
    tags: list[TagName] | None = Field(None, max_length=MAX_TAGS)
    optedOut: bool | None = Field(None, description="false opts a contact back in.")


class TagsIn(Schema):
    model_config = ConfigDict(extra="forbid")
    tags: list[TagName] = Field(..., min_length=1, max_length=MAX_TAGS)


class ContactQuery(Schema):
    search: QueryText = Field("", max_length=100, description="A name part, or a number's digits.")
    tag: QueryText = Field("", max_length=60, description="Only contacts with this tag.")
    optedOut: bool | None = None


class ContactOut(Schema):
    id: str
    phone: str
    chatId: str
    name: str
    customFields: dict[str, Any]
    tags: list[str]
    optedOut: bool
    optedOutAt: datetime | None
    createdAt: datetime
    updatedAt: datetime


class ContactEnvelope(Schema):
    success: bool = True
    data: ContactOut
    meta: Meta


class ContactListEnvelope(Schema):
    success: bool = True
    data: list[ContactOut]
    meta: Pagination


class ContactDeletedEnvelope(Schema):
    success: bool = True
    data: Deleted
    meta: Meta
