"""The lifecycle actions offered on the instance page, and which of them make sense now."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from instances.engines.base import Capability
from instances.models import Instance, InstanceStatus


class Action(enum.StrEnum):
    """Each action is the engine capability of the same name (a test pins the two together)."""

    START = "start"
    STOP = "stop"
    RESTART = "restart"
    LOGOUT = "logout"
    RECREATE = "recreate"
    DELETE = "delete"

    @property
    def capability(self) -> Capability:
        return Capability(self.value)

    @property
    def loses_state(self) -> bool:
        """Actions that log the number out or remove the session ask for confirmation first."""
        return self in {Action.STOP, Action.LOGOUT, Action.RECREATE, Action.DELETE}


RUNNING = {InstanceStatus.STARTING, InstanceStatus.SCAN_QR_CODE, InstanceStatus.WORKING}

# Why an action is pointless in a status; an action missing here is always offered.
_NOT_NOW: dict[Action, dict[str, str]] = {
    Action.START: {status: "The session is already running." for status in RUNNING},
    Action.STOP: {InstanceStatus.STOPPED: "The session is not running."},
    Action.RESTART: {InstanceStatus.STOPPED: "The session is not running: start it instead."},
    Action.LOGOUT: {
        status: "No number is linked."
        for status in InstanceStatus
        if status not in {InstanceStatus.WORKING, InstanceStatus.UNKNOWN}
    },
}


@dataclass(frozen=True)
class Offer:
    action: Action
    disabled_reason: str = ""

    @property
    def primary(self) -> bool:
        return self.action is Action.START and not self.disabled_reason


def offered_actions(instance: Instance) -> list[Offer]:
    """The actions the engine can do (delete has its own button), each disabled with a reason
    when the instance's status makes it pointless."""
    return [
        Offer(action, _NOT_NOW.get(action, {}).get(instance.status, ""))
        for action in Action
        if action is not Action.DELETE and instance.supports(action.capability)
    ]
