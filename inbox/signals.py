"""What happens in conversations, for other apps to react to without inbox importing them;
sent inside the transaction that made the change."""

from django.dispatch import Signal

# sender=ConversationMessage; message (a new incoming one), chat.
message_received = Signal()
