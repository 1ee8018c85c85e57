"""Instance actions: drive the engine, record what it reports."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, ProtectedError, Q, Value, When
from django.utils import timezone
from django_q.tasks import async_task

from instances.actions import Action
from instances.engine_cache import engine_for, forget_engine, fresh_engine
from instances.engines import ENGINES
from instances.engines.base import (
    AuthenticationError,
    Capability,
    EngineError,
    EngineQueue,
    Me,
    NotFoundError,
    QrCode,
    RetryableError,
    Screenshot,
    ServerInfo,
    SessionState,
    UnconfirmedError,
    WrongGatewayError,
)
from instances.models import (
    ENGINE_PROBLEMS,
    Attention,
    Instance,
    InstanceStatus,
    StatusChange,
)
from instances.signals import instance_status_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)


def test_connection(instance: Instance) -> SessionState:
    """Reach the engine with the (possibly unsaved) settings; raises the typed errors.

    What the gateway says about itself is kept on the instance (stored if it is saved).
    """
    with fresh_engine(instance) as engine:
        server = engine.server_info()
        state = engine.test_connection()
    remember_server(instance, server)
    return state


def remember_server(instance: Instance, server: ServerInfo | None) -> None:
    """Keep the gateway's version, engine and tier: capabilities follow from them."""
    if server is None:
        return
    fields = {
        "engine_version": server.version,
        "engine_flavor": server.engine,
        "engine_tier": server.tier,
        "engine_checked_at": timezone.now(),
    }
    for name, value in fields.items():
        setattr(instance, name, value)
    if instance.pk is not None:
        Instance.objects.filter(pk=instance.pk).update(**fields)


def known_server(engine: str, base_url: str) -> ServerInfo | None:
    """What the gateway at this address last said about itself, without asking it again."""
    latest = (
        Instance.objects.filter(engine=engine, base_url=base_url)
        .exclude(engine_version="")
        .order_by("-engine_checked_at")
        .first()
    )
    return latest.server_info if latest else None


def perform_action(
    instance: Instance,
    action: Action,
    *,
    actor: AbstractBaseUser | None = None,
    source: str = StatusChange.Source.ACTION,
    detail: str = "",
) -> None:
    """Run one lifecycle action on the engine and record the state it reports.

    `actor` is the team member who asked for it; the watchdog passes its own `source` instead.
    """
    if not instance.supports(action.capability):
        raise EngineError(f"{instance.engine_class.label} cannot {action.value} a session.")
    engine = engine_for(instance)
    detail = detail or f"{action.value} requested"
    if action is Action.DELETE:
        engine.delete()
        record_status(
            instance.pk,
            InstanceStatus.STOPPED,
            source=source,
            actor=actor,
            detail="session deleted on the engine",
        )
        return
    if action is Action.START:
        # Asked on every start, so an upgraded gateway is noticed where it matters.
        remember_server(instance, engine.server_info())
    if action is Action.START and instance.supports(Capability.CONFIGURE_WEBHOOK):
        # Creating (or updating) the session registers the webhook in the same call:
        # changing a running WAHA session's config would restart it.
        state = engine.create()
    else:
        state = getattr(engine, action.value)()
    if action in {Action.LOGOUT, Action.RECREATE}:
        # The engine may still name the old number while it winds the session down; the
        # page must not show a number that is no longer linked.
        Instance.objects.filter(pk=instance.pk).update(
            phone="", push_name="", updated_at=timezone.now()
        )
        state = SessionState(state.status, None, state.raw_status)
    record_state(instance.pk, state, source=source, actor=actor, detail=detail)


class InstanceInUseError(Exception):
    """The instance has outbound messages in its history, so its row must stay."""


def delete_instance(instance: Instance, *, keep_engine_session: bool = False) -> None:
    """Delete the instance here and, unless asked not to, its session on the engine.

    Outbound messages keep their instance (`PROTECT`): an instance with any is refused before
    the engine is touched, so the session is never deleted for a row that must stay. Webhook
    events go with the instance. Raises `InstanceInUseError` or the engine's typed errors.
    """
    if instance.outbound.exists():
        raise InstanceInUseError(f"{instance.name} has messages in its history.")
    if instance.supports(Capability.DELETE) and not keep_engine_session:
        engine_for(instance).delete()
    instance_id = instance.pk
    try:
        with transaction.atomic():
            instance.delete()
            transaction.on_commit(lambda: forget_engine(instance_id))
    except ProtectedError as exc:
        # A message was queued after the check above.
        raise InstanceInUseError(f"{instance.name} has messages in its history.") from exc


