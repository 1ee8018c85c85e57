"""Conversations from events: the chat a message belongs to, the bubble, its ticks and marks.

Every function here is idempotent, because an event may be applied twice (the engine posts
`message` and `message.any` for one incoming message; an event is reprocessed after a fix):
a message is one row per chat and provider id, an outgoing one also one row per outbound message.
"""

from __future__ import annotations

import contextvars
import uuid
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_q.tasks import async_task

from campaigns.models import Contact
from campaigns.services import record_reply
from inbox.models import Chat, ConversationMessage
from inbox.opt_outs import is_opt_out, opt_out_from_chat
from inbox.signals import message_received
from instances.engines.base import Ack, MessageData
from instances.models import Instance, OutboundMessage, OutboundStatus
from instances.outbound.status import ACK_STATUS, is_forward

M = ConversationMessage
PREVIEW_LENGTH = 120
# Status updates and channels are not conversations with a customer.
NOT_CONVERSATIONS = ("status@broadcast",)
NOT_CONVERSATION_SUFFIXES = ("@newsletter", "@broadcast")


def touch(chat: Chat) -> None:
    """Tell every open inbox that something in this chat changed (config/live.py)."""
    chat.changed_at = timezone.now()
    Chat.objects.filter(pk=chat.pk).update(changed_at=chat.changed_at)


def phone_of(chat_id: str) -> str:
    """`4917612345678@c.us` -> `+4917612345678`; "" for groups and privacy ids."""
    number, _, server = chat_id.partition("@")
    return f"+{number}" if server == "c.us" and number.isascii() and number.isdigit() else ""


def find_chat(instance: Instance, chat_id: str) -> Chat | None:
    """A chat by its id, or by the privacy id it was known by before its phone was."""
    chat = Chat.objects.filter(instance=instance, chat_id=chat_id).first()
    if chat is None and chat_id.endswith("@lid"):
        chat = Chat.objects.filter(instance=instance, lid=chat_id).first()
    return chat


def chat_for(instance: Instance, chat_id: str, *, name: str = "") -> tuple[Chat, bool]:
    """The chat for `chat_id`, made on first contact; (chat, created)."""
    chat = find_chat(instance, chat_id)
    if chat is not None:
        return chat, False
    phone = phone_of(chat_id)
    chat, created = Chat.objects.get_or_create(
        instance=instance,
        chat_id=chat_id,
        defaults={
            "phone": phone,
            "name": name[:200],
            "is_group": chat_id.endswith("@g.us"),
            "lid": chat_id if chat_id.endswith("@lid") else "",
            "contact": Contact.objects.filter(phone=phone).first() if phone else None,
        },
    )
    if created and chat_id.endswith("@lid"):
        chat_pk = chat.pk
        transaction.on_commit(
            lambda: async_task("inbox.tasks.resolve_lid", chat_pk, group=f"chat-{chat_pk}")
        )
    return chat, created


def record_message(instance: Instance, data: MessageData) -> ConversationMessage | None:
    """Add a message from a `message` or `message.any` event; None when it is already there or
    is not part of a conversation (status updates, channels)."""
    if not data.message_id or not data.chat_id:
        return None
    if data.chat_id in NOT_CONVERSATIONS or data.chat_id.endswith(NOT_CONVERSATION_SUFFIXES):
        return None
    is_group = data.chat_id.endswith("@g.us")
    chat, _ = chat_for(instance, data.chat_id, name="" if is_group else data.sender_name)
    if data.from_me:
        outbound = _our_send(instance, data)
        if outbound is not None:
            return _link_our_send(chat, outbound, data)
        if _claimed_by_a_send_in_flight(chat, data):
            return None
    message = _create_once(
        chat=chat,
        direction=M.Direction.OUT if data.from_me else M.Direction.IN,
        provider_id=data.message_id[:200],
        sender_id=data.sender_id[:120] if is_group else "",
        sender_name=data.sender_name[:200] if is_group else "",
        body=data.text,
        quoted=_quoted(chat, data.quoted_id),
        quoted_provider_id=data.quoted_id[:200],
        status=OutboundStatus.SENT if data.from_me else "",
        sent_at=data.sent_at or timezone.now(),
        **_media_fields(data),
    )
    if message is not None:
        _after_new_message(chat, message, data)
    return message


