"""What each message kind must carry, checked in one place for the compose form, the inbox and
the REST API. Limits follow the gateways' documented ones (docs/gateways.md)."""

from __future__ import annotations

import codecs
import contextlib
import posixpath
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings

from instances.engines.base import Capability, MessageKind
from instances.outbound.errors import OutboundValidationError

if TYPE_CHECKING:
    from instances.models import Instance

TEXT_MAX = 4096
CAPTION_MAX = 2000
LIST_TITLE_MAX = 60
LIST_FOOTER_MAX = 60
LIST_BUTTON_MAX = 20
ROW_TITLE_MAX = 60
ROW_ID_MAX = 200
DESCRIPTION_MAX = 1024
POLL_OPTIONS = (2, 12)
POLL_OPTION_MAX = 100
TEMPLATE_MAX = 200
MEDIA_KINDS = (MessageKind.IMAGE, MessageKind.DOCUMENT, MessageKind.VIDEO, MessageKind.VOICE)


# What a file upload may be, by kind: the type its first bytes show (`sniff_type`), then the
# extensions allowed for it and the type the engine is told. The browser's own header is never
# trusted. WhatsApp plays voice notes as Ogg/Opus; the gateways convert MP3 and M4A.
_JPEG = {".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
_IMAGES = {"image/jpeg": _JPEG, "image/png": {".png": "image/png"}}
UPLOAD_TYPES: dict[MessageKind, dict[str, dict[str, str]]] = {
    MessageKind.IMAGE: {**_IMAGES, "image/webp": {".webp": "image/webp"}},
    MessageKind.VIDEO: {"video/mp4": {".mp4": "video/mp4"}, "video/3gpp": {".3gp": "video/3gpp"}},
    MessageKind.VOICE: {
        "audio/ogg": {".ogg": "audio/ogg; codecs=opus", ".opus": "audio/ogg; codecs=opus"},
        "audio/mpeg": {".mp3": "audio/mpeg"},
        "audio/mp4": {".m4a": "audio/mp4"},
    },
    MessageKind.DOCUMENT: {
        **_IMAGES,
        "application/pdf": {".pdf": "application/pdf"},
        "application/zip": {
            ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ".zip": "application/zip",
        },
        "application/x-ole-storage": {
            ".doc": "application/msword",
            ".xls": "application/vnd.ms-excel",
            ".ppt": "application/vnd.ms-powerpoint",
        },
        "text/plain": {".txt": "text/plain", ".csv": "text/csv"},
    },
}
# Enough of the file's start for every signature below.
SNIFF_BYTES = 512
FILENAME_MAX = 120


def sniff_type(head: bytes) -> str | None:
    """The file type the first bytes show, from the formats' published signatures."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        return "video/3gpp" if brand.startswith(b"3g") else "video/mp4"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/x-ole-storage"
    if head and b"\x00" not in head:
        # A full head may end inside a multi-byte character; the decoder waits for the rest.
        decoder = codecs.getincrementaldecoder("utf-8")()
        with contextlib.suppress(UnicodeDecodeError):
            decoder.decode(head, final=len(head) < SNIFF_BYTES)
            return "text/plain"
    return None


def clean_upload(kind: MessageKind | str, filename: Any, size: Any, head: bytes) -> tuple[str, str]:
    """(mimetype, file name for the recipient) of an uploaded file, or OutboundValidationError
    on `file`: too large, empty, or not a type this kind may carry (by content and extension)."""
    kind = MessageKind(kind)
    allowed = UPLOAD_TYPES.get(kind)
    if allowed is None:
        raise OutboundValidationError(
            {"file": ["Only images, documents, videos and voice notes take a file."]}
        )
    limit = settings.OUTBOUND_MEDIA_MAX_BYTES
    if not isinstance(size, int) or size <= 0:
        raise OutboundValidationError({"file": ["The file is empty."]})
    if size > limit:
        raise OutboundValidationError(
            {"file": [f"At most {_megabytes(limit)} (this file has {_megabytes(size)})."]}
        )
    name = _safe_filename(filename)
    extension = posixpath.splitext(name)[1].lower()
    extensions = sorted({ext for by_ext in allowed.values() for ext in by_ext})
    accepted = "Accepted: " + ", ".join(extensions) + "."
    if extension not in extensions:
        raise OutboundValidationError({"file": [f"This type of file cannot be sent. {accepted}"]})
    sniffed = sniff_type(head)
    mimetype = allowed.get(sniffed or "", {}).get(extension)
    if mimetype is None:
        raise OutboundValidationError(
            {"file": [f"The file's content is not what its name ({extension}) says. {accepted}"]}
        )
    return mimetype, name


def _safe_filename(filename: Any) -> str:
    """The last path part, without control characters, at most FILENAME_MAX characters."""
    name = str(filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip() or "file"
    stem, extension = posixpath.splitext(name)
    return stem[: FILENAME_MAX - len(extension)] + extension[:10]


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB"


class _Checker:
    """Reads fields from an untrusted payload, collecting one list of problems per field."""

    def __init__(self, payload: Any, *, with_file: bool = False):
        self.payload = payload if isinstance(payload, dict) else {}
        # A file comes with the message: its address is made when it is stored.
        self.with_file = with_file
        self.errors: dict[str, list[str]] = {}
        if not isinstance(payload, dict):
            self.fail("payload", "Must be an object.")

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def text(
        self, field: str, *, limit: int, required: bool = True, source: dict | None = None
    ) -> str:
        """`field` names the error; its last dotted part is the key read from `source`."""
        data = self.payload if source is None else source
        value = data.get(field.rsplit(".", 1)[-1])
        if value is None or value == "":
            if required:
                self.fail(field, "This field is required.")
            return ""
        if not isinstance(value, str):
            self.fail(field, "Must be text.")
            return ""
        if "\x00" in value:
            self.fail(field, "Must not contain NUL characters.")
            return ""
        if not value.strip() and required:
            self.fail(field, "This field is required.")
            return ""
        if len(value) > limit:
            self.fail(field, f"At most {limit} characters (this has {len(value)}).")
        return value

    def url(self, field: str, *, required: bool = True) -> str:
        value = self.text(field, limit=2048, required=required)
        if value:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                self.fail(field, "Must be an http or https address.")
        return value

    def number(self, field: str, low: float, high: float) -> float | None:
        value = self.payload.get(field)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = float(value)
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            self.fail(field, "Must be a number.")
            return None
        if not low <= value <= high:
            self.fail(field, f"Must be between {low:g} and {high:g}.")
            return None
        return float(value)

    def flag(self, field: str) -> bool:
        value = self.payload.get(field, False)
        if not isinstance(value, bool):
            self.fail(field, "Must be true or false.")
            return False
        return value


def _text(check: _Checker) -> dict[str, Any]:
    cleaned = {"text": check.text("text", limit=TEXT_MAX)}
    if "link_preview" in check.payload:
        cleaned["link_preview"] = check.flag("link_preview")
    return cleaned


def _media(check: _Checker) -> dict[str, Any]:
    fields = [("caption", CAPTION_MAX), ("filename", 255)]
    if check.with_file:
        cleaned = {}
        if check.payload.get("url"):
            check.fail("url", "Give a file or its address, not both.")
    else:
        cleaned = {"url": check.url("url")}
        fields.append(("mimetype", 255))
    for field, limit in fields:
        value = check.text(field, limit=limit, required=False)
        if value:
            cleaned[field] = value
    return cleaned


def _location(check: _Checker) -> dict[str, Any]:
    cleaned = {
        "latitude": check.number("latitude", -90, 90),
        "longitude": check.number("longitude", -180, 180),
    }
    title = check.text("title", limit=DESCRIPTION_MAX, required=False)
    return {**cleaned, "title": title} if title else cleaned


def _contact(check: _Checker) -> dict[str, Any]:
    vcard = check.text("vcard", limit=TEXT_MAX)
    if vcard and not vcard.lstrip().upper().startswith("BEGIN:VCARD"):
        check.fail("vcard", "Must be a vCard (starting with BEGIN:VCARD).")
    return {"vcard": vcard}


def _poll(check: _Checker) -> dict[str, Any]:
    name = check.text("name", limit=DESCRIPTION_MAX)
    options = check.payload.get("options")
    low, high = POLL_OPTIONS
    cleaned_options: list[str] = []
    if not isinstance(options, list):
        check.fail("options", f"Give {low} to {high} options.")
    else:
        for index, option in enumerate(options):
            if not isinstance(option, str) or not option.strip():
                check.fail(f"options.{index}", "Each option must be non-empty text.")
            elif len(option) > POLL_OPTION_MAX:
                check.fail(f"options.{index}", f"At most {POLL_OPTION_MAX} characters.")
            else:
                cleaned_options.append(option.strip())
        if not low <= len(options) <= high:
            check.fail("options", f"Give {low} to {high} options (this has {len(options)}).")
        elif len(set(cleaned_options)) != len(cleaned_options):
            check.fail("options", "Options must differ from each other.")
    multiple = check.flag("multiple") if "multiple" in check.payload else False
    return {"name": name, "options": cleaned_options, "multiple": multiple}


def _list(check: _Checker) -> dict[str, Any]:
    cleaned: dict[str, Any] = {
        "title": check.text("title", limit=LIST_TITLE_MAX),
        "description": check.text("description", limit=DESCRIPTION_MAX),
        "button_text": check.text("button_text", limit=LIST_BUTTON_MAX),
    }
    footer = check.text("footer", limit=LIST_FOOTER_MAX, required=False)
    if footer:
        cleaned["footer"] = footer
    sections = check.payload.get("sections")
    if not isinstance(sections, list) or not sections:
        check.fail("sections", "Add at least one section with at least one row.")
        return {**cleaned, "sections": []}
    cleaned["sections"] = [
        _section(check, index, section) for index, section in enumerate(sections)
    ]
    return cleaned


def _section(check: _Checker, index: int, section: Any) -> dict[str, Any]:
    prefix = f"sections.{index}"
    if not isinstance(section, dict):
        check.fail(prefix, "Must be an object with a title and rows.")
        return {}
    title = check.text(f"{prefix}.title", limit=LIST_TITLE_MAX, source=section)
    rows = section.get("rows")
    if not isinstance(rows, list) or not rows:
        check.fail(f"{prefix}.rows", "Add at least one row.")
        return {"title": title, "rows": []}
    cleaned_rows = []
    for row_index, row in enumerate(rows):
        row_prefix = f"{prefix}.rows.{row_index}"
        if not isinstance(row, dict):
            check.fail(row_prefix, "Must be an object with an id and a title.")
            continue
        cleaned_row = {
            "id": check.text(f"{row_prefix}.id", limit=ROW_ID_MAX, source=row),
            "title": check.text(f"{row_prefix}.title", limit=ROW_TITLE_MAX, source=row),
        }
        description = check.text(
            f"{row_prefix}.description", limit=DESCRIPTION_MAX, required=False, source=row
        )
        if description:
            cleaned_row["description"] = description
        cleaned_rows.append(cleaned_row)
    return {"title": title, "rows": cleaned_rows}


def _link_preview(check: _Checker) -> dict[str, Any]:
    cleaned = {"url": check.url("url"), "text": check.text("text", limit=TEXT_MAX, required=False)}
    for field in ("title", "description"):
        value = check.text(field, limit=DESCRIPTION_MAX, required=False)
        if value:
            cleaned[field] = value
    image_url = check.url("image_url", required=False)
    if image_url:
        cleaned["image_url"] = image_url
    return cleaned


def _reaction(check: _Checker) -> dict[str, Any]:
    emoji = check.text("emoji", limit=16, required=False)
    return {"message_id": check.text("message_id", limit=ROW_ID_MAX), "emoji": emoji}


def _template(check: _Checker) -> dict[str, Any]:
    return {"template": check.text("template", limit=TEMPLATE_MAX).strip()}


# Kinds only some gateways can send, and the capability that says so.
KIND_NEEDS: dict[MessageKind, Capability] = {MessageKind.TEMPLATE: Capability.TEMPLATE_MESSAGES}


def kinds_for(instance: Instance) -> list[MessageKind]:
    """The message kinds the instance's gateway accepts, in the order they are offered."""
    sendable = instance.engine_class.sendable_kinds
    return [
        kind
        for kind in MessageKind
        if kind in sendable and (kind not in KIND_NEEDS or instance.supports(KIND_NEEDS[kind]))
    ]


def kind_refusal(kind: MessageKind | str, instance: Instance) -> str:
    """Why the instance's gateway cannot take this kind of message; "" when it can."""
    try:
        kind = MessageKind(kind)
    except ValueError:
        return ""
    if kind in kinds_for(instance):
        return ""
    return f"{instance.engine_class.label} cannot send {kind.value} messages."


VALIDATORS: dict[MessageKind, Callable[[_Checker], dict[str, Any]]] = {
    MessageKind.TEXT: _text,
    **{kind: _media for kind in MEDIA_KINDS},
    MessageKind.LOCATION: _location,
    MessageKind.CONTACT: _contact,
    MessageKind.POLL: _poll,
    MessageKind.LIST: _list,
    MessageKind.LINK_PREVIEW: _link_preview,
    MessageKind.REACTION: _reaction,
    MessageKind.TEMPLATE: _template,
}


def clean_payload(
    kind: MessageKind | str, payload: Any, *, with_file: bool = False
) -> dict[str, Any]:
    """The payload as the engines expect it, or OutboundValidationError naming each bad field.

    `with_file`: a media message whose file is uploaded (`clean_upload`) instead of given by
    address; the address, type and name are added when the file is stored.
    """
    try:
        kind = MessageKind(kind)
    except ValueError:
        raise OutboundValidationError({"kind": [f"Unknown message type {kind!r}."]}) from None
    check = _Checker(payload, with_file=with_file)
    cleaned = VALIDATORS[kind](check)
    reply_to = check.text("reply_to", limit=ROW_ID_MAX, required=False)
    if reply_to:
        cleaned["reply_to"] = reply_to
    if check.errors:
        raise OutboundValidationError(check.errors)
    return cleaned