def ready_send_only(instance: Instance, *, actor: AbstractBaseUser | None = None) -> None:
    """A send-only cloud gateway (WhautoChat) has no session to start: it is ready to send as
    soon as it is saved. Nothing happens for other engines."""
    if instance.supports(Capability.SEND_ONLY) and instance.status != InstanceStatus.WORKING:
        state = engine_for(instance).status()
        record_state(
            instance.pk,
            state,
            source=StatusChange.Source.ACTION,
            actor=actor,
            detail=state.raw_status,
        )


def ready_saved_instance(instance: Instance, *, actor: AbstractBaseUser | None = None) -> str:
    """Set up a just-saved sessionless instance as "start" would; a problem to show, or "".

    Such a gateway (chat-api) reports a running account from the first status poll on, which
    would leave Start disabled before it ever registered the webhook: so saving registers it.
    """
    if not instance.supports(Capability.SESSIONLESS):
        return ""
    if instance.supports(Capability.SEND_ONLY):
        ready_send_only(instance, actor=actor)
        return ""
    try:
        perform_action(instance, Action.START, actor=actor, detail="set up when saved")
    except EngineError as exc:
        return exc.message
    return ""


def engine_queue(instance: Instance) -> EngineQueue:
    """What waits in the gateway's own outbound queue (chat-api)."""
    return engine_for(instance).engine_queue()


def clear_engine_queue(instance: Instance) -> int:
    """Drop everything waiting in the gateway's own queue; how many were dropped."""
    cleared = engine_for(instance).clear_engine_queue()
    logger.info("Cleared %s messages from the engine queue of instance %s", cleared, instance.pk)
    return cleared


def fetch_qr(instance: Instance) -> QrCode:
    return engine_for(instance).qr()


def request_pairing_code(instance: Instance, phone: str) -> str:
    """`phone` in E.164, as PairingCodeForm cleans it."""
    return engine_for(instance).pairing_code(phone)


def take_screenshot(instance: Instance) -> Screenshot:
    return engine_for(instance).screenshot()


def record_state(
    instance_id: int,
    state: SessionState,
    *,
    source: str,
    detail: str = "",
    actor: AbstractBaseUser | None = None,
) -> bool:
    return record_status(
        instance_id, state.status, source=source, me=state.me, detail=detail, actor=actor
    )


def record_status(
    instance_id: int,
    status: str,
    *,
    source: str,
    me: Me | None = None,
    detail: str = "",
    reported_at: datetime | None = None,
    actor: AbstractBaseUser | None = None,
) -> bool:
    """Store a status the engine reported; True when it changed. Safe from any process.

    `reported_at` is the engine's own timestamp of a webhook. Webhooks can arrive out of order
    (retries, parallel delivery), so one older than the last applied webhook is ignored. Engine
    clocks are compared only with each other, never with ours.
    """
    now = timezone.now()
    status = InstanceStatus(status) if status in InstanceStatus.values else InstanceStatus.UNKNOWN
    with transaction.atomic():
        instance = Instance.objects.select_for_update().get(pk=instance_id)
        if reported_at is not None:
            if instance.status_reported_at and reported_at < instance.status_reported_at:
                return False
            instance.status_reported_at = reported_at
        if me is not None and me.phone:
            # Both come from webhooks: bounded to their columns, never refused for length.
            instance.phone = me.phone[: Instance._meta.get_field("phone").max_length]
            instance.push_name = me.push_name[: Instance._meta.get_field("push_name").max_length]
        elif status == InstanceStatus.SCAN_QR_CODE:
            # Waiting for a scan means no number is linked any more (logged out).
            instance.phone, instance.push_name = "", ""
        changed = status != instance.status
        if changed:
            StatusChange.objects.create(
                instance=instance,
                from_status=instance.status,
                to_status=status,
                source=source,
                detail=detail[:300],
                changed_at=now,
                actor=actor,
            )
            previous, instance.status, instance.status_changed_at = instance.status, status, now
            _react_to_new_status(instance, now)
            instance_status_changed.send(Instance, instance=instance, previous=previous)
        if instance.attention in ENGINE_PROBLEMS:
            instance.attention = Attention.NONE
        instance.last_error = ""
        instance.save()
    return changed


def _react_to_new_status(instance: Instance, at: datetime) -> None:
    if instance.status == InstanceStatus.WORKING:
        instance.attention = Attention.NONE
        instance.auto_restarted_at = None
    elif instance.status == InstanceStatus.FAILED:
        # WAHA's advice for FAILED is a restart first; do it once, then ask a person.
        if instance.auto_restarted_at is None and settings.INSTANCE_AUTO_RESTART:
            instance.auto_restarted_at = at
            instance_id = instance.pk
            transaction.on_commit(
                lambda: async_task(
                    "instances.tasks.restart_failed_instance",
                    instance_id,
                    group=f"instance-{instance_id}",
                )
            )
        else:
            instance.attention = Attention.RESTART_FAILED


