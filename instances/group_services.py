"""Groups of a linked number, managed through its engine (`Capability.GROUPS`).

Nothing is stored: WhatsApp is the record of a group, so every call asks the engine.
"""

from __future__ import annotations

import enum
import logging

from instances.engine_cache import engine_for
from instances.engines.base import Capability, GroupInfo, GroupInvite, PermanentError
from instances.models import Instance

logger = logging.getLogger(__name__)


class GroupsNotSupported(Exception):
    """The instance's gateway has no groups API; the message says which gateway."""


class ParticipantAction(enum.StrEnum):
    ADD = "add"
    REMOVE = "remove"
    PROMOTE = "promote"
    DEMOTE = "demote"


def _groups_engine(instance: Instance):
    if not instance.supports(Capability.GROUPS):
        raise GroupsNotSupported(
            f"This profile's gateway ({instance.engine_class.label}) has no groups API."
        )
    return engine_for(instance)


def list_groups(instance: Instance) -> list[GroupInfo]:
    return _groups_engine(instance).list_groups()


def group_info(instance: Instance, group_id: str) -> GroupInfo:
    return _groups_engine(instance).group_info(group_id)


def create_group(
    instance: Instance, name: str, participants: list[str], description: str = ""
) -> GroupInfo:
    """Create the group (this number becomes its superadmin), describe it, read it back."""
    engine = _groups_engine(instance)
    group_id = engine.create_group(name, participants)
    if not group_id:
        raise PermanentError("The gateway created the group but did not say which it is.")
    logger.info("Instance %s created group %s", instance.pk, group_id)
    if description:
        engine.update_group(group_id, description=description)
    return engine.group_info(group_id)


def update_group(
    instance: Instance, group_id: str, *, subject: str | None, description: str | None
) -> GroupInfo:
    engine = _groups_engine(instance)
    engine.update_group(group_id, subject=subject, description=description)
    return engine.group_info(group_id)


def change_participants(
    instance: Instance, group_id: str, action: ParticipantAction, participants: list[str]
) -> GroupInfo:
    """Apply the action, then read the group: WhatsApp may have refused some of them (a
    privacy setting that forbids being added), which the participants read back show."""
    engine = _groups_engine(instance)
    method = getattr(engine, f"{action.value}_participants")
    method(group_id, participants)
    logger.info(
        "Instance %s: %s %s participant(s) in group %s",
        instance.pk,
        action.value,
        len(participants),
        group_id,
    )
    return engine.group_info(group_id)


def leave_group(instance: Instance, group_id: str) -> None:
    _groups_engine(instance).leave_group(group_id)
    logger.info("Instance %s left group %s", instance.pk, group_id)


def group_invite(instance: Instance, group_id: str) -> GroupInvite:
    return _groups_engine(instance).group_invite(group_id)
