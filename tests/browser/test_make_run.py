"""`make run` as a new user meets it: non-default ports, the demo login, webhooks that arrive.

The stack runs as its own process group on a throwaway SQLite file, with PUBLIC_BASE_URL unset
so that the Makefile has to derive the webhook address from PORT.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
SIMULATOR_KEY = "make-run-test-key"
STARTUP_SECONDS = 60
STOP_SECONDS = 15
# Variables of the surrounding run that would steer the stack away from what a new user gets.
INHERITED_TO_DROP = (
    "PUBLIC_BASE_URL",
    "PORT",
    "SIMULATOR_PORT",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
)


def _reserve_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until(condition: Callable[[], object], seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def _processes_with_env(entry: str) -> list[int]:
    """Process ids whose environment holds `entry` (`NAME=value`), read from Linux's /proc."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if entry.encode() in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:
            continue  # Gone meanwhile, or not ours to read.
    return found


@dataclass
class Stack:
    process: subprocess.Popen
    database_url: str
    log: Path
    url: str
    simulator_url: str

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def web_answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/accounts/login/", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def demo_login(self) -> tuple[str, str] | None:
        found = re.search(r"Sign in as '(\w+)' with password '([^']+)'", self.output())
        return found.groups() if found else None

    def stop_like_ctrl_c(self) -> None:
        """A terminal's Ctrl-C: SIGINT to make, its shell and honcho."""
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(timeout=STOP_SECONDS)


@pytest.fixture
def make_run(tmp_path) -> Iterator[Stack]:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    port, simulator_port = _reserve_port(), _reserve_port()
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_TO_DROP}
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env |= {
        "DATABASE_URL": database_url,
        "SIMULATOR_API_KEY": SIMULATOR_KEY,
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        # `-o`: the virtualenv is in place already; do not reinstall it.
        process = subprocess.Popen(  # noqa: S603 - a fixed command line, no outside input.
            [
                make,
                "-o",
                ".venv/.installed",
                "run",
                f"PORT={port}",
                f"SIMULATOR_PORT={simulator_port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack = Stack(
        process, database_url, log, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{simulator_port}"
    )
    yield stack
    if process.poll() is None:
        try:
            stack.stop_like_ctrl_c()
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    # honcho starts each process in a session of its own, out of reach of a signal to this
    # group: whatever a failed test left running is found by its environment instead.
    for pid in _processes_with_env(f"DATABASE_URL={database_url}"):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_new_user_links_a_number_on_non_default_ports_and_sees_webhook_updates(make_run, page):
    _wait_until(make_run.web_answers, STARTUP_SECONDS, f"the web server\n{make_run.output()}")
    username, password = _wait_until(make_run.demo_login, 5, "the printed demo login")

    page.goto(f"{make_run.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Instances").click()
    page.get_by_role("link", name="Demo (simulator)").click()
    status = page.locator("#status-panel [data-status]")
    expect(status).to_have_attribute("data-status", "WORKING", timeout=30_000)

    # The phone unlinks (the engine restarts the session for a new QR) and is scanned again:
    # within a minute these changes can only arrive by webhook, the status poll being slower.
    simulator = httpx.Client(base_url=make_run.simulator_url, headers={"X-Api-Key": SIMULATOR_KEY})
    simulator.post("/api/sessions/demo/logout").raise_for_status()
    expect(status).to_have_attribute("data-status", "SCAN_QR_CODE", timeout=10_000)
    simulator.post(
        "/simulator/sessions/demo/scan", json={"phone": "+4915123450077"}
    ).raise_for_status()
    expect(status).to_have_attribute("data-status", "WORKING", timeout=10_000)
    expect(page.locator("#status-panel")).to_contain_text("+4915123450077")

    # The newest change comes first.
    history = page.locator("#status-panel table tr")
    relinked = history.filter(has_text="Waiting for QR scan → Working").first
    expect(relinked).to_contain_text("Webhook")
    unlinked = history.filter(has_text="→ Waiting for QR scan").first
    expect(unlinked).to_contain_text("Webhook")

    make_run.stop_like_ctrl_c()
    _wait_until(
        lambda: not _processes_with_env(f"DATABASE_URL={make_run.database_url}"),
        STOP_SECONDS,
        "every process of the stack to end",
    )
    output = make_run.output()
    assert re.search(r"^\S+ worker\.1 +\| .*Q Cluster .* running", output, re.MULTILINE)
    for line in ("web.1 stopped", "worker.1 stopped", "simulator.1 stopped", "has stopped."):
        assert line in output
    for trouble in ("Traceback", "Logging error", "Segmentation fault", "SIGKILL"):
        assert trouble not in output
