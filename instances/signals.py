"""What happens to instances and their messages, for other apps to react to (the API's
outgoing webhooks, campaign counters) without instances importing them. Each is sent inside the
transaction that made the change, from the one place that makes it; receivers defer work with
on_commit, or do it in that transaction when it must commit or roll back with the change."""

from django.dispatch import Signal

# sender=OutboundMessage; message (as loaded before the change), status (the new one), previous
# (the old one), error (the reason of a failure).
message_status_changed = Signal()
# sender=Instance; instance (already carrying its new status), previous (the old status).
instance_status_changed = Signal()
