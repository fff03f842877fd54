from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GatewayConfig(AppConfig):
    name = "gateway"
    verbose_name = "Gateway"

    def ready(self) -> None:
        from appliance.versioned import track

        from .models import Provider
        from .services import ensure_home_provider

        post_migrate.connect(ensure_home_provider, sender=self)
        track(Provider)
