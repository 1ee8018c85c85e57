"""django-q2 entry points: take ids, load fresh rows, call one service."""

from __future__ import annotations

from django_q.tasks import async_task

from instances import services
from instances.models import Instance


def poll_statuses() -> None:
    """Every minute (a Schedule): fan out one poll per instance, then flag silent ones."""
    for instance_id in Instance.objects.values_list("pk", flat=True):
        async_task("instances.tasks.poll_instance_status", instance_id, group="instance-status")
    services.flag_silent_instances()


def poll_instance_status(instance_id: int) -> None:
    instance = Instance.objects.filter(pk=instance_id).first()
    if instance is not None:
        services.poll_status(instance)


def restart_failed_instance(instance_id: int) -> None:
    instance = Instance.objects.filter(pk=instance_id).first()
    if instance is not None:
        services.restart_failed_instance(instance)
