"""Sending, receiving and looking up messages, contacts and LIDs: the state's messaging half."""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .errors import bad_request, not_found, not_implemented, plus_only, unprocessable
from .ids import chat_id_for, digits, message_key, parse_message_id, serialize_message_id
from .messages import (
    DEVICE,
    READ,
    SERVER,
    ack_payload,
    incoming_message,
    media_filename,
    outgoing_message,
    set_ack,
)
from .sessions import MessageRecord, Session, Status
from .validation import require_object, validate_send

if TYPE_CHECKING:
    from .faults import Faults
    from .profiles import Profile

# Numbers whose digits end like this are "not on WhatsApp": check-exists says so, and a
# message sent to one never gets past the SERVER ack.
MISSING_NUMBER_SUFFIX = "0000"
# What old Core on NOWEB refuses: these as Plus-only, video as not implemented.
_PLUS_ONLY_SENDS = ("sendImage", "sendFile", "sendVoice")


def number_exists(chat_id: str) -> bool:
    user, _, server = chat_id.partition("@")
    return server != "c.us" or not user.endswith(MISSING_NUMBER_SUFFIX)


class MessagingMixin:
    """Needs the attributes and helpers SimulatorState defines; see there."""

    _lock: threading.RLock
    _sessions: dict[str, Session]
    _faults: Faults
    rng: random.Random
    clock: Callable[[], float]
    ack_delays: tuple[float, ...]
    public_url: str
    profile: Profile

    if TYPE_CHECKING:

        def _running(self, name: str) -> Session: ...
        def _working(self, name: str) -> Session: ...
        def _existing(self, name: str) -> Session: ...
        def _emit(
            self,
            session: Session,
            event: str,
            payload: dict[str, Any],
            *,
            delay: float = 0.0,
            on_due: Callable[[], bool] | None = None,
        ) -> None: ...

    def send(self, endpoint: str, body: Any) -> dict[str, Any]:
        """Accept a send (`sendText`, `reaction`, ...) and answer WAHA's message object.

        A client-generated `id` is honoured: a bare id becomes `true_<chatId>_<id>`, an id that is
        already serialized (`true_...`) is used as it is. Sending an id the session already has
        answers the existing message and sends nothing again, as WhatsApp drops a repeated id.
        Profiles that ignore client ids (and `linkPreview`) make up their own id.
        """
        request = validate_send(endpoint, body)
        client_id = request.get("id") if self.profile.honours_client_ids else None
        with self._lock:
            session = self._working(request["session"])
            # Checked after the session's state, as WAHA does.
            if self.profile.media_refused and endpoint in _PLUS_ONLY_SENDS:
                raise plus_only(self.profile.engine)
            if self.profile.media_refused and endpoint == "sendVideo":
                raise not_implemented(self.profile.engine)
            chat_id = self._chat_of(endpoint, request)
            message_id, key = self._outgoing_id(chat_id, client_id)
            existing = session.by_id.get(message_id)
            if existing is not None:
                return copy.deepcopy(existing.message)
            message = outgoing_message(
                endpoint,
                request,
                message_id=message_id,
                key=key,
                chat_id=chat_id,
                me_id=session.me_id or "",
                timestamp=int(self.clock()),
                files_url=self._files_url(session),
            )
            record = MessageRecord("outgoing", endpoint, copy.deepcopy(request), message)
            session.add(record, key)
            # Sends join the chat actions' timeline, so a test sees seen -> typing -> send.
            session.actions.append({"action": endpoint, "chatId": chat_id, "id": message_id})
            answer = copy.deepcopy(message)
            self._announce_sent(session, record)
            return answer

    def record_action(self, endpoint: str, body: Any) -> None:
        """sendSeen, startTyping, stopTyping: nothing to answer, but remembered for tests.

        `actions` is a timeline: every accepted send is appended to it as well.
        """
        request = validate_send(endpoint, body)
        with self._lock:
            session = self._working(request["session"])
            action = {"action": endpoint, "chatId": request["chatId"], "request": request}
            session.actions.append(copy.deepcopy(action))

    def inbound(self, name: str, body: Any) -> dict[str, Any]:
        """A customer writes to the session: record it, post `message` and `message.any`."""
        body = require_object(body)
        sender, text, media = body.get("from"), body.get("text", ""), body.get("media")
        errors = []
        if not isinstance(sender, str) or not chat_id_for(sender).partition("@")[0]:
            errors.append("from must be a phone number or a chat id")
        if not isinstance(text, str):
            errors.append("text must be a string")
        if media is not None and not isinstance(media, dict):
            errors.append("media must be an object")
        if errors:
            raise bad_request(errors)
        with self._lock:
            session = self._working(name)
            chat_id = chat_id_for(sender)
            if chat_id.endswith("@lid") and chat_id not in session.lids:
                phone = digits(str(body.get("phone") or "")) or self._random_number()
                session.lids[chat_id] = f"{phone}@c.us"
            key = str(body.get("id") or message_key(self.rng))
            message = incoming_message(
                message_id=serialize_message_id(False, chat_id, key),
                key=key,
                chat_id=chat_id,
                me_id=session.me_id,
                timestamp=int(self.clock()),
                text=text,
                push_name=str(body.get("pushName") or ""),
                media=self._inbound_media(session, key, media),
            )
            session.add(MessageRecord("incoming", "inbound", copy.deepcopy(body), message), key)
            for event in ("message", "message.any"):
                self._emit(session, event, copy.deepcopy(message))
            return copy.deepcopy(message)

    def find_message(self, name: str, chat_id: str, message_id: str) -> dict[str, Any]:
        """By serialized id or by bare key, within the given chat."""
        with self._lock:
            session = self._working(name)
            record = session.find(message_id)
            if record is None or record.chat_id != chat_id_for(chat_id):
                raise not_found("Message not found")
            return copy.deepcopy(record.message)

    def media_file(self, name: str, filename: str) -> tuple[str, str]:
        """(mimetype, filename) of a media URL the simulator handed out."""
        with self._lock:
            session = self._existing(name)
            record = session.by_key.get(filename.rsplit(".", 1)[0])
            media = record.message.get("media") if record else None
            if not media or not media.get("url", "").endswith("/" + filename):
                raise not_found("File not found")
            return media["mimetype"], media.get("filename") or filename

    def check_exists(self, name: str, phone: Any) -> dict[str, Any]:
        if not isinstance(phone, str) or not digits(phone):
            raise bad_request(["phone should not be empty"])
        with self._lock:
            self._working(name)
            chat_id = f"{digits(phone)}@c.us"
            if not number_exists(chat_id):
                # WAHA leaves chatId out entirely when the number does not exist.
                return {"numberExists": False}
            return {"numberExists": True, "chatId": chat_id}

    def lookup_lid(self, name: str, lid: str) -> dict[str, Any]:
        """WAHA's lids controller: a bare id gets `@lid`; an unknown LID answers `pn: null`."""
        if "@" not in lid:
            lid = f"{lid}@lid"
        if not lid.endswith("@lid"):
            raise unprocessable("Invalid LID - it must end with @lid")
        with self._lock:
            session = self._working(name)
            return {"lid": lid, "pn": session.lids.get(lid)}

    def _chat_of(self, endpoint: str, request: dict[str, Any]) -> str:
        if endpoint != "reaction":
            return chat_id_for(request["chatId"])
        parsed = parse_message_id(request["messageId"])
        if parsed is None:
            raise bad_request(
                ["messageId must be in format false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA"]
            )
        return parsed[1]

    def _outgoing_id(self, chat_id: str, client_id: Any) -> tuple[str, str]:
        if not client_id:
            key = message_key(self.rng)
            return serialize_message_id(True, chat_id, key), key
        parsed = parse_message_id(client_id)
        if parsed is not None:
            return client_id, parsed[2]
        return serialize_message_id(True, chat_id, client_id), client_id

    def _announce_sent(self, session: Session, record: MessageRecord) -> None:
        """`message.any` now, then the acks after their delays (or a reaction event).

        With `out_of_order_webhooks` the same events go out in reverse order: READ first.
        """
        message = record.message
        if record.endpoint == "reaction":
            reaction = {key: message[key] for key in ("id", "timestamp", "from", "fromMe", "to")}
            reaction |= {"participant": None, "reaction": message["reaction"]}
            self._emit(session, "message.reaction", reaction)
            return
        levels = [SERVER, DEVICE, READ] if number_exists(record.chat_id) else [SERVER]
        events: list[tuple[str, dict[str, Any], Callable[[], bool] | None]] = [
            ("message.any", copy.deepcopy(message), None)
        ]
        for level in levels:
            events.append(
                ("message.ack", ack_payload(message, level), self._ack_due(session, record, level))
            )
        delays = [0.0, *self.ack_delays][: len(events)]
        if self._faults.out_of_order_webhooks:
            events.reverse()
        for (event, payload, on_due), delay in zip(events, delays, strict=False):
            self._emit(session, event, payload, delay=delay, on_due=on_due)

    def _ack_due(self, session: Session, record: MessageRecord, ack: int) -> Callable[[], bool]:
        def apply() -> bool:
            with self._lock:
                live = self._sessions.get(session.name) is session
                if not live or session.status != Status.WORKING:
                    return False
                set_ack(record.message, ack)
                return True

        return apply

    def _inbound_media(
        self, session: Session, key: str, media: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        if media is None:
            return None
        mimetype = str(media.get("mimetype") or "application/octet-stream")
        filename = media.get("filename")
        if media.get("error"):
            # docs/gateways.md: `url` is null with an `error` when the engine could not download it.
            reason = media["error"] if isinstance(media["error"], str) else "Media download failed"
            error = {"message": reason}
            return {"url": None, "mimetype": mimetype, "filename": filename, "error": error}
        url = f"{self._files_url(session)}/{media_filename(key, mimetype)}"
        return {"url": url, "mimetype": mimetype, "filename": filename, "error": None}

    def _files_url(self, session: Session) -> str:
        return f"{self.public_url}/api/files/{quote(session.name, safe='')}"

    def _random_number(self) -> str:
        return f"1555{self.rng.randrange(10**7):07d}"
