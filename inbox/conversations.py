"""Conversations from events: the chat a message belongs to, the bubble, its ticks and marks.

Every function here is idempotent, because an event may be applied twice (the engine posts
`message` and `message.any` for one incoming message; an event is reprocessed after a fix):
a message is one row per chat and provider id, an outgoing one also one row per outbound message.
"""

from __future__ import annotations

import contextvars
import uuid
from contextlib import contextmanager

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django_q.tasks import async_task

from campaigns.models import Contact
from campaigns.services import RECORD_REPLY_SQL, count_replies, record_reply, reply_params
from config.fast_insert import insert, insert_values
from inbox.models import Chat, ConversationMessage
from inbox.opt_outs import is_opt_out, opt_out_from_chat
from inbox.signals import message_received
from instances.engines.base import Ack, Capability, MessageData
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
    if not data.from_me and not data.chat_id.endswith("@lid") and not _careful.get():
        return _add_incoming(instance, data, is_group)
    chat, _ = chat_for(instance, data.chat_id, name="" if is_group else data.sender_name)
    if data.from_me:
        outbound = _our_send(instance, data)
        if outbound is not None:
            return _link_our_send(instance, chat, outbound, data)
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
        **_media_fields(instance, data),
    )
    if message is not None:
        _after_new_message(chat, message, data)
    return message


def _add_incoming(instance: Instance, data: MessageData, is_group: bool) -> ConversationMessage:
    """Ingest's hot path for an incoming message: the chat made or counted in one statement,
    then the bubble. A message stored already makes the bubble's insert fail, which rolls the
    chat's counters back with it (inbox/services.py)."""
    message = M(
        direction=M.Direction.IN,
        provider_id=data.message_id[:200],
        sender_id=data.sender_id[:120] if is_group else "",
        sender_name=data.sender_name[:200] if is_group else "",
        body=data.text,
        quoted_provider_id=data.quoted_id[:200],
        sent_at=data.sent_at or timezone.now(),
        **_media_fields(instance, data),
    )
    name = "" if is_group else data.sender_name
    # A group's messages are no replies to a campaign (`_follow_up`).
    reply_chat = None if is_group else data.chat_id
    if connection.vendor == "postgresql":
        chat = _store_incoming(instance, data.chat_id, message, name, data.quoted_id, reply_chat)
    else:
        chat = _upsert_chat(instance, data.chat_id, message, name)
        message.chat = chat
        message.quoted = _quoted(chat, data.quoted_id)
        insert(message)
        if reply_chat:
            record_reply(reply_chat, message.sent_at)
    _follow_up(chat, message, replies_counted=True)
    return message


# What chat_for and _after_new_message do for an incoming message, as one statement that
# returns the chat: made on first contact (with its contact, found by phone), else counted. The
# newest message by the engine's clock stays the preview, however the messages arrive.
_CHAT = Chat._meta.db_table
_NEWER = f"({_CHAT}.last_message_at IS NULL OR {_CHAT}.last_message_at <= excluded.last_message_at)"
_UPSERT_CHAT = f"""
INSERT INTO {_CHAT} (
    instance_id, chat_id, phone, name, is_group, lid, contact_id, state, unread_count,
    last_message_at, last_message_preview, last_message_outgoing, changed_at, created_at
) VALUES (
    %s, %s, %s, %s, %s, '',
    (SELECT id FROM {Contact._meta.db_table} WHERE phone = %s AND phone <> '' ORDER BY id LIMIT 1),
    %s, 1, %s, %s, %s, %s, %s
)
ON CONFLICT (instance_id, chat_id) DO UPDATE SET
    changed_at = excluded.changed_at,
    last_message_preview = CASE WHEN {_NEWER}
        THEN excluded.last_message_preview ELSE {_CHAT}.last_message_preview END,
    last_message_outgoing = CASE WHEN {_NEWER}
        THEN excluded.last_message_outgoing ELSE {_CHAT}.last_message_outgoing END,
    last_message_at = CASE WHEN {_NEWER}
        THEN excluded.last_message_at ELSE {_CHAT}.last_message_at END,
    unread_count = {_CHAT}.unread_count + 1,
    state = excluded.state,
    name = CASE WHEN {_CHAT}.name = '' THEN excluded.name ELSE {_CHAT}.name END
RETURNING {", ".join(field.column for field in Chat._meta.concrete_fields)}
"""  # noqa: S608 - names come from the models; every value is a parameter


def _upsert_chat(instance: Instance, chat_id: str, message: ConversationMessage, name: str) -> Chat:
    # raw() adapts the parameters and converts the returned columns for each database.
    return next(
        iter(Chat.objects.raw(_UPSERT_CHAT, _upsert_params(instance, chat_id, message, name)))
    )


