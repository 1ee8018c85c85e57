"""Senders known only by a privacy id (`…@lid`): resolved to a phone through the engine's LID
look-up, and their conversation merged with the phone's when both exist."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from campaigns.models import Contact
from inbox.conversations import phone_of, touch
from inbox.models import Chat, ConversationMessage, Note
from instances.engine_cache import engine_for
from instances.engines.base import EngineError


def resolve_lid(chat: Chat) -> Chat:
    """Ask the engine for the phone behind the chat's LID; the chat that holds the conversation
    afterwards (the same one, or the phone's chat it was merged into)."""
    if not chat.chat_id.endswith("@lid"):
        return chat
    try:
        phone_chat_id = engine_for(chat.instance).lookup_lid(chat.chat_id)
    except EngineError:
        # The engine cannot say now (or ever, on old WAHA): the chat stays under its LID.
        return chat
    return merge_lid_chat(chat, phone_chat_id) if phone_chat_id else chat


@transaction.atomic
def merge_lid_chat(chat: Chat, phone_chat_id: str) -> Chat:
    """Give the LID chat its phone: it becomes the phone's chat, or joins it if one exists."""
    chat = Chat.objects.select_for_update().get(pk=chat.pk)
    lid = chat.lid or chat.chat_id
    phone = phone_of(phone_chat_id)
    target = (
        Chat.objects.select_for_update()
        .filter(instance=chat.instance, chat_id=phone_chat_id)
        .first()
    )
    if target is None:
        chat.chat_id, chat.lid, chat.phone = phone_chat_id, lid, phone
        chat.contact = chat.contact or Contact.objects.filter(phone=phone).first()
        chat.save(update_fields=["chat_id", "lid", "phone", "contact"])
        touch(chat)
        return chat
    ConversationMessage.objects.filter(chat=chat).update(chat=target)
    Note.objects.filter(chat=chat).update(chat=target)
    Chat.objects.filter(pk=target.pk).update(
        lid=lid, unread_count=F("unread_count") + chat.unread_count
    )
    if chat.last_message_at and (
        target.last_message_at is None or chat.last_message_at > target.last_message_at
    ):
        Chat.objects.filter(pk=target.pk).update(
            last_message_at=chat.last_message_at,
            last_message_preview=chat.last_message_preview,
            last_message_outgoing=chat.last_message_outgoing,
        )
    target.labels.add(*chat.labels.all())
    chat.delete()
    Note.objects.create(chat=target, body=f"Merged the conversation {phone} wrote as {lid}.")
    touch(target)
    target.refresh_from_db()
    return target
