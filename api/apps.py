from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from api import key_cache
        from api.outgoing import receivers

        receivers.connect()
        key_cache.connect()
