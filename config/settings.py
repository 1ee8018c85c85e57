"""Switchboard settings, read from the environment (see `.env.example`)."""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from config.required_secrets import clean_encryption_keys, refuse_development_values

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

# Development-only values: safe to commit because production refuses to start with them.
DEV_SECRET_KEY = "dev-only-secret-key-never-use-in-production-8f3c2a9b7d6e5f4a3b2c1d0e"  # noqa: S105 - refused in production.
DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="

# Off unless asked for: a deployment that forgets every variable refuses to start below
# instead of serving debug pages with the development key.
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY if DEBUG else "")
# Fernet keys for secrets at rest (engine API keys, webhook secrets). The first key encrypts;
# every key decrypts, so a key can be rotated by putting the new one first.
ENCRYPTION_KEYS = clean_encryption_keys(
    env.list("ENCRYPTION_KEYS", default=[DEV_ENCRYPTION_KEY] if DEBUG else [])
)
if not DEBUG:
    refuse_development_values(
        secret_key=SECRET_KEY,
        dev_secret_key=DEV_SECRET_KEY,
        encryption_keys=ENCRYPTION_KEYS,
        dev_encryption_key=DEV_ENCRYPTION_KEY,
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The address engines post webhooks to; it must be reachable from the gateway.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_q",
    "accounts",
    "instances",
    "campaigns",
    "inbox",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.security_headers.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.role",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and the simulator write to one SQLite file at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # Tests with a live server write from several threads; the default shared in-memory test
    # database locks whole tables and fails at once instead of waiting, so tests use a file.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "config.redis_cache.SharedClientRedisCache", "LOCATION": REDIS_URL}
    }
else:
    # A database cache is shared by every process on every host, unlike the local-memory one;
    # login throttling and the queue monitor rely on that.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "switchboard_cache",
        }
    }

# Seconds to wait for a gateway's answer; a send still unanswered then is unconfirmed.
ENGINE_READ_TIMEOUT = env.float("ENGINE_READ_TIMEOUT", default=30.0)

# REST API requests each key may make per minute (0: no limit).
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=600)

Q_BROKER = env.str("Q_BROKER", default="orm")
if Q_BROKER not in {"orm", "redis"}:
    raise ImproperlyConfigured(f"Q_BROKER must be 'orm' or 'redis', not {Q_BROKER!r}.")
if Q_BROKER == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("Q_BROKER=redis needs REDIS_URL.")
Q_CLUSTER = {
    "name": "switchboard",
    "workers": env.int("Q_WORKERS", default=4),
    # A task gets `timeout` seconds; an unacknowledged one is handed out again after `retry`,
    # which must be longer, and is given up after `max_attempts`.
    "timeout": 120,
    "retry": 180,
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 1000,
    "cache": "default",
    "label": "Task queue",
}
if Q_BROKER == "redis":
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 0.1

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Failed logins allowed per username and per client address within the window.
# Every way to sign in (the login page, the admin's) goes through this backend, which counts
# failed attempts per (username, client address) pair.
AUTHENTICATION_BACKENDS = ["accounts.login_throttle.ThrottledModelBackend"]
# Failed sign-ins allowed per (username, client address) pair within the window (seconds).
LOGIN_THROTTLE_ATTEMPTS = env.int("LOGIN_THROTTLE_ATTEMPTS", default=5)
LOGIN_THROTTLE_WINDOW = env.int("LOGIN_THROTTLE_WINDOW", default=900)
# Behind a reverse proxy: the header it sets with the client's address (e.g. X-Forwarded-For)
# and how many proxies append to it. Empty: the client is REMOTE_ADDR (no proxy).
TRUSTED_PROXY_HEADER = env.str("TRUSTED_PROXY_HEADER", default="")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Where default_storage keeps uploaded files (message media, contact imports, inbox files).
# They are served only by views (signed links, role checks), never from MEDIA_URL: do not
# expose MEDIA_ROOT.
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Only the app's own scripts and styles (htmx is served from django-htmx's static file); no
# inline script or style anywhere. QR codes are data: images.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    # /healthz is probed over plain HTTP from inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Files uploaded with a message: the largest accepted (WhatsApp's own media limit is 16 MB),
# and for how many days after the message is due the gateway may fetch it from its signed link.
OUTBOUND_MEDIA_MAX_BYTES = env.int("OUTBOUND_MEDIA_MAX_BYTES", default=16 * 1_048_576)
OUTBOUND_MEDIA_LINK_DAYS = env.int("OUTBOUND_MEDIA_LINK_DAYS", default=3)

