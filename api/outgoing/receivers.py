"""The API's listeners to the other apps' signals (connected in ApiConfig.ready): each turns
what happened into an event for the outgoing webhooks. Data is read only when someone
subscribes (events.emit)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from api.outgoing import payloads
from api.outgoing.events import emit, forget_subscribers
from api.outgoing.models import OutgoingEvent, WebhookSubscriber
from campaigns.signals import campaign_finished, contacts_opted_out
from inbox.signals import message_received
from instances.signals import instance_status_changed, message_status_changed


def on_message_status(sender, message, status, error, **kwargs) -> None:
    emit(OutgoingEvent.MESSAGE_STATUS, lambda: [payloads.message_status(message, status, error)])


def on_message_received(sender, message, chat, **kwargs) -> None:
    emit(OutgoingEvent.MESSAGE_RECEIVED, lambda: [payloads.message_received(message, chat)])


def on_instance_status(sender, instance, previous, **kwargs) -> None:
    emit(OutgoingEvent.INSTANCE_STATUS, lambda: [payloads.instance_status(instance, previous)])


def on_campaign_finished(sender, campaign, **kwargs) -> None:
    emit(OutgoingEvent.CAMPAIGN_FINISHED, lambda: [payloads.campaign_finished(campaign)])


def on_contacts_opted_out(sender, contacts, reason, **kwargs) -> None:
    emit(
        OutgoingEvent.CONTACT_OPTED_OUT,
        lambda: [payloads.contact_opted_out(contact, reason) for contact in contacts],
    )


def on_subscriber_changed(sender, **kwargs) -> None:
    forget_subscribers()


def connect() -> None:
    message_status_changed.connect(on_message_status, dispatch_uid="webhooks-message-status")
    message_received.connect(on_message_received, dispatch_uid="webhooks-message-received")
    instance_status_changed.connect(on_instance_status, dispatch_uid="webhooks-instance-status")
    campaign_finished.connect(on_campaign_finished, dispatch_uid="webhooks-campaign-finished")
    contacts_opted_out.connect(on_contacts_opted_out, dispatch_uid="webhooks-opted-out")
    post_save.connect(on_subscriber_changed, WebhookSubscriber, dispatch_uid="webhooks-saved")
    post_delete.connect(on_subscriber_changed, WebhookSubscriber, dispatch_uid="webhooks-deleted")
