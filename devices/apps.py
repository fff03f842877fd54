from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = "Devices"

    def ready(self) -> None:
        from appliance.plumbing.versioned import track

        from . import checks  # noqa: F401  (registers the start-up checks)
        from .models import Device

        track(Device)
