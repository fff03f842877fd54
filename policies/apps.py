from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policies"

    def ready(self) -> None:
        from appliance.plumbing.versioned import track
        from policies.models import HouseholdRule, HouseholdTerm

        track(HouseholdRule)
        track(HouseholdTerm)
