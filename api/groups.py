"""`/groups/...`: a profile's WhatsApp groups, through its engine's groups API
(`instances.group_services`).

Seed 002 names the profile only in `GET /groups/profile/:profileId`; every `/groups/:groupId`
route takes it as `profileId`, in the query (GET) or the body (POST, PATCH), because a group
is seen through one linked number. Reading needs the read-only ability; changing a group, and
its invite link (which lets anyone join), need the operator's `send_messages`: group changes
speak for the number in WhatsApp as a message does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Query, Router, Status

from accounts.roles import Ability
from api import group_schemas as gs
from api import schemas
from api.auth import instance_for_key, require_ability
from api.envelope import ApiError, Code, invalid, success
from api.pagination import PageQuery, page_of
from instances import group_services
from instances.engines.base import NO_SUCH_GROUP, GroupInfo, NotFoundError
from instances.group_services import GroupsNotSupported, ParticipantAction
from instances.models import Instance
from instances.outbound.errors import OutboundValidationError
from instances.outbound.recipients import CHAT_ID, chat_id_for

router = Router(tags=["Groups"])
T = TypeVar("T")


def group_data(instance: Instance, group: GroupInfo) -> dict[str, Any]:
    return {
        "id": group.id,
        "profileId": str(instance.uuid),
        "subject": group.subject,
        "description": group.description,
        "owner": group.owner or None,
        "participants": [
            {"id": p.id, "phone": p.phone or None, "role": p.role.value} for p in group.participants
        ],
    }


def _instance(request: HttpRequest, profile_id: str, ability: Ability) -> Instance:
    return instance_for_key(require_ability(request, ability), profile_id)


def _group_id(value: str) -> str:
    if not value.endswith("@g.us") or not CHAT_ID.match(value):
        raise ApiError(
            Code.VALIDATION_ERROR,
            f"groupId: {value[:80]!r} is not a group id (<digits>@g.us or <digits>-<digits>@g.us).",
        )
    return value


def _participants(values: list[str]) -> list[str]:
    """Each as `<digits>@c.us`; every bad one is named by its position."""
    chat_ids, details = [], {}
    for index, value in enumerate(values):
        try:
            chat_id = chat_id_for(value)
        except OutboundValidationError as exc:
            details[f"participants.{index}"] = [m for ms in exc.errors.values() for m in ms]
            continue
        if not chat_id.endswith("@c.us"):
            details[f"participants.{index}"] = [f"{value[:80]} is not a person's number."]
        chat_ids.append(chat_id)
    if details:
        raise invalid(details)
    return chat_ids


def _call(action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a group service; a gateway without groups or an unknown group is the caller's
    mistake (422, 404), any other engine failure is ENGINE_ERROR (api/rest.py)."""
    try:
        return action(*args, **kwargs)
    except GroupsNotSupported as exc:
        # Like a message kind the profile's gateway cannot send (api/messages.py): the body
        # is readable, but this profile cannot do what it asks.
        raise ApiError(Code.VALIDATION_ERROR, str(exc)) from None
    except NotFoundError as exc:
        if exc.code != NO_SUCH_GROUP:
            raise
        raise ApiError(Code.NOT_FOUND, "This profile's number is in no such group.") from None


@router.get(
    "/profile/{profile_id}",
    response=schemas.answers(200, gs.GroupListEnvelope, 403, 404, 502),
    summary="List the groups a profile's number is in",
)
def list_groups(request: HttpRequest, profile_id: str, query: Query[PageQuery]):
    """Sorted by subject; paged here, as WhatsApp answers every group at once."""
    instance = _instance(request, profile_id, Ability.VIEW_INSTANCES)
    groups = _call(group_services.list_groups, instance)
    page_items, place = page_of(groups, query)
    return success([group_data(instance, group) for group in page_items], **place)


