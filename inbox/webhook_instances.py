"""The instance a webhook is addressed to, kept per process for a few seconds.

Reading the instance row was one of the receiver's statements on every webhook, with its
decryption of the engine key and the secret. A webhook's address never changes what it needs
from the row for long: the uuid and the secret are fixed when the instance is made. So each
process keeps the instances it received for, for `KEEP_SECONDS`. Saving or deleting an instance
drops it here at once; another process sees an edit (say, a changed engine) or a deletion within
`KEEP_SECONDS`. Meanwhile a webhook for a deleted instance cannot be stored (its row is gone), and
the receiver answers it as a duplicate.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from instances.models import Instance

KEEP_SECONDS = 5.0
# Seconds from an arbitrary start; tests swap it to move time by hand.
clock: Callable[[], float] = time.monotonic
_kept: dict[uuid.UUID, tuple[float, Instance]] = {}


def instance_for_webhook(instance_uuid: uuid.UUID) -> Instance | None:
    """The instance with this uuid, or None when there is none."""
    now = clock()
    kept = _kept.get(instance_uuid)
    if kept is not None and now - kept[0] < KEEP_SECONDS:
        return kept[1]
    instance = Instance.objects.filter(uuid=instance_uuid).first()
    if instance is None:
        _kept.pop(instance_uuid, None)
    else:
        _kept[instance_uuid] = (now, instance)
    return instance


@receiver(post_save, sender=Instance)
@receiver(post_delete, sender=Instance)
def _forget(sender, instance: Instance, **kwargs) -> None:
    _kept.pop(instance.uuid, None)
