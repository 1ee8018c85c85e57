"""Who a message goes to: a phone number in any common form, or a WhatsApp chat id."""

from __future__ import annotations

import re

from instances.outbound.errors import OutboundValidationError
from instances.phone_numbers import InvalidPhoneNumber, digits_only, to_e164

# A person by number, a group (new and old id forms), a privacy id, a channel.
CHAT_ID = re.compile(
    r"^(?:\d{5,20}@c\.us|\d{5,20}(?:-\d{5,20})?@g\.us|\d{5,25}@lid|\d{5,25}@newsletter)$"
)


def chat_id_for(to: object) -> str:
    """`+49 151 2345 6789` -> `4915123456789@c.us`; a chat id is checked and kept."""
    if not isinstance(to, str) or not to.strip():
        raise OutboundValidationError({"to": ["Give a phone number or a chat id."]})
    value = to.strip()
    if "@" in value:
        if not CHAT_ID.match(value):
            raise OutboundValidationError(
                {"to": [f"{value[:80]} is not a chat id (…@c.us, …@g.us, …@lid, …@newsletter)."]}
            )
        return value
    try:
        e164 = to_e164(value)
    except InvalidPhoneNumber as exc:
        raise OutboundValidationError({"to": [str(exc)]}) from None
    return f"{digits_only(e164)}@c.us"
