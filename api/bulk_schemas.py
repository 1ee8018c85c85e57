"""Bodies of `/bulk/...`: seed 002's bulk send with variables, and the batches it makes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from api.pagination import Pagination
from api.schemas import Meta, WhenIn
from campaigns.audience import MAX_VALUE, MAX_VARS
from campaigns.forms import MAX_WAIT_SECONDS

# At most this many messages per call: a batch's recipients are stored in the request.
MAX_MESSAGES = 10_000
# A randomised delay goes up to 1.5 times the one asked for, which stays within a day.
MAX_DELAY_MS = MAX_WAIT_SECONDS * 1000 * 2 // 3

VariableName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,59}$")]
VariableValue = Annotated[str, StringConstraints(max_length=MAX_VALUE)] | int | float


class BulkContent(Schema):
    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(None, max_length=4096, description="A text message's template.")
    url: str | None = Field(None, max_length=1000, description="http(s) address of the media.")
    caption: str | None = Field(None, max_length=2000, description="A media message's template.")


class BulkMessage(Schema):
    model_config = ConfigDict(extra="forbid")
    chatId: str = Field(..., max_length=120, description="A phone number or `<digits>@c.us`.")
    type: Literal["text", "image", "video", "document"] = "text"
    content: BulkContent
    variables: dict[VariableName, VariableValue] = Field(
        default_factory=dict, max_length=MAX_VARS, description="Values for {name}-style fields."
    )


class BulkOptions(Schema):
    model_config = ConfigDict(extra="forbid")
    delayBetweenMessages: int = Field(
        20_000, ge=0, le=MAX_DELAY_MS, description="Milliseconds between two messages."
    )
    randomizeDelay: bool = Field(True, description="Draw each delay from 0.5x to 1.5x of it.")
    sendAt: WhenIn | None = Field(None, description="Start then instead of now (with a zone).")
    name: str | None = Field(None, max_length=120, description="Shown in the dashboard.")


class BulkSendIn(Schema):
    model_config = ConfigDict(extra="forbid")
    profileId: str = Field(..., max_length=64, description="The profile (instance) to send from.")
    messages: list[BulkMessage] = Field(..., min_length=1, max_length=MAX_MESSAGES)
    options: BulkOptions = Field(default_factory=BulkOptions)


class BatchCounts(Schema):
    total: int
    pending: int
    queued: int
    sent: int
    delivered: int
    read: int
    replied: int
    failed: int
    unconfirmed: int
    optedOut: int
    cancelled: int


class BatchOut(Schema):
    id: str
    name: str
    profileId: str | None
    status: str
    pauseReason: str | None
    createdAt: datetime
    scheduledAt: datetime | None
    startedAt: datetime | None
    finishedAt: datetime | None
    total: int
    progress: int = Field(..., description="Percent of the recipients done with.")
    counts: BatchCounts | None = Field(None, description="In a batch's own answer, not in lists.")


class BatchEnvelope(Schema):
    success: bool = True
    data: BatchOut
    meta: Meta


class BatchListEnvelope(Schema):
    success: bool = True
    data: list[BatchOut]
    meta: Pagination


class SentMeta(Meta):
    skipped: int = Field(..., description="Messages left out: their contact opted out.")


class BatchSentEnvelope(Schema):
    success: bool = True
    data: BatchOut
    meta: SentMeta