@router.post(
    "",
    response=schemas.answers(201, gs.GroupEnvelope, 403, 404, 502),
    summary="Create a group",
)
def create_group(request: HttpRequest, body: gs.GroupCreateIn):
    """The profile's number creates the group and becomes its superadmin."""
    instance = _instance(request, body.profileId, Ability.SEND_MESSAGES)
    participants = _participants(body.participants)
    group = _call(
        group_services.create_group,
        instance,
        body.name,
        participants,
        description=body.description or "",
    )
    return Status(201, success(group_data(instance, group)))


@router.get(
    "/{group_id}",
    response=schemas.answers(200, gs.GroupEnvelope, 403, 404, 502),
    summary="One group, with its participants",
)
def get_group(request: HttpRequest, group_id: str, query: Query[gs.ProfileQuery]):
    instance = _instance(request, query.profileId, Ability.VIEW_INSTANCES)
    group = _call(group_services.group_info, instance, _group_id(group_id))
    return success(group_data(instance, group))


@router.patch(
    "/{group_id}",
    response=schemas.answers(200, gs.GroupEnvelope, 403, 404, 502),
    summary="Change a group's subject or description",
)
def update_group(request: HttpRequest, group_id: str, body: gs.GroupUpdateIn):
    """Give `subject`, `description` or both; the number must be an admin of the group."""
    instance = _instance(request, body.profileId, Ability.SEND_MESSAGES)
    group_id = _group_id(group_id)
    if body.subject is None and body.description is None:
        raise ApiError(Code.VALIDATION_ERROR, "Give a subject, a description or both.")
    group = _call(
        group_services.update_group,
        instance,
        group_id,
        subject=body.subject,
        description=body.description,
    )
    return success(group_data(instance, group))


def _participants_route(action: ParticipantAction, summary: str):
    def change(request: HttpRequest, group_id: str, body: gs.ParticipantsIn):
        instance = _instance(request, body.profileId, Ability.SEND_MESSAGES)
        group_id = _group_id(group_id)
        participants = _participants(body.participants)
        group = _call(group_services.change_participants, instance, group_id, action, participants)
        return success(group_data(instance, group))

    change.__name__ = f"{action.value}_participants"
    change.__doc__ = (
        "Answers the group as it is afterwards: WhatsApp may refuse some participants "
        "(privacy settings, the group's creator), which the list then shows."
    )
    return router.post(
        f"/{{group_id}}/participants/{action.value}",
        response=schemas.answers(200, gs.GroupEnvelope, 403, 404, 502),
        summary=summary,
    )(change)


_participants_route(ParticipantAction.ADD, "Add participants")
_participants_route(ParticipantAction.REMOVE, "Remove participants")
_participants_route(ParticipantAction.PROMOTE, "Promote participants to admin")
_participants_route(ParticipantAction.DEMOTE, "Demote admins to members")


@router.post(
    "/{group_id}/leave",
    response=schemas.answers(200, gs.LeftEnvelope, 403, 404, 502),
    summary="Leave a group",
)
def leave_group(request: HttpRequest, group_id: str, body: gs.GroupBody):
    """The group goes on without this number."""
    instance = _instance(request, body.profileId, Ability.SEND_MESSAGES)
    group_id = _group_id(group_id)
    _call(group_services.leave_group, instance, group_id)
    return success({"id": group_id, "profileId": str(instance.uuid), "left": True})


@router.get(
    "/{group_id}/invite-link",
    response=schemas.answers(200, gs.InviteEnvelope, 403, 404, 502),
    summary="A group's invite link",
)
def invite_link(request: HttpRequest, group_id: str, query: Query[gs.ProfileQuery]):
    """Anyone with the link can join, so it needs the same ability as changing the group."""
    instance = _instance(request, query.profileId, Ability.SEND_MESSAGES)
    invite = _call(group_services.group_invite, instance, _group_id(group_id))
    return success({"groupId": group_id, "code": invite.code, "link": invite.link})