_careful: contextvars.ContextVar[bool] = contextvars.ContextVar("careful", default=False)


@contextmanager
def carefully():
    """Apply with every step guarded: a message already stored is skipped, and an insert that
    meets a concurrent delivery is rolled back to a savepoint. Ingest's first, fast attempt
    runs without this; the second and every reprocess run with it (inbox/services.py)."""
    token = _careful.set(True)
    try:
        yield
    finally:
        _careful.reset(token)


def _create_once(**fields) -> ConversationMessage | None:
    """The new message, or None when another delivery of it (`message` and `message.any`
    arrive together) stored it first; then the unique constraint decides, not a check."""
    if not _careful.get():
        return M.objects.create(**fields)
    if M.objects.filter(chat=fields["chat"], provider_id=fields["provider_id"]).exists():
        return None
    try:
        with transaction.atomic():
            return M.objects.create(**fields)
    except IntegrityError:
        return None


def _our_send(instance: Instance, data: MessageData) -> OutboundMessage | None:
    """The outbound message a `message.any` from our own number is the echo of: by the id the
    engine answered the send with, else by the client id we chose (the ack may come first)."""
    found = OutboundMessage.objects.filter(instance=instance, provider_id=data.message_id).first()
    if found is not None or not data.client_id:
        return found
    try:
        client_id = uuid.UUID(hex=data.client_id)
    except ValueError:
        return None
    return OutboundMessage.objects.filter(instance=instance, client_id=client_id).first()


def _claimed_by_a_send_in_flight(chat: Chat, data: MessageData) -> bool:
    """Engines that ignore client ids (WAHA 2024.10) name our send by an id we learn only from
    the send's answer, and the echo can arrive before that answer is recorded. The echo then
    belongs to the oldest inbox reply in the chat with the same text still waiting for its id."""
    waiting = (
        M.objects.filter(
            chat=chat,
            direction=M.Direction.OUT,
            provider_id="",
            body=data.text,
            outbound__provider_id="",
            outbound__status__in=(OutboundStatus.SENDING, OutboundStatus.SENT),
        )
        .order_by("id")
        .first()
    )
    if waiting is None:
        return False
    M.objects.filter(pk=waiting.pk).update(provider_id=data.message_id[:200])
    touch(chat)
    return True


def _link_our_send(
    chat: Chat, outbound: OutboundMessage, data: MessageData
) -> ConversationMessage | None:
    """Our own send coming back: the bubble the inbox made when it queued it gets the engine's
    id; a send from the compose page or a campaign gets its bubble now."""
    existing = M.objects.filter(outbound=outbound).first()
    if existing is not None:
        if not existing.provider_id:
            M.objects.filter(pk=existing.pk).update(provider_id=data.message_id[:200])
            touch(chat)
        return None
    message = _create_once(
        chat=chat,
        direction=M.Direction.OUT,
        provider_id=data.message_id[:200],
        outbound=outbound,
        body=data.text or str(outbound.payload.get("text") or outbound.payload.get("caption", "")),
        quoted=_quoted(chat, data.quoted_id),
        quoted_provider_id=data.quoted_id[:200],
        sent_at=data.sent_at or timezone.now(),
        **_media_fields(data),
    )
    if message is not None:
        _after_new_message(chat, message, data)
    return message


def _quoted(chat: Chat, quoted_id: str) -> ConversationMessage | None:
    return M.objects.filter(chat=chat, provider_id=quoted_id).first() if quoted_id else None


def _media_fields(data: MessageData) -> dict:
    media = data.media
    if media is None:
        return {}
    fields = {
        "media_mimetype": media.mimetype[:255],
        "media_filename": media.filename[:255],
        "media_source": media.url[:2048],
    }
    if media.error or not media.url:
        error = media.error or "The engine sent no address for the file."
        return {**fields, "media_state": M.Media.UNAVAILABLE, "media_error": error[:300]}
    return {**fields, "media_state": M.Media.PENDING}


