"""A gateway that echoes the API key into an error never leaks any part of it."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from instances.engines.http import MAX_ERROR_MESSAGE
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db

API_KEY = "LEAKYqWeRtYuIoPaSdFgHjKlZxCvB"


class EchoingGateway(BaseHTTPRequestHandler):
    """Answers every request 400 with the error message the test put on the server."""

    def do_GET(self):
        body = json.dumps({"message": self.server.error_message}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoingGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def fragments(secret: str, size: int = 6) -> list[str]:
    return [secret[start : start + size] for start in range(len(secret) - size + 1)]


def test_a_key_at_any_offset_around_the_cut_is_redacted_everywhere(client_for, admin, gateway):
    client = client_for(admin)
    instance = InstanceFactory(base_url=f"http://127.0.0.1:{gateway.server_port}", api_key=API_KEY)
    for offset in range(MAX_ERROR_MESSAGE - len(API_KEY) - 2, MAX_ERROR_MESSAGE + 2):
        gateway.error_message = "e" * offset + API_KEY + " and more"
        response = client.post(reverse("instances:refresh", args=[instance.pk]))
        flash = " ".join(str(message) for message in get_messages(response.wsgi_request))
        instance.refresh_from_db()
        page = client.get(reverse("instances:detail", args=[instance.pk])).content.decode()
        assert instance.last_error.startswith("e" * min(offset, 20)), offset
        for shown in (flash, instance.last_error, page):
            leaked = [part for part in fragments(API_KEY) if part in shown]
            assert not leaked, (offset, leaked)
