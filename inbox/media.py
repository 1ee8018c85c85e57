"""Incoming media: fetched from the engine in the background and kept in Django's storage.

The browser gets files from `inbox:media` only; the engine's address and key stay here.
"""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import get_valid_filename
from django_q.tasks import async_task

from inbox.conversations import touch
from inbox.models import ConversationMessage
from instances.engine_cache import engine_for
from instances.engines.base import EngineError

M = ConversationMessage


def fetch_media(message: ConversationMessage) -> bool:
    """Download and store the file; on failure the bubble says "media unavailable" with the
    reason. True when stored."""
    if message.media_state != M.Media.PENDING or not message.media_source:
        return False
    engine = engine_for(message.chat.instance)
    try:
        content = engine.download_media(message.media_source, settings.INBOX_MEDIA_MAX_BYTES)
    except EngineError as exc:
        message.media_state, message.media_error = M.Media.UNAVAILABLE, str(exc)[:300]
        message.save(update_fields=["media_state", "media_error"])
        touch(message.chat)
        return False
    message.media_file.save(_file_name(message), ContentFile(content), save=False)
    message.media_state, message.media_error = M.Media.STORED, ""
    message.save(update_fields=["media_file", "media_state", "media_error"])
    touch(message.chat)
    return True


def retry_media(message: ConversationMessage) -> bool:
    """Try an unavailable file again; False when there is nothing the engine could give."""
    if message.media_state != M.Media.UNAVAILABLE or not message.media_source:
        return False
    M.objects.filter(pk=message.pk).update(media_state=M.Media.PENDING, media_error="")
    touch(message.chat)
    message_pk, chat_pk = message.pk, message.chat_id
    transaction.on_commit(
        lambda: async_task("inbox.tasks.fetch_media", message_pk, group=f"chat-{chat_pk}")
    )
    return True


def _file_name(message: ConversationMessage) -> str:
    """A safe stored name: never the sender's path, only a cleaned base name."""
    extension = mimetypes.guess_extension(message.media_mimetype or "") or ""
    try:
        base = get_valid_filename(message.media_filename.rsplit("/", 1)[-1])[-80:]
    except SuspiciousFileOperation:
        base = ""
    return base or f"message-{message.pk}{extension}"
