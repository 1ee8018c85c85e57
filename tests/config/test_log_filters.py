"""Webhook secrets never reach a log line; refusals log one line."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import uuid

import httpx
import pytest
from django.conf import settings
from django.urls import reverse

from config.log_filters import mask_webhook_secrets
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


def test_the_secret_segment_of_a_hook_path_is_masked():
    hook = "/hooks/0b7c6e2e-8d0b-4a5f-9a51-2f1d3c4b5a69/"
    line = f'"POST {hook}s3cr3t-Value_1/?x=1 HTTP/1.1" 401'
    assert mask_webhook_secrets(line) == f'"POST {hook}***/?x=1 HTTP/1.1" 401'
    assert mask_webhook_secrets(f"GET {hook} 200") == f"GET {hook} 200"


def test_django_request_warnings_name_the_path_without_the_secret(client, caplog):
    instance = InstanceFactory()
    url = reverse("hooks:receive_with_token", args=[instance.uuid, instance.webhook_secret])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.post(
            url, data=b"{}", content_type="application/json", headers={"X-Webhook-Hmac": "0"}
        )
    assert response.status_code == 401
    assert f"/hooks/{instance.uuid}/***/" in caplog.text
    assert instance.webhook_secret not in caplog.text


def test_a_refused_page_logs_one_line_without_a_traceback(client_for, agent, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client_for(agent).get(reverse("instances:list"))
    assert response.status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage().startswith("Forbidden")
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorns_access_log_masks_the_secret(tmp_path):
    port, secret = free_port(), "gunicorn-secret-Value"
    path = f"/hooks/{uuid.uuid4()}/{secret}/"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.post(f"http://127.0.0.1:{port}{path}", content=b"{}", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    text = log.read_text()
    assert f'"POST /hooks/{path.split("/")[2]}/***/ HTTP/1.1"' in text, text
    assert secret not in text
