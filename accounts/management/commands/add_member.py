"""`manage.py add_member`: add a team member with a role from the command line."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import services
from accounts.roles import Role


class Command(BaseCommand):
    help = "Add a team member with a role; asks for the password (or reads it from stdin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, default=Role.AGENT.value)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of stdin (for scripts).",
        )

    def handle(self, *args: Any, username: str, role: str, email: str, **options: Any) -> None:
        password = self._read_password(options["password_stdin"])
        try:
            member = services.add_member(
                username=username, password=password, role=Role(role), email=email
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{member.username} joined the team as {Role(role).label}.")

    @staticmethod
    def _read_password(from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\n")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
