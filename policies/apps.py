from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policies"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from policies.models import HouseholdRule
        from policies.services import forget_cached_rules

        post_save.connect(forget_cached_rules, sender=HouseholdRule)
        post_delete.connect(forget_cached_rules, sender=HouseholdRule)
