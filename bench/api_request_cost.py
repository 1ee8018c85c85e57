"""What one `POST /api/v1/messages/text` costs inside the Django process: the WSGI application
called in this process (every middleware, ninja, the key, the rate count, `enqueue`), with DEBUG
off and Redis as the cache, as under gunicorn but without the HTTP server. CPU and wall time per
request and statements per request, next to the same count of `enqueue` calls in process (the
baseline, in the same run: what the request adds around queueing). `--profile` adds cProfile's
top functions by CPU time.

    .venv/bin/python -m bench.api_request_cost [--quick] [--requests N] [--profile]

Runs on PostgreSQL (`DATABASE_URL`, a database made and dropped by the run) and Redis.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import io
import json
import os
import pstats
import time

os.environ.update(
    DEBUG="false",
    SECRET_KEY=base64.urlsafe_b64encode(os.urandom(40)).decode(),
    ALLOWED_HOSTS="127.0.0.1",
    SECURE_SSL_REDIRECT="false",
    LOG_LEVEL="WARNING",
    CONN_MAX_AGE="60",
    API_RATE_LIMIT_PER_MINUTE="100000000",
)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")

from bench import stack  # after the environment above, which its settings read

WARM_UP = 200


def cpu_ms_each(count: int, call) -> float:
    began = time.process_time()
    for n in range(count):
        call(n)
    return (time.process_time() - began) * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="500 requests, not 3,000")
    parser.add_argument("--requests", type=int)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    args = parser.parse_args()
    count = args.requests or (500 if args.quick else 3000)

    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from accounts.roles import KeyRole
    from api.services import create_api_key
    from instances.models import Instance
    from instances.outbound.enqueue import enqueue

    stack.empty_redis()
    with stack.bench_database():
        instance = Instance.objects.create(
            name="Bench", engine="waha", base_url="http://127.0.0.1:9", session_name="default"
        )
        token = create_api_key("Bench", KeyRole.OPERATOR)[1]
        application = WSGIHandler()

        def send(n: int) -> None:
            body = json.dumps(
                {
                    "profileId": str(instance.uuid),
                    "chatId": "+4915123456789",
                    "content": {"text": f"Cost {n}"},
                }
            ).encode()
            environ = {
                "REQUEST_METHOD": "POST",
                "PATH_INFO": "/api/v1/messages/text",
                "QUERY_STRING": "",
                "SCRIPT_NAME": "",
                "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "80",
                "HTTP_HOST": "127.0.0.1",
                "HTTP_X_API_KEY": token,
                "CONTENT_TYPE": "application/json",
                "CONTENT_LENGTH": str(len(body)),
                "wsgi.input": io.BytesIO(body),
                "wsgi.url_scheme": "http",
            }
            statuses = []
            b"".join(application(environ, lambda status, headers, *_: statuses.append(status)))
            if not statuses[0].startswith("201"):
                raise SystemExit(f"the API answered {statuses[0]}")

        def queue(n: int) -> None:
            enqueue(instance, "+4915123456789", "text", {"text": f"Baseline {n}"})

        for n in range(WARM_UP):
            send(n)
            queue(n)
        statements = []
        with connection.execute_wrapper(lambda execute, *a: statements.append(1) or execute(*a)):
            for n in range(10):
                send(n)
        baseline_ms = cpu_ms_each(count, queue)
        wall = time.perf_counter()
        cpu_ms = cpu_ms_each(count, send)
        wall_ms = (time.perf_counter() - wall) * 1000 / count
        profile = None
        if args.profile:
            profile = cProfile.Profile(time.process_time)
            profile.runcall(lambda: [send(n) for n in range(count)])

    print(f"API request cost: {count} text sends through the WSGI application in process")
    print(f"{'per request':<30} {'value':>8}")
    print(f"{'CPU ms':<30} {cpu_ms:>8.2f}")
    print(f"{'wall ms':<30} {wall_ms:>8.2f}")
    print(f"{'statements':<30} {len(statements) / 10:>8.1f}")
    print(f"{'enqueue CPU ms (baseline)':<30} {baseline_ms:>8.2f}")
    if profile is not None:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
        print(out.getvalue())
    print(
        f"RESULT requests={count} cpu_ms={cpu_ms:.2f} wall_ms={wall_ms:.2f} "
        f"statements={len(statements) / 10:.1f} enqueue_cpu_ms={baseline_ms:.2f} "
        f"ratio={cpu_ms / baseline_ms:.2f}"
    )


if __name__ == "__main__":
    main()
