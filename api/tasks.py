"""django-q2 entry points of the API app: take ids, call one service."""

from __future__ import annotations

from django.utils import timezone
from django_q.tasks import async_task

from api.outgoing import delivery


def deliver_webhooks(delivery_ids: list[str]) -> None:
    """Send new deliveries right after the change that made them committed."""
    delivery.deliver_due(delivery_ids)


def deliver_due_webhooks() -> None:
    """Every minute (a Schedule): retries whose time has come, and deliveries whose task was
    lost. When there is more than one task's worth, a successor goes on at once. Old finished
    deliveries leave the log."""
    delivery.prune_log(timezone.now())
    if not delivery.deliver_due():
        async_task("api.tasks.deliver_due_webhooks", group="webhooks")
