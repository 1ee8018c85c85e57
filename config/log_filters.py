"""Logging filters: webhook secrets masked, refusals in one line.

Engines post to `/hooks/<instance uuid>/<secret>/`, so every log line that names the path
would carry the secret: Django's `django.request` warnings for 4xx and 5xx answers, the
development server's request log and gunicorn's access log (`config/gunicorn.py`).
"""

from __future__ import annotations

import logging
import re

from django.core.exceptions import PermissionDenied

_SECRET_IN_HOOK_PATH = re.compile(
    r"(/hooks/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/)"
    r"[^/?#\s\"']+"
)
MASK = "***"


def mask_webhook_secrets(text: str) -> str:
    return _SECRET_IN_HOOK_PATH.sub(rf"\g<1>{MASK}", text)


class MaskWebhookSecrets(logging.Filter):
    """Rewrites the record's message with every webhook secret masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_webhook_secrets(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


class OneLineForbidden(logging.Filter):
    """A 403 is a decision, not a fault: log the refused path without a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info, record.exc_text = None, None
        return True
