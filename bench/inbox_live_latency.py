"""Live latency: from the simulator posting an inbound message to it showing in an open inbox.

    .venv/bin/python -m bench.inbox_live_latency [--quick] [--probes N]

Real parts on loopback: a PostgreSQL database made for the run, gunicorn (2 workers) serving
Switchboard, the WAHA simulator posting signed webhooks to it, and Chromium with the inbox open.
Each probe asks the simulator for an inbound message with a unique text and times how long
until that text is in the page's conversation list. Probes start at random moments relative to
the page's one-second poll, as real messages do. The baseline is the same wait for a page that
is already showing the text (the browser's and the driver's own delay). `--quick`: 20 probes.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import httpx

from bench.stack import SIMULATOR_KEY, bench_database, free_port, gunicorn, simulator

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TARGET_P95_S = 1.5


def web_server(database_url: str, port: int):
    """gunicorn with two workers, as deployed, on this run's database."""
    return gunicorn(database_url, port, {"PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"})


def linked_instance(simulator_url: str, server_url: str):
    from django.conf import settings

    from instances.models import Instance, InstanceStatus
    from instances.services import Action, perform_action

    settings.PUBLIC_BASE_URL = server_url
    instance = Instance.objects.create(
        name="Latency", engine="waha", base_url=simulator_url, session_name="latency"
    )
    instance.api_key = SIMULATOR_KEY
    instance.save()
    perform_action(instance, Action.START)
    api = {"X-Api-Key": SIMULATOR_KEY}
    deadline = time.monotonic() + 30
    while httpx.get(f"{simulator_url}/api/sessions/latency", headers=api).json()["status"] != (
        "SCAN_QR_CODE"
    ):
        if time.monotonic() > deadline:
            raise RuntimeError("the session never asked for a QR scan")
        time.sleep(0.1)
    httpx.post(f"{simulator_url}/simulator/sessions/latency/scan", headers=api, json={})
    while Instance.objects.get(pk=instance.pk).status != InstanceStatus.WORKING:
        if time.monotonic() > deadline:
            raise RuntimeError("the session never reported WORKING to the server")
        time.sleep(0.1)
    return instance


def run(probes: int) -> None:
    from playwright.sync_api import sync_playwright

    from accounts.roles import Role
    from tests.factories import PASSWORD, UserFactory

    rng = random.Random(12)
    with (
        bench_database() as database_url,
        simulator() as simulator_url,
        web_server(database_url, free_port()) as server_url,
    ):
        linked_instance(simulator_url, server_url)
        UserFactory(username="agnes", role=Role.AGENT)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page()
            page.goto(f"{server_url}/accounts/login/")
            page.fill("#id_username", "agnes")
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{server_url}/")
            page.goto(f"{server_url}/inbox/")
            api = httpx.Client(headers={"X-Api-Key": SIMULATOR_KEY}, timeout=10)
            latencies, baselines = [], []
            for n in range(probes):
                time.sleep(rng.uniform(0.2, 1.2))
                text = f"latency probe {n} {rng.getrandbits(32):08x}"
                start = time.perf_counter()
                api.post(
                    f"{simulator_url}/simulator/sessions/latency/inbound",
                    json={"from": f"+49176{n % 50:08d}", "text": text},
                ).raise_for_status()
                page.locator("#chat-list").get_by_text(text).wait_for(timeout=15_000)
                latencies.append(time.perf_counter() - start)
                start = time.perf_counter()
                page.locator("#chat-list").get_by_text(text).wait_for(timeout=15_000)
                baselines.append(time.perf_counter() - start)
            browser.close()
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    baseline = statistics.median(baselines)
    print(f"Live latency: {probes} inbound messages, simulator -> gunicorn (2 workers) -> Chromium")
    print(f"{'way':<34} {'median s':>9} {'p95 s':>7} {'max s':>7}")
    print(f"{'baseline (text already shown)':<34} {baseline:>9.3f}")
    median, worst = statistics.median(latencies), latencies[-1]
    print(f"{'inbound message to inbox list':<34} {median:>9.3f} {p95:>7.3f} {worst:>7.3f}")
    met = "yes" if p95 < TARGET_P95_S else "no"
    print(
        f"RESULT probes={probes} median_s={median:.3f} p95_s={p95:.3f} "
        f"baseline_s={baseline:.3f} target_p95_s={TARGET_P95_S} met={met}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 probes instead of 100")
    parser.add_argument("--probes", type=int)
    args = parser.parse_args()
    run(args.probes or (20 if args.quick else 100))


if __name__ == "__main__":
    main()
