"""Identifiers in WAHA's formats: event ULIDs, NOWEB message keys, chat and message ids."""

from __future__ import annotations

import random
import re

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_NON_DIGITS = re.compile(r"\D")


def ulid(rng: random.Random, now_ms: int) -> str:
    """A 26-character ULID: 48 bits of milliseconds, then 80 random bits, in Crockford base32."""
    value = ((now_ms & ((1 << 48) - 1)) << 80) | rng.getrandbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def event_id(rng: random.Random, now_ms: int) -> str:
    """WAHA's webhook event id: `evt_` and a lower-case ULID (docs/gateways.md)."""
    return "evt_" + ulid(rng, now_ms).lower()


def message_key(rng: random.Random) -> str:
    """A NOWEB (Baileys) style message key, e.g. `3EB0C767D097B7B6B8D4`."""
    return f"3EB0{rng.getrandbits(64):016X}"


def digits(value: str) -> str:
    return _NON_DIGITS.sub("", value)


def chat_id_for(value: str) -> str:
    """`+1 555 000 1111`, `15550001111` or `15550001111@s.whatsapp.net` -> `15550001111@c.us`.

    Ids that already name a kind of chat (`@c.us`, `@g.us`, `@lid`, `@newsletter`) pass through.
    """
    if "@" not in value:
        return f"{digits(value)}@c.us"
    user, _, server = value.partition("@")
    if server == "s.whatsapp.net":
        return f"{user}@c.us"
    return value


def jid_for(chat_id: str) -> str:
    """The engine-side JID NOWEB keeps in `_data.key.remoteJid`."""
    user, _, server = chat_id.partition("@")
    return f"{user}@s.whatsapp.net" if server == "c.us" else chat_id


def serialize_message_id(from_me: bool, chat_id: str, key: str) -> str:
    """`true|false_<chatId>_<key>` (docs/gateways.md, message ids)."""
    return f"{'true' if from_me else 'false'}_{chat_id}_{key}"


def parse_message_id(message_id: str) -> tuple[bool, str, str] | None:
    """(from_me, chat_id, key) of a serialized id; None when it is not one."""
    parts = message_id.split("_")
    if len(parts) < 3 or parts[0] not in ("true", "false") or "@" not in parts[1]:
        return None
    return parts[0] == "true", parts[1], parts[2]
