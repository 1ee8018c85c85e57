"""`make run` helper: once the simulator answers, start the demo session and link a phone."""

from __future__ import annotations

import time

import httpx
from django.core.management.base import BaseCommand, CommandError

from instances import services
from instances.engines.base import EngineError
from instances.management.commands.setup_demo import DEMO_INSTANCE
from instances.models import Instance, InstanceStatus

DEMO_PHONE = "+4915123450001"


class Command(BaseCommand):
    help = "Start the demo instance on the simulator and scan its QR code."

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=float, default=30, help="Seconds to wait for it.")

    def handle(self, *args, wait: float, **options):
        instance = Instance.objects.filter(name=DEMO_INSTANCE).first()
        if instance is None:
            raise CommandError("No demo instance: run `manage.py setup_demo` first.")
        deadline = time.monotonic() + wait
        self._until(deadline, lambda: services.perform_action(instance, services.Action.START))
        self._until(deadline, lambda: self._scan(instance))
        services.poll_status(instance)
        instance.refresh_from_db()
        if instance.status != InstanceStatus.WORKING:
            raise CommandError(f"The demo instance is {instance.status}, not WORKING.")
        self.stdout.write(self.style.SUCCESS(f"{instance.name} is WORKING as {instance.phone}."))

    @staticmethod
    def _until(deadline: float, attempt) -> None:
        """Repeat `attempt` until it stops raising or the deadline passes."""
        while True:
            try:
                attempt()
                return
            except (EngineError, httpx.HTTPError) as exc:
                if time.monotonic() > deadline:
                    raise CommandError(f"The simulator did not get ready: {exc}") from exc
                time.sleep(0.5)

    @staticmethod
    def _scan(instance: Instance) -> None:
        """The simulator's stand-in for a phone scanning the QR (422 until the QR is up)."""
        with httpx.Client(base_url=instance.base_url, timeout=5) as client:
            client.post(
                f"/simulator/sessions/{instance.session_name}/scan",
                headers={"X-Api-Key": instance.api_key},
                json={"phone": DEMO_PHONE, "pushName": "Demo shop"},
            ).raise_for_status()
