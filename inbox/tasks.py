"""django-q2 entry points: take ids, load fresh rows, call one service."""

from __future__ import annotations

from inbox import lids, media, team
from inbox.models import Chat, ConversationMessage


def fetch_media(message_id: int) -> None:
    message = ConversationMessage.objects.select_related("chat__instance").filter(pk=message_id)
    if message.exists():
        media.fetch_media(message.get())


def resolve_lid(chat_id: int) -> None:
    chat = Chat.objects.select_related("instance").filter(pk=chat_id).first()
    if chat is not None:
        lids.resolve_lid(chat)


def send_seen(chat_id: int) -> None:
    chat = Chat.objects.select_related("instance").filter(pk=chat_id).first()
    if chat is not None:
        team.send_seen(chat)
