"""A throwaway stack for benchmarks: a PostgreSQL database made for the run, the simulator and
django-q2 workers as real processes, all on loopback. Used by the outbound benchmarks."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "true")
# A key of the run's own, so that a production-mode server (gunicorn(production=True)) reads
# the secrets this process stores.
os.environ.setdefault("ENCRYPTION_KEYS", base64.urlsafe_b64encode(os.urandom(32)).decode())
# Likewise a signing key of its own, shared with the workers (they check the tasks' signatures).
os.environ.setdefault("SECRET_KEY", base64.urlsafe_b64encode(os.urandom(40)).decode())
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/switchboard_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 - settings must be configured first

django.setup()

from django.db import connection  # noqa: E402

SIMULATOR_KEY = "bench-simulator-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def bench_database():
    """A fresh database for the run (dropped afterwards); its URL for child processes."""
    original = connection.settings_dict["NAME"]
    # A name of its own, so that two benchmarks running at once never drop each other's data.
    connection.settings_dict["TEST"]["NAME"] = f"{original}_{os.getpid()}"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    db = connection.settings_dict
    try:
        yield f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def simulator(*extra: str):
    port = free_port()
    process = _spawn(["simulator", "--port", str(port), "--api-key", SIMULATOR_KEY, *extra], {})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{url}/api/version", timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the simulator did not start") from None
            time.sleep(0.1)
    try:
        yield url
    finally:
        _stop(process)


@contextmanager
def gunicorn(
    database_url: str, port: int, env: dict[str, str], *args: str, production: bool = False
):
    """The web app under gunicorn with two workers, as deployed, on this run's database; its
    address. `env` adds to the environment, `args` to gunicorn's command line. `production`:
    with DEBUG off, as deployed (plain HTTP on loopback, so no redirect to HTTPS); the pages of
    such a server cannot be signed in to over plain HTTP (secure cookies)."""
    if production:
        env = {
            "DEBUG": "false",
            "SECRET_KEY": base64.urlsafe_b64encode(os.urandom(40)).decode(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            **env,
        }
    process = subprocess.Popen(  # noqa: S603 - gunicorn with fixed arguments
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", *args, "config.wsgi"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "CONN_MAX_AGE": "60",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "2",
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/accounts/login/", timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def empty_redis() -> None:
    """Start a Redis-brokered run with no tasks or leases left by an earlier one."""
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.REDIS_URL).flushdb()


@contextmanager
def workers(database_url: str, count: int):
    """`count` django-q2 workers with this process's broker (Q_BROKER, REDIS_URL), with DEBUG
    off as deployed (a debug cursor times and logs every query). Private addresses stay allowed
    for outgoing webhooks: the benchmarks' receivers listen on loopback."""
    # Workers keep their database connection between tasks, as README advises for production.
    env = {
        "DATABASE_URL": database_url,
        "Q_WORKERS": str(count),
        "CONN_MAX_AGE": "60",
        "DEBUG": "false",
        "WEBHOOK_ALLOW_PRIVATE": "true",
    }
    process = _spawn(["qcluster"], env)
    try:
        yield process
    finally:
        _stop(process)


def link_sessions(url: str, names: list[str]) -> None:
    with httpx.Client(base_url=url, headers={"X-Api-Key": SIMULATOR_KEY}, timeout=10) as api:
        for name in names:
            api.post("/api/sessions", json={"name": name}).raise_for_status()
        deadline = time.monotonic() + 30
        for name in names:
            while api.get(f"/api/sessions/{name}").json()["status"] != "SCAN_QR_CODE":
                if time.monotonic() > deadline:
                    raise RuntimeError(f"session {name} never asked for a QR scan")
                time.sleep(0.1)
            api.post(f"/simulator/sessions/{name}/scan", json={}).raise_for_status()


def working_instances(url: str, names: list[str], **pace: float) -> list:
    """One WORKING waha instance per linked simulator session, each with the given pace."""
    from instances.models import Instance, InstanceStatus, QueueSettings

    instances = []
    for name in names:
        instance = Instance.objects.create(
            name=name,
            engine="waha",
            base_url=url,
            session_name=name,
            api_key=SIMULATOR_KEY,
            status=InstanceStatus.WORKING,
        )
        QueueSettings.objects.create(instance=instance, **pace)
        instances.append(instance)
    return instances
