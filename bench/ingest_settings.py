"""The project's settings with the concurrent ingest benchmark's URLs (bench/ingest_urls.py)."""

from config.settings import *  # noqa: F403 - the project's settings, one value changed

ROOT_URLCONF = "bench.ingest_urls"
