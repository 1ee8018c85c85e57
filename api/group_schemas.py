"""Request and response bodies of `/groups/...`, with seed 002's camelCase field names."""

from __future__ import annotations

from ninja import Field, Schema
from pydantic import ConfigDict

from api.pagination import Pagination
from api.schemas import Meta, QueryText

# WhatsApp's own limits: a subject of 100 characters, a description of 2048. Participants per
# call are bounded lower than a group's size: adding many strangers at once is a known cause
# of bans, and one call should stay one short engine request.
SUBJECT_MAX = 100
DESCRIPTION_MAX = 2048
PARTICIPANTS_MAX = 50

PROFILE_ID = "The profile (instance) whose WhatsApp number sees and changes the group."
PARTICIPANT = "A phone number in E.164 (+4915123456789) or a chat id (4915123456789@c.us)."


class ProfileQuery(Schema):
    profileId: QueryText = Field(..., max_length=64, description=PROFILE_ID)


class GroupBody(Schema):
    model_config = ConfigDict(extra="forbid")
    profileId: str = Field(..., max_length=64, description=PROFILE_ID)


class GroupCreateIn(GroupBody):
    name: str = Field(..., min_length=1, max_length=SUBJECT_MAX, description="The subject.")
    participants: list[str] = Field(
        ...,
        min_length=1,
        max_length=PARTICIPANTS_MAX,
        description=f"Who to add besides this number. {PARTICIPANT}",
    )
    description: str | None = Field(None, max_length=DESCRIPTION_MAX)


class GroupUpdateIn(GroupBody):
    subject: str | None = Field(None, min_length=1, max_length=SUBJECT_MAX)
    description: str | None = Field(
        None, max_length=DESCRIPTION_MAX, description="An empty string clears it."
    )


class ParticipantsIn(GroupBody):
    participants: list[str] = Field(
        ..., min_length=1, max_length=PARTICIPANTS_MAX, description=PARTICIPANT
    )


class ParticipantOut(Schema):
    id: str = Field(..., description="The participant's chat id.")
    phone: str | None = Field(None, description="E.164, unless WhatsApp hides the number.")
    role: str = Field(..., description="superadmin (the creator), admin or member.")


class GroupOut(Schema):
    id: str
    profileId: str
    subject: str
    description: str
    owner: str | None
    participants: list[ParticipantOut]


class GroupEnvelope(Schema):
    success: bool = True
    data: GroupOut
    meta: Meta


class GroupListEnvelope(Schema):
    success: bool = True
    data: list[GroupOut]
    meta: Pagination


class LeftOut(Schema):
    id: str
    profileId: str
    left: bool


class LeftEnvelope(Schema):
    success: bool = True
    data: LeftOut
    meta: Meta


class InviteOut(Schema):
    groupId: str
    code: str
    link: str = Field(..., description="https://chat.whatsapp.com/<code>: anyone with it can join.")


class InviteEnvelope(Schema):
    success: bool = True
    data: InviteOut
    meta: Meta