def _after_new_message(chat: Chat, message: ConversationMessage, data: MessageData) -> None:
    incoming = message.direction == M.Direction.IN
    updates: dict = {"changed_at": timezone.now()}
    if chat.last_message_at is None or message.sent_at >= chat.last_message_at:
        # Out-of-order delivery must not show an older message as the latest.
        updates |= {
            "last_message_at": message.sent_at,
            "last_message_preview": preview_of(message),
            "last_message_outgoing": not incoming,
        }
    if incoming:
        updates |= {"unread_count": F("unread_count") + 1, "state": Chat.State.OPEN}
    if incoming and data.sender_name and not chat.name and not chat.is_group:
        updates["name"] = data.sender_name[:200]
    Chat.objects.filter(pk=chat.pk).update(**updates)
    if message.media_state == M.Media.PENDING:
        message_pk = message.pk
        transaction.on_commit(
            lambda: async_task("inbox.tasks.fetch_media", message_pk, group=f"chat-{chat.pk}")
        )
    if incoming:
        message_received.send(ConversationMessage, message=message, chat=chat)
    if incoming and not chat.is_group:
        # Campaign statistics count replies (campaigns/services.py).
        record_reply(chat.chat_id, message.sent_at)
    if incoming and not chat.is_group and is_opt_out(message.body):
        chat.refresh_from_db()
        opt_out_from_chat(chat, message)


def preview_of(message: ConversationMessage) -> str:
    if message.revoked_at:
        return "This message was deleted"
    text = " ".join(message.body.split())
    if not text and message.media_state:
        text = f"[{message.media_filename or message.media_mimetype or 'attachment'}]"
    return text[:PREVIEW_LENGTH]


def _message_by_id(instance: Instance, message_id: str) -> ConversationMessage | None:
    if not message_id:
        return None
    return (
        M.objects.filter(chat__instance=instance, provider_id=message_id)
        .select_related("chat")
        .first()
    )


def record_ack(instance: Instance, message_id: str, ack: Ack | None) -> None:
    """The bubble's tick: Switchboard's sends show their outbound status (moved by the queue's
    own `apply_ack` first); sends from the phone app keep their own, forward only."""
    message = _message_by_id(instance, message_id)
    if message is None:
        outbound = OutboundMessage.objects.filter(instance=instance, provider_id=message_id)
        message = M.objects.filter(outbound__in=outbound).select_related("chat").first()
    if message is None:
        return
    new = ACK_STATUS.get(ack) if ack is not None else None
    if not message.outbound_id and new and is_forward(message.status or "sent", new):
        M.objects.filter(pk=message.pk).update(status=new)
    touch(message.chat)


def record_reaction(instance: Instance, message_id: str, emoji: str, sender_id: str) -> None:
    message = _message_by_id(instance, message_id)
    if message is None:
        return
    with transaction.atomic():
        locked = M.objects.select_for_update().get(pk=message.pk)
        who = sender_id or "me"
        if emoji:
            locked.reactions[who] = emoji[:16]
        else:
            locked.reactions.pop(who, None)
        locked.save(update_fields=["reactions"])
    touch(message.chat)


def record_revoke(instance: Instance, message_id: str) -> None:
    message = _message_by_id(instance, message_id)
    if message is None or message.revoked_at:
        return
    message.revoked_at = timezone.now()
    message.save(update_fields=["revoked_at"])
    _refresh_preview(message)


def record_edit(instance: Instance, message_id: str, text: str) -> None:
    message = _message_by_id(instance, message_id)
    if message is None or (message.body == text and message.edited_at):
        return
    message.body, message.edited_at = text, timezone.now()
    message.save(update_fields=["body", "edited_at"])
    _refresh_preview(message)


def _refresh_preview(message: ConversationMessage) -> None:
    chat = message.chat
    latest = chat.messages.order_by("-sent_at", "-id").first()
    if latest is not None and latest.pk == message.pk:
        Chat.objects.filter(pk=chat.pk).update(last_message_preview=preview_of(message))
    touch(chat)
