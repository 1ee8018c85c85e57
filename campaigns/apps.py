from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Contacts and campaigns"

    def ready(self) -> None:
        from campaigns.counters import on_message_status_changed
        from instances.signals import message_status_changed

        message_status_changed.connect(on_message_status_changed, dispatch_uid="campaign-counters")
