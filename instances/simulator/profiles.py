"""Behaviour profiles: which WAHA release the simulator pretends to be.

`current` is today's WAHA, where every former Plus feature is in Core. `core-2024.10` is WAHA
Core 2024.10.8 on the NOWEB engine as it behaves on a real server (docs/gateways.md, "WAHA
versions and tiers"): unsigned webhooks without ids, the `default` session only, ~5 s before a
wrong-state answer, media refused, and more. Tests shorten the waits (`wrong_state_delay`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

# The event names 2024.10.8 accepts in a webhook config, in the order its 400 lists them.
EVENTS_2024_10 = (
    "session.status",
    "message",
    "message.reaction",
    "message.any",
    "message.ack",
    "message.waiting",
    "message.revoked",
    "state.change",
    "group.join",
    "group.leave",
    "presence.update",
    "poll.vote",
    "poll.vote.failed",
    "chat.archive",
    "call.received",
    "call.accepted",
    "call.rejected",
    "label.upsert",
    "label.deleted",
    "label.chat.added",
    "label.chat.deleted",
)


@dataclass(frozen=True)
class Profile:
    name: str
    version: str
    engine: str = "NOWEB"
    tier: str = "CORE"
    signs_webhooks: bool = True
    # `id` and `timestamp` on webhook envelopes.
    envelope_ids: bool = True
    only_default_session: bool = False
    # Seconds WAHA waits for the expected status before a wrong-state 422.
    wrong_state_delay: float = 0.0
    # None: any event name is accepted.
    allowed_events: tuple[str, ...] | None = None
    message_lookup: bool = True
    # The next three need a WORKING session, which a server without WhatsApp never reaches:
    # they follow WAHA's source and field reports rather than a recorded answer.
    honours_client_ids: bool = True
    # Image, file and voice sends refused as Plus-only; video "not implemented".
    media_refused: bool = False
    # A contact card is answered with 201 and an empty body.
    contact_card_empty: bool = False
    # Stop of a session that does not exist: 201 with an empty body instead of 404.
    stop_missing_empty: bool = False
    # While STARTING (WhatsApp unreachable) the same STARTING webhook repeats this often.
    starting_repeat_seconds: float | None = None
    screenshot_refused_while_starting: bool = False
    start_running_refused: bool = False
    # A stopped session answers `"engine": {}`; a running one created without a config has
    # no `config` key at all.
    old_session_shape: bool = False
    # A fresh server reports `default` as STOPPED instead of 404.
    default_always_exists: bool = False
    # A pairing code asked for while STARTING is never answered.
    pairing_code_hangs_while_starting: bool = False

    @property
    def environment(self) -> dict[str, Any]:
        return {"version": self.version, "engine": self.engine, "tier": self.tier, "browser": None}

    @property
    def user_agent(self) -> str:
        return f"WAHA/{self.version}"

    def with_changes(self, **changes: Any) -> Profile:
        return replace(self, **changes)


CURRENT = Profile(name="current", version="2026.9.1")
CORE_2024_10 = Profile(
    name="core-2024.10",
    version="2024.10.8",
    signs_webhooks=False,
    envelope_ids=False,
    only_default_session=True,
    wrong_state_delay=5.0,
    allowed_events=EVENTS_2024_10,
    message_lookup=False,
    honours_client_ids=False,
    media_refused=True,
    contact_card_empty=True,
    stop_missing_empty=True,
    starting_repeat_seconds=2.0,
    screenshot_refused_while_starting=True,
    start_running_refused=True,
    old_session_shape=True,
    default_always_exists=True,
    pairing_code_hangs_while_starting=True,
)
PROFILES = {profile.name: profile for profile in (CURRENT, CORE_2024_10)}
