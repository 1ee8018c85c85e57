"""Whether the engine's webhooks can reach Switchboard, judged from what the instance shows."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from urllib.parse import urlsplit

from instances.engines.base import Capability
from instances.models import Instance, InstanceStatus, StatusChange

# Statuses an engine announces by webhook; a session that vanished (STOPPED) sends nothing.
_ANNOUNCED = {
    InstanceStatus.STARTING,
    InstanceStatus.SCAN_QR_CODE,
    InstanceStatus.WORKING,
    InstanceStatus.FAILED,
}


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def webhook_warning(instance: Instance, history: Sequence[StatusChange]) -> str:
    """A sentence for the instance page when webhooks cannot be arriving, else "".

    `history` is the instance's newest status changes first, as the page shows them.
    """
    if instance.supports(Capability.SEND_ONLY):
        return ""
    webhook_host = urlsplit(instance.webhook_url).hostname
    engine_host = urlsplit(instance.base_url).hostname
    if is_loopback(webhook_host) and not is_loopback(engine_host):
        return (
            f"The webhook address points at {webhook_host}, which is the engine's own machine "
            f"as seen from {engine_host}, so events cannot arrive. Set PUBLIC_BASE_URL to an "
            "address the engine can reach, then start the session again."
        )
    if instance.supports(Capability.SESSIONLESS):
        # chat-api posts messages and acks but never a status: every change comes by poll.
        return ""
    polled = next(
        (
            change
            for change in history
            if change.source in {StatusChange.Source.POLL, StatusChange.Source.WEBHOOK}
            and change.to_status in _ANNOUNCED
        ),
        None,
    )
    noticed_by_poll = polled is not None and polled.source == StatusChange.Source.POLL
    last_event = instance.last_event_at
    if noticed_by_poll and (last_event is None or last_event < polled.changed_at):
        return (
            "The last status change was noticed by the status poll, not by a webhook: the "
            "engine's webhooks are not arriving. Check that the engine can reach the "
            "webhook address below (PUBLIC_BASE_URL), then start the session again."
        )
    return ""
