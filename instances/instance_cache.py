"""An instance found by its uuid, kept per process for a few seconds, for the two hot paths
that name an instance on every request: the webhook receiver and the API's sends.

Reading the instance row cost about 1 ms of CPU on the slower machine of docs/benchmarks.md
("REST API sends"): the ORM's select and building the model, not the decryption of its key and
secret (about 6 µs each, measured later with timeit). What those paths need from the row
does not change for long: the uuid and the secret are fixed when the instance is made, the
engine rarely changes. So each process keeps the instances it was asked for, for
`KEEP_SECONDS`. Saving or deleting an instance drops it here at once; another process sees an
edit (say, a changed engine) or a deletion within `KEEP_SECONDS`. Meanwhile nothing can be
stored for a deleted instance (its row is gone): the receiver answers such a webhook as a
duplicate, the API as an unknown profile.

Pages and the API's reads never use it: they show the row as it is.
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


def kept_instance(instance_uuid: uuid.UUID) -> Instance | None:
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
