"""Demo data for `make run`: an admin login (made once, printed every time) and an instance
wired to the bundled simulator."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.roles import Role
from accounts.services import set_role
from instances.models import Instance
from instances.services import ready_send_only
from instances.simulator.chatapi import DEFAULT_INSTANCE as CHATAPI_INSTANCE
from instances.simulator.chatapi import DEFAULT_TOKEN as CHATAPI_TOKEN
from instances.simulator.whautochat import DEFAULT_API_KEY as WHAUTOCHAT_KEY

DEMO_USERNAME = "admin"
DEMO_INSTANCE = "Demo (simulator)"
DEMO_SESSION = "demo"
# The companion simulators listen on the next two ports (Procfile.dev):
# (name, engine, port offset, session, key).
COMPANIONS = (
    ("Demo chat-api (simulator)", "chatapi", 1, CHATAPI_INSTANCE, CHATAPI_TOKEN),
    ("Demo WhautoChat (simulator)", "whautochat", 2, "demo-workspace", WHAUTOCHAT_KEY),
)
CREDENTIALS_FILE = Path(settings.BASE_DIR) / ".run" / "demo-login"


class Command(BaseCommand):
    help = "Create the demo admin and demo instance (once) and print where and how to sign in."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--simulator-port", type=int, default=3000)

    def handle(self, *args, port: int, simulator_port: int, **options):
        password = self._ensure_admin()
        simulator_url = f"http://127.0.0.1:{simulator_port}"
        instance, created = Instance.objects.get_or_create(
            name=DEMO_INSTANCE,
            defaults={
                "engine": "waha",
                "base_url": simulator_url,
                "session_name": DEMO_SESSION,
                "api_key": settings.SIMULATOR_API_KEY,
            },
        )
        if not created and instance.base_url != simulator_url:
            # `make run SIMULATOR_PORT=...` moved the simulator since the demo was made.
            instance.base_url = simulator_url
            instance.save(update_fields=["base_url"])
        for name, engine, offset, session, key in COMPANIONS:
            url = f"http://127.0.0.1:{simulator_port + offset}"
            companion, _ = Instance.objects.update_or_create(
                name=name,
                defaults={"engine": engine, "base_url": url, "session_name": session},
                create_defaults={
                    "engine": engine,
                    "base_url": url,
                    "session_name": session,
                    "api_key": key,
                },
            )
            ready_send_only(companion)
        self.stdout.write(
            self.style.SUCCESS(
                f"\nSwitchboard is starting at http://127.0.0.1:{port}/\n"
                f"Sign in as {DEMO_USERNAME!r} with password {password!r}\n"
            )
        )

    def _ensure_admin(self) -> str:
        User = get_user_model()
        user = User.objects.filter(username=DEMO_USERNAME).first()
        if user is not None and CREDENTIALS_FILE.exists():
            saved = CREDENTIALS_FILE.read_text().strip()
            # Every database this checkout runs against (a test's throwaway one included)
            # shares the file, so it is trusted only while it still opens this one.
            if user.check_password(saved):
                return saved
        password = secrets.token_urlsafe(12)
        user, _ = User.objects.get_or_create(username=DEMO_USERNAME)
        user.set_password(password)
        user.save()
        set_role(user, Role.ADMIN)
        CREDENTIALS_FILE.parent.mkdir(exist_ok=True)
        CREDENTIALS_FILE.write_text(password + "\n")
        CREDENTIALS_FILE.chmod(0o600)
        return password
