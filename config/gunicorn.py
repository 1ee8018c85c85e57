"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi` (see the README).

Every value can still be overridden on the command line or with GUNICORN_CMD_ARGS.
"""

from __future__ import annotations

import os

from gunicorn.glogging import Logger

from config.log_filters import mask_webhook_secrets

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
# Threads let a worker take other requests while one waits on the database (a commit waits for
# the disk): with sync workers one slow commit held a whole process. Each thread keeps its own
# database connection, so a host opens up to workers x threads connections.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Each worker listens on its own socket and the kernel spreads new connections over them. On one
# shared socket the worker that happened to be awake took most of a burst of new keep-alive
# connections (7 of 8 in bench/api_send.py) and kept them, busy on one core while the other
# worker idled.
reuse_port = True
accesslog = "-"
errorlog = "-"


class MaskedAccessLogger(Logger):
    """gunicorn's logger with webhook secrets masked in every access-log field."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # A regex on each of the ~60 atoms (every header and environ value) cost more than the
        # rest of the line; only a value naming a webhook address can hold a secret.
        return {
            key: mask_webhook_secrets(value)
            if isinstance(value, str) and "/hooks/" in value
            else value
            for key, value in atoms.items()
        }


logger_class = MaskedAccessLogger
