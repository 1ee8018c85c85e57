"""The simulator's whole world, in memory, behind one lock.

Pure logic: time comes from an injected clock and webhooks go to an injected sink, so the state
runs the same in a test with a hand-moved clock as in `manage.py simulator`. Time-driven changes
(STARTING -> SCAN_QR_CODE, QR rotation, auto-scan) happen lazily in `tick()`, which every public
method calls first; a background ticker calls it too, so webhooks fire without requests.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import random
import threading
from collections.abc import Callable
from typing import Any, Protocol

from .clock import Clock, system_clock
from .errors import (
    bad_request,
    not_found,
    only_default_session,
    session_not_running,
    still_starting,
    unprocessable,
    wrong_state,
)
from .faults import Faults, SendFault
from .groups import GroupsMixin
from .ids import digits, event_id
from .messaging import MessagingMixin
from .profiles import CURRENT, Profile
from .sessions import MessageRecord, Session, Status
from .webhooks import WebhookEvent, subscribed

DEFAULT_ACK_DELAYS = (0.5, 1.5, 3.0)
DEFAULT_PUSH_NAME = "Switchboard Simulator"
# Baileys' alphabet for pairing codes: no 0, O, I or U, which are easy to misread.
_PAIRING_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTVWXYZ"


class WebhookSink(Protocol):
    def submit(self, event: WebhookEvent, delay: float = 0.0) -> None: ...

    def clear(self) -> None: ...


class SimulatorState(MessagingMixin, GroupsMixin):
    """Sessions, messages, QR codes and faults. Every public method is thread-safe."""

    def __init__(
        self,
        *,
        sink: WebhookSink,
        clock: Clock = system_clock,
        seed: int | None = None,
        ack_delays: tuple[float, ...] = DEFAULT_ACK_DELAYS,
        auto_scan_after: float | None = None,
        starting_seconds: float = 0.5,
        qr_rotate_seconds: float = 20.0,
        public_url: str = "",
        profile: Profile = CURRENT,
    ) -> None:
        self._lock = threading.RLock()
        self.profile = profile
        self._sink = sink
        self._seed = seed
        self.clock = clock
        # Seeded for reproducible runs: ids, QR codes and fault draws; nothing secret.
        self.rng = random.Random(seed)  # noqa: S311 - simulation, not cryptography
        self.ack_delays = tuple(ack_delays)
        self.auto_scan_after = auto_scan_after
        self.starting_seconds = starting_seconds
        self.qr_rotate_seconds = qr_rotate_seconds
        # Where media URLs point; the server sets it once it knows its port.
        self.public_url = public_url
        self._faults = Faults()
        self._sessions: dict[str, Session] = {}
        self._add_default_session()

    def tick(self) -> None:
        with self._lock:
            now = self.clock()
            for session in list(self._sessions.values()):
                self._advance(session, now)

    def reset(self) -> None:
        """Forget every session, message and fault, and drop webhooks not yet sent."""
        with self._lock:
            self._sessions.clear()
            self._add_default_session()
            self._faults = Faults()
            if self._seed is not None:
                self.rng.seed(self._seed)
            self._sink.clear()

    # Sessions (WAHA's /api/sessions). Each answers the session object.
    def create_session(self, name: str, config: dict[str, Any] | None, *, start: bool) -> dict:
        with self._lock:
            self.tick()
            self._check_name(name)
            if name in self._sessions:
                raise unprocessable(f"Session '{name}' already exists. Use PUT to update it.")
            session = self._sessions[name] = Session(name, config, status_since=self.clock())
            if start:
                self._begin(session)
            return session.to_json(self.profile)

    def update_session(self, name: str, config: dict[str, Any] | None) -> dict:
        """PUT replaces the whole config and restarts a running session (docs/gateways.md)."""
        with self._lock:
            session = self._existing(name)
            was_running = session.running
            self._stop(session)
            session.config = config
            if was_running:
                self._begin(session)
            return session.to_json(self.profile)

    def delete_session(self, name: str) -> None:
        with self._lock:
            self._sessions.pop(name, None)

    def has_session(self, name: str) -> bool:
        with self._lock:
            return name in self._sessions

    def get_session(self, name: str) -> dict:
        with self._lock:
            return self._existing(name).to_json(self.profile)

    def list_sessions(self, *, include_stopped: bool = False) -> list[dict]:
        with self._lock:
            self.tick()
            sessions = self._sessions.values()
            return [s.to_json(self.profile) for s in sessions if include_stopped or s.running]

    def start_session(self, name: str) -> dict:
        with self._lock:
            self._check_name(name)
            session = self._existing(name)
            if session.running and self.profile.start_running_refused:
                raise unprocessable(f"Session '{name}' is already started.")
            if not session.running:
                self._begin(session)
            return session.to_json(self.profile)

    def stop_session(self, name: str) -> dict:
        with self._lock:
            session = self._existing(name)
            self._stop(session)
            return session.to_json(self.profile)

    def restart_session(self, name: str) -> dict:
        with self._lock:
            session = self._existing(name)
            self._stop(session)
            self._begin(session)
            return session.to_json(self.profile)

    def logout_session(self, name: str) -> dict:
        """Unlink the phone; a running session starts again and asks for a new scan."""
        with self._lock:
            session = self._existing(name)
            was_running = session.running
            self._stop(session)
            session.account = None
            session.pairing_phone = ""
            if was_running:
                self._begin(session)
            return session.to_json(self.profile)

    def fail_session(self, name: str) -> dict:
        with self._lock:
            session = self._running(name)
            self._set_status(session, Status.FAILED, self.clock())
            return session.to_json(self.profile)

    def scan(self, name: str, *, phone: str = "", push_name: str = "") -> dict:
        """What a phone scanning the QR does: link the account, go WORKING."""
        with self._lock:
            session = self._running(name)
            self._require(session, Status.SCAN_QR_CODE)
            self._link(session, self.clock(), phone=phone, push_name=push_name)
            return session.to_json(self.profile)

    def me(self, name: str) -> dict[str, str] | None:
        with self._lock:
            return self._running(name).me()

    def status(self, name: str) -> str:
        with self._lock:
            return self._existing(name).status.value

    # Login.
    def qr_value(self, name: str) -> str:
        """The raw string inside the current QR; it changes every `qr_rotate_seconds`."""
        with self._lock:
            session = self._running(name)
            self._require(session, Status.SCAN_QR_CODE)
            return self._qr(session)

    def screenshot_text(self, name: str) -> tuple[str, bool]:
        """(text, is_qr): NOWEB's screenshot is the QR while scanning, else a status picture."""
        with self._lock:
            session = self._running(name)
            if session.status == Status.STARTING and self.profile.screenshot_refused_while_starting:
                raise still_starting()
            if session.status == Status.SCAN_QR_CODE:
                return self._qr(session), True
            return f"{session.name}: {session.status.value}", False

    def request_code(self, name: str, phone_number: Any) -> str:
        """A pairing code like `ABCD-EFGH`; the next scan links that phone number."""
        if not isinstance(phone_number, str) or not digits(phone_number):
            raise bad_request(["phoneNumber should not be empty"])
        with self._lock:
            session = self._running(name)
            if session.status != Status.SCAN_QR_CODE:
                # The NOWEB engine's own wording, not the generic wrong-status body.
                raise unprocessable(
                    "Can request code only in SCAN_QR_CODE status. "
                    f"The current status is {session.status.value}"
                )
            session.pairing_phone = digits(phone_number)
            code = "".join(self.rng.choice(_PAIRING_ALPHABET) for _ in range(8))
            return f"{code[:4]}-{code[4:]}"

    # Faults.
    @property
    def faults(self) -> Faults:
        with self._lock:
            return self._faults

    def set_faults(self, changes: Any) -> Faults:
        with self._lock:
            self._faults = self._faults.merged(changes)
            return self._faults

    def clear_faults(self) -> Faults:
        with self._lock:
            self._faults = Faults()
            return self._faults

    def draw_send_fault(self) -> SendFault | None:
        with self._lock:
            return self._faults.draw_send_fault(self.rng)

    # What happened, for tests and benchmarks.
    def messages(self, name: str) -> list[MessageRecord]:
        with self._lock:
            return [copy.deepcopy(record) for record in self._existing(name).records]

    def sent(self, name: str) -> list[MessageRecord]:
        return [record for record in self.messages(name) if record.direction == "outgoing"]

    def actions(self, name: str) -> list[dict[str, Any]]:
        """Chat actions (sendSeen, startTyping, stopTyping) and sends, in the order they came."""
        with self._lock:
            return copy.deepcopy(self._existing(name).actions)

    # Internals; the callers hold the lock.
    def _add_default_session(self) -> None:
        # Old Core reports `default` as STOPPED on a fresh server rather than "not found".
        if self.profile.default_always_exists:
            self._sessions["default"] = Session("default", None, status_since=self.clock())

    def _check_name(self, name: str) -> None:
        if self.profile.only_default_session and name != "default":
            raise only_default_session()

    def _existing(self, name: str) -> Session:
        self.tick()
        session = self._sessions.get(name)
        if session is None:
            raise not_found()
        return session

    def _running(self, name: str) -> Session:
        self.tick()
        session = self._sessions.get(name)
        if session is None or not session.running:
            raise session_not_running(name)
        return session

    def _working(self, name: str) -> Session:
        session = self._running(name)
        self._require(session, Status.WORKING)
        return session

    def _require(self, session: Session, status: Status) -> None:
        # Real WAHA waits up to ~5 s for the status first; the server adds that wait
        # (`wrong_state_delay`) outside the lock.
        if session.status != status:
            raise wrong_state(session.name, session.status.value, [status.value])

    def _begin(self, session: Session) -> None:
        session.qr_salt = f"{self.rng.getrandbits(64):016x}"
        session.qr_index = 0
        session.starting_repeats = 0
        self._set_status(session, Status.STARTING, self.clock())

    def _stop(self, session: Session) -> None:
        if session.running:
            self._set_status(session, Status.STOPPED, self.clock())

    def _advance(self, session: Session, now: float) -> None:
        if session.status == Status.STARTING:
            ready_at = session.status_since + self.starting_seconds
            if now < ready_at:
                self._repeat_starting(session, now)
                return
            if session.account:
                self._set_status(session, Status.WORKING, ready_at)
                return
            self._set_status(session, Status.SCAN_QR_CODE, ready_at)
        if session.status != Status.SCAN_QR_CODE:
            return
        waited = now - session.status_since
        if self.auto_scan_after is not None and waited >= self.auto_scan_after:
            self._link(session, session.status_since + self.auto_scan_after)
            return
        index = int(waited // self.qr_rotate_seconds)
        if index > session.qr_index:
            session.qr_index = index
            # docs/gateways.md: every new QR re-announces SCAN_QR_CODE.
            self._emit_status(session)

    def _repeat_starting(self, session: Session, now: float) -> None:
        """Reconnecting to WhatsApp re-sends the very same STARTING report every few seconds."""
        every = self.profile.starting_repeat_seconds
        if not every:
            return
        due = int((now - session.status_since) // every)
        while session.starting_repeats < due:
            session.starting_repeats += 1
            self._emit_status(session)

    def _link(self, session: Session, at: float, *, phone: str = "", push_name: str = "") -> None:
        number = digits(phone) or session.pairing_phone or self._random_number()
        session.account = {"id": f"{number}@c.us", "pushName": push_name or DEFAULT_PUSH_NAME}
        session.pairing_phone = ""
        self._set_status(session, Status.WORKING, at)

    def _qr(self, session: Session) -> str:
        seed = f"{session.qr_salt}:{session.qr_index}".encode()
        parts = [
            base64.b64encode(hashlib.sha256(seed + bytes([n])).digest()).decode() for n in range(4)
        ]
        return "2@" + ",".join(parts)

    def _set_status(self, session: Session, status: Status, at: float) -> None:
        session.status = status
        session.status_since = at
        self._emit_status(session)

    def _emit_status(self, session: Session) -> None:
        payload = {"name": session.name, "status": session.status.value}
        self._emit(session, "session.status", payload)

    def _emit(
        self,
        session: Session,
        event: str,
        payload: dict[str, Any],
        *,
        delay: float = 0.0,
        on_due: Callable[[], bool] | None = None,
    ) -> None:
        targets = tuple(copy.deepcopy(w) for w in session.webhooks() if subscribed(w, event))
        if not targets and on_due is None:
            return
        now_ms = int(self.clock() * 1000)
        duplicate = self.rng.random() < self._faults.duplicate_webhooks
        self._sink.submit(
            WebhookEvent(
                id=event_id(self.rng, now_ms),
                timestamp=now_ms,
                event=event,
                session=session.name,
                metadata=session.metadata(),
                me=session.me(),
                payload=payload,
                targets=targets,
                copies=2 if duplicate else 1,
                on_due=on_due,
                profile=self.profile,
            ),
            delay,
        )
