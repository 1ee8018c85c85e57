"""Checks behind /healthz: database, queue worker, queue age."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django_q.models import OrmQ
from django_q.status import Stat


@dataclass
class Health:
    checks: dict[str, dict] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(check["ok"] for check in self.checks.values())

    def as_json(self) -> dict:
        return {"status": "ok" if self.ok else "fail", "checks": self.checks}


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_worker(
    now: datetime,
    *,
    host: str | None = None,
    is_running: Callable[[int], bool] = process_exists,
) -> dict:
    """A running django-q2 cluster refreshes its stat in the shared cache every few seconds.

    The stat is written by the cluster's sentinel, which keeps running (and taking tasks)
    when the cluster's main process is killed alone. The stat names the main process (`pid`)
    and its host, so a cluster on this host whose main process is gone is reported; on other
    hosts only the heartbeat can be checked.
    """
    host = host or socket.gethostname()
    try:
        stats = [stat for stat in Stat.get_all() if stat.timestamp]
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    if not stats:
        return {"ok": False, "last_seen_seconds_ago": None}
    age = (now - max(stat.timestamp for stat in stats)).total_seconds()
    orphaned = [stat.cluster_id for stat in stats if _main_gone(stat, host, is_running)]
    result = {
        "ok": age <= settings.HEALTH_WORKER_MAX_SILENCE and not orphaned,
        "last_seen_seconds_ago": round(age, 1),
    }
    if orphaned:
        result["main_process_gone"] = orphaned
    return result


def _main_gone(stat: Stat, host: str, is_running: Callable[[int], bool]) -> bool:
    pid = getattr(stat, "pid", None)
    return getattr(stat, "host", None) == host and bool(pid) and not is_running(pid)


def check_queue(now: datetime) -> dict:
    """Age of the oldest task waiting in the ORM broker (Redis does not keep enqueue times)."""
    if settings.Q_BROKER != "orm":
        return {"ok": True, "oldest_task_age_seconds": None}
    oldest = OrmQ.objects.order_by("id").first()
    if oldest is None:
        return {"ok": True, "oldest_task_age_seconds": 0}
    started = oldest.task.get("started") if isinstance(oldest.task, dict) else None
    if started is None:
        return {"ok": True, "oldest_task_age_seconds": None}
    age = (now - started).total_seconds()
    return {"ok": age <= settings.HEALTH_QUEUE_MAX_AGE, "oldest_task_age_seconds": round(age, 1)}


def run_checks() -> Health:
    health = Health()
    health.checks["database"] = check_database()
    if not health.checks["database"]["ok"]:
        return health
    now = timezone.now()
    health.checks["worker"] = check_worker(now)
    health.checks["queue"] = check_queue(now)
    return health
