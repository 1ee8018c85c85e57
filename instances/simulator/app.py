"""`Simulator`: the state, the webhook dispatcher, the HTTP server and a ticker, wired together."""

from __future__ import annotations

import logging
import threading

from . import api, control
from .clock import Clock, system_clock
from .profiles import CURRENT, Profile
from .server import Router, SimulatorHTTPServer
from .state import DEFAULT_ACK_DELAYS, SimulatorState
from .webhooks import WebhookDispatcher

logger = logging.getLogger("instances.simulator")

DEFAULT_API_KEY = "switchboard-simulator-key"


class Simulator:
    """A WAHA-compatible gateway on `url`, guarded by `api_key`, behaving like `profile`.

    `wrong_state_delay` overrides the profile's wait before a wrong-state answer (tests
    shorten WAHA's 5 s).

    Use `start()`/`stop()` (or `with Simulator(...) as sim:`) to run it on background threads,
    or `serve_forever()` to run it in the calling thread until Ctrl-C.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str = DEFAULT_API_KEY,
        clock: Clock = system_clock,
        seed: int | None = None,
        ack_delays: tuple[float, ...] = DEFAULT_ACK_DELAYS,
        auto_scan_after: float | None = None,
        starting_seconds: float = 0.5,
        qr_rotate_seconds: float = 20.0,
        tick_interval: float = 0.1,
        webhook_workers: int = 4,
        webhook_timeout: float = 10.0,
        webhook_queue_size: int = 10_000,
        profile: Profile = CURRENT,
        wrong_state_delay: float | None = None,
    ) -> None:
        self.api_key = api_key
        self.profile = profile
        self.wrong_state_delay = (
            profile.wrong_state_delay if wrong_state_delay is None else wrong_state_delay
        )
        self.clock = clock
        self.dispatcher = WebhookDispatcher(
            workers=webhook_workers, timeout=webhook_timeout, queue_size=webhook_queue_size
        )
        self.state = SimulatorState(
            sink=self.dispatcher,
            clock=clock,
            seed=seed,
            ack_delays=ack_delays,
            auto_scan_after=auto_scan_after,
            starting_seconds=starting_seconds,
            qr_rotate_seconds=qr_rotate_seconds,
            profile=profile,
        )
        self.router = Router([*api.routes_for(profile), *control.ROUTES])
        self._tick_interval = tick_interval
        self._server = SimulatorHTTPServer((host, port), self)
        self.host, self.port = self._server.server_address[:2]
        self.state.public_url = self.url
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._serving = False

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def pause(self, seconds: float) -> None:
        """Sleep in a request thread (latency, held answers), but wake up when stopping."""
        self._stopping.wait(seconds)

    def start(self) -> Simulator:
        self._start_background()
        server = threading.Thread(target=self._serve, name="simulator-http", daemon=True)
        server.start()
        self._threads.append(server)
        return self

    def serve_forever(self) -> None:
        self._start_background()
        self._serve()

    def stop(self) -> None:
        self._stopping.set()
        if self._serving:
            self._server.shutdown()
        self._server.server_close()
        self.dispatcher.stop()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _start_background(self) -> None:
        self.dispatcher.start()
        ticker = threading.Thread(target=self._tick_forever, name="simulator-ticker", daemon=True)
        ticker.start()
        self._threads.append(ticker)

    def _serve(self) -> None:
        self._serving = True
        self._server.serve_forever(poll_interval=0.02)

    def _tick_forever(self) -> None:
        while not self._stopping.wait(self._tick_interval):
            try:
                self.state.tick()
            except Exception:
                logger.exception("Simulator tick failed")
