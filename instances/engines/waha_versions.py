"""What a WAHA server can do, derived from what it says about itself (`GET /api/version`).

WAHA in the field ranges from 2024 Core builds to current releases; docs/gateways.md ("WAHA
versions and tiers") explains each row of this table. A version Switchboard cannot read, or one
newer than it knows, gets the current behaviour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from instances.engines.base import MessageKind, ServerInfo

# Every former Plus feature (several sessions, HMAC-signed webhooks, media sends) is in Core
# from this release on.
ALL_IN_CORE_SINCE = (2026, 6)
# The oldest release line Switchboard drives like a current one; older ones behave like the
# 2024.10.8 server the adapter was checked against (unknown event names refused, no message
# look-up route, client message ids and `linkPreview` ignored).
CURRENT_API_SINCE = (2025, 1)

# The event names a 2024.10.8 server accepts in a webhook config; any other name makes it
# refuse the whole session with 400 "each value in events must be one of ...".
EVENTS_2024 = frozenset(
    {
        "*",
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
    }
)
MEDIA_KINDS = frozenset(
    {MessageKind.IMAGE, MessageKind.DOCUMENT, MessageKind.VIDEO, MessageKind.VOICE}
)
CORE_ONLY_SESSION = "default"
# WAHA Core's own words when asked for any other session (its OnlyDefaultSessionIsAllowed).
CORE_SESSION_EXPLANATION = (
    "WAHA Core support only 'default' session. If you want to run more then one WhatsApp "
    "account - please get WAHA PLUS version. Check this out: https://waha.devlike.pro/"
)


@dataclass(frozen=True)
class WahaFeatures:
    """`events` is None when the server accepts every event name Switchboard subscribes to."""

    events: frozenset[str] | None = None
    signs_webhooks: bool = True
    message_lookup: bool = True
    client_ids: bool = True
    any_session_name: bool = True
    refused_kinds: frozenset[MessageKind] = frozenset()

    def accepts_event(self, name: str) -> bool:
        return self.events is None or name in self.events


CURRENT = WahaFeatures()


def parse_version(text: str) -> tuple[int, ...] | None:
    """`2024.10.8` -> (2024, 10, 8); None for anything that is not WAHA's calendar version."""
    found = re.match(r"^v?(\d{4})\.(\d{1,2})(?:\.(\d+))?", text.strip())
    if found is None:
        return None
    return tuple(int(part) for part in found.groups() if part is not None)


def features_for(server: ServerInfo | None) -> WahaFeatures:
    if server is None:
        return CURRENT
    version = parse_version(server.version)
    if version is None or version >= ALL_IN_CORE_SINCE:
        return CURRENT
    core = server.tier.upper() == "CORE"
    refused = set(MEDIA_KINDS if core else ())
    if server.engine.upper() == "NOWEB":
        # Before everything moved to Core, NOWEB answered 422 "not implemented" for video.
        refused.add(MessageKind.VIDEO)
    current_api = version >= CURRENT_API_SINCE
    return WahaFeatures(
        events=None if current_api else EVENTS_2024,
        signs_webhooks=not core,
        message_lookup=current_api,
        client_ids=current_api,
        any_session_name=not core,
        refused_kinds=frozenset(refused),
    )


def session_name_problem(server: ServerInfo | None, session: str) -> str:
    """WAHA's explanation when this server cannot run a session by that name, else ''."""
    if features_for(server).any_session_name or session == CORE_ONLY_SESSION:
        return ""
    return CORE_SESSION_EXPLANATION
