"""Signals other apps listen to, so that `instances` never imports them."""

from __future__ import annotations

from django.dispatch import Signal

# An outbound message's status moved. Sent inside the transaction that moved it, with
# `message` (the row as it was loaded: its id, instance_id and sent_at), `old` and `new`.
message_status_changed = Signal()