def restart_failed_instance(instance: Instance) -> None:
    """The automatic restart of a FAILED instance; a failure here needs a person."""
    try:
        perform_action(
            instance,
            Action.RESTART,
            source=StatusChange.Source.WATCHDOG,
            detail="automatic restart after FAILED",
        )
    except EngineError as exc:
        Instance.objects.filter(pk=instance.pk).update(
            attention=Attention.RESTART_FAILED,
            last_error=exc.message[:300],
            updated_at=timezone.now(),
        )


# The watchdog counts silence in minutes; noting every event would add a write (and a lock on
# the instance row) to every webhook for nothing.
EVENT_NOTE_INTERVAL = timedelta(seconds=10)


def note_engine_event(instance: Instance, at: datetime | None = None) -> None:
    """An event arrived from the engine: the instance is not silent."""
    at = at or timezone.now()
    last = instance.last_event_at
    if (
        last is not None
        and at - last < EVENT_NOTE_INTERVAL
        and instance.attention != Attention.SILENT
    ):
        return
    Instance.objects.filter(pk=instance.pk).update(
        last_event_at=at,
        attention=Case(
            When(attention=Attention.SILENT, then=Value(Attention.NONE)), default=F("attention")
        ),
        # A cleared warning is a change the instance's live regions must show.
        updated_at=Case(When(attention=Attention.SILENT, then=Value(at)), default=F("updated_at")),
    )
    instance.last_event_at = at
    if instance.attention == Attention.SILENT:
        instance.attention = Attention.NONE


@dataclass(frozen=True)
class StatusPoll:
    """What asking the engine found: the status now, whether it changed, or the error."""

    status: str
    changed: bool = False
    error: str = ""


def poll_status(instance: Instance) -> StatusPoll:
    """Ask the engine for the session's state; a failure is noted on the instance, not raised."""
    now = timezone.now()
    try:
        state = engine_for(instance).status()
    except NotFoundError as exc:
        if instance.status == InstanceStatus.STOPPED:
            # A session that was never started (or was stopped and then removed, as an engine
            # restart does) is simply not there: nothing needs a person.
            record_status(instance.pk, InstanceStatus.STOPPED, source=StatusChange.Source.POLL)
            Instance.objects.filter(pk=instance.pk).update(last_polled_at=now)
            return StatusPoll(InstanceStatus.STOPPED)
        changed = record_status(
            instance.pk,
            InstanceStatus.STOPPED,
            source=StatusChange.Source.POLL,
            detail="the session no longer exists on the engine",
        )
        _note_engine_problem(instance, now, Attention.SESSION_MISSING, exc)
        return StatusPoll(InstanceStatus.STOPPED, changed, exc.message)
    except EngineError as exc:
        _note_engine_problem(instance, now, _attention_for(exc), exc)
        return StatusPoll(instance.status, error=exc.message)
    changed = record_state(instance.pk, state, source=StatusChange.Source.POLL)
    Instance.objects.filter(pk=instance.pk).update(last_polled_at=now)
    return StatusPoll(state.status, changed)


def _attention_for(error: EngineError) -> Attention:
    if isinstance(error, AuthenticationError):
        return Attention.KEY_REFUSED
    if isinstance(error, WrongGatewayError):
        return Attention.WRONG_GATEWAY
    if isinstance(error, RetryableError | UnconfirmedError):
        return Attention.UNREACHABLE
    return Attention.ENGINE_ERROR


def _note_engine_problem(
    instance: Instance, at: datetime, attention: Attention, error: EngineError
) -> None:
    Instance.objects.filter(pk=instance.pk).update(
        last_polled_at=at, last_error=error.message[:300], attention=attention, updated_at=at
    )
    logger.info("Status poll of instance %s failed: %s", instance.pk, error.message)


def flag_silent_instances(now: datetime | None = None) -> int:
    """Flag WORKING instances that have sent no event for INSTANCE_SILENCE_MINUTES."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.INSTANCE_SILENCE_MINUTES)
    quiet = Q(last_event_at__lt=cutoff) | Q(
        last_event_at__isnull=True, status_changed_at__lt=cutoff
    )
    # A send-only gateway (WhautoChat) sends no events at all: its silence means nothing.
    send_only = [
        key for key, engine in ENGINES.items() if Capability.SEND_ONLY in engine.capabilities
    ]
    return (
        Instance.objects.filter(quiet, status=InstanceStatus.WORKING, attention=Attention.NONE)
        .exclude(engine__in=send_only)
        .update(attention=Attention.SILENT, updated_at=now)
    )
