"""A loopback address where nothing answers, reserved for this test process.

The port is bound but never listens, so a connection is refused at once and no other program
can start listening there while the tests run (unlike a guessed "unused" port).
"""

from __future__ import annotations

import socket

_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
_socket.bind(("127.0.0.1", 0))

REFUSED_HOST = f"127.0.0.1:{_socket.getsockname()[1]}"
REFUSED_URL = f"http://{REFUSED_HOST}"
