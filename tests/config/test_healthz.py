from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import OrmQ
from django_q.signing import SignedPackage
from django_q.status import Stat

pytestmark = pytest.mark.django_db


class FakeSentinelStat(Stat):
    """A cluster's stat as its sentinel writes it, without starting processes."""

    def __init__(self, seen_at):
        self.cluster_id = "test-cluster"
        self.timestamp = seen_at
        self.broker = get_broker()
        self.tob = seen_at
        self.status = "Idle"
        self.workers = []


def test_healthz_needs_no_login_and_reports_a_missing_worker_as_503(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["worker"]["ok"] is False


def test_healthz_is_200_when_a_worker_was_seen_and_the_queue_is_empty(client):
    FakeSentinelStat(timezone.now()).save()
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["queue"]["oldest_task_age_seconds"] == 0


def test_healthz_reports_the_age_of_the_oldest_queued_task(client, settings):
    FakeSentinelStat(timezone.now()).save()
    settings.HEALTH_QUEUE_MAX_AGE = 60
    task = {
        "id": "t1",
        "name": "old",
        "func": "math.floor",
        "started": timezone.now() - timedelta(minutes=10),
    }
    OrmQ.objects.create(key="switchboard", payload=SignedPackage.dumps(task))
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["queue"]["oldest_task_age_seconds"] >= 600


def test_healthz_answers_only_get(client):
    assert client.post(reverse("healthz")).status_code == 405


def cluster_stat(pid: int, host: str | None = None) -> FakeSentinelStat:
    stat = FakeSentinelStat(timezone.now())
    stat.pid, stat.host = pid, host or socket.gethostname()
    return stat


def exited_process_id() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait(timeout=10)
    return process.pid


def test_healthz_reports_a_cluster_whose_main_process_is_gone(client):
    cluster_stat(exited_process_id()).save()
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    worker = response.json()["checks"]["worker"]
    assert worker["ok"] is False
    assert worker["main_process_gone"] == ["test-cluster"]


def test_healthz_is_content_with_a_live_main_process_on_this_host(client):
    cluster_stat(os.getpid()).save()
    assert client.get(reverse("healthz")).status_code == 200


def test_a_cluster_on_another_host_is_judged_by_its_heartbeat_alone(client):
    cluster_stat(exited_process_id(), host="worker-host-2").save()
    assert client.get(reverse("healthz")).status_code == 200
