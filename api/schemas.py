"""Request and response bodies, with seed 002's camelCase field names."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict

from api.pagination import Pagination

# Base64 of the largest file a message may carry (OUTBOUND_MEDIA_MAX_BYTES at its default).
BASE64_MAX = 4 * (16 * 1_048_576 // 3 + 1)


def _in_utc(value: datetime) -> datetime:
    """An aware time as UTC: the database takes offsets only up to about 16 hours, while ISO
    8601 (and Python) allow up to 24; a time with none stays naive for the view to refuse."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("The time is out of range.") from None


# A time from a request body.
WhenIn = Annotated[datetime, AfterValidator(_in_utc)]


def _without_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL: refused here, it never reaches a query.
    if "\x00" in value:
        raise ValueError("Must not contain NUL characters.")
    return value


# Free text from a query string.
QueryText = Annotated[str, AfterValidator(_without_nul)]


class Meta(Schema):
    timestamp: str


class ErrorDetail(Schema):
    code: str
    message: str
    details: dict[str, list[str]] | None = None


class ErrorEnvelope(Schema):
    success: bool = False
    error: ErrorDetail


def answers(ok_status: int, envelope: type[Schema], *errors: int) -> dict[int, type[Schema]]:
    """An operation's documented answers: its success and the errors every call may get."""
    common = (400, 401, 422, 429, 500)
    return {ok_status: envelope, **{status: ErrorEnvelope for status in (*common, *errors)}}


# Message contents, one per kind; the keys map to enqueue's payload keys in api/messages.py.
class Content(Schema):
    model_config = ConfigDict(extra="forbid")
    replyTo: str | None = Field(None, max_length=200, description="Id of a message to quote.")


class TextContent(Content):
    text: str = Field(..., max_length=4096)
    linkPreview: bool | None = None


class MediaContent(Content):
    url: str | None = Field(None, max_length=2048, description="http(s) address of the file.")
    # The request body's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE) bounds it before this does.
    base64: str | None = Field(
        None,
        max_length=BASE64_MAX,
        description="The file itself, base64-encoded, instead of url; give its filename too.",
    )
    caption: str | None = Field(None, max_length=2000)
    filename: str | None = Field(None, max_length=255)
    mimetype: str | None = Field(None, max_length=255)


class LocationContent(Content):
    latitude: float
    longitude: float
    title: str | None = Field(None, max_length=1024)


class ContactContent(Content):
    vcard: str = Field(..., max_length=4096, description="A vCard, BEGIN:VCARD ... END:VCARD.")


class PollContent(Content):
    name: str = Field(..., max_length=1024)
    options: list[str] = Field(..., max_length=12)
    multipleAnswers: bool | None = None


class ListRow(Schema):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(..., max_length=200)
    title: str = Field(..., max_length=60)
    description: str | None = Field(None, max_length=1024)


class ListSection(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(..., max_length=60)
    rows: list[ListRow] = Field(..., max_length=100)


class ListContent(Content):
    title: str = Field(..., max_length=60)
    description: str = Field(..., max_length=1024)
    buttonText: str = Field(..., max_length=20)
    footer: str | None = Field(None, max_length=60)
    sections: list[ListSection] = Field(..., max_length=10)


class ReactionContent(Content):
    messageId: str = Field(..., max_length=200)
    emoji: str = Field("", max_length=16, description="Empty removes the reaction.")


class LinkPreviewContent(Content):
    url: str = Field(..., max_length=2048)
    text: str | None = Field(None, max_length=4096)
    title: str | None = Field(None, max_length=1024)
    description: str | None = Field(None, max_length=1024)
    imageUrl: str | None = Field(None, max_length=2048)


class SendBase(Schema):
    profileId: str = Field(..., max_length=64, description="The profile (instance) to send from.")
    chatId: str = Field(..., max_length=120, description="A phone number or a WhatsApp chat id.")
    priority: int = Field(0, ge=-100, le=100, description="Higher is sent first.")
    sendAt: WhenIn | None = Field(None, description="Not before this time (with a zone).")


def send_schema(name: str, content: type[Content]) -> type[SendBase]:
    return type(name, (SendBase,), {"__annotations__": {"content": content}})


class MessageOut(Schema):
    id: str
    profileId: str
    chatId: str
    type: str
    status: str
    priority: int
    sendAt: datetime | None
    createdAt: datetime
    sentAt: datetime | None
    providerMessageId: str | None
    error: str | None
    content: dict[str, Any]


class MessageEnvelope(Schema):
    success: bool = True
    data: MessageOut
    meta: Meta


class ProfileOut(Schema):
    id: str
    name: str
    engine: str
    status: str
    phone: str | None
    pushName: str | None
    statusChangedAt: datetime | None
    lastError: str | None


class ProfileIn(Schema):
    name: str = Field(..., max_length=80)
    engine: str = Field(..., max_length=20, description="waha, wawp, messagepro, chatapi, ...")
    baseUrl: str = Field(..., max_length=300, description="Where the engine answers.")
    sessionName: str = Field(..., max_length=100)
    apiKey: str = Field("", max_length=500, description="The engine's key; stored encrypted.")


class ProfileEnvelope(Schema):
    success: bool = True
    data: ProfileOut
    meta: Meta


class ProfileListEnvelope(Schema):
    success: bool = True
    data: list[ProfileOut]
    meta: Pagination


class QrOut(Schema):
    status: str
    qr: str | None = Field(None, description="The raw QR string, when the engine gives one.")
    image: str | None = Field(None, description="A data: URI of the QR as a PNG.")


class QrEnvelope(Schema):
    success: bool = True
    data: QrOut
    meta: Meta


class Deleted(Schema):
    id: str
    deleted: bool


class DeletedEnvelope(Schema):
    success: bool = True
    data: Deleted
    meta: Meta