# Largest webhook body the receiver reads; larger ones are answered 413 unread.
WEBHOOK_MAX_BODY_BYTES = env.int("WEBHOOK_MAX_BODY_BYTES", default=1_048_576)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_webhook_secrets": {"()": "config.log_filters.MaskWebhookSecrets"},
        "one_line_forbidden": {"()": "config.log_filters.OneLineForbidden"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request paths carry webhook secrets for some engines (config/log_filters.py).
        "django.request": {"filters": ["mask_webhook_secrets", "one_line_forbidden"]},
        "django.server": {"filters": ["mask_webhook_secrets"]},
        # httpx logs full request URLs, which carry access tokens for some gateways.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# Instances: restart a FAILED session once by itself (WAHA's advice), and flag a WORKING one
# that has sent no event for this many minutes.
INSTANCE_AUTO_RESTART = env.bool("INSTANCE_AUTO_RESTART", default=True)
INSTANCE_SILENCE_MINUTES = env.int("INSTANCE_SILENCE_MINUTES", default=30)
# The API key `manage.py simulator` expects (demo and tests only).
SIMULATOR_API_KEY = env.str("SIMULATOR_API_KEY", default="switchboard-simulator-key")

# How long a worker may be silent before /healthz reports it missing, and how old the oldest
# queued task may grow before /healthz reports the queue as stuck.
HEALTH_WORKER_MAX_SILENCE = env.int("HEALTH_WORKER_MAX_SILENCE", default=60)
HEALTH_QUEUE_MAX_AGE = env.int("HEALTH_QUEUE_MAX_AGE", default=300)

# Inbox: the largest incoming media file stored (bigger ones show "media unavailable"), and the
# words besides STOP and UNSUBSCRIBE that opt a customer out when they are a whole message
# (any case, accents ignored; inbox/opt_outs.py).
INBOX_MEDIA_MAX_BYTES = env.int("INBOX_MEDIA_MAX_BYTES", default=16 * 1_048_576)
INBOX_OPT_OUT_KEYWORDS = env.list("INBOX_OPT_OUT_KEYWORDS", default=[])

# Contacts: the country assumed for numbers written without a country code (ISO 3166 code such
# as DE; empty: every number must carry its code), the largest import file accepted, and the
# pause drawn between two number checks (seconds). Import files are kept under MEDIA_ROOT.
DEFAULT_PHONE_REGION = env.str("DEFAULT_PHONE_REGION", default="").upper()
CONTACT_IMPORT_MAX_BYTES = env.int("CONTACT_IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
NUMBER_CHECK_PAUSE_MIN = env.float("NUMBER_CHECK_PAUSE_MIN", default=3.0)
NUMBER_CHECK_PAUSE_MAX = env.float("NUMBER_CHECK_PAUSE_MAX", default=8.0)

# Outgoing webhooks (api/outgoing/): whether subscribers may point at loopback or private
# addresses (refused in production unless allowed), how many failed attempts in a row disable
# a subscriber, and how many seconds a process reuses its list of active subscribers.
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=DEBUG)
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=20)
WEBHOOK_SUBSCRIBERS_TTL = env.float("WEBHOOK_SUBSCRIBERS_TTL", default=10.0)
# Days the delivery log keeps finished deliveries (sent, or given up on).
WEBHOOK_LOG_DAYS = env.int("WEBHOOK_LOG_DAYS", default=14)
