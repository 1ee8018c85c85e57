"""Inbound opt-out keywords (docs/architecture.md, "Inbox"): a customer who writes STOP is never
messaged by a campaign again.

The contacts app owns Contact; until it has an opt-out service, `opt_out_contact` here is the
one function that sets `Contact.opted_out`, and the campaigns work can call it too.
"""

from __future__ import annotations

import string
import unicodedata
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from campaigns.models import Contact
from instances.models import OutboundMessage, OutboundStatus

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
    words = (*ALWAYS, *settings.INBOX_OPT_OUT_KEYWORDS)
    return frozenset(normalized(word) for word in words if normalized(word))


def is_opt_out(text: str) -> bool:
    return bool(text) and len(text) <= 100 and normalized(text) in keywords()


def opt_out_contact(phone: str, *, reason: str, chat_id: str = "") -> Contact:
    """Mark the person opted out (made a contact if they were none) and cancel the messages
    still queued to them that the team did not write by hand in the inbox."""
    contact, _ = Contact.objects.get_or_create(phone=phone, defaults={"chat_id": chat_id})
    if not contact.opted_out:
        contact.opted_out, contact.opted_out_at = True, timezone.now()
        contact.opt_out_reason = reason[:200]
        contact.save(update_fields=["opted_out", "opted_out_at", "opt_out_reason", "updated_at"])
    if chat_id:
        OutboundMessage.objects.filter(
            chat_id=chat_id, status=OutboundStatus.QUEUED, conversation_message__isnull=True
        ).update(status=OutboundStatus.CANCELLED, status_changed_at=timezone.now())
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
    contact = opt_out_contact(
        chat.phone, reason=f"Wrote {message.body[:40]!r} in the inbox", chat_id=chat.chat_id
    )
    Chat.objects.filter(pk=chat.pk).update(contact=contact)
    Note.objects.create(
        chat=chat,
        body=f"Opted out: wrote {message.body[:40]!r}. Campaigns will not message "
        f"{chat.phone} again; queued messages to them were cancelled.",
    )
