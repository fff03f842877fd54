from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GatewayConfig(AppConfig):
    name = "gateway"
    verbose_name = "Gateway"

    def ready(self) -> None:
        from appliance.plumbing.versioned import track

        from . import settings_audit
        from .models import Provider
        from .services import ensure_home_provider

        post_migrate.connect(ensure_home_provider, sender=self)
        track(Provider)
        settings_audit.connect()  # every app is loaded by now: the tracked models of all of them
