"""`manage.py simulator`: run the WAHA-compatible simulator in the foreground."""

from __future__ import annotations

import argparse
import os
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from instances.simulator import DEFAULT_ACK_DELAYS, DEFAULT_API_KEY, PROFILES, Simulator
from instances.simulator.chatapi import DEFAULT_INSTANCE, DEFAULT_TOKEN, ChatApiSimulator
from instances.simulator.companion import CompanionSimulator
from instances.simulator.whautochat import DEFAULT_API_KEY as WHAUTOCHAT_API_KEY
from instances.simulator.whautochat import WhautoChatSimulator


def default_api_key() -> str:
    """The `SIMULATOR_API_KEY` setting, else the environment variable, else the demo key."""
    return (
        getattr(settings, "SIMULATOR_API_KEY", None)
        or os.environ.get("SIMULATOR_API_KEY")
        or DEFAULT_API_KEY
    )


def parse_ack_delays(value: str) -> tuple[float, float, float]:
    """`0.5,1.5,3`: seconds after a send until the SERVER, DEVICE and READ acks."""
    try:
        delays = tuple(float(part) for part in value.split(","))
    except ValueError:
        delays = ()
    if len(delays) != 3 or any(delay < 0 for delay in delays):
        raise argparse.ArgumentTypeError("expected three non-negative seconds, like 0.5,1.5,3")
    return delays  # type: ignore[return-value]


class Command(BaseCommand):
    help = "Run the WAHA-compatible WhatsApp gateway simulator (demo, tests, load tests)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--gateway",
            choices=("waha", "chatapi", "whautochat"),
            default="waha",
            help="Which gateway to behave like (default: waha). chatapi serves instance "
            f"{DEFAULT_INSTANCE} and starts linked; the key options do not apply to the "
            "companions, whose keys are fixed for the demo.",
        )
        parser.add_argument("--port", type=int, default=3000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--api-key", help="Defaults to SIMULATOR_API_KEY (setting, then environment)."
        )
        parser.add_argument(
            "--auto-scan-after",
            type=float,
            metavar="SECONDS",
            help="Link a phone by itself this long after the QR appears (default: never).",
        )
        parser.add_argument(
            "--ack-delays",
            type=parse_ack_delays,
            default=DEFAULT_ACK_DELAYS,
            metavar="SERVER,DEVICE,READ",
            help="Seconds after a send until each ack webhook (default: 0.5,1.5,3).",
        )
        parser.add_argument("--seed", type=int, help="Seed ids and faults for repeatable runs.")
        parser.add_argument(
            "--profile",
            choices=sorted(PROFILES),
            default="current",
            help="Behave like today's WAHA (current) or like WAHA Core 2024.10.8 "
            "(core-2024.10: unsigned webhooks without ids, `default` session only).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["gateway"] != "waha":
            self._serve_companion(options)
            return
        simulator = Simulator(
            host=options["host"],
            port=options["port"],
            api_key=options["api_key"] or default_api_key(),
            auto_scan_after=options["auto_scan_after"],
            ack_delays=options["ack_delays"],
            seed=options["seed"],
            profile=PROFILES[options["profile"]],
        )
        # `make run` stops its processes with SIGTERM: treat it like Ctrl-C.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        self.stdout.write(
            f"WAHA simulator ({simulator.profile.name}, WAHA {simulator.profile.version}) "
            f"listening on {simulator.url} (Ctrl-C to stop)"
        )
        try:
            simulator.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            simulator.stop()
            self.stdout.write("WAHA simulator stopped.")

    def _serve_companion(self, options: dict[str, Any]) -> None:
        companion: CompanionSimulator
        if options["gateway"] == "chatapi":
            companion = ChatApiSimulator(
                host=options["host"], port=options["port"], authenticated=True
            )
            key = f"token {DEFAULT_TOKEN}, instance {DEFAULT_INSTANCE}"
        else:
            companion = WhautoChatSimulator(host=options["host"], port=options["port"])
            key = f"API key {WHAUTOCHAT_API_KEY}, any workspace"
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        self.stdout.write(
            f"{options['gateway']} simulator listening on {companion.url} ({key}; Ctrl-C to stop)"
        )
        try:
            companion.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            companion.stop()
            self.stdout.write(f"{options['gateway']} simulator stopped.")
