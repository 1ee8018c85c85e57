"""Checks behind /healthz: database, queue worker, queue age."""

from __future__ import annotations

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


def check_worker(now: datetime) -> dict:
    """A running django-q2 cluster refreshes its stat in the shared cache every few seconds."""
    try:
        seen = [stat.timestamp for stat in Stat.get_all() if stat.timestamp]
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    if not seen:
        return {"ok": False, "last_seen_seconds_ago": None}
    age = (now - max(seen)).total_seconds()
    return {"ok": age <= settings.HEALTH_WORKER_MAX_SILENCE, "last_seen_seconds_ago": round(age, 1)}


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
