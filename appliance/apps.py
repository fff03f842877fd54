from django.apps import AppConfig


class ApplianceConfig(AppConfig):
    name = "appliance"
    verbose_name = "Hearth appliance"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .models import Household
        from .plumbing.versioned import track

        track(Household)
