"""Instance actions: drive the engine, record what it reports."""

from __future__ import annotations

import enum
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from instances.engine_cache import engine_for, fresh_engine
from instances.engines.base import (
    Capability,
    EngineError,
    Me,
    QrCode,
    Screenshot,
    ServerInfo,
    SessionState,
)
from instances.models import Attention, Instance, InstanceStatus, StatusChange

logger = logging.getLogger(__name__)


class Action(enum.StrEnum):
    """Lifecycle actions offered on the instance page, each behind the same-named capability."""

    START = "start"
    STOP = "stop"
    RESTART = "restart"
    LOGOUT = "logout"
    RECREATE = "recreate"
    DELETE = "delete"

    @property
    def capability(self) -> Capability:
        return Capability(self.value)

    @property
    def loses_state(self) -> bool:
        """Actions that log the number out or remove the session ask for confirmation first."""
        return self in {Action.STOP, Action.LOGOUT, Action.RECREATE, Action.DELETE}


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


def perform_action(instance: Instance, action: Action) -> None:
    """Run one lifecycle action on the engine and record the state it reports."""
    if not instance.supports(action.capability):
        raise EngineError(f"{instance.engine_class.label} cannot {action.value} a session.")
    engine = engine_for(instance)
    if action is Action.DELETE:
        engine.delete()
        record_status(
            instance.pk,
            InstanceStatus.STOPPED,
            source=StatusChange.Source.ACTION,
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
    record_state(
        instance.pk, state, source=StatusChange.Source.ACTION, detail=f"{action.value} requested"
    )


def fetch_qr(instance: Instance) -> QrCode:
    return engine_for(instance).qr()


def request_pairing_code(instance: Instance, phone: str) -> str:
    """`phone` in E.164, as PairingCodeForm cleans it."""
    return engine_for(instance).pairing_code(phone)


def take_screenshot(instance: Instance) -> Screenshot:
    return engine_for(instance).screenshot()


def record_state(instance_id: int, state: SessionState, *, source: str, detail: str = "") -> bool:
    return record_status(instance_id, state.status, source=source, me=state.me, detail=detail)


def record_status(
    instance_id: int,
    status: str,
    *,
    source: str,
    me: Me | None = None,
    detail: str = "",
    reported_at: datetime | None = None,
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
            instance.phone, instance.push_name = me.phone, me.push_name
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
            )
            instance.status, instance.status_changed_at = status, now
            _react_to_new_status(instance, now)
        if instance.attention == Attention.UNREACHABLE:
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
        perform_action(instance, Action.RESTART)
    except EngineError as exc:
        Instance.objects.filter(pk=instance.pk).update(
            attention=Attention.RESTART_FAILED, last_error=exc.message[:300]
        )


def note_engine_event(instance_id: int, at: datetime | None = None) -> None:
    """An event arrived from the engine: the instance is not silent."""
    at = at or timezone.now()
    Instance.objects.filter(pk=instance_id).update(last_event_at=at)
    Instance.objects.filter(pk=instance_id, attention=Attention.SILENT).update(
        attention=Attention.NONE
    )


def poll_status(instance: Instance) -> None:
    """Ask the engine for the session's state; an unreachable engine is noted, not raised."""
    now = timezone.now()
    try:
        state = engine_for(instance).status()
    except EngineError as exc:
        Instance.objects.filter(pk=instance.pk).update(
            last_polled_at=now, last_error=exc.message[:300], attention=Attention.UNREACHABLE
        )
        logger.info("Status poll of instance %s failed: %s", instance.pk, exc.message)
        return
    record_state(instance.pk, state, source=StatusChange.Source.POLL)
    Instance.objects.filter(pk=instance.pk).update(last_polled_at=now)


def flag_silent_instances(now: datetime | None = None) -> int:
    """Flag WORKING instances that have sent no event for INSTANCE_SILENCE_MINUTES."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.INSTANCE_SILENCE_MINUTES)
    quiet = Q(last_event_at__lt=cutoff) | Q(
        last_event_at__isnull=True, status_changed_at__lt=cutoff
    )
    return Instance.objects.filter(
        quiet, status=InstanceStatus.WORKING, attention=Attention.NONE
    ).update(attention=Attention.SILENT)