def _upsert_params(
    instance: Instance, chat_id: str, message: ConversationMessage, name: str
) -> list:
    phone = phone_of(chat_id)
    now = timezone.now()
    return [
        *(instance.pk, chat_id, phone, name[:200], chat_id.endswith("@g.us"), phone),
        *(Chat.State.OPEN, message.sent_at, preview_of(message), False, now, now),
    ]


# On PostgreSQL the chat's upsert, the bubble's insert and the campaign replies' update are one
# statement (data-modifying CTEs): each statement cost the receiver about 0.15 ms of CPU in
# Django and the driver, more than its share of applying the message (docs/benchmarks.md,
# "Webhook ingest under load").
_MESSAGE_FIELDS = [
    field for field in M._meta.concrete_fields if field.name not in ("id", "chat", "quoted")
]
_MESSAGES = M._meta.db_table
_MESSAGE_COLUMNS = ", ".join(field.column for field in _MESSAGE_FIELDS)
_INCOMING = f"""
WITH chat AS ({_UPSERT_CHAT}), bubble AS (
    INSERT INTO {_MESSAGES} (chat_id, quoted_id, {_MESSAGE_COLUMNS})
    SELECT chat.id, (
        SELECT quoted.id FROM {_MESSAGES} AS quoted
        WHERE quoted.chat_id = chat.id AND quoted.provider_id = %s ORDER BY quoted.id LIMIT 1
    ), {", ".join(["%s"] * len(_MESSAGE_FIELDS))}
    FROM chat
    RETURNING id, quoted_id
), replied AS ({RECORD_REPLY_SQL})
SELECT bubble.id, bubble.quoted_id,
    ARRAY(SELECT ARRAY[campaign_id, instance_id] FROM replied), chat.*
FROM chat, bubble
"""  # noqa: S608 - names come from the models; every value is a parameter


def _store_incoming(
    instance: Instance,
    chat_id: str,
    message: ConversationMessage,
    name: str,
    quoted_id: str,
    reply_chat: str | None,
) -> Chat:
    """What the other databases do in three statements: the chat made or counted, `message`
    stored in it (quoting the message it answers, if stored), replies to campaigns counted."""
    params = _upsert_params(instance, chat_id, message, name)
    params += [quoted_id or None, *insert_values(message, _MESSAGE_FIELDS)]
    params += reply_params(reply_chat, message.sent_at)
    with connection.cursor() as cursor:
        cursor.execute(_INCOMING, params)
        message_pk, quoted_pk, replies, *chat_row = cursor.fetchone()
    chat = Chat.from_db(
        connection.alias, [field.attname for field in Chat._meta.concrete_fields], chat_row
    )
    message.pk, message.chat, message.quoted_id = message_pk, chat, quoted_pk
    message._state.adding, message._state.db = False, connection.alias
    count_replies(replies)
    return chat


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
    instance: Instance, chat: Chat, outbound: OutboundMessage, data: MessageData
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
        **_media_fields(instance, data),
    )
    if message is not None:
        _after_new_message(chat, message, data)
    return message


def _quoted(chat: Chat, quoted_id: str) -> ConversationMessage | None:
    return M.objects.filter(chat=chat, provider_id=quoted_id).first() if quoted_id else None


def _media_fields(instance: Instance, data: MessageData) -> dict:
    media = data.media
    if media is None:
        return {}
    fields = {
        "media_mimetype": media.mimetype[:255],
        "media_filename": media.filename[:255],
        "media_source": media.url[:2048],
    }
    if not instance.supports(Capability.DOWNLOAD_MEDIA):
        # No source kept: nothing to retry, and the file's address never reaches a page.
        error = "This gateway offers no way to download files."
        return {
            **fields,
            "media_source": "",
            "media_state": M.Media.UNAVAILABLE,
            "media_error": error,
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
    _follow_up(chat, message)


def _follow_up(chat: Chat, message: ConversationMessage, *, replies_counted: bool = False) -> None:
    """What a new message sets going besides its chat: its file, campaign replies (unless
    counted already), opt-outs."""
    incoming = message.direction == M.Direction.IN
    if message.media_state == M.Media.PENDING:
        message_pk = message.pk
        transaction.on_commit(
            lambda: async_task("inbox.tasks.fetch_media", message_pk, group=f"chat-{chat.pk}")
        )
    if incoming:
        message_received.send(ConversationMessage, message=message, chat=chat)
    if incoming and not chat.is_group and not replies_counted:
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
