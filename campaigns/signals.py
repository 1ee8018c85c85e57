"""What happens to campaigns and contacts, for other apps to react to without campaigns
importing them; sent inside the transaction that made the change."""

from django.dispatch import Signal

# sender=Campaign; campaign (finished or cancelled: its `status` says which).
campaign_finished = Signal()
# sender=Contact; contacts (an iterable, read only by receivers that need it, before the
# change is written), reason.
contacts_opted_out = Signal()
