"""What the team does in the inbox: replies, reactions, assignment, labels, notes, read marks.

Replies and reactions go through `instances.outbound.enqueue` like every other send; the bubble
is made at once and shows the outbound message's status as it moves (pending, then ticks).
"""

from __future__ import annotations

import logging
import mimetypes
import re

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django_q.tasks import async_task

from inbox.conversations import preview_of, touch
from inbox.models import CannedReply, Chat, ConversationMessage, Label, Note
from instances.engine_cache import engine_for
from instances.engines.base import Capability, EngineError, MessageKind
from instances.outbound import enqueue

logger = logging.getLogger(__name__)
M = ConversationMessage
SHORTCUT = re.compile(r"(?<!\S)/([A-Za-z0-9_-]{1,40})(?!\S)")


def expand_canned(text: str) -> str:
    """`/shortcut` words become their canned reply; unknown ones stay as typed."""
    names = {match.group(1).lower() for match in SHORTCUT.finditer(text)}
    if not names:
        return text
    bodies = {
        reply.shortcut.lower(): reply.body
        for reply in CannedReply.objects.filter(shortcut__in=names)
    }
    return SHORTCUT.sub(lambda match: bodies.get(match.group(1).lower(), match.group(0)), text)


def attachment_kind(mimetype: str) -> MessageKind:
    if mimetype.startswith("image/"):
        return MessageKind.IMAGE
    if mimetype.startswith("video/"):
        return MessageKind.VIDEO
    return MessageKind.DOCUMENT


@transaction.atomic
def send_reply(
    chat: Chat,
    user,
    text: str,
    *,
    quoted: ConversationMessage | None = None,
    attachment: UploadedFile | None = None,
) -> ConversationMessage:
    """Queue a reply and show it in the thread at once. Raises OutboundValidationError (nothing
    is kept then)."""
    text = expand_canned(text)
    payload: dict = {"reply_to": quoted.wire_id} if quoted and quoted.wire_id else {}
    if attachment is None:
        kind = MessageKind.TEXT
        payload["text"] = text
    else:
        mimetype = attachment.content_type or mimetypes.guess_type(attachment.name)[0] or ""
        kind = attachment_kind(mimetype)
        payload |= {"caption": text} if text else {}
        payload |= {"filename": attachment.name[:255]} if kind == MessageKind.DOCUMENT else {}
    # The queue stores the file until it is sent and gives the engine a signed link to it.
    outbound = enqueue(chat.instance, chat.chat_id, kind, payload, priority=10, upload=attachment)
    message = M(
        chat=chat,
        direction=M.Direction.OUT,
        author=user,
        body=text,
        quoted=quoted,
        quoted_provider_id=quoted.wire_id if quoted else "",
        outbound=outbound,
    )
    if attachment is not None:
        # The thread keeps its own copy: the queue deletes its file once the message is sent.
        attachment.seek(0)
        message.media_file.save(attachment.name, attachment, save=False)
        message.media_state = M.Media.STORED
        message.media_mimetype = str(outbound.payload.get("mimetype") or "")[:255]
        message.media_filename = attachment.name[:255]
    message.save()
    Chat.objects.filter(pk=chat.pk).update(
        last_message_at=message.sent_at,
        last_message_preview=preview_of(message),
        last_message_outgoing=True,
        unread_count=0,
    )
    touch(chat)
    return message


def react(message: ConversationMessage, emoji: str) -> None:
    """React as the linked number (an empty emoji takes the reaction back)."""
    if not message.wire_id:
        raise ValueError("This message has not reached WhatsApp yet; react once it has.")
    chat = message.chat
    enqueue(
        chat.instance,
        chat.chat_id,
        MessageKind.REACTION,
        {"message_id": message.wire_id, "emoji": emoji},
        priority=10,
    )
    with transaction.atomic():
        locked = M.objects.select_for_update().get(pk=message.pk)
        if emoji:
            locked.reactions["me"] = emoji
        else:
            locked.reactions.pop("me", None)
        locked.save(update_fields=["reactions"])
    touch(chat)


def assign_chat(chat: Chat, assignee) -> None:
    Chat.objects.filter(pk=chat.pk).update(assignee=assignee)
    touch(chat)


def set_labels(chat: Chat, labels: list[Label], new_label: str = "") -> None:
    labels = list(labels)
    if new_label.strip():
        existing = Label.objects.filter(name__iexact=new_label.strip()).first()
        labels.append(existing or Label.objects.create(name=new_label.strip()[:40]))
    chat.labels.set(labels)
    touch(chat)


def add_note(chat: Chat, user, body: str) -> Note:
    note = Note.objects.create(chat=chat, author=user, body=body)
    touch(chat)
    return note


def mark_read(chat: Chat) -> None:
    """Clear the unread count and tell the customer's phone it was seen (in the background)."""
    Chat.objects.filter(pk=chat.pk).update(unread_count=0)
    touch(chat)
    chat_pk = chat.pk
    transaction.on_commit(
        lambda: async_task("inbox.tasks.send_seen", chat_pk, group=f"chat-{chat_pk}")
    )


def send_seen(chat: Chat) -> bool:
    """The engine's "seen" for the chat, where the engine has one; True when it was sent."""
    if not chat.instance.supports(Capability.SEEN):
        return False
    try:
        engine_for(chat.instance).send_seen(chat.chat_id)
    except EngineError as exc:
        logger.info("Seen for chat %s not sent: %s", chat.pk, exc)
        return False
    return True


def mark_unread(chat: Chat) -> None:
    Chat.objects.filter(pk=chat.pk, unread_count=0).update(unread_count=1)
    touch(chat)


def set_state(chat: Chat, state: str) -> None:
    Chat.objects.filter(pk=chat.pk).update(state=state)
    touch(chat)
