"""Inbound opt-out keywords (docs/architecture.md, "Inbox"): a customer who writes STOP is never
messaged by a campaign again. Contacts change only through the contacts' services
(campaigns/contact_services.py), campaign messages only through the feeder's
`withdraw_opted_out`.
"""

from __future__ import annotations

import string
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from campaigns import contact_services
from campaigns.feeder import withdraw_opted_out
from campaigns.models import Campaign, Contact
from instances.models import OutboundStatus

if TYPE_CHECKING:
    from inbox.models import Chat, ConversationMessage

# A keyword counts only as the whole message: "stop", "STOP!", "Stöp"; not "don't stop".
_IGNORED = str.maketrans("", "", string.punctuation + string.whitespace + "¡¿")


def normalized(text: str) -> str:
    """Upper case without accents, spaces or punctuation: how keywords are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.translate(_IGNORED).casefold()


ALWAYS = ("STOP", "UNSUBSCRIBE")


def keywords() -> frozenset[str]:
    return _normalized_keywords((*ALWAYS, *settings.INBOX_OPT_OUT_KEYWORDS))


@cache
def _normalized_keywords(words: tuple[str, ...]) -> frozenset[str]:
    # Kept per keyword list: every incoming message is checked against it.
    return frozenset(normalized(word) for word in words if normalized(word))


def is_opt_out(text: str) -> bool:
    return bool(text) and len(text) <= 100 and normalized(text) in keywords()


def opt_out_contact(phone: str, *, reason: str) -> Contact:
    """Mark the person opted out (made a contact if they were none) and withdraw their campaign
    messages still waiting in the queue."""
    contact = contact_services.opt_out(contact_services.contact_for_phone(phone), reason)
    waiting = Campaign.objects.filter(
        recipients__phone=phone, recipients__message__status=OutboundStatus.QUEUED
    ).distinct()
    for campaign in waiting:
        withdraw_opted_out(campaign)
    return contact


@transaction.atomic
def opt_out_from_chat(chat: Chat, message: ConversationMessage) -> None:
    from inbox.models import Chat, Note

    if not chat.phone:
        # A privacy id without a known phone: the note tells the team to act by hand.
        Note.objects.create(
            chat=chat,
            body=f"Asked to opt out ({message.body[:40]!r}), but the phone number is not "
            "known yet, so no contact could be marked.",
        )
        return
    contact = opt_out_contact(chat.phone, reason=f"Wrote {message.body[:40]!r} in the inbox")
    Chat.objects.filter(pk=chat.pk).update(contact=contact)
    Note.objects.create(
        chat=chat,
        body=f"Opted out: wrote {message.body[:40]!r}. Campaigns will not message "
        f"{chat.phone} again; their queued campaign messages were withdrawn.",
    )
