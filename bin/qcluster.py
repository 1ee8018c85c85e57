"""Run django-q2's `manage.py qcluster` so that a supervisor can stop it cleanly.

The cluster stops in order (workers finish their task, then exit) only when its main process
alone gets SIGTERM or SIGINT. Its worker processes die at once on SIGTERM, and a main process
signalled together with them hangs on a lock they held until something sends SIGKILL. honcho
and `kill -- -PGID` signal a whole process group, so the cluster runs in a session of its own and
this process passes the stop on to the cluster's main process only.

Usage: `python bin/qcluster.py` from the project folder, with the project's Python.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

MANAGE_PY = Path(__file__).resolve().parents[1] / "manage.py"


def main() -> int:
    cluster = subprocess.Popen(  # noqa: S603 - a fixed command line, no outside input.
        [sys.executable, str(MANAGE_PY), "qcluster", *sys.argv[1:]], start_new_session=True
    )

    def stop_cluster(signum: int, frame: object) -> None:
        cluster.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop_cluster)
    signal.signal(signal.SIGINT, stop_cluster)
    return cluster.wait()


if __name__ == "__main__":
    sys.exit(main())
