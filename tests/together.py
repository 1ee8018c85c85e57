"""Run jobs at the same moment in threads of their own, for tests of races on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def run_together(jobs: list[Callable[[], None]], timeout: float = 60) -> list[Exception]:
    """Each job in its own thread, all released at once by a barrier, each closing its own
    database connections when done; returns, when every thread has ended (or `timeout`), what
    the jobs raised."""
    start = threading.Barrier(len(jobs))
    errors: list[Exception] = []

    def run(job: Callable[[], None]) -> None:
        try:
            start.wait(timeout=10)
            job()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return errors
