"""`python manage.py create_api_key NAME --role operator`: print a new API key's token."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.roles import KeyRole
from api.services import create_api_key
from instances.models import Instance


class Command(BaseCommand):
    help = "Create an API key and print its token (shown only this once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name")
        parser.add_argument("--role", choices=KeyRole.values, default=KeyRole.OPERATOR)
        parser.add_argument(
            "--instance",
            action="append",
            default=[],
            help="Name of an instance the key may use (repeat; default: all).",
        )

    def handle(self, *args, name: str, role: str, instance: list[str], **options) -> None:
        instances = list(Instance.objects.filter(name__in=instance))
        missing = set(instance) - {each.name for each in instances}
        if missing:
            raise CommandError(f"No instance named {', '.join(sorted(missing))}.")
        if not name.strip() or len(name) > 80:
            raise CommandError("The name must be 1 to 80 characters.")
        key, token = create_api_key(name.strip(), role, instances=instances)
        self.stderr.write(f"Created API key {key.name} ({key.get_role_display()}).")
        self.stdout.write(token)
