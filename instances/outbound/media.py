"""Files uploaded with a message: stored through `default_storage` until the message is final,
fetched by the gateway from a signed, expiring link on PUBLIC_BASE_URL (docs/architecture.md,
"Outbound media").

The link's token is signed with `django.core.signing` and names the stored file, its type, the
recipient's file name and the time it stops working, so the serving view needs no login and no
database query. Anyone holding the link may fetch the file until then, as the gateway must.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from instances.engines.base import MessageKind
from instances.models import OutboundMessage, OutboundStatus
from instances.outbound.validation import SNIFF_BYTES, clean_upload

logger = logging.getLogger(__name__)

SALT = "switchboard.outbound-media"
FOLDER = "outbound"
S = OutboundStatus
# The gateway has fetched the file (or never will): the stored copy can go.
DONE_WITH_FILE = (S.SENT, S.DELIVERED, S.READ, S.PLAYED, S.CANCELLED)
# These may still be retried or resent by a person; their file goes once its link has expired.
MAY_SEND_AGAIN = (S.FAILED, S.UNCONFIRMED)


class LinkRefused(Exception):
    """The link is forged, damaged or expired; the message says which, for the 4xx answer."""

    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class StoredMedia:
    name: str
    mimetype: str
    filename: str


def check_upload(kind: MessageKind | str, upload: File) -> tuple[str, str]:
    """(mimetype, file name) of an uploaded file, or OutboundValidationError on `file`."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return clean_upload(kind, upload.name, upload.size, head)


def store_upload(upload: File, mimetype: str, filename: str, shown_as: str = "") -> StoredMedia:
    """Save a checked upload under a random name; the recipient sees `shown_as` or `filename`."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    name = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}.{extension}", upload)
    return StoredMedia(name=name, mimetype=mimetype, filename=shown_as or filename)


def link_expiry(due_at: datetime) -> datetime:
    return max(due_at, timezone.now()) + timedelta(days=settings.OUTBOUND_MEDIA_LINK_DAYS)


def signed_url(media: StoredMedia, until: datetime) -> str:
    token = signing.dumps(
        {"n": media.name, "t": media.mimetype, "f": media.filename, "u": int(until.timestamp())},
        salt=SALT,
        compress=True,
    )
    return settings.PUBLIC_BASE_URL + reverse("messages:media", args=[token])


def read_link(token: str, now: datetime | None = None) -> StoredMedia:
    try:
        data: Any = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise LinkRefused("This media link is not valid.") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(key), str) for key in "ntf"):
        raise LinkRefused("This media link is not valid.")
    until = data.get("u")
    now = now or timezone.now()
    if not isinstance(until, int) or until < now.timestamp():
        raise LinkRefused("This media link has expired.", expired=True)
    return StoredMedia(name=data["n"], mimetype=data["t"], filename=data["f"])


def relink(message: OutboundMessage, due_at: datetime) -> dict[str, Any]:
    """The message's payload with a fresh link to its stored file (before sending it again)."""
    payload = dict(message.payload)
    if message.media_name:
        media = StoredMedia(
            message.media_name,
            str(payload.get("mimetype") or "application/octet-stream"),
            str(payload.get("filename") or "file"),
        )
        payload["url"] = signed_url(media, link_expiry(due_at))
    return payload


def link_prefix() -> str:
    """How every link to a stored file begins."""
    return settings.PUBLIC_BASE_URL + reverse("messages:media", args=["x"])[:-2]


def lost_its_file(message: OutboundMessage) -> bool:
    """The message was composed with an upload whose stored copy has since been deleted."""
    url = str(message.payload.get("url") or "")
    return not message.media_name and url.startswith(link_prefix())


def delete_stored(name: str) -> None:
    if name:
        default_storage.delete(name)


def delete_finished_media(now: datetime | None = None) -> int:
    """Delete the files of messages that no longer need them; returns how many went."""
    now = now or timezone.now()
    expired = now - timedelta(days=settings.OUTBOUND_MEDIA_LINK_DAYS)
    done = OutboundMessage.objects.exclude(media_name="").filter(
        Q(status__in=DONE_WITH_FILE) | Q(status__in=MAY_SEND_AGAIN, status_changed_at__lt=expired)
    )
    deleted = 0
    for pk, name in done.values_list("pk", "media_name").iterator():
        delete_stored(name)
        OutboundMessage.objects.filter(pk=pk, media_name=name).update(media_name="")
        deleted += 1
    if deleted:
        logger.info("Deleted %s uploaded files of finished messages.", deleted)
    return deleted
