"""What happens to instances and their messages, for other apps to react to (the API's
outgoing webhooks) without instances importing them. Each is sent inside the transaction that
made the change, from the one place that makes it; receivers defer work with on_commit."""

from django.dispatch import Signal

# sender=OutboundMessage; message, status (the new one), error (the reason of a failure).
message_status_changed = Signal()
# sender=Instance; instance (already carrying its new status), previous (the old status).
instance_status_changed = Signal()
